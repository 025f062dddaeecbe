"""LineSetter: the paragraphs a session has set, in memory and in the cache between runs.

A rebuild after a one-character edit (``brochure watch``) re-breaks only the
paragraph that changed: paragraphs already set are found in the session's memo
``"lines"`` by text, face, size, alignment, indent, spacing, measure and
direction.  Lines are never modified after they are set, so sharing them is safe.

Across processes (one ``brochure build`` after another) the same lines come from
the store, kind ``"layout"``: one entry per content file and group of outputs,
holding the paragraphs the last build of it used (so it never grows beyond one
document's worth), keyed within by everything the lines depend on -- the face's
``metrics_key`` (a digest of the source font's bytes and of the code that reads
its metrics, computed by the font library; not its character set) rather than
the face object.  The store mixes in the source of this package, so a changed algorithm
never reads old results.  Lines are kept as marshalled plain tuples (fast to
read and write, no pickle) and turned back into ``Line`` objects only when asked
for.  A missing or damaged entry counts as empty (everything is set again).
"""
from __future__ import annotations

import hashlib
import marshal

from brochure.text.line import Glyph, Line
from brochure.text.words import Words

MEMO_LIMIT = 20_000                   # paragraphs one session keeps in memory
WORDS = "words"                       # the memo's entry for the session's word segmenter


def encode(lines: list[Line]) -> tuple:
    return tuple((tuple((g.char, g.x, g.advance, g.piece, g.kind) for g in line.glyphs),
                  line.natural_width, line.width, line.measure, line.is_last, line.start, line.end, line.left)
                 for line in lines)


def decode(data: tuple) -> list[Line]:
    return [Line([Glyph(*g) for g in glyphs], natural, width, measure, last, start, end, left)
            for glyphs, natural, width, measure, last, start, end, left in data]


class LineSetter:
    """Set lines for one group of outputs: from ``memo``, else from the store entry ``key``, else freshly.

    ``store`` follows ``brochure.runtime.store.Store`` (None: memory only).
    """

    def __init__(self, memo: dict, store=None, key: str = ""):
        self.memo, self.store, self.key = memo, store, key
        # display lines' word boundaries: one segmenter per session (its dictionary loaded once, if at all)
        self.words = memo.get(WORDS)
        if self.words is None:
            self.words = memo[WORDS] = Words(store)
        self.known: dict = {}
        self.used: dict = {}
        self.changed = False
        if store is not None:
            data = store.get("layout", key)
            try:
                known = marshal.loads(data) if data is not None else {}
            except (ValueError, EOFError, TypeError):
                known = {}
            self.known = known if isinstance(known, dict) else {}

    def lines(self, text: str, style, width: float, vertical: bool, set_lines) -> list[Line]:
        """The lines of ``text``; ``set_lines(text, style, width, vertical)`` sets them when nobody has."""
        display = getattr(style, "display", False)
        key = (text, id(style.face), style.face.name, style.size, style.align, style.indent, style.cjk_latin_space,
               round(width, 4), vertical, display)
        lines = self.memo.get(key)
        disk_key = None
        if self.store is not None:
            disk_key = hashlib.sha1(repr((text, style.face.metrics_key, style.size, style.align, style.indent,
                                          style.cjk_latin_space, round(width, 4), vertical, display)).encode("utf-8")).hexdigest()
        if lines is not None:
            if disk_key is not None and disk_key not in self.used:
                data = self.known.get(disk_key)
                self.used[disk_key] = data if data is not None else encode(lines)
                self.changed = self.changed or data is None
            return lines
        if disk_key is not None:
            data = self.known.get(disk_key)
            if data is not None:
                lines = decode(data)
                self.used[disk_key] = data
        if lines is None:
            lines = set_lines(text, style, width, vertical)
            if disk_key is not None:
                self.used[disk_key] = encode(lines)
                self.changed = True
        if len(self.memo) >= MEMO_LIMIT:
            self.memo.clear()
            self.memo[WORDS] = self.words
        self.memo[key] = lines
        return lines

    def save(self) -> None:
        """Keep what this group used for the next run, when anything was set anew (never raises).

        A build that finds its layout plan in the cache sets only the paragraphs of that
        layout, fewer than a build that searched (which tries other measures for captions
        and boxes), so the lines kept before and not used now stay too, up to as many
        again as were used: the entry holds one document's worth, the search's included.
        """
        self.words.save()
        if self.store is None or not self.changed:
            return
        kept = dict(self.used)
        for key, data in self.known.items():
            if len(kept) >= 2 * len(self.used):
                break
            kept.setdefault(key, data)
        self.store.put("layout", self.key, marshal.dumps(kept))
        self.known, self.changed = kept, False
