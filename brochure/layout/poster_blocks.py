"""Blocks that posters add to the layout's own: short texts set to be read from a distance."""
from __future__ import annotations

from reportlab.platypus.flowables import Flowable

from brochure.text import CJKParagraph

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
