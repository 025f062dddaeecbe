"""Set paragraphs kept between runs: a one-shot build re-breaks only what changed.

Within one process ``layout.layout_lines`` remembers every paragraph it set.  This
store carries that across processes: the lines of each paragraph, keyed by
everything they depend on -- the text, the face's metrics (source font and
converter, not the face's character set), size, alignment, indent, spacing,
measure, and the source of this package's text code, so a changed algorithm never
reads old results.  Lines are stored as plain tuples (fast to read and write) and
turned back into ``Line`` objects only when asked for.

One file per content file and group of outputs, in $XDG_CACHE_HOME/brochure/layout;
it holds just the paragraphs the last build used, so it never grows beyond one
document's worth.  A damaged or unreadable file is ignored (everything is set again).
"""
from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

from brochure.cache import Kept
from brochure.text.line import Glyph, Line

FORMAT = 1
_SOURCES = Path(__file__).resolve().parent


def code_version() -> str:
    """A digest of the text package's source: set lines are valid only for the code that set them."""
    h = hashlib.sha256(str(FORMAT).encode())
    for path in sorted(_SOURCES.glob("*.py")):
        with contextlib.suppress(OSError):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def encode(lines: list[Line]) -> tuple:
    return tuple((tuple((g.char, g.x, g.advance, g.piece, g.kind) for g in line.glyphs),
                  line.natural_width, line.width, line.measure, line.is_last, line.start, line.end, line.left)
                 for line in lines)


def decode(data: tuple) -> list[Line]:
    return [Line([Glyph(*g) for g in glyphs], natural, width, measure, last, start, end, left)
            for glyphs, natural, width, measure, last, start, end, left in data]


class Store(Kept):
    """The paragraphs of one file on disk, and those this process used or set since opening it."""

    def __init__(self, path: Path):
        super().__init__(Path(path), code_version())

    def key(self, *parts) -> str:
        return hashlib.sha1(repr((self.version,) + parts).encode("utf-8")).hexdigest()

    def get(self, key: str) -> list[Line] | None:
        data = super().get(key)
        return None if data is None else decode(data)

    def put(self, key: str, lines: list[Line]) -> None:
        self[key] = encode(lines)

    def note(self, key: str, lines: list[Line]) -> None:
        """``lines`` (remembered in the process) were used again: keep them in the file."""
        if key not in self.used:
            data = self.known.get(key)
            self.used[key] = data if data is not None else encode(lines)
            self.changed = self.changed or data is None
