"""Pages added to make the page count a multiple of four: designed pages, never ruled notes.

A saddle-stitched booklet has 4, 8, 12 … pages.  When the words run past a
multiple of four, the layout search has already tried to fit them by photo
sizes and placements; the pages still missing are filled with what the
content holds and a reader looks at: the key figures (数说十年) large, the
honour list given a page of its own, and the photos large with their
captions.  Each is a whole page composed on the grid, in that order.
"""
from __future__ import annotations

from dataclasses import replace

from brochure.ground.page import Page
from brochure.layout.back import FigureCell, FiguresPanel, per_row
from brochure.layout.blocks import Bullet, Stack
from brochure.layout.flow import Column


class FillerPages:
    """The designed pages of a composer (geometry, styles, ``para``, photo blocks come from it)."""

    def fill_to_four(self) -> None:
        """Add designed pages before the back cover until the count (with it) is a multiple of four."""
        makers = [self.figures_page, self.honours_page, self.photos_page]
        while (len(self.pages) + 1) % 4:
            for make in list(makers):
                makers.remove(make)
                if make():
                    break
            else:
                self.photos_page(again=True)

    def filler_heading(self, page: Page, frame: Column, title: str) -> float:
        heading = self.para(title, self.s.section)
        _, h = heading.wrap(frame.width, frame.top - frame.bottom)
        page.add(heading, frame.x, frame.top - h, frame.width, h, "heading")
        return frame.top - h - self.L

    def centre_on_page(self, page: Page, frame: Column, block, top: float, kind: str) -> None:
        """``block`` in the middle of the room between ``top`` and the foot of the type area, on the grid."""
        _, h = block.wrap(frame.width, top - frame.bottom)
        y = self.snap(frame, top - (top - frame.bottom - h) / 2)
        page.add(block, frame.x, max(frame.bottom, y - h), frame.width, h, kind)

    def figures_page(self) -> bool:
        """The key figures large: numbers with their units at half size, rows centred, labels beneath."""
        if not self.c.figures:
            return False
        page, frame = self.new_page("inner")
        top = self.filler_heading(page, frame, "数说十年")
        s, L = self.s, self.L
        grow = 1.5                                   # a page of their own: half as large again as on the back
        number = replace(s.figure_number, size=s.figure_number.size * grow, leading=s.figure_number.leading * grow)
        unit = replace(s.figure_unit, size=s.figure_unit.size * grow, leading=s.figure_unit.leading * grow)
        label = replace(s.figure_label, size=s.figure_label.size * 1.3, leading=L * 1.5)
        cells = [FigureCell(fig, number, unit, label) for fig in self.c.figures]
        panel = FiguresPanel(frame.width, cells, min(2, per_row(len(cells))) if len(cells) <= 4 else per_row(len(cells)),
                             gap=2 * L, row_gap=3 * L, pad=2 * L, background=self.c.palette.tint)
        self.centre_on_page(page, frame, panel, top, "box")
        return True

    def honours_page(self) -> bool:
        """The honour list given its own page, in two columns of large type."""
        items = list(self.c.honours.items)
        if not items:
            return False
        page, frame = self.new_page("inner")
        top = self.filler_heading(page, frame, f"{self.c.honours.title}")
        style = replace(self.s.sidebar_item, size=self.s.body.size * 1.5, leading=self.L * 2)
        cols = self.columns(frame, 2, top)
        half = (len(items) + 1) // 2
        for col, chunk in zip(cols, (items[:half], items[half:])):
            block = Stack(col.width, [Bullet("■", self.para(i, style), style) for i in chunk], leading=self.L)
            _, h = block.wrap(col.width, col.top - col.bottom)
            page.add(block, col.x, col.top - h, col.width, h, "box")
        return True

    def photos_page(self, again: bool = False) -> bool:
        """The brochure's photos large, each across the type area with its caption, filling the page."""
        photos = list(self.c.photos.values())
        if not photos:
            if again:                       # nothing left to show: a page for the key figures again
                return self.figures_page() or self.honours_page()
            return False
        page, frame = self.new_page("inner")
        room = int((frame.top - frame.bottom) // self.L) - (len(photos) - 1)
        y = frame.top
        for photo in photos:
            fewest, wished, most = self.photo_lines(photo, frame.width)
            lines = max(fewest, min(most, wished, room // len(photos)))
            if y - lines * self.L < frame.bottom:
                break
            page.add(self.photo_block(photo, frame.width, lines), frame.x, y - lines * self.L, frame.width,
                     lines * self.L, "photo")
            y -= (lines + 1) * self.L
        return True
