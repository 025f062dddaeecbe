"""CJKParagraph: a ReportLab Flowable that sets a paragraph on the baseline grid.

Its height is always a whole number of lines × leading, and every baseline
sits at the same depth in its line box.  Frames that start on the grid
therefore keep neighbouring columns' baselines level.  ``split`` breaks
between lines and never leaves a single line of a paragraph alone at the foot
of a column (orphan) or at the head of the next one (widow).
"""
from __future__ import annotations

from dataclasses import replace

from reportlab.platypus.flowables import Flowable

from brochure.draw.text import draw_run, set_fill
from brochure.text.layout import layout_lines
from brochure.text.line import Line

EPSILON = 1e-6


class CJKParagraph(Flowable):
    """A paragraph of Chinese (and mixed) text, justified by our own clreq rules."""

    def __init__(self, text: str, style, *, continued: bool = False, actual_text: bool = True,
                 _lines: list[Line] | None = None, _width: float | None = None):
        super().__init__()
        self.actual_text = actual_text    # mark each line with its exact source text (see textdraw)
        self.text = text
        self.where = getattr(text, "where", None)      # its place in content.yaml, when it came from there
        self.style = style
        self.continued = continued        # a continuation from a previous column: no indent
        self._lines = _lines
        self._lines_width = _width
        self.width = 0.0
        self.height = 0.0

    # --- layout -----------------------------------------------------------------
    def _layout_style(self):
        if not self.continued or not self.style.indent:
            return self.style
        return replace(self.style, indent=0.0)

    def lines(self, width: float) -> list[Line]:
        """The set lines for a column ``width`` pt wide (cached per width)."""
        if self._lines is None or self._lines_width is None or abs(self._lines_width - width) > EPSILON:
            self._lines = layout_lines(self.text, self._layout_style(), width)
            self._lines_width = width
        return self._lines

    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        self.width = availWidth
        self.height = len(self.lines(availWidth)) * self.style.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803
        lines = self.lines(availWidth)
        fit = int((availHeight + EPSILON) // self.style.leading)
        if fit >= len(lines):
            return [self]
        if len(lines) - fit < 2:      # no widow: carry at least two lines over
            fit = len(lines) - 2
        if fit < 2:                   # no orphan: keep at least two lines here
            return []
        head = CJKParagraph(self.text[: lines[fit].start], self.style, continued=self.continued,
                            actual_text=self.actual_text, _lines=lines[:fit], _width=availWidth)
        tail_text = self.text[lines[fit].start:]
        tail = CJKParagraph(tail_text, self.style, continued=True, actual_text=self.actual_text)
        head.where = tail.where = self.where
        # keep the lines already chosen for the tail, shifted to its own text
        offset = lines[fit].start
        tail._lines = [_shift(l, -offset) for l in lines[fit:]]
        tail._lines_width = availWidth
        return [head, tail]

    # --- drawing --------------------------------------------------------------------
    def draw(self):
        canvas = self.canv
        style = self.style
        lines = self.lines(self.width)
        canvas.saveState()
        set_fill(canvas, style.color, style.overprint)
        top = len(lines) * style.leading
        for i, line in enumerate(lines):
            baseline = top - i * style.leading - style.baseline_offset
            actual = self.text[line.start:line.end] if self.actual_text else None
            draw_run(canvas, style.face, style.size, 0.0, baseline,
                     [(g.char, g.x) for g in line.glyphs], actual)
        canvas.restoreState()


def _shift(line: Line, delta: int) -> Line:
    return replace(line, start=line.start + delta, end=line.end + delta)


