"""Blocks that posters add to the layout's own: short texts set to be read from a distance."""
from __future__ import annotations

from reportlab.platypus.flowables import Flowable

from brochure.layout.back import FigureCell
from brochure.text import CJKParagraph
from brochure.text.layout import layout_lines
from brochure.text.linebreak import SHORT_LAST_CHARS

OPENING_BRACKETS = "（([〔【《〈「『“‘"


class Balanced(Flowable):
    """A short text (a label, an honour) set at the narrowest measure that keeps its number of lines.

    Its lines come out about equally long, so none holds a lone word or a bracket group
    broken off from the word before it; the lines are aligned in the width as the style says.
    """

    def __init__(self, text: str, style):
        super().__init__()
        self.text, self.style = text, style
        self.paragraph = CJKParagraph(text, style)
        self.measure = 0.0

    def lines_at(self, measure: float):
        return self.paragraph.lines(measure)

    def wrap(self, aw, ah):  # noqa: N803 (ReportLab's names)
        count = len(self.lines_at(aw))
        lo, hi = aw / max(count, 1) * 0.9, aw
        if count > 1:
            for _ in range(14):
                mid = (lo + hi) / 2
                if len(self.lines_at(mid)) <= count:
                    hi = mid
                else:
                    lo = mid
            while hi < aw and self.breaks_off_a_bracket(hi):   # the group goes down with its word
                hi = min(aw, hi + self.style.size)
                if len(self.lines_at(hi)) < count:
                    break
        self.measure = hi
        self.width = aw
        self.height = self.paragraph.wrap(hi, ah)[1]
        return aw, self.height

    def breaks_off_a_bracket(self, measure: float) -> bool:
        return any(line.text[:1] in OPENING_BRACKETS for line in self.lines_at(measure)[1:])

    def draw(self):
        offset = {"center": (self.width - self.measure) / 2, "right": self.width - self.measure}.get(self.style.align, 0.0)
        self.paragraph.drawOn(self.canv, offset, 0)


class SideBySide(Flowable):
    """Blocks in columns ``column`` wide, ``gap`` apart, each centred in its column, their tops level."""

    def __init__(self, parts, column: float, gap: float):
        super().__init__()
        self.parts, self.column, self.gap = parts, column, gap
        self.width = len(parts) * column + (len(parts) - 1) * gap
        self._sizes: list = []

    def wrap(self, aw, ah):  # noqa: N803 (ReportLab's names)
        self._sizes = [p.wrap(p.width, 1e7) for p in self.parts]
        self.height = max(h for _, h in self._sizes)
        return self.width, self.height

    def draw(self):
        for i, (part, (w, h)) in enumerate(zip(self.parts, self._sizes)):
            part.drawOn(self.canv, i * (self.column + self.gap) + (self.column - w) / 2, self.height - h)


def _short_tail(lines) -> bool:
    return len(lines) > 1 and len(lines[-1].text.strip()) <= SHORT_LAST_CHARS


def even_width(text: str, style, width: float) -> float:
    """The narrowest width up to ``width`` that sets ``text`` in as few lines as ``width`` does
    without leaving a last line of a few characters that ``width`` itself avoids: narrowing a
    display line must not undo the setter's better break (市二中/附三（南洲）小学学位, not
    市二中附三（南洲）/小学学位)."""
    full = layout_lines(text, style, width)
    count, avoid = len(full), not _short_tail(full)
    if count <= 1:
        return width

    def good(w):
        lines = layout_lines(text, style, w)
        return len(lines) <= count and not (avoid and _short_tail(lines))

    lo, hi = width / count, width
    for _ in range(12):
        mid = (lo + hi) / 2
        if good(mid):
            hi = mid
        else:
            lo = mid
    return hi


class PosterFigureCell(FigureCell):
    """A key figure on a poster: its label as even as it can be without a short last line."""

    #: How much wider than its cell a label may be set to avoid a short last line (the row's
    #: room is shared by ink, so a wider label takes room from narrower neighbours).
    SPILL = 1.3

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.spill = True

    def wrap(self, aw, ah):  # noqa: N803 (ReportLab's names)
        super().wrap(aw, ah)
        room = aw
        if self.spill and _short_tail(layout_lines(self.figure.label, self.label_style, aw)):
            for k in range(1, 7):
                wider = aw * (1 + (self.SPILL - 1) * k / 6)
                if not _short_tail(layout_lines(self.figure.label, self.label_style, wider)):
                    room = wider
                    break
        width = even_width(self.figure.label, self.label_style, room)
        if width > self._label_w + 0.01:
            self.height -= self._label_h
            self._label_w = width
            _, self._label_h = self._label.wrap(width, ah)
            self.height += self._label_h
        return aw, self.height

    @property
    def content_width(self) -> float:
        """How wide the cell's ink is: the number with its unit, or the label's widest line as set
        (its brackets and punctuation squeezed as printed), if wider."""
        label = max((line.width - line.left for line in self._label.lines(self._label_w)), default=0.0)
        return max(self._nw + self._gap + self._uw, label)
