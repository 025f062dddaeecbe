"""The brochure: a newspaper special page recomposed as a saddle-stitched booklet.

Front page: masthead band, headline and byline, the honour list as a boxed
sidebar beside the lead photo and the preface box, then section A begins.
Inner pages: running head, three columns with thin rules, sections opening
with a letter badge and a headline across the columns, photos across one to
all columns with ▲caption and credit, columns balanced where a section ends.
Back page: composed by ``brochure.layout.back``.
The page count is made a multiple of four with honest pages (key figures, a
notes page) before the back cover, never blank pages in the middle.
"""
from __future__ import annotations

from dataclasses import replace

from brochure.content.model import Content, Photo
from brochure.ground.errors import LayoutError
from brochure.layout.back import compose_back
from brochure.layout.blocks import Bullet, Fill, Image, Rule, SectionHeading, Spacer, Stack
from brochure.layout.flow import Column, balance, fill
from brochure.ground.page import Composition, Page, Placed
from brochure.layout.pages import safety_warnings
from brochure.layout.styles import Styles
from brochure.ground.boxes import MM, PageBoxes
from brochure.text import CJKParagraph, VerticalText

MIN_LINES_AFTER_HEADING = 3


class BrochureComposer:
    def __init__(self, content: Content, styles: Styles, photo_loader, boxes: PageBoxes):
        self.c = content
        self.s = styles
        self.load_photo = photo_loader      # (Photo, width_pt, height_pt) -> PreparedImage
        self.boxes = boxes
        self.L = content.typography.leading
        self.settings = content.brochure
        self.gutter = self.settings.gutter * MM
        self.pages: list[Page] = []
        self.warnings: list = []
        self._photo_blocks: dict[tuple[str, float], Stack] = {}

    # -- geometry ------------------------------------------------------------
    def frame(self, number: int, *, head: bool) -> Column:
        """Type area of page ``number`` (1-based; odd pages are right-hand pages), as one wide column on the grid."""
        top_m, outer, bottom_m, inner = (v * MM for v in self.settings.margins)
        W, H = self.boxes.trim_w, self.boxes.trim_h
        left = inner if number % 2 else outer
        right = outer if number % 2 else inner
        top = H - top_m - (2 * self.L if head else 0)
        lines = int((top - bottom_m) // self.L)
        return Column(left, W - right - left, top, top - lines * self.L)

    def columns(self, frame: Column, n: int, top: float, bottom: float | None = None) -> list[Column]:
        """``n`` columns across the frame, each a whole number of body characters wide (clreq:
        the measure is a multiple of the character size, so all-Han lines set solid); what
        is left over widens the gutters beyond the configured minimum."""
        size = self.s.body.size
        w = (frame.width - (n - 1) * self.gutter) / n
        w = max(size, (w // size) * size)
        gutter = (frame.width - n * w) / (n - 1) if n > 1 else 0.0
        return [Column(frame.x + i * (w + gutter), w, top, frame.bottom if bottom is None else bottom)
                for i in range(n)]

    def snap(self, frame: Column, y: float) -> float:
        """The grid line at or below ``y``."""
        lines = -(-(frame.top - y) // self.L)
        return frame.top - lines * self.L

    def new_page(self, label: str) -> tuple[Page, Column]:
        page = Page(self.boxes, label=label)
        self.pages.append(page)
        number = len(self.pages)
        frame = self.frame(number, head=label == "inner")
        if label == "inner":
            self.running_head(page, frame, number)
        return page, frame

    # -- pieces ------------------------------------------------------------------
    def para(self, text, style):
        return CJKParagraph(text, style)

    def running_head(self, page: Page, frame: Column, number: int) -> None:
        s, L = self.s, self.L
        y_rule = frame.top + 0.6 * L
        outside = replace(s.running, align="left" if number % 2 == 0 else "right")   # mirrored: the outer edge
        title = self.para(f"{self.c.masthead.slogan}　{self.c.masthead.title}", outside)
        _, h = title.wrap(frame.width, L)
        page.add(title, frame.x, y_rule + 2, frame.width, h, "furniture")
        page.add(Rule(frame.width, 0, self.c.palette.accent, 0.8, overprint=False), frame.x, y_rule, frame.width, 0, "furniture")
        folio = self.para(str(number), outside)
        _, h = folio.wrap(frame.width, L)
        bottom_m = self.settings.margins[2] * MM
        page.add(folio, frame.x, bottom_m - L - 0.2 * L, frame.width, h, "furniture")

    def caption_block(self, photo: Photo, width: float):
        return self.para(f"▲{photo.caption} {photo.credit}", self.s.caption)

    def photo_block(self, photo: Photo, width: float) -> Stack:
        """The photo at ``width`` with its caption; prepared (and warned about) once per size."""
        key = (photo.id, round(width, 3))
        if key not in self._photo_blocks:
            h_img = width / photo.aspect
            prepared = self.load_photo(photo, width, h_img)
            self.warnings.extend(prepared.warnings)
            parts = [Image(prepared, width, h_img), Spacer(width, 3), self.caption_block(photo, width)]
            block = Stack(width, parts, leading=self.L)
            block.kind = "photo"
            self._photo_blocks[key] = block
        return self._photo_blocks[key]

    def section_heading(self, section, width: float) -> "SectionHeading":
        return SectionHeading(width, self.para(section.letter, self.s.badge),
                              self.para(section.headline, self.s.section), self.c.palette.accent, self.L)

    # -- the front page --------------------------------------------------------------
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
        issue = self.para(f"{c.document.publisher}　{c.document.date}", replace(s.running, color=(0, 0, 0, 0), align="right", overprint=False))
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
        # sidebar (column 1) beside photo + preface (columns 2..n)
        n = self.settings.front_columns
        cols = self.columns(frame, n, y)
        side_w = cols[0].width
        right_x = cols[1].x if n > 1 else cols[0].x
        right_w = frame.x + frame.width - right_x
        right_parts = []
        if c.lead.photo:
            right_parts.append(self.photo_block(c.photos[c.lead.photo], right_w))
            right_parts.append(Spacer(right_w, L))
        preface = Stack(right_w, [self.para(c.lead.preface_title, s.preface_title)]
                        + [self.para(p, s.preface) for p in c.lead.preface],
                        pad=L * 0.75, background=c.palette.tint, leading=L)
        _, hp = preface.wrap(right_w, H)
        sidebar = self.sidebar(side_w)
        _, hs = sidebar.wrap(side_w, H)
        photo_h = sum(p.wrap(right_w, H)[1] for p in right_parts)
        box_h = max(hs, photo_h + hp)
        sidebar.min_height = box_h
        preface.min_height = box_h - photo_h
        _, hs = sidebar.wrap(side_w, H)
        page.add(sidebar, cols[0].x, y - hs, side_w, hs, "box")
        ry = y
        for part in right_parts:
            _, ph = part.wrap(right_w, H)
            if isinstance(part, Stack):
                page.add(part, right_x, ry - ph, right_w, ph, "photo")
            ry -= ph
        _, hp = preface.wrap(right_w, H)
        page.add(preface, right_x, ry - hp, right_w, hp, "box")
        return page, frame, y - box_h - L

    def sidebar(self, width: float) -> Stack:
        s, c, L = self.s, self.c, self.L
        title = self.para(f"{c.honours.title}{c.honours.note}", s.sidebar_title)
        if c.honours.orientation == "vertical":
            height = max(len(i) for i in c.honours.items) * s.sidebar_item.size * 1.05 + L
            items = [VerticalText("\n".join(c.honours.items), s.sidebar_item, height)]
        else:
            items = []
            for item in c.honours.items:
                items.append(Bullet("■", self.para(item, s.sidebar_item), s.sidebar_item))
        box = Stack(width, [title, Spacer(width, L * 0.5)] + items, pad=L * 0.6,
                    background=c.palette.tint, stroke=c.palette.accent, leading=L)
        box.kind = "box"
        return box

    # -- sections --------------------------------------------------------------------
    def sections(self, page: Page, frame: Column, y: float) -> None:
        """Each section: heading across the columns, its photos, then its text through columns and pages.

        A section starts where the previous one ended when its heading, its photos and a
        few lines fit there.  When only the photos do not fit but the text runs on to the
        next page anyway, the photos float to the top of that page, as a newspaper does;
        otherwise the whole section starts on a new page.
        """
        L = self.L
        for section in self.c.sections:
            n = self.settings.columns if page.label != "front" else self.settings.front_columns
            heading = self.section_heading(section, frame.width)
            _, hh = heading.wrap(frame.width, frame.top - frame.bottom)
            photos = [self.c.photos[p] for p in section.photos]
            blocks = [self.para(p, self.s.body) for p in section.paragraphs]
            floated: list[Photo] = []
            tops = self.photo_room(self.columns(frame, n, y), photos)
            room = y - frame.bottom
            if room < hh + (max(tops) if tops else 0) + MIN_LINES_AFTER_HEADING * L:
                if photos and room >= hh + MIN_LINES_AFTER_HEADING * L and \
                        fill(self.columns(frame, n, y - hh), blocks)[1]:
                    floated, photos = photos, []
                else:
                    page, frame = self.new_page("inner")
                    y, n = frame.top, self.settings.columns
            page.add(heading, frame.x, y - hh, frame.width, hh, "heading")
            y -= hh
            cols = self.place_photos(page.items, self.columns(frame, n, y), photos)
            late: list = []   # a floated photo is drawn after the text it interrupts, so the text reads on unbroken
            while True:
                placed, rest, bottom = balance(cols, blocks, L)
                if not placed and rest and cols[0].top >= frame.top:
                    raise LayoutError(
                        "正文在空白页上也放不下一行：请加大页面或减小页边距、字号。",
                        "the text does not fit even on an empty page: enlarge the page or reduce the margins or type size.",
                    )
                page.items.extend(placed)
                page.items.extend(late)
                late = []
                self.column_rules(page, cols, bottom)
                if not rest:
                    y = bottom - L
                    break
                page, frame = self.new_page("inner")
                blocks = rest
                cols = self.place_photos(late, self.columns(frame, self.settings.columns, frame.top), floated)
                floated = []

    def photo_frame(self, cols: list[Column], photo: Photo) -> tuple[int, float, float]:
        """(columns spanned, x, width) of ``photo`` across the first of ``cols``; span 0 means all."""
        span = len(cols) if photo.span == 0 or photo.span > len(cols) else photo.span
        x0 = cols[0].x
        return span, x0, cols[span - 1].x + cols[span - 1].width - x0

    def photo_room(self, cols: list[Column], photos: list[Photo]) -> list[float]:
        """Height each column loses to ``photos`` placed at its top."""
        rooms = [0.0] * len(cols)
        for photo in photos:
            span, _, w = self.photo_frame(cols, photo)
            _, h = self.photo_block(photo, w).wrap(w, 1e6)
            for i in range(span):
                rooms[i] += h + self.L
        return rooms

    def place_photos(self, items: list[Placed], cols: list[Column], photos: list[Photo]) -> list[Column]:
        """Place ``photos`` at the top (or bottom) of ``cols`` into ``items``; returns the columns shortened."""
        for photo in photos:
            span, x0, w = self.photo_frame(cols, photo)
            block = self.photo_block(photo, w)
            _, h = block.wrap(w, 1e6)
            if photo.position == "bottom":
                y = max(c.bottom for c in cols[:span])
                items.append(Placed(block, x0, y, w, h, "photo"))
                for col in cols[:span]:
                    col.bottom = y + h + self.L
            else:
                top = min(c.top for c in cols[:span])
                items.append(Placed(block, x0, top - h, w, h, "photo"))
                for col in cols[:span]:
                    col.top = top - h - self.L
        return cols

    def column_rules(self, page: Page, cols: list[Column], bottom: float) -> None:
        for left, right in zip(cols, cols[1:]):
            x = (left.x + left.width + right.x) / 2
            top = max(left.top, right.top)
            if top - bottom > self.L:
                page.add(Rule(0, top - bottom, (0, 0, 0, 60), 0.3), x, bottom, 0, top - bottom, "rule")

    # -- the back page ------------------------------------------------------------------
    def back(self) -> None:
        page, frame = self.new_page("back")
        compose_back(page, frame, self.c, self.s, self.boxes)

    def notes_page(self) -> None:
        page, frame = self.new_page("inner")
        title = self.para("笔记 / 备忘", self.s.section)
        _, h = title.wrap(frame.width, frame.top - frame.bottom)
        page.add(title, frame.x, frame.top - h, frame.width, h, "heading")
        y = frame.top - h - 2 * self.L
        while y > frame.bottom + self.L:
            page.add(Rule(frame.width, 0, (0, 0, 0, 30), 0.3), frame.x, y, frame.width, 0, "rule")
            y -= 2 * self.L

    def compose(self) -> Composition:
        page, frame, y = self.front()
        self.sections(page, frame, y)
        while (len(self.pages) + 1) % 4:
            self.notes_page()
        self.back()
        for page in self.pages:   # running heads and folios are drawn last: text reads on across pages
            page.items.sort(key=lambda item: item.kind == "furniture")
        comp = Composition("brochure", self.pages, str(self.c.document.title),
                           qr_urls=[str(self.c.document.online_url)], warnings=self.warnings)
        comp.warnings += safety_warnings(comp, self.settings.press.safety * MM)
        return comp


def compose_brochure(content: Content, styles: Styles, photo_loader, boxes: PageBoxes) -> Composition:
    return BrochureComposer(content, styles, photo_loader, boxes).compose()
