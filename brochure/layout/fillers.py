"""Room added to make the page count a multiple of four: designed, never ruled notes.

A saddle-stitched booklet has 4, 8, 12 … pages.  When the words run past a
multiple of four, the layout search has already tried to fit them by photo
sizes, placements and pull quotes; the room still left is filled with what
the content holds and a reader looks at, each sized to the room it gets:
first the rest of the last text page, then whole pages.  In turn: the key
figures (数说十年) large, the honour list given room of its own, the photos large
with their captions.
"""
from __future__ import annotations

from dataclasses import replace

from brochure.ground.page import Page
from brochure.layout.back import FigureCell, FiguresPanel, per_row
from brochure.layout.blocks import Bullet, Row, Spacer, Stack
from brochure.layout.flow import Column

#: The plan's keys for the blocks printed once only that the layout may move into the inner pages.
HONOURS, FIGURES = "(honours)", "(figures)"
#: The sizes the honour list's type is tried at as a block of its own, as multiples of the body size.
HONOURS_GROW = tuple(round(3.2 - 0.1 * k, 2) for k in range(23))


class FillerPages:
    """The designed fillers of a composer (geometry, styles, ``para``, photo blocks come from it)."""

    def fill_to_four(self, end: tuple[Page, Column, float] | None = None) -> None:
        """Fill the rest of the last text page (``end``: page, frame, y) and add designed pages before
        the back cover until the count (with it) is a multiple of four."""
        if (len(self.pages) + 1) % 4 == 0:
            return
        # what the inner pages do not show yet: nothing is printed twice
        makers: list = []
        if end is not None:
            page, frame, y = end
            room = Column(frame.x, frame.width, self.snap(frame, y), frame.bottom)
            if room.top - room.bottom >= self.rules.least_room * self.L:
                for make in list(makers):
                    makers.remove(make)
                    if make(page, room):
                        break
        while (len(self.pages) + 1) % 4:
            page, frame = self.new_page("inner")
            for make in list(makers):
                makers.remove(make)
                if make(page, frame):
                    break
            else:
                self.photos_filler(page, frame)

    def filler_heading(self, page: Page, room: Column, title: str) -> float:
        heading = self.para(title, replace(self.s.figures_title, align="center"))
        _, h = heading.wrap(room.width, room.top - room.bottom)
        page.add(heading, room.x, room.top - h, room.width, h, "heading")
        return room.top - h - self.L

    def figures_filler(self, page: Page, room: Column, grow=(2.0, 1.8, 1.6, 1.4, 1.2, 1.0), spread=True) -> bool:
        """The key figures filling ``room``: numbers as large as fit, rows spread over the height."""
        if not self.c.figures:
            return False
        top = self.filler_heading(page, room, "数说十年")
        s, L = self.s, self.L
        rows = -(-len(self.c.figures) // per_row(len(self.c.figures)))
        sizes = grow
        for grow in sizes:
            number = replace(s.figure_number, size=s.figure_number.size * grow, leading=s.figure_number.leading * grow)
            unit = replace(s.figure_unit, size=s.figure_unit.size * grow, leading=s.figure_unit.leading * grow)
            cell_w = (room.width - 2 * L - (per_row(len(self.c.figures)) - 1) * L) / per_row(len(self.c.figures))
            longest = max(len(str(f.label)) for f in self.c.figures)
            fit = cell_w / max(1, longest) / s.figure_label.size          # a label grows only while it keeps one line
            label = replace(s.figure_label, size=s.figure_label.size * max(1.0, min(grow, 1.5, fit)), leading=L * 1.5)
            cells = [FigureCell(f, number, unit, label) for f in self.c.figures]
            panel = FiguresPanel(room.width, cells, per_row(len(cells)), gap=L, row_gap=L, pad=L,
                                 background=self.c.palette.tint)
            _, h = panel.wrap(room.width, 1e6)
            if h <= top - room.bottom:
                break
        spare = max(0.0, top - room.bottom - h) if spread else 0.0
        if rows > 1:                                   # the room left goes between the rows
            panel.row_gap = L + spare / (rows - 1)
        else:
            panel.pad = L + spare / 2
        _, h = panel.wrap(room.width, 1e6)
        page.add(panel, room.x, top - h, room.width, h, "box")
        return True

    def honours_filler(self, page: Page, room: Column, grow: tuple | None = None, *, place: bool = True) -> float:
        """The honour list as a block of its own in ``room``: its title, then the items in two columns, the
        type as large as fits (``grow``: the sizes tried, as multiples of the body size) and the rows
        at most 1.2 lines apart.  Returns the block's height (0 when there is no list)."""
        items = list(self.c.honours.items)
        if not items:
            return 0.0
        L = self.L
        heading = self.para(str(self.c.honours.title), replace(self.s.figures_title, align="center"))
        _, hh = heading.wrap(room.width, 1e6)
        width = (room.width - 2 * L) / 2
        sizes = grow or HONOURS_GROW
        for size in sizes:
            style = replace(self.s.sidebar_item, size=self.s.body.size * size, leading=L * size * 1.1)
            rows = [Row([Bullet("■", self.para(i, style), style) for i in items[k:k + 2]],
                        [width] * len(items[k:k + 2]), gap=2 * L) for k in range(0, len(items), 2)]
            heights = [row.wrap(room.width, 1e6)[1] for row in rows]
            lines = [self.para(i, style).lines(width - style.size * 1.25) for i in items]
            tail = any(len(ls) > 1 and ls[-1].end - ls[-1].start <= 4 for ls in lines)   # a display line's short last
            if hh + L + sum(heights) + (len(rows) - 1) * 0.5 * L <= room.top - room.bottom and (
                    not tail or size == sizes[-1]):
                break
        spare = room.top - room.bottom - hh - L - sum(heights)
        gap = min(1.2 * L, max(0.5 * L, spare / max(1, len(rows) - 1))) if len(rows) > 1 else 0.0
        height = hh + L + sum(heights) + gap * (len(rows) - 1)
        if place:
            page.add(heading, room.x, room.top - hh, room.width, hh, "heading")
            parts = []
            for k, row in enumerate(rows):
                parts += ([Spacer(room.width, gap)] if k else []) + [row]
            box = Stack(room.width, parts)
            _, h = box.wrap(room.width, 1e6)
            page.add(box, room.x, room.top - hh - L - h, room.width, h, "box")
        return height

    def photos_filler(self, page: Page, room: Column) -> bool:
        """The brochure's photos large, each as wide as the room (or as its pixels allow at the press's
        resolution, centred) with its caption, sharing the room evenly."""
        photos = list(self.c.photos.values())
        if not photos:
            return self.figures_filler(page, room) if self.c.figures else False
        L = self.L
        total = int((room.top - room.bottom) // L)
        widths = [self.sharp_width(photo, room.width) for photo in photos]
        while True:                                 # as many as fit at a fair share of the room each
            free = total - (len(photos) - 1)
            shares = []
            for photo, width in zip(photos, widths):
                fewest, _, most = self.photo_lines(photo, width)
                most = min(most, self.sharp_lines(photo, width))
                shares.append(max(fewest, min(most, free // len(photos))))
            if sum(shares) <= free or len(photos) == 1:
                break
            photos.pop()
            widths.pop()
        gap = max(1, (total - sum(shares)) // len(photos)) if len(photos) > 1 else 0
        y = room.top
        for photo, width, lines in zip(photos, widths, shares):
            if y - lines * L < room.bottom - 0.5:
                break
            x = room.x + (room.width - width) / 2
            page.add(self.photo_block(photo, width, lines), x, y - lines * L, width, lines * L, "photo")
            y -= (lines + gap) * L
        return True

    def sharp_width(self, photo, width: float) -> float:
        """``width``, or less: as wide as the photo's pixels print at the press's resolution."""
        if not photo.pixels:
            return width
        return min(width, photo.pixels[0] / self.settings.press.min_ppi * 72)

    def sharp_lines(self, photo, width: float) -> int:
        """The most lines the photo block may take at ``width`` and still print sharp."""
        if not photo.pixels:
            return 10_000
        caption = self.caption_height(photo, width)
        return int((photo.pixels[1] / self.settings.press.min_ppi * 72 + 3 + caption) // self.L)
