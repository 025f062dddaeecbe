"""The non-text blocks of a composition, as ReportLab Flowables (wrap / split / draw).

Each block's height is what it says it is; blocks that sit in text columns
round their height up to whole grid lines so that body baselines stay on the
baseline grid beneath them.
"""
from __future__ import annotations

import math
from dataclasses import replace

from reportlab.platypus.flowables import Flowable

from brochure.draw.image import draw_image
from brochure.draw.qr import draw_qr
from brochure.ground.colour import cmyk
from brochure.layout.sectionflow import balance
from brochure.text import CJKParagraph


def grid_ceil(height: float, leading: float) -> float:
    """``height`` rounded up to a whole number of grid lines."""
    return math.ceil(height / leading - 1e-6) * leading


class Box(Flowable):
    """A block of a fixed size, whatever room it is offered; draws nothing (so also a spacer)."""

    def __init__(self, width, height):
        super().__init__()
        self.width, self.height = width, height

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        pass


class Spacer(Box):
    """Empty room of a fixed size."""


class Fill(Box):
    """A filled rectangle (band, tint, box background), optionally with a rule around it."""

    def __init__(self, width, height, color, *, stroke=None, line_width=0.5):
        super().__init__(width, height)
        self.color, self.stroke, self.line_width = color, stroke, line_width

    def draw(self):
        c = self.canv
        if self.color is not None:
            c.setFillColor(cmyk(*self.color))
        if self.stroke is not None:
            c.setStrokeColor(cmyk(*self.stroke))
            c.setLineWidth(self.line_width)
        c.rect(0, 0, self.width, self.height, stroke=int(self.stroke is not None), fill=int(self.color is not None))


class Rule(Box):
    """A thin line from (0, 0) to (width, height): horizontal or vertical."""

    def __init__(self, width, height, color=(0, 0, 0, 100), line_width=0.3, overprint=True):
        super().__init__(width, height)
        self.color, self.line_width, self.overprint = color, line_width, overprint

    def draw(self):
        c = self.canv
        c.setStrokeColor(cmyk(*self.color))
        if self.overprint:
            c.setStrokeOverprint(True)
        c.setLineWidth(self.line_width)
        c.line(0, 0, self.width, self.height)


class Stack(Flowable):
    """Flowables stacked top to bottom at given x offsets, as one unsplittable block."""

    def __init__(self, width, parts, *, pad=0.0, background=None, stroke=None, min_height=0.0, leading=None):
        super().__init__()
        self.width, self.parts, self.pad = width, parts, pad
        self.background, self.stroke = background, stroke
        self.min_height, self.leading = min_height, leading
        self._heights: list[float] = []

    def wrap(self, aw, ah):
        inner = self.width - 2 * self.pad
        self._heights = [p.wrap(inner, 1e6)[1] for p in self.parts]
        h = sum(self._heights) + 2 * self.pad
        h = max(h, self.min_height)
        if self.leading:
            h = grid_ceil(h, self.leading)
        self.height = h
        return self.width, h

    def draw(self):
        c = self.canv
        y = self.height - self.pad
        if self.background is not None or self.stroke is not None:
            Fill(self.width, self.height, self.background, stroke=self.stroke).drawOn(c, 0, 0)
            # a box rounded up to the grid keeps its padding equal above and below its words
            y -= (self.height - sum(self._heights) - 2 * self.pad) / 2
        for part, h in zip(self.parts, self._heights):
            y -= h
            part.drawOn(c, self.pad, y)


class Image(Box):
    """A prepared (print-ready CMYK) photo filling a frame, with a placeholder note when it is one."""

    def __init__(self, prepared, width, height):
        super().__init__(width, height)
        self.prepared = prepared

    def draw(self):
        draw_image(self.canv, self.prepared, 0, 0)


class QRCode(Box):
    """A vector QR code, K100 on white with its quiet zone, ``size`` including the quiet zone."""

    def __init__(self, url, size, ec="Q"):
        super().__init__(size, size)
        self.url, self.size, self.ec = url, size, ec

    def draw(self):
        draw_qr(self.canv, self.url, 0, 0, self.size, ec=self.ec)


class Grid(Flowable):
    """Blocks in rows of ``per_row`` equal cells, ``gap`` between columns and ``row_gap`` (default: the
    same) between rows, ``pad`` above and below, ``inset`` (default: ``pad``) left and right; every
    row centred (a short last row too), cells top-aligned; one unsplittable block."""

    def __init__(self, width, cells, per_row, gap=0.0, *, row_gap=None, background=None, pad=0.0, inset=None):
        super().__init__()
        self.width, self.cells, self.per_row, self.gap = width, cells, per_row, gap
        self.row_gap = gap if row_gap is None else row_gap
        self.background, self.pad = background, pad
        self.inset = pad if inset is None else inset
        self._rows: list[float] = []

    @property
    def cell_width(self) -> float:
        return (self.width - 2 * self.inset - (self.per_row - 1) * self.gap) / self.per_row

    def wrap(self, aw, ah):
        w = self.cell_width
        heights = [c.wrap(w, 1e6)[1] for c in self.cells]
        self._rows = [max(heights[i:i + self.per_row]) for i in range(0, len(heights), self.per_row)]
        self.height = sum(self._rows) + self.row_gap * (len(self._rows) - 1) + 2 * self.pad
        return self.width, self.height

    def draw(self):
        if self.background is not None:
            Fill(self.width, self.height, self.background).drawOn(self.canv, 0, 0)
        w = self.cell_width
        y = self.height - self.pad
        for r, row_h in enumerate(self._rows):
            row = self.cells[r * self.per_row:(r + 1) * self.per_row]
            offset = (self.per_row - len(row)) * (w + self.gap) / 2   # centre a short last row
            for k, cell in enumerate(row):
                _, h = cell.wrap(w, 1e6)
                cell.drawOn(self.canv, self.inset + offset + k * (w + self.gap), y - h)
            y -= row_h + self.row_gap


class SectionHeading(Flowable):
    """A section's opening across the columns: the letter on an accent badge, the headline, a rule.

    Its height is whole grid lines, half a line of air above and below.
    """

    kind = "heading"

    def __init__(self, width, letter, headline, accent, leading):
        super().__init__()
        self.width, self.letter, self.headline = width, letter, headline
        self.accent, self.L = accent, leading
        self.badge = 2 * leading

    def wrap(self, aw, ah):
        _, self._head_h = self.headline.wrap(self.width - self.badge - 8, 10 * self.L)
        self._box_h = max(self.badge, self._head_h)
        self.height = grid_ceil(self._box_h + self.L, self.L)
        return self.width, self.height

    def draw(self):
        c, L = self.canv, self.L
        top = self.height - 0.5 * L
        Fill(self.badge, self.badge, self.accent).drawOn(c, 0, top - self.badge)
        self.letter.wrap(self.badge, self.badge)
        self.letter.drawOn(c, 0, top - self.badge)
        self.headline.drawOn(c, self.badge + 8, top - self._head_h)
        Rule(self.width, 0, self.accent, 0.6, overprint=False).drawOn(c, 0, top - self._box_h - 0.35 * L)


class Bullet(Flowable):
    """A list item: a mark, then the item's paragraph with a hanging indent (wrapped lines align
    with the text, not under the mark)."""

    def __init__(self, mark, paragraph, style):
        super().__init__()
        self.mark = CJKParagraph(mark, style)
        self.paragraph = paragraph
        self.hang = style.size * 1.25

    def wrap(self, aw, ah):
        self.width = aw
        self.mark.wrap(self.hang, ah)
        _, self.height = self.paragraph.wrap(aw - self.hang, ah)
        return aw, self.height

    def draw(self):
        _, h = self.mark.wrap(self.hang, self.height)
        self.mark.drawOn(self.canv, 0, self.height - h)
        self.paragraph.drawOn(self.canv, self.hang, 0)


class Row(Flowable):
    """Blocks side by side at given widths, top-aligned, separated by ``gap``; one unsplittable block."""

    def __init__(self, parts, widths, gap=0.0):
        super().__init__()
        self.parts, self.widths, self.gap = parts, widths, gap
        self.width = sum(widths) + gap * (len(widths) - 1)
        self._heights: list[float] = []

    def wrap(self, aw, ah):
        self._heights = [p.wrap(w, 1e6)[1] for p, w in zip(self.parts, self.widths)]
        self.height = max(self._heights, default=0.0)
        return self.width, self.height

    def draw(self):
        x = 0.0
        for part, w, h in zip(self.parts, self.widths, self._heights):
            part.drawOn(self.canv, x, self.height - h)
            x += w + self.gap


def fragment(para: CJKParagraph, width: float, first: int, count: int) -> CJKParagraph:
    """Lines ``first`` .. ``first + count`` of ``para`` set at ``width``, as the Flowable ``split`` makes them."""
    lines = para.lines(width)
    if first == 0 and count >= len(lines):
        return para
    begin = lines[first].start
    end = lines[first + count].start if first + count < len(lines) else len(para.text)
    shifted = [replace(line, start=line.start - begin, end=line.end - begin) for line in lines[first:first + count]]
    part = CJKParagraph(para.text[begin:end], para.style, continued=first > 0 or para.continued,
                        actual_text=para.actual_text, _lines=shifted, _width=width)
    part.where = para.where
    return part


class Columns(Flowable):
    """Paragraphs set in ``n`` balanced columns ``gap`` apart, as one unsplittable block on the grid: a
    comfortable measure for a wide box (clreq: about 15–40 characters a line)."""

    def __init__(self, width: float, paragraphs: list, n: int, gap: float, leading: float):
        super().__init__()
        self.width, self.n, self.gap, self.L = width, n, gap, leading
        self.col_w = (width - (n - 1) * gap) / n
        queue = [[k, 0, len(p.lines(self.col_w))] for k, p in enumerate(paragraphs)]
        rows = sum(q[2] for q in queue)
        placed, _, bottom = balance([0] * n, rows, queue)
        self.parts = []
        for col, row, para, first, count in placed:
            part = fragment(paragraphs[para], self.col_w, first, count)
            part.wrap(self.col_w, count * leading)
            self.parts.append((col, row, part))
        self.rows = bottom
        self.height = bottom * leading

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        for col, row, part in self.parts:
            part.drawOn(self.canv, col * (self.col_w + self.gap), self.height - row * self.L - part.height)
