"""CMYK colour in percent: ReportLab colours, total ink, palette checks."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from reportlab.lib.colors import CMYKColor, CMYKColorSep

CMYK = tuple[float, float, float, float]

RICH_BLACK: CMYK = (60, 40, 40, 100)   # large areas only; text stays K100
TEXT_BLACK: CMYK = (0, 0, 0, 100)
WHITE: CMYK = (0, 0, 0, 0)


def cmyk(c: float, m: float, y: float, k: float, alpha: float | None = None) -> CMYKColor:
    """A ReportLab DeviceCMYK colour from percentages (0..100)."""
    for v in (c, m, y, k):
        if not 0 <= v <= 100:
            raise ValueError(f"CMYK percentages must be 0..100, got {(c, m, y, k)}")
    kw = {} if alpha is None else {"alpha": alpha}
    return CMYKColor(c / 100, m / 100, y / 100, k / 100, **kw)


def registration() -> CMYKColorSep:
    """Registration colour: a Separation /All, prints on every plate at 100 %.

    For crop marks and registration targets only, never for content.
    """
    return CMYKColorSep(1, 1, 1, 1, spotName="All", density=1)


def total_ink(value: Iterable[float]) -> float:
    """Total area coverage of a CMYK colour in percent (C+M+Y+K)."""
    return float(sum(value))


def check_palette(palette, limit: float = 300) -> list[str]:
    """Problems in a palette (a mapping or dataclass of name -> CMYK percent).

    Returns bilingual one-line descriptions; empty when everything is fine.
    """
    if isinstance(palette, Mapping):
        items = list(palette.items())
    else:
        items = list(vars(palette).items())
    problems: list[str] = []
    for name, value in items:
        try:
            vals = tuple(float(v) for v in value)
        except (TypeError, ValueError):
            problems.append(f"颜色 {name} 不是 CMYK 数值 / colour {name} is not a CMYK value: {value!r}")
            continue
        if len(vals) != 4:
            problems.append(f"颜色 {name} 应有 4 个数值 (C,M,Y,K) / colour {name} needs 4 values (C,M,Y,K)")
            continue
        if any(not 0 <= v <= 100 for v in vals):
            problems.append(f"颜色 {name} 的数值须在 0–100 之间 / colour {name} values must be 0–100: {vals}")
            continue
        ink = total_ink(vals)
        if ink > limit:
            problems.append(
                f"颜色 {name} 总墨量 {ink:.0f}% 超过 {limit:.0f}% / "
                f"colour {name} total ink {ink:.0f}% exceeds {limit:.0f}%")
        if vals[0] >= 99 and vals[1] >= 99 and vals[2] >= 99 and vals[3] >= 99:
            problems.append(
                f"颜色 {name} 是套准色（四色 100%），不能用于内容 / "
                f"colour {name} is registration colour (all inks 100%), not for content")
    return problems
