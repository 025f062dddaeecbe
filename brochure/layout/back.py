"""The brochure's back cover: designed, not left over.

From the top: the masthead in the front page's order (slogan above the
title), the key figures (数说十年) as a grid on a tint, the QR code with its
call to action as the page's focus, and the publisher block on the accent
band at the foot, into the bleed.  The modules are spaced evenly; what room
is left over widens the figures panel, so no empty band opens across the page.
"""
from __future__ import annotations

import math
from dataclasses import replace

from reportlab.platypus.flowables import Flowable

from brochure.content.model import Content, Figure
from brochure.draw.qr import QUIET_MODULES, qr_modules
from brochure.ground.boxes import MM, PageBoxes
from brochure.ground.errors import LayoutError
from brochure.ground.page import Page
from brochure.layout.blocks import Fill, Grid, QRCode, Stack, grid_ceil
from brochure.layout.flow import Column
from brochure.layout.styles import Styles
from brochure.text import CJKParagraph, layout_lines, natural_width

QR_CODE = 30 * MM        # the printed code itself, its modules only (≥ 30 mm); the quiet zone lies around it
FIGURES_HEADING = "数说十年"
MAX_GAP_LINES = 3        # the most white, in grid lines, between two modules of the page
MAX_ROW_GAP_LINES = 3    # the most room, in grid lines, between two rows of figures


def qr_size(url: str) -> float:
    """Printed size (pt) of the back cover's QR code for ``url``: the code ``QR_CODE`` wide plus its quiet zone."""
    n = qr_modules(url, "Q")
    return QR_CODE * (n + 2 * QUIET_MODULES) / n


def balanced_width(text: str, style, width: float) -> float:
    """The narrowest width up to ``width`` that sets ``text`` in as few lines as ``width`` does,
    so the lines come out about even and none holds a lone word."""
    lines = len(layout_lines(text, style, width))
    if lines <= 1:
        return width
    lo, hi = width / lines, width
    for _ in range(12):
        mid = (lo + hi) / 2
        if len(layout_lines(text, style, mid)) > lines:
            lo = mid
        else:
            hi = mid
    return hi


class FigureCell(Flowable):
    """One key figure: the number large and its unit at half size on the same baseline, centred and
    never apart; the label beneath, centred, its lines balanced."""

    def __init__(self, figure: Figure, number_style, unit_style, label_style):
        super().__init__()
        self.figure = figure
        self.number_style, self.unit_style, self.label_style = number_style, unit_style, label_style
        self.width = self.height = 0.0

    def wrap(self, aw, ah):
        self.width = aw
        number, unit = self.number_style, self.unit_style
        gap = 0.1 * unit.size if self.figure.unit else 0.0
        total = natural_width(self.figure.value, number) + gap + natural_width(self.figure.unit, unit)
        if total > aw:           # a long number: both smaller, in proportion, still on one line
            k = aw / total
            number = replace(number, size=number.size * k)
            unit = replace(unit, size=unit.size * k)
            gap *= k
        self._number = CJKParagraph(self.figure.value, number)
        self._unit = CJKParagraph(self.figure.unit, unit)
        self._nw = natural_width(self.figure.value, number)
        self._uw = natural_width(self.figure.unit, unit)
        self._gap = gap
        self._number.wrap(self._nw + 1, number.leading)
        self._unit.wrap(self._uw + 1, unit.leading)
        self._label_w = balanced_width(self.figure.label, self.label_style, aw)
        self._label = CJKParagraph(self.figure.label, self.label_style)
        _, self._label_h = self._label.wrap(self._label_w, ah)
        self.height = number.leading + self._label_h
        return aw, self.height

    @property
    def content_width(self) -> float:
        """How wide the cell's ink is after ``wrap``: the number with its unit, or the label if wider."""
        label = max((line.natural_width for line in self._label.lines(self._label_w)), default=0.0)
        return max(self._nw + self._gap + self._uw, label)

    def draw(self):
        number, unit = self._number.style, self._unit.style
        x = (self.width - self._nw - self._gap - self._uw) / 2
        y = self.height - number.leading
        self._number.drawOn(self.canv, x, y)
        baseline = y + number.leading - number.baseline_offset
        if self.figure.unit:
            self._unit.drawOn(self.canv, x + self._nw + self._gap, baseline - unit.leading + unit.baseline_offset)
        self._label.drawOn(self.canv, (self.width - self._label_w) / 2, 0)


class FiguresPanel(Grid):
    """The key figures in rows of equal cells on a tint, every row centred (a short last row too),
    numbers top-aligned so a row's numbers share their baseline.

    ``row_gap`` is the room between rows and ``pad`` above the first and below the last: the
    page widens them to use the room it has.
    """

    def __init__(self, width, cells, per_row, *, gap, row_gap, pad, background):
        super().__init__(width, cells, per_row, gap, row_gap=row_gap, background=background, pad=pad, inset=gap)


def per_row(n: int) -> int:
    """Cells in a full row of ``n`` figures: three, or two when two rows of two read better."""
    return 3 if n in (3, 5, 6) or n > 6 else 2


class BackCover:
    """Composes the back cover onto ``page`` inside ``frame`` (the type area, no running head)."""

    def __init__(self, content: Content, styles: Styles, boxes: PageBoxes):
        self.c, self.s, self.boxes = content, styles, boxes
        self.L = content.typography.leading

    def masthead(self, width: float) -> Stack:
        c, s = self.c, self.s
        return Stack(width, [CJKParagraph(c.masthead.slogan, s.back_slogan),
                             CJKParagraph(c.masthead.title, s.back_masthead)], leading=self.L)

    def figures(self, width: float, row_gap: float, pad: float) -> FiguresPanel | None:
        s = self.s
        if not self.c.figures:
            return None
        cells = [FigureCell(f, s.figure_number, s.figure_unit, s.figure_label) for f in self.c.figures]
        return FiguresPanel(width, cells, per_row(len(cells)), gap=self.L, row_gap=row_gap, pad=pad,
                            background=self.c.palette.tint)

    def focus(self, page: Page, x: float, top: float, width: float, *, place: bool = True) -> float:
        """The page's focus: the call to action, the QR code and its address, centred from ``top`` down;
        returns its height (and places nothing when not ``place``)."""
        c, s, L = self.c, self.s, self.L
        size = qr_size(c.document.online_url)
        cta = CJKParagraph(c.document.call_to_action, s.call_to_action)
        _, h_cta = cta.wrap(width, 1e6)
        url = CJKParagraph(c.document.online_url, s.url)
        _, h_url = url.wrap(width, 1e6)
        height = grid_ceil(h_cta + 0.5 * L + size + 0.5 * L + h_url, L)
        if place:
            y = top - h_cta
            page.add(cta, x, y, width, h_cta, "heading")
            y -= 0.5 * L + size
            page.add(QRCode(c.document.online_url, size), x + (width - size) / 2, y, size, size, "qr")
            y -= 0.5 * L + h_url
            page.add(url, x, y, width, h_url, "text")
        return height

    def imprint(self, width: float) -> Stack:
        """The publisher block: the publisher, then date, address and contact as far as content.yaml gives them."""
        c, s = self.c, self.s
        details = "　".join(t for t in (c.document.date, c.document.address, c.document.contact) if t)
        return Stack(width, [CJKParagraph(c.document.publisher, s.publisher), CJKParagraph(details, s.imprint)],
                     leading=self.L)

    def compose(self, page: Page, frame: Column) -> None:
        c, L = self.c, self.L
        W, bleed = self.boxes.trim_w, self.boxes.bleed
        x, width = frame.x, frame.width
        head = self.masthead(width)
        _, h_head = head.wrap(width, 1e6)
        h_focus = self.focus(page, x, 0, width, place=False)
        imprint = self.imprint(width)
        _, h_imprint = imprint.wrap(width, 1e6)
        band_h = h_imprint + 4 * L                      # two grid lines of accent above and below the block
        title = CJKParagraph(FIGURES_HEADING, self.s.figures_title)
        _, h_title = title.wrap(width, 1e6)
        panel = self.figures(width, L, L)
        h_panel = panel.wrap(width, 1e6)[1] if panel is not None else 0.0
        modules = [h_head, h_focus] + ([h_title + h_panel] if panel is not None else [])
        room = frame.top - band_h - sum(modules)
        gaps = len(modules)                             # below each module, the last one above the band
        if room < gaps * L:
            raise LayoutError(
                f"封底放不下：关键数字太多（{len(c.figures)} 个）。请在 content.yaml 的 figures 中删去几个。",
                f"the back cover is too full: too many key figures ({len(c.figures)}). "
                f"Remove some from figures in content.yaml.",
            )
        gap = min(room / gaps, MAX_GAP_LINES * L)
        spare = room - gap * gaps
        if panel is not None and spare > 0:             # the figures panel takes the rest: air around its rows
            rows = math.ceil(len(panel.cells) / panel.per_row)
            extra = min(spare / (rows + 1), (MAX_ROW_GAP_LINES - 1) * L)
            panel = self.figures(width, L + extra, L + extra)
            h_panel = panel.wrap(width, 1e6)[1]
            spare -= extra * (rows + 1)
        gap += spare / gaps                             # whatever is left, spread evenly
        y = frame.top
        page.add(head, x, y - h_head, width, h_head, "heading")
        y -= h_head + gap
        if panel is not None:
            page.add(title, x, y - h_title, width, h_title, "heading")
            y -= h_title
            page.add(panel, x, y - h_panel, width, h_panel, "box")
            y -= h_panel + gap
        self.focus(page, x, y, width)
        page.add(Fill(W + 2 * bleed, band_h + bleed, c.palette.accent), -bleed, -bleed, W + 2 * bleed,
                 band_h + bleed, "decoration")
        page.add(imprint, x, (band_h - h_imprint) / 2, width, h_imprint, "text")


def compose_back(page: Page, frame: Column, content: Content, styles: Styles, boxes: PageBoxes) -> None:
    """The back cover of ``content`` onto ``page``, inside the type area ``frame``."""
    BackCover(content, styles, boxes).compose(page, frame)
