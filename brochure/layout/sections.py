"""The sections of the brochure: each opens with its headline across the columns, its first
paragraph at the top of column 1 directly beneath, and ends with its columns level.

Where each photo goes is a choice (``plan.PhotoChoice``) that the layout search
makes: across the later columns beside the opening text (``right``), across the
first columns above the text (``left``), or across all columns, under the
headline (``top``) or under the section's text (``foot``); and how tall its
frame is.  This module lays a section out for one such choice and notes what
the rules need to judge it.
"""
from __future__ import annotations

from brochure.content.model import Photo
from brochure.ground.errors import LayoutError
from brochure.ground.page import Page, Placed
from brochure.layout.blocks import Rule
from brochure.layout.extras import BREAK, Quote
from brochure.layout.flow import Column, balance, fill
from brochure.layout.plan import PhotoChoice


class SectionFlow:
    """Sections through columns and pages for a composer (geometry, styles, photo blocks, ``plan``)."""

    def choice(self, photo: Photo, n: int) -> PhotoChoice:
        """The plan's choice for ``photo`` with ``n`` columns, or what content.yaml asks for."""
        chosen = self.plan.get(photo.id)
        if chosen is not None:
            return PhotoChoice(min(chosen.span, n), chosen.place, chosen.lines)
        span = 1 if photo.span is None else n if photo.span == 0 or photo.span >= n else photo.span
        place = ("foot" if photo.position == "bottom" else "top") if span == n else "right"
        return PhotoChoice(span, place, self.photo_lines(photo, self.span_width(span, n))[1])

    def photo_range(self, photo: Photo, span: int, n: int) -> tuple[int, int]:
        """range() bounds of the heights (lines) ``photo`` may take across ``span`` of ``n`` columns."""
        fewest, _, most = self.photo_lines(photo, self.span_width(span, n))
        return fewest, most + 1

    def span_width(self, span: int, n: int) -> float:
        cols = self.columns(self.frame(2, head=True), n, 0.0)
        return cols[span - 1].x + cols[span - 1].width - cols[0].x

    def sections(self, page: Page, frame: Column, y: float) -> tuple[Page, Column, float]:
        """Each section in turn: where the last one ended if its heading, its top photos and a full leg
        fit there, else on a new page.  When only the photos do not fit but the text runs on to the
        next page anyway, they float to the top of that page, as a newspaper does."""
        L, legs = self.L, self.rules.min_leg + 1     # a line more: a paragraph split at the page foot may keep one back
        for index, section in enumerate(self.c.sections):
            if index and self.plan.get(f"{BREAK}{index}") and page.items and y < frame.top:
                page, frame = self.new_page("inner")          # the plan opens this section on a page of its own
                y = frame.top
            n = self.settings.columns if page.label != "front" else self.settings.front_columns
            heading = self.section_heading(section, frame.width)
            _, hh = heading.wrap(frame.width, frame.top - frame.bottom)
            photos = [(p, self.choice(p, n)) for p in (self.c.photos[i] for i in section.photos)]
            quote = self.quote(index, section.paragraphs)
            if quote is not None and self.plan.get(quote.id):
                chosen = self.plan[quote.id]
                photos.append((quote, PhotoChoice(min(chosen.span, n), chosen.place, chosen.lines)))
            top = [(p, ch) for p, ch in photos if ch.place != "foot"]
            foot = [(p, ch) for p, ch in photos if ch.place == "foot"]
            blocks = [self.para(p, self.s.body) for p in section.paragraphs]
            floated: list = []
            room = y - frame.bottom
            if room < hh + max([ch.lines * L + L for _, ch in top], default=0) + legs * L:
                if top and room >= hh + legs * L and fill(self.columns(frame, n, y - hh), blocks)[1]:
                    floated, top = top, []
                else:
                    page, frame = self.new_page("inner")
                    y, n = frame.top, self.settings.columns
            page.add(heading, frame.x, y - hh, frame.width, hh, "heading")
            y -= hh
            cols = self.place_top(page.items, self.columns(frame, n, y), top)
            opening = cols[0].x
            late: list = []   # a floated photo is drawn after the text it interrupts, so the text reads on unbroken
            first = True
            while True:
                placed, rest, bottom = balance(cols, blocks, L)
                if not placed and rest and cols[0].top >= frame.top:
                    raise LayoutError(
                        "正文在空白页上也放不下一行：请加大页面或减小页边距、字号。",
                        "the text does not fit even on an empty page: enlarge the page or reduce the margins or type size.",
                    )
                if first:
                    self.measure.openings.append(bool(placed) and placed[0].x == opening)
                    first = False
                page.items.extend(placed)
                page.items.extend(late)
                late = []
                self.column_rules(page, cols, bottom)
                if not rest:
                    self.measure.uneven.append(self.unevenness(placed, cols))
                    y = bottom - L
                    break
                page, frame = self.new_page("inner")
                blocks = rest
                cols = self.place_top(late, self.columns(frame, self.settings.columns, frame.top), floated)
                floated = []
            for photo, ch in foot:
                page, frame, y = self.place_foot(page, frame, y, photo, ch)
        return page, frame, y

    def place_top(self, items: list[Placed], cols: list[Column], photos: list) -> list[Column]:
        """Place photos at the top of their columns into ``items``; returns the columns shortened."""
        n = len(cols)
        for photo, ch in photos:
            span = min(ch.span, n)
            spanned = cols[n - span:] if ch.place == "right" else cols[:span]
            x0 = spanned[0].x
            w = spanned[-1].x + spanned[-1].width - x0
            block = self.item_block(photo, w, ch.lines)
            h = block.height
            top = min(c.top for c in spanned)
            items.append(Placed(block, x0, top - h, w, h, "photo"))
            self.placed_photo(photo, w, ch.lines, ch)
            for col in spanned:
                col.top = top - h - self.L
        return cols

    def place_foot(self, page: Page, frame: Column, y: float, photo, ch: PhotoChoice):
        """A photo (or quote) across all columns under the section's text (on the next page if it does not fit)."""
        w = frame.width
        block = self.item_block(photo, w, ch.lines)
        h = block.height
        if y - h < frame.bottom:
            page, frame = self.new_page("inner")
            y = frame.top
        page.add(block, frame.x, y - h, w, h, "photo")
        self.placed_photo(photo, w, ch.lines, ch)
        return page, frame, y - h - self.L

    def item_block(self, item, width: float, lines: int):
        """The block of a photo, or of a pull quote placed the way photos are."""
        return self.quote_block(item, width, lines) if isinstance(item, Quote) else self.photo_block(item, width, lines)

    def placed_photo(self, photo: Photo, width: float, lines: int, ch: PhotoChoice | None = None) -> None:
        """Note for the rules how much of the photo its frame crops, and whether it went where content.yaml asks."""
        if isinstance(photo, Quote):
            return
        self.measure.crops.append(self.crop(photo, width, lines))
        self.measure.soft.append(self.shortfall(photo, width, lines))
        if ch is not None:
            asked = "foot" if photo.position == "bottom" else "top"
            if (ch.place == "foot") != (asked == "foot"):
                self.measure.wishes += 1

    def unevenness(self, placed: list[Placed], cols: list[Column]) -> float:
        """Lines between the highest and the lowest column end where a section ends (0: level)."""
        ends = [min((p.y for p in placed if abs(p.x - col.x) < 1), default=col.top) for col in cols]
        return (max(ends) - min(ends)) / self.L

    def column_rules(self, page: Page, cols: list[Column], bottom: float) -> None:
        for left, right in zip(cols, cols[1:]):
            x = (left.x + left.width + right.x) / 2
            top = max(left.top, right.top)
            if top - bottom > self.L:
                page.add(Rule(0, top - bottom, (0, 0, 0, 60), 0.3), x, bottom, 0, top - bottom, "rule")
