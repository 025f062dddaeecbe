"""The brochure: a newspaper special page recomposed as a saddle-stitched booklet.

Front page: masthead band, headline and byline, the lead module (``front``),
then section A.  Inner pages: running head, three columns with thin rules,
sections opening with a letter badge and a headline across the columns, their
first paragraph at the top of column 1, photos placed where they leave full
legs, columns level where a section ends (``sections``).  Back page: composed
by ``brochure.layout.back``.

The layout is chosen, not poured: ``compose_brochure`` lays out candidate
placements and frame heights of the section photos in full and keeps the one
the rules (``ground.layout_rules.LayoutRules``) score best.  The page count is a multiple of four;
when the words need more pages than the fewest, the pages added are designed
ones (the key figures, the honour list, the photos large), never ruled note
pages, and the build says how many pages and how many characters to cut to
go back.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import fields, replace
from itertools import product

from brochure.content.model import Content, Text
from brochure.layout.back import compose_back
from brochure.ground.boxes import MM, PageBoxes, column_grid
from brochure.ground.errors import BuildWarning, LayoutError
from brochure.ground.page import Composition, Page
from brochure.layout.blocks import Rule, SectionHeading, Stack, fragment
from brochure.layout.extras import BREAK, Extras
from brochure.layout.fillers import FIGURES, HONOURS, HONOURS_GROW, FillerPages
from brochure.layout.flow import Column
from brochure.layout.front import LEAD, FrontPage
from brochure.layout.page_checks import safety_warnings
from brochure.layout.photos import PhotoFrames
from brochure.layout.extras import Quote
from brochure.layout.plan import Measure, PhotoChoice, Rules
from brochure.layout.search import Choice, Memo, SectionTask, dump, load, pages_for, run
from brochure.layout.sectionflow import Facts, Geometry, Item, SectionModel, Start, compose_section
from brochure.layout.styles import Styles
from brochure.text import CJKParagraph



class BrochureComposer(FrontPage, PhotoFrames, Extras, FillerPages):
    """One layout of the brochure for one ``plan`` (photo id -> PhotoChoice).

    Without a ``photo_loader`` it is a trial: photos are empty frames of their size,
    and nothing is prepared; what the rules need is noted in ``measure``.
    """

    def __init__(self, content: Content, styles: Styles, photo_loader, boxes: PageBoxes,
                 plan: dict[str, PhotoChoice] | None = None, rules: Rules | None = None):
        self.c = content
        self.s = styles
        self.load_photo = photo_loader      # (Photo, width_pt, height_pt) -> PreparedImage
        self.trial = photo_loader is None
        self.plan = dict(plan or {})
        self.rules = rules or Rules()
        self.measure = Measure()
        self.boxes = boxes
        self.L = content.typography.leading
        self.settings = content.brochure
        self.gutter = self.settings.gutter * MM
        self.pages: list[Page] = []
        self.warnings: list = []
        self._photo_blocks: dict[tuple, Stack] = {}
        self._caption_heights: dict[tuple, float] = {}
        self._quote_air: dict[tuple, float] = {}
        self.cut: int | None = None          # characters to cut to need four pages fewer (set by the search)
        self.outcomes: list[tuple] = []      # (section, where it started, its Outcome), as laid out

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
        """``n`` columns across the frame, each a whole number of body characters wide, with gutters of
        1–2 em (``ground.boxes.column_grid``, the one place the column grid is worked out)."""
        w, gutter, inset = column_grid(frame.width, n, self.s.body.size, self.gutter)
        x0 = frame.x + inset
        return [Column(x0 + i * (w + gutter), w, top, frame.bottom if bottom is None else bottom) for i in range(n)]

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

    def section_heading(self, section, width: float) -> "SectionHeading":
        return SectionHeading(width, self.para(section.letter, self.s.badge),
                              self.para(section.headline, self.s.section), self.c.palette.accent, self.L)

    # -- the back page ------------------------------------------------------------------
    def back(self) -> None:
        page, frame = self.new_page("back")
        compose_back(page, frame, self.c, self.s, self.boxes)     # its figures even when a page inside shows them

    # -- the sections, on line counts -------------------------------------------------
    def inputs(self) -> tuple:
        """What every part of the layout reads besides its own words: the type styles (faces by name), the
        page, the brochure's settings and the rules."""
        plain = [(f.name, replace(getattr(self.s, f.name), face=getattr(self.s, f.name).face.name, setter=None))
                 for f in fields(self.s)]
        return (plain, self.boxes, self.settings, self.c.typography, self.c.palette, self.rules)

    def geometry(self) -> Geometry:
        front, inner = self.frame(1, head=False), self.frame(2, head=True)
        return Geometry(round((front.top - front.bottom) / self.L), round((inner.top - inner.bottom) / self.L),
                        self.settings.front_columns, self.settings.columns, self.rules.min_leg)

    def section_task(self, index: int, section) -> SectionTask:
        """The section as numbers, and every choice a designer would try for it."""
        n = self.settings.columns
        model = self.section_model(section)
        per_item = [[(self.c.photos[i], ch) for ch in self.photo_options(self.c.photos[i], n)] for i in section.photos]
        quote = self.quote(index, section.paragraphs)
        if quote is not None and n > 1:
            per_item.append([None] + [(quote, PhotoChoice(span, "right", lines)) for span in range(1, n)
                                      for lines in self.quote_heights(quote, self.span_width(span, n))])
        thin(per_item, self.rules.most_choices)
        choices = []
        for brk in ((False, True) if index else (False,)):
            for combo in product(*per_item):
                items = tuple(self.flow_item(obj, ch, n) for got in combo if got is not None for obj, ch in (got,))
                choices.append(Choice(items, brk))
        return SectionTask(model, choices, tuple(self.once_items()))

    def once_items(self) -> list[Item]:
        """The blocks printed once only that a section may take at its foot, filling the rest of the page (or a
        page of their own): the honour list, when the front page leaves it out, and the key figures (which the
        back cover shows as well)."""
        found = []
        n = self.settings.columns
        if self.c.honours.items:
            found.append(Item(HONOURS, "foot", n, max(self.rules.least_room, self.honours_lines()), fill=True,
                              most=self.honours_lines(HONOURS_GROW[0]) + 2))
        if self.c.figures:
            found.append(Item(FIGURES, "foot", n, max(self.rules.least_room, self.figures_lines()), fill=True))
        return found

    def honours_lines(self, size: float = 1.0) -> int:
        """The grid lines the honour list takes as a block of its own, its type ``size`` times the body's."""
        frame = self.frame(2, head=True)
        h = self.honours_filler(None, Column(frame.x, frame.width, 1e5, 0.0), grow=(size,), place=False)
        return math.ceil(h / self.L - 1e-6)

    def figures_lines(self) -> int:
        frame = self.frame(2, head=True)
        probe = Page(self.boxes, label="probe")
        self.figures_filler(probe, Column(frame.x, frame.width, 1e5, 0.0), grow=(1.0,), spread=False)
        return self.probe_lines(probe)

    def probe_lines(self, probe: Page) -> int:
        low = min(item.y for item in probe.items)
        return math.ceil((1e5 - low) / self.L - 1e-6)

    def photo_options(self, photo, n: int) -> list[PhotoChoice]:
        """Across one, two or all columns (as many as content.yaml's ``span`` says, when it says): at the top
        of the later columns beside the opening text, or across all columns under the headline or at the
        section's foot; every height its crop allows."""
        asked = None if photo.span is None else n if photo.span == 0 else min(photo.span, n)
        found = []
        for span in range(1, n + 1) if asked is None else (asked,):
            for place in (("top", "foot") if span == n else ("right",)):
                found += [PhotoChoice(span, place, lines) for lines in range(*self.photo_range(photo, span, n))]
        return self.sharp(photo, found, lambda o: self.span_width(o.span, n))

    def sharp(self, photo, options: list[PhotoChoice], width_of) -> list[PhotoChoice]:
        """The frames of ``options`` (at ``width_of(option)``) in which the photo prints at the press's
        resolution; all of them when none does (the rules then weigh how far each falls short)."""
        kept = [o for o in options if self.shortfall(photo, width_of(o), o.lines) <= 0]
        return kept or options

    def photo_range(self, photo, span: int, n: int) -> tuple[int, int]:
        """range() bounds of the heights (lines) ``photo`` may take across ``span`` of ``n`` columns."""
        fewest, _, most = self.photo_lines(photo, self.span_width(span, n))
        return fewest, most + 1

    def span_width(self, span: int, n: int) -> float:
        cols = self.columns(self.frame(2, head=True), n, 0.0)
        return cols[span - 1].x + cols[span - 1].width - cols[0].x

    def placed_photo(self, photo, width: float, lines: int) -> None:
        """Note for the rules how much of the photo its frame crops and how far its pixels fall short."""
        self.measure.crops.append(self.crop(photo, width, lines))
        self.measure.soft.append(self.shortfall(photo, width, lines))

    def flow_item(self, obj, ch: PhotoChoice, n: int) -> Item:
        """A photo or quote as the flow counts it: its lines, and what its frame costs under the rules."""
        width = self.span_width(min(ch.span, n), n)
        key = obj.id
        if isinstance(obj, Quote):
            memo = self._quote_air
            if (key, width, ch.lines) not in memo:
                memo[(key, width, ch.lines)] = self.quote_air(obj, width, ch.lines)
            return Item(key, ch.place, ch.span, ch.lines, air=memo[(key, width, ch.lines)])
        asked = "foot" if obj.position == "bottom" else "top"
        wish = int((ch.place == "foot") != (asked == "foot"))
        return Item(key, ch.place, ch.span, ch.lines, self.crop(obj, width, ch.lines),
                    self.shortfall(obj, width, ch.lines), 0.0, wish)

    def lead_trials(self) -> list[tuple[object, Start, float]]:
        """Each front-page design with where section A then starts and what the design costs."""
        options = self.lead_options() or [None]
        found = []
        movable = self.c.honours.items and self.c.sections and self.c.honours.orientation != "vertical"
        wheres = ("front", "inner") if movable else ("front",)     # a vertical list is the front's sidebar
        for option in options:
            for where in wheres:
                if where == "inner" and option is not None and option.place == "beside":
                    continue                     # that design is the photo beside the honour list
                plan = {LEAD: option} if option else {}
                plan[HONOURS] = where
                trial = BrochureComposer(self.c, self.s, None, self.boxes, plan, self.rules)
                trial._caption_heights = self._caption_heights
                try:
                    page, frame, y = trial.front()
                except LayoutError:
                    continue
                m = trial.measure
                facts = Facts(crops=tuple(m.crops), soft=tuple(m.soft), air=tuple(m.holes))
                placed = frozenset({HONOURS}) if where == "front" and self.c.honours.items else frozenset()
                cost = sum(self.rules.breakdown_of(facts).values()) + (self.rules.moved if where == "inner" else 0)
                found.append(((option, where), Start(0, True, round((frame.top - y) / self.L), placed), cost))
        if not found:          # the front page itself does not fit: say so as the layout does
            self.front()
        return found

    def sections_from(self, page: Page, frame: Column, y: float) -> tuple[Page, Column, float]:
        """The sections laid out by the plan's choices, from where the front page ends."""
        geo = self.geometry()
        state = Start(0, True, round((frame.top - y) / self.L))
        for index, section in enumerate(self.c.sections):
            choice = self.plan_choice(index, section)
            out = compose_section(geo, state, self.section_model(section), choice.items, choice.brk)
            self.place_pieces(index, section, state, out.pieces)
            self.outcomes.append((section, state, out))
            state = out.end
        page = self.pages[state.page]
        frame = self.frame(state.page + 1, head=not state.front)
        return page, frame, frame.top - state.row * self.L

    def section_model(self, section) -> SectionModel:
        frame = self.frame(2, head=True)
        heading = self.section_heading(section, frame.width)
        hh = round(heading.wrap(frame.width, frame.top - frame.bottom)[1] / self.L)
        widths = [self.columns(frame, k, 0.0)[0].width for k in (self.settings.front_columns, self.settings.columns)]
        counts = [tuple(len(self.para(p, self.s.body).lines(w)) for p in section.paragraphs) for w in widths]
        return SectionModel(hh, counts[0], counts[1])

    def plan_choice(self, index: int, section) -> Choice:
        """The plan's choice for section ``index`` (what content.yaml asks where the plan is silent)."""
        chosen = self.plan.get(SECTIONS)
        if chosen is not None:
            return chosen[index]
        n = self.settings.columns
        items = []
        for pid in section.photos:
            photo = self.c.photos[pid]
            ch = self.plan.get(photo.id)
            if ch is None:
                span = n if photo.span in (None, 0) or photo.span >= n else photo.span
                place = ("foot" if photo.position == "bottom" else "top") if span == n else "right"
                ch = PhotoChoice(span, place, self.photo_lines(photo, self.span_width(span, n))[1])
            items.append(self.flow_item(photo, ch, n))
        quote = self.quote(index, section.paragraphs)
        if quote is not None and self.plan.get(quote.id):
            items.append(self.flow_item(quote, self.plan[quote.id], n))
        return Choice(tuple(items), bool(self.plan.get(f"{BREAK}{index}")))

    def place_pieces(self, index: int, section, state: Start, pieces) -> None:
        """Turn the flow's pieces into placed blocks: paragraphs split where the flow split them."""
        L = self.L
        objects = {self.c.photos[p].id: self.c.photos[p] for p in section.photos}
        quote = self.quote(index, section.paragraphs)
        if quote is not None:
            objects[quote.id] = quote
        paras = [self.para(p, self.s.body) for p in section.paragraphs]
        heading_at = {p.page: p.row + p.lines for p in pieces if p.kind == "heading"}
        for piece in pieces:
            number = state.page + piece.page
            while len(self.pages) <= number:
                self.new_page("inner")
            page = self.pages[number]
            front = page.label == "front"
            frame = self.frame(number + 1, head=not front)
            n = self.settings.front_columns if front else self.settings.columns
            cols = self.columns(frame, n, frame.top)
            top = frame.top - piece.row * L
            if piece.kind == "heading":
                heading = self.section_heading(section, frame.width)
                _, hh = heading.wrap(frame.width, frame.top - frame.bottom)
                page.add(heading, frame.x, top - hh, frame.width, hh, "heading")
            elif piece.kind == "text":
                col = cols[piece.col]
                block = fragment(paras[piece.para], col.width, piece.first, piece.lines)
                block.wrap(col.width, piece.lines * L)      # placed as it is: drawn at the column's measure
                page.add(block, col.x, top - piece.lines * L, col.width, piece.lines * L, "text")
            elif piece.kind == "item" and piece.key in (HONOURS, FIGURES):
                room = Column(frame.x, frame.width, top, top - piece.lines * L)
                (self.honours_filler if piece.key == HONOURS else self.figures_filler)(page, room)
            elif piece.kind == "item":
                x0 = cols[piece.col].x
                last = cols[piece.col + piece.span - 1]
                w = last.x + last.width - x0
                obj = objects[piece.key]
                under = heading_at.get(piece.page) == piece.row     # directly under this section's headline
                block = (self.quote_block(obj, w, piece.lines, under_rule=under) if isinstance(obj, Quote)
                         else self.photo_block(obj, w, piece.lines))
                page.add(block, x0, top - block.height, w, block.height, "photo")
                if not isinstance(objects[piece.key], Quote):
                    self.placed_photo(objects[piece.key], w, piece.lines)
            elif piece.kind == "rules":
                bottom = frame.top - piece.row * L
                for i, (left, right) in enumerate(zip(cols, cols[1:])):
                    row = min(piece.tops[i], piece.tops[i + 1])
                    if piece.row - row > 1:
                        x = (left.x + left.width + right.x) / 2
                        h = (piece.row - row) * L
                        page.add(Rule(0, h, (0, 0, 0, 60), 0.3), x, bottom, 0, h, "rule")

    def compose(self) -> Composition:
        end = self.sections_from(*self.front())
        self.fill_to_four(end)
        self.back()
        for page in self.pages:   # running heads and folios are drawn last: text reads on across pages
            page.items.sort(key=lambda item: item.kind == "furniture")
        comp = Composition("brochure", self.pages, str(self.c.document.title),
                           qr_urls=[str(self.c.document.online_url)], warnings=self.warnings)
        if len(self.pages) > 4:
            comp.warnings.append(self.page_count_note(self.cut))
        comp.warnings += safety_warnings(comp, self.settings.press.safety * MM)
        return comp

    def page_count_note(self, cut: int | None) -> BuildWarning:
        """Why the brochure has more than four pages, and how many characters to cut (from the end of the
        last section) to return to four fewer: the least cut with which the search finds the fewer pages."""
        total = len(self.pages)
        fewer = total - 4
        if cut is None:
            zh = f"即使删去最后一节的全部文字也回不到 {fewer} 页：请删减前面各节的文字或照片。"
            en = (f" Even without the last section's words it would not fit {fewer} pages: shorten the earlier "
                  "sections or remove photos.")
        else:
            zh = f"从最后一节的末尾删去 {cut} 字即可回到 {fewer} 页。"
            en = f" Cutting {cut} characters from the end of the last section brings it back to {fewer} pages."
        return BuildWarning(
            f"宣传册共 {total} 页：{fewer} 页排不下全部文字和照片，所以排成 {total} 页（4 的倍数）。{zh}",
            f"the brochure has {total} pages: {fewer} pages do not hold all the text and photos, so it is "
            f"laid out on {total} (a multiple of four).{en}",
        )


#: The plan's key for the sections' choices (a list of ``search.Choice``, one per section).
SECTIONS = "(sections)"

def thin(per_item: list[list], most: int) -> None:
    """Keep a section's choices within ``most`` (``rules.most_choices``) by trying every other height of its photos with the
    most heights (always keeping the tallest and shortest): a fixed function of the content, never a budget."""
    def count():
        total = 1
        for options in per_item:
            total *= len(options)
        return total
    while count() > most:
        widest = max(range(len(per_item)), key=lambda k: len(per_item[k]))
        options = per_item[widest]
        if len(options) <= 3:
            break
        per_item[widest] = options[::2] + ([options[-1]] if len(options) % 2 == 0 else [])


def lead_table(data: bytes | None) -> list | None:
    """The front page's designs tried, as kept in the cache store; None when absent or not one."""
    if data is None:
        return None
    try:
        return [((None if o is None else PhotoChoice(int(o[0]), str(o[1]), int(o[2])), str(where)),
                 Start(int(st[0]), bool(st[1]), int(st[2]), frozenset(str(k) for k in st[3])), float(cost))
                for o, where, st, cost in json.loads(data)]
    except (ValueError, TypeError, IndexError, KeyError):
        return None


def search(composer: "BrochureComposer", memo: Memo, loader=None, store=None) -> dict:
    """The plan the rules score best, found by dynamic programming over the sections (``layout.search``)."""
    geo = composer.geometry()
    c, common = composer.c, composer.inputs()
    whole = digest_of((common, c.sections, c.photos, c.lead, c.honours, c.masthead, c.document.publisher,
                       c.document.date))
    found = memo.plans.get(whole) or (plan_from(store.get("plans", whole)) if store is not None else None)
    if found is not None:                     # these very words laid out before: the plan found then
        memo.plans[whole] = found
        return found
    tasks = []
    for index, section in enumerate(c.sections):
        key = digest_of((common, index, section, [c.photos[p] for p in section.photos]))
        if key not in memo.tasks:
            memo.tasks[key] = composer.section_task(index, section)
        tasks.append(memo.tasks[key])
    key = digest_of((common, c.lead, c.honours, c.photos.get(c.lead.photo) if c.lead.photo else None,
                     bool(c.sections), c.masthead, c.document.publisher, c.document.date))
    if key not in memo.leads:
        kept = lead_table(store.get("leads", key)) if store is not None else None
        memo.leads[key] = kept if kept is not None else composer.lead_trials()
        if kept is None and store is not None:
            store.put("leads", key, json.dumps([[None if o is None else [o.span, o.place, o.lines], where,
                                                 [st.page, st.front, st.row, sorted(st.placed)], cost]
                                                for (o, where), st, cost in memo.leads[key]]).encode())
    leads = memo.leads[key]
    required = frozenset({HONOURS}) if composer.c.honours.items else frozenset()
    (lead, where), choices, _, end = run(geo, composer.rules, leads, tasks, memo, loader, required)
    plan: dict = {HONOURS: where, SECTIONS: choices}
    if lead is not None:
        plan[LEAD] = lead
    memo.plans[whole] = (plan, pages_for(end[0]))
    if store is not None:
        store.put("plans", whole, json.dumps({
            "lead": None if lead is None else [lead.span, lead.place, lead.lines], "where": where,
            "pages": pages_for(end[0]),
            "sections": [[c.brk, sorted(c.once), [[i.key, i.place, i.span, i.lines, i.crop, i.soft, i.air, i.wish,
                                                   i.fill, i.most] for i in c.items]] for c in choices]}).encode())
    return plan, pages_for(end[0])


def plan_from(data: bytes | None):
    """A plan kept in the cache store, with its page count; None when absent or not one."""
    if data is None:
        return None
    try:
        d = json.loads(data)
        choices = [Choice(tuple(Item(str(k), str(pl), int(sp), int(ln), float(cr), float(so), float(ai), int(wi),
                                     bool(fi), int(mo)) for k, pl, sp, ln, cr, so, ai, wi, fi, mo in items),
                          bool(brk), frozenset(str(o) for o in once)) for brk, once, items in d["sections"]]
        plan: dict = {HONOURS: str(d["where"]), SECTIONS: choices}
        if d["lead"] is not None:
            plan[LEAD] = PhotoChoice(int(d["lead"][0]), str(d["lead"][1]), int(d["lead"][2]))
        return plan, int(d["pages"])
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def compose_brochure(content: Content, styles: Styles, photo_loader, boxes: PageBoxes,
                     rules: Rules | None = None, store=None, memo: Memo | None = None) -> Composition:
    """The brochure laid out by the best plan.  ``memo`` (kept in the build's Session) and ``store`` (the
    cache) keep every section already laid out, so an edit lays out again only what it changed."""
    rules = rules or content.layout
    memo = memo if memo is not None else Memo()
    probe = BrochureComposer(content, styles, None, boxes, {}, rules)

    def loader(digest):
        return load(store.get("sections", digest)) if store is not None else None

    plan, pages = search(probe, memo, loader, store)
    changed, memo.changed = memo.changed, set()
    cut = None
    if pages > 4:               # how much to cut: searched again for shorter texts, the answer kept
        key = digest_of((probe.inputs(), content.sections, content.lead, content.honours, content.photos))
        kept = store.get("cut", key) if store is not None else None
        if kept is not None and kept.isdigit():
            cut = int(kept)
        else:
            cut = least_cut(content, styles, boxes, rules, memo, loader, pages)
            if store is not None and cut is not None:
                store.put("cut", key, str(cut).encode())
        memo.changed = set()    # the shortened texts tried are not kept on disk
    if store is not None:
        for digest in sorted(changed):
            store.put("sections", digest, dump(memo.entries[digest]))
    composer = BrochureComposer(content, styles, photo_loader, boxes, plan, rules)
    composer.cut = cut
    return composer.compose()


def explain(content: Content, styles: Styles, boxes: PageBoxes, memo: Memo | None = None) -> list[tuple]:
    """What each rule costs in the layout the search chose: (part, first page, last page, rule, cost),
    part being "front", a section's letter, or "pages" for the page count."""
    rules = content.layout
    memo = memo if memo is not None else Memo()
    probe = BrochureComposer(content, styles, None, boxes, {}, rules)
    plan, pages = search(probe, memo)
    composer = BrochureComposer(content, styles, None, boxes, plan, rules)
    rows = []
    front_page = composer.front()
    m = composer.measure
    front = Facts(crops=tuple(m.crops), soft=tuple(m.soft), air=tuple(m.holes))
    rows += [("front", 1, 1, rule, cost) for rule, cost in rules.breakdown_of(front).items()]
    if plan.get(HONOURS) == "inner":
        rows.append(("front", 1, 1, "moved", rules.moved))
    composer.sections_from(*front_page)
    state = Start(0, True, 0)
    for section, state, out in composer.outcomes:
        rows += [(str(section.letter), state.page + 1, out.end.page + 1, rule, cost)
                 for rule, cost in rules.breakdown_of(out.facts).items()]
        state = out.end
    white = max(0, composer.geometry().rows(state.front) - max(0, state.row - 1))
    rows += [("end", state.page + 1, state.page + 1, rule, cost)
             for rule, cost in rules.breakdown_of(Facts(feet=(white,))).items()]
    rows.append(("pages", 1, pages, "pages", rules.page * pages / 4))
    if pages - state.page - 2 > 0:
        rows.append(("pages", state.page + 2, pages - 1, "filler", rules.filler * (pages - state.page - 2)))
    return rows


def cut_from_end(content: Content, count: int) -> Content:
    """``content`` with ``count`` characters cut from the end of its last section (whole paragraphs dropped
    as they run out, the first paragraph always keeping a character)."""
    section = content.sections[-1]
    paragraphs = list(section.paragraphs)
    while count > 0 and paragraphs:
        last = paragraphs[-1]
        if len(last) > count or len(paragraphs) == 1:
            keep = max(1, len(last) - count)
            paragraphs[-1] = Text(str(last)[:keep], getattr(last, "where", None))
            break
        count -= len(last)
        paragraphs.pop()
    return replace(content, sections=content.sections[:-1] + [replace(section, paragraphs=paragraphs)])


def least_cut(content: Content, styles: Styles, boxes: PageBoxes, rules: Rules, memo: Memo, loader,
              pages: int) -> int | None:
    """The fewest characters cut from the end of the last section with which the search lays the brochure
    out on four pages fewer; None when even the last section cut away does not do it."""
    def pages_after(count: int) -> int:
        probe = BrochureComposer(cut_from_end(content, count), styles, None, boxes, {}, rules)
        return search(probe, memo, loader)[1]

    total = sum(len(str(p)) for p in content.sections[-1].paragraphs)
    if total <= 1 or pages_after(total - 1) > pages - 4:
        return None
    lo, hi = 1, total - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if pages_after(mid) <= pages - 4:
            hi = mid
        else:
            lo = mid + 1
    return lo


def digest_of(value) -> str:
    """A digest of plain data (dataclasses of strings and numbers): what the layout reads, nothing more."""
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()
