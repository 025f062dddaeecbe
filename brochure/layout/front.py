"""The front page: masthead band, headline and byline, then the lead module.

The lead module holds the lead photo, the honour list (荣誉榜) and the preface
(前言), each box as tall as its words, in one of three designs the layout search
chooses between: ``beside`` (the list in column 1 beside the photo, whose frame
is as tall as the list within the crop a photo allows, the preface across
beneath), ``across`` (the photo across all columns, the list beside the preface
beneath) and ``stacked`` (photo, preface and the list as a band, each across the
page).  Section A opens under the module when a full leg fits there.
"""
from __future__ import annotations

import math
from dataclasses import replace

from brochure.ground.boxes import MM
from brochure.ground.colour import WHITE
from brochure.ground.errors import LayoutError
from brochure.ground.page import Page
from brochure.layout.blocks import Bullet, Columns, Fill, Grid, Spacer, Stack
from brochure.ground.layout_rules import LIMITS
from brochure.layout.fillers import HONOURS
from brochure.layout.flow import Column
from brochure.layout.plan import PhotoChoice
from brochure.text import VerticalText


#: The most characters a line of horizontal text in a box should hold (clreq: comfortable at 15–40).
MEASURE_CHARS = LIMITS["measure_max_chars"]

#: The plan's key for the lead photo on the front page.
LEAD = "(lead)"


class FrontPage:
    """The front page of a composer (geometry, styles, ``para``, ``photo_block`` come from it)."""

    def front(self) -> tuple[Page, Column, float]:
        page, frame = self.new_page("front")
        s, L, c = self.s, self.L, self.c
        W, H, bleed = self.boxes.trim_w, self.boxes.trim_h, self.boxes.bleed
        # masthead band, into the bleed on three sides
        band_h = 7 * L + self.settings.margins[0] * MM
        band_y = H - band_h
        page.add(Fill(W + 2 * bleed, band_h + bleed, c.palette.accent), -bleed, band_y, W + 2 * bleed, band_h + bleed, "decoration")
        slogan = self.para(c.masthead.slogan, s.slogan)
        _, h1 = slogan.wrap(frame.width, 4 * L)
        title = self.para(c.masthead.title, s.masthead)
        _, h2 = title.wrap(frame.width, 8 * L)
        y = H - self.settings.margins[0] * MM - h1
        page.add(slogan, frame.x, y, frame.width, h1, "text")
        y -= h2
        page.add(title, frame.x, y, frame.width, h2, "text")
        issue = self.para(f"{c.document.publisher}　{c.document.date}", replace(s.running, color=WHITE, align="right", overprint=False))
        _, h3 = issue.wrap(frame.width, L)
        page.add(issue, frame.x, band_y + 0.5 * L, frame.width, h3, "text")
        # headline stack
        y = self.snap(frame, band_y - L)
        parts = []
        if c.lead.kicker:
            parts.append(self.para(c.lead.kicker, s.kicker))
        parts.append(self.para(c.lead.headline, s.headline))
        parts.append(self.para(c.lead.byline, s.byline))
        head = Stack(frame.width, parts, leading=L)
        _, h = head.wrap(frame.width, H)
        page.add(head, frame.x, y - h, frame.width, h, "heading")
        y -= h + L
        below = self.lead_module(page, frame, y)
        if below + L < frame.bottom - 1:
            raise LayoutError(
                f"头版放不下：荣誉榜、前言和头版照片比版面高出约 {(frame.bottom - below - L) / MM:.0f} 毫米。"
                "请删减前言或荣誉榜的文字。",
                f"the front page does not hold the honour list, the preface and the lead photo: about "
                f"{(frame.bottom - below - L) / MM:.0f} mm too tall. Shorten the preface or the honour list.",
                getattr(c.lead.preface[0], "where", None) if c.lead.preface else None,
            )
        return page, frame, below

    def lead_module(self, page: Page, frame: Column, y: float) -> float:
        """The lead photo, the honour list and the preface; returns where section A may start.

        Two designs, chosen by the layout search (``plan[LEAD].place``): ``beside``, the honour
        list in column 1 beside the photo, the preface across all columns beneath; or
        ``across``, the photo across all columns, the honour list beside the preface beneath.
        """
        L, c = self.L, self.c
        n = self.settings.front_columns
        cols = self.columns(frame, n, y)
        if self.plan.get(HONOURS) == "inner" or not c.honours.items:
            return self.lead_without_honours(page, frame, y)
        side_w = cols[0].width
        sidebar = self.sidebar(side_w)
        _, hs = sidebar.wrap(side_w, 1e6)
        right_x = cols[1].x if n > 1 else cols[0].x
        right_w = frame.x + frame.width - right_x
        chosen = self.plan.get(LEAD)
        photo = c.photos[c.lead.photo] if c.lead.photo and n > 1 else None
        if photo is not None and chosen is not None and chosen.place == "stacked":
            block = self.photo_block(photo, frame.width, chosen.lines)
            self.placed_photo(photo, frame.width, chosen.lines)
            page.add(block, frame.x, y - chosen.lines * L, frame.width, chosen.lines * L, "photo")
            y -= (chosen.lines + 1) * L
            for box in (self.preface(frame.width), self.honours_band(frame.width, n)):
                _, h = box.wrap(frame.width, 1e6)
                page.add(box, frame.x, y - h, frame.width, h, "box")
                y -= h + L
            return y
        if photo is not None and chosen is not None and chosen.place == "across":
            block = self.photo_block(photo, frame.width, chosen.lines)
            self.placed_photo(photo, frame.width, chosen.lines)
            page.add(block, frame.x, y - chosen.lines * L, frame.width, chosen.lines * L, "photo")
            y -= (chosen.lines + 1) * L
            return self.boxes_side_by_side(page, cols[0].x, right_x, side_w, right_w, y, sidebar, hs)
        if photo is not None:
            lines = self.lead_lines(photo, right_w, hs)
            self.placed_photo(photo, right_w, lines)
            page.add(self.photo_block(photo, right_w, lines), right_x, y - lines * L, right_w, lines * L, "photo")
            page.add(sidebar, cols[0].x, y - hs, side_w, hs, "box")
            self.measure.holes.append(abs(hs - lines * L) / L)
            y -= max(hs, lines * L) + L
            preface = self.preface(frame.width)
            _, hp = preface.wrap(frame.width, 1e6)
            page.add(preface, frame.x, y - hp, frame.width, hp, "box")
            return y - hp - L
        return self.boxes_side_by_side(page, cols[0].x, right_x, side_w, right_w, y, sidebar, hs)

    def lead_without_honours(self, page: Page, frame: Column, y: float) -> float:
        """The lead photo across the page and the preface beneath: the honour list has a place inside."""
        L, c = self.L, self.c
        chosen = self.plan.get(LEAD)
        photo = c.photos[c.lead.photo] if c.lead.photo else None
        if photo is not None:
            lines = chosen.lines if chosen is not None else self.photo_lines(photo, frame.width)[1]
            block = self.photo_block(photo, frame.width, lines)
            self.placed_photo(photo, frame.width, lines)
            page.add(block, frame.x, y - lines * L, frame.width, lines * L, "photo")
            y -= (lines + 1) * L
        preface = self.preface(frame.width)
        _, hp = preface.wrap(frame.width, 1e6)
        page.add(preface, frame.x, y - hp, frame.width, hp, "box")
        return y - hp - L

    def boxes_side_by_side(self, page: Page, left_x: float, right_x: float, side_w: float, right_w: float,
                           y: float, sidebar: Stack, hs: float) -> float:
        """The honour list beside the preface, each as tall as its words; when they differ by two lines
        or less, the shorter is drawn as tall as the other so the pair ends level."""
        preface = self.preface(right_w)
        _, hp = preface.wrap(right_w, 1e6)
        if abs(hs - hp) <= 2 * self.L + 0.01:
            sidebar.min_height = preface.min_height = max(hs, hp)
            _, hs = sidebar.wrap(side_w, 1e6)
            _, hp = preface.wrap(right_w, 1e6)
        self.measure.holes.append(abs(hs - hp) / self.L)
        page.add(sidebar, left_x, y - hs, side_w, hs, "box")
        page.add(preface, right_x, y - hp, right_w, hp, "box")
        return y - max(hs, hp) - self.L

    def preface(self, width: float) -> Stack:
        """The preface in its tinted box, in as many columns as keep its lines within 40 characters."""
        s, c, L = self.s, self.c, self.L
        pad = L * 0.75
        inner = width - 2 * pad
        n = max(1, math.ceil(inner / (MEASURE_CHARS * s.preface.size)))
        paragraphs = [self.para(p, s.preface) for p in c.lead.preface]
        body = Columns(inner, paragraphs, n, gap=2 * s.preface.size, leading=s.preface.leading)
        return Stack(width, [self.para(c.lead.preface_title, s.preface_title), body], pad=pad,
                     background=c.palette.tint, leading=L)

    def lead_lines(self, photo, width: float, honours: float) -> int:
        """The lead photo's height in lines beside the honour list: the plan's, else as tall as the list."""
        chosen = self.plan.get(LEAD)
        if chosen is not None and chosen.place == "beside":
            return chosen.lines
        fewest, _, most = self.photo_lines(photo, width)
        return min(max(round(honours / self.L), fewest), most)

    def lead_options(self) -> list:
        """The front-page designs worth trying: the photo beside the honour list, as tall as it (or up
        to three lines less); or across all columns at any height its crop allows."""
        c, n = self.c, self.settings.front_columns
        if not c.lead.photo or n < 2:
            return []
        frame = self.frame(1, head=False)
        cols = self.columns(frame, n, frame.top)
        photo = c.photos[c.lead.photo]
        _, hs = self.sidebar(cols[0].width).wrap(cols[0].width, 1e6)
        fewest, _, most = self.photo_lines(photo, frame.x + frame.width - cols[1].x)
        top = min(max(round(hs / self.L), fewest), most)
        right = frame.x + frame.width - cols[1].x
        options = [PhotoChoice(n - 1, "beside", lines) for lines in range(max(fewest, top - 3), top + 1)]
        fewest, _, most = self.photo_lines(photo, frame.width)
        options += [PhotoChoice(n, place, lines) for place in ("across", "stacked") for lines in range(fewest, most + 1)]
        return self.sharp(photo, options, lambda o: right if o.place == "beside" else frame.width)

    def honours_head(self, width: float) -> list:
        s, c = self.s, self.c
        head = [self.para(c.honours.title, s.sidebar_title)]
        if str(c.honours.note).strip():
            head.append(self.para(c.honours.note, replace(s.caption, align="center", color=c.palette.text)))
        return head

    def honours_band(self, width: float, n: int) -> Stack:
        """The honour list as a band across the page: its title centred above, the items read across in as
        many columns as let most of them stand on one line."""
        s, c, L = self.s, self.c, self.L
        pad = L * 0.6
        inner = width - 2 * pad
        items = [Bullet("■", self.para(item, s.sidebar_item), s.sidebar_item) for item in c.honours.items]
        hang = s.sidebar_item.size * 1.25
        for per_row in range(max(1, n), 0, -1):
            cell = (inner - (per_row - 1) * self.gutter) / per_row
            one_line = sum(1 for item in c.honours.items
                           if len(self.para(item, s.sidebar_item).lines(cell - hang)) == 1)
            if one_line >= 0.75 * len(c.honours.items):
                break
        grid = Grid(inner, items, per_row, gap=self.gutter, row_gap=L * 0.3)
        box = Stack(width, self.honours_head(inner) + [Spacer(inner, L * 0.3), grid], pad=pad,
                    background=c.palette.tint, stroke=c.palette.accent, leading=L)
        return box

    def sidebar(self, width: float) -> Stack:
        """The honour list: its title strongest, a note such as （摘选） set small beneath it."""
        s, c, L = self.s, self.c, self.L
        head = self.honours_head(width)
        if c.honours.orientation == "vertical":
            height = max(len(i) for i in c.honours.items) * s.sidebar_item.size * 1.05 + L
            items = [VerticalText("\n".join(c.honours.items), s.sidebar_item, height)]
        else:
            items = [Bullet("■", self.para(item, s.sidebar_item), s.sidebar_item) for item in c.honours.items]
        box = Stack(width, head + [Spacer(width, L * 0.5)] + items, pad=L * 0.6,
                    background=c.palette.tint, stroke=c.palette.accent, leading=L)
        return box
