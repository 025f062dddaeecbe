"""Small pieces of the bilingual messages that several stages print."""
from __future__ import annotations


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` with the English noun in the right number: 1 warning, 2 warnings (Chinese needs none)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
