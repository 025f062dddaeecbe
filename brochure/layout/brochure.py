"""The brochure: a newspaper special page recomposed as a saddle-stitched booklet.

Front page: masthead band, headline and byline, the lead module (``front``),
then section A.  Inner pages: running head, three columns with thin rules,
sections opening with a letter badge and a headline across the columns, their
first paragraph at the top of column 1, photos placed where they leave full
legs, columns level where a section ends (``sections``).  Back page: composed
by ``brochure.layout.back``.

The layout is chosen, not poured: ``compose_brochure`` lays out candidate
placements and frame heights of the section photos in full and keeps the one
the rules (``plan.Rules``) score best.  The page count is a multiple of four;
when the words need more pages than the fewest, the pages added are designed
ones (the key figures, the honour list, the photos large), never ruled note
pages, and the build says how many pages and how many characters to cut to
go back.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import fields, replace

from brochure.content.model import Content
from brochure.layout.back import compose_back
from brochure.ground.boxes import MM, PageBoxes
from brochure.ground.errors import BuildWarning, LayoutError
from brochure.ground.page import Composition, Page
from brochure.layout.blocks import Rule, SectionHeading, Stack
from brochure.layout.extras import BREAK, QUOTE_LINES, Extras
from brochure.layout.fillers import FillerPages
from brochure.layout.flow import Column
from brochure.layout.front import LEAD, FrontPage
from brochure.layout.page_checks import safety_warnings
from brochure.layout.photos import PhotoFrames
from brochure.layout.plan import Measure, PhotoChoice, Rules, foot_white, legs
from brochure.layout.sections import SectionFlow
from brochure.layout.styles import Styles
from brochure.text import CJKParagraph



class BrochureComposer(FrontPage, SectionFlow, PhotoFrames, Extras, FillerPages):
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

    def section_heading(self, section, width: float) -> "SectionHeading":
        return SectionHeading(width, self.para(section.letter, self.s.badge),
                              self.para(section.headline, self.s.section), self.c.palette.accent, self.L)

    # -- the back page ------------------------------------------------------------------
    def back(self) -> None:
        page, frame = self.new_page("back")
        compose_back(page, frame, self.c, self.s, self.boxes)

    def body(self) -> tuple[Page, Column, float]:
        """The front page and the sections, and what the rules count of them; where the text ended."""
        page, frame, y = self.front()
        end = self.sections(page, frame, y)
        col_w = self.columns(self.frame(2, head=True), self.settings.columns, 0.0)[0].width
        for number, page in enumerate(self.pages, 1):
            self.measure.legs += legs(page, number, col_w, self.L)
            self.measure.feet.append((number, foot_white(page, self.frame(number, head=number > 1).bottom, self.L)))
        self.measure.pages = len(self.pages)
        return end

    def compose(self) -> Composition:
        end = self.body()
        text_pages = len(self.pages)
        self.fill_to_four(end)
        self.back()
        for page in self.pages:   # running heads and folios are drawn last: text reads on across pages
            page.items.sort(key=lambda item: item.kind == "furniture")
        comp = Composition("brochure", self.pages, str(self.c.document.title),
                           qr_urls=[str(self.c.document.online_url)], warnings=self.warnings)
        if len(self.pages) > 4:
            comp.warnings.append(self.page_count_note(text_pages))
        comp.warnings += safety_warnings(comp, self.settings.press.safety * MM)
        return comp

    def page_count_note(self, text_pages: int) -> BuildWarning:
        """Why the brochure has more than four pages, and what to cut to return to the fewer count."""
        total = len(self.pages)
        fewer = total - 4
        spill = self.pages[fewer - 1:text_pages]              # text pages beyond what ``fewer`` pages hold
        lines = [sum(round(i.h / self.L) for i in page.items if i.kind == "text" and i.w < self.L * 20)
                 for page in spill]
        per_line = int(self.columns(self.frame(2, head=True), self.settings.columns, 0.0)[0].width // self.s.body.size)
        cut = sum(lines) * per_line
        first = fewer if lines else text_pages
        return BuildWarning(
            f"宣传册共 {total} 页：正文排到第 {first} 页（那一页只有 {lines[0] if lines else 0} 行），"
            f"所以补足到 {total} 页（4 的倍数）。删去约 {cut} 字可回到 {fewer} 页。",
            f"the brochure has {total} pages: the text runs on to page {first} ({lines[0] if lines else 0} lines there), "
            f"so it is made up to {total} pages (a multiple of four). Cut about {cut} characters to return to {fewer} pages.",
        )


def candidates(composer: "BrochureComposer", photo, n: int) -> list[PhotoChoice]:
    """The placements a designer would try for ``photo``: across one, two or all columns (as many as
    content.yaml's ``span`` says, when it says), beside the opening text or above it, under the
    headline or at the section's foot."""
    found = []
    asked = None if photo.span is None else n if photo.span == 0 else min(photo.span, n)
    for span in range(1, n + 1) if asked is None else (asked,):
        width = composer.span_width(span, n)
        wished = composer.photo_lines(photo, width)[1]
        places = ("top", "foot") if span == n else ("right", "left")
        found += [PhotoChoice(span, place, wished) for place in places]
    return found


#: What the layout search may spend, in (characters of a paragraph)² summed over the trials.
TRIAL_BUDGET = 6e8


def search(content: Content, styles: Styles, boxes: PageBoxes, rules: Rules) -> dict:
    """The plan the rules score best.

    Each photo in turn (the lead photo first) tries every placement and every frame
    height its crop allows, the others held as they are; then the round is made
    once more, since a later photo's choice changes what suits an earlier one.  A
    trial lays out the front page and the sections in full without preparing any
    photo (under a millisecond each: the paragraphs are set once).
    """
    n = content.brochure.columns
    photos = [content.photos[p] for s in content.sections for p in s.photos]
    probe = BrochureComposer(content, styles, None, boxes, {}, rules)
    options: dict[str, list] = {}
    lead = probe.lead_options()
    if lead:
        options[LEAD] = lead
    for photo in photos:
        options[photo.id] = [replace(place, lines=lines) for place in candidates(probe, photo, n)
                             for lines in range(*probe.photo_range(photo, place.span, n))]
    # Trials cost about the square of each paragraph's length (splitting it across columns and pages):
    # a document of extreme paragraphs gets fewer, so a build never takes long; the count depends on
    # the words alone, so the same content always gives the same layout.
    cost = sum(len(str(p)) ** 2 for s in content.sections for p in s.paragraphs) + 1
    budget = [int(TRIAL_BUDGET / cost)]

    def score(plan: dict) -> float:
        if budget[0] <= 0:
            return float("inf")
        budget[0] -= 1
        trial = BrochureComposer(content, styles, None, boxes, plan, rules)
        try:
            trial.body()
        except LayoutError:
            return float("inf")
        return trial.measure.score(rules)

    for index, section in enumerate(content.sections):        # what a designer adds to fill a page
        quote = probe.quote(index, section.paragraphs)
        if quote is not None:
            options[quote.id] = [0] + [PhotoChoice(span, place, lines) for span in range(1, n + 1)
                                       for place in (("top", "foot") if span == n else ("right", "left"))
                                       for lines in range(*QUOTE_LINES)]
        if index:
            options[f"{BREAK}{index}"] = [0, 1]

    plan: dict = {}
    best = score(plan)
    for _ in range(2):
        for key, choices in options.items():
            groups: dict[tuple, list] = {}
            for option in choices:
                group = (option.span, option.place) if isinstance(option, PhotoChoice) else ()
                groups.setdefault(group, []).append(option)
            for group in groups.values():        # every other height, then the neighbours of the best
                if not isinstance(group[0], PhotoChoice):
                    tried = {k: score({**plan, key: o}) for k, o in enumerate(group)}
                    pick = min(tried, key=tried.get)
                    if tried[pick] < best:
                        plan, best = {**plan, key: group[pick]}, tried[pick]
                    continue
                tried = {o.lines: score({**plan, key: o}) for o in group[::2]}
                near = min(tried, key=tried.get)
                tried.update({o.lines: score({**plan, key: o}) for o in group if abs(o.lines - near) == 1})
                lines = min(tried, key=tried.get)
                if tried[lines] < best:
                    plan, best = {**plan, key: next(o for o in group if o.lines == lines)}, tried[lines]
    return plan


def compose_brochure(content: Content, styles: Styles, photo_loader, boxes: PageBoxes,
                     rules: Rules | None = None, store=None) -> Composition:
    """The brochure laid out by the best plan; ``store`` (the cache) keeps the plan found for these
    words, photos and settings, so a rebuild of unchanged content does not search again."""
    rules = rules or Rules()
    key = plan_key(content, styles, boxes, rules)
    plan = load_plan(store.get("plan", key)) if store is not None else None
    if plan is None:
        plan = search(content, styles, boxes, rules)
        if store is not None:
            store.put("plan", key, json.dumps({k: [v.span, v.place, v.lines] if isinstance(v, PhotoChoice) else v
                                               for k, v in plan.items()}).encode())
    return BrochureComposer(content, styles, photo_loader, boxes, plan, rules).compose()


def plan_key(content: Content, styles: Styles, boxes: PageBoxes, rules: Rules) -> str:
    """A digest of everything a layout depends on: the content, the type styles (faces by name), the page."""
    plain = [(f.name, repr(replace(getattr(styles, f.name), face=getattr(styles, f.name).face.name, setter=None)))
             for f in fields(styles)]
    return hashlib.sha256(repr((content, plain, boxes, rules)).encode("utf-8", "surrogatepass")).hexdigest()


def load_plan(data: bytes | None) -> dict[str, PhotoChoice] | None:
    """A plan read back from the cache, or None when absent or not one (it is then searched again)."""
    if data is None:
        return None
    try:
        return {str(k): PhotoChoice(int(v[0]), str(v[1]), int(v[2])) if isinstance(v, list) else int(v)
                for k, v in json.loads(data).items()}
    except (ValueError, TypeError, AttributeError):
        return None
