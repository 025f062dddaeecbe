"""Exhibition posters from the same content: read from two to three metres.

A poster is a band with the title, then areas for what ``shows`` asks for: the
hero photo, key figures as big numbers, section summaries, the honour list and
the QR code (the areas themselves are in ``poster_areas``).  Portrait formats
stack the areas; landscape formats put the photo and figures beside the words;
a roll-up banner (a portrait poster standing on a foot) puts its QR code at
chest height and keeps its lowest 300 mm for a closing band.  Space left over
is shared between the areas as even white space, after the photo has grown as
far as the crop rule allows, so that no empty band opens across the poster.
Text in every area is copy-fitted between the largest size that keeps the
hierarchy and the smallest the reading distance allows; if it does not fit
the build stops, naming the poster, the area and roughly how many characters to cut.
"""
from __future__ import annotations

import math

from brochure.content.model import Content, Poster
from brochure.ground.boxes import MM, PageBoxes
from brochure.ground.page import BLEEDING_KINDS, Composition
from brochure.ground.errors import LayoutError
from brochure.ground.layout_rules import LIMITS
from brochure.ground.rules import poster_file
from brochure.layout.blocks import Image
from brochure.layout.page_checks import safety_warnings
from brochure.draw.qr import QUIET_MODULES, qr_modules
from brochure.text.store import LineSetter
from brochure.layout.poster_areas import KEEP_OF_PHOTO, PosterAreas, min_body_pt, qr_size

__all__ = ["PosterComposer", "compose_poster", "min_body_pt", "qr_size", "QR_CENTRE_M", "LOW_ZONE_MM", "ROLLUP_QR_MM"]

#: Where a roll-up's QR code is centred, metres above the floor: chest height, from .. to.
QR_CENTRE_M = (1.2, 1.3)
#: A roll-up's QR code is at least this wide (mm): scanned from 1.5 m.
ROLLUP_QR_MM = 150.0
#: A roll-up's lowest part (stand's foot included) holds nothing to read but the closing band.
LOW_ZONE_MM = 300.0
#: How many times a poster is laid out again with a wider margin to keep its blocks off the trim.
SAFETY_RETRIES = 2
#: The hero takes at least this share of the poster's area where its pixels allow.
HERO_SHARE = 0.2
#: The shares of the room above a roll-up's QR code its hero photo may start from, tried in turn.
ROLLUP_HERO_SHARES = (0.75, 0.65, 0.55, 0.45)
#: A roll-up arrangement that leaves no stretch emptier than this share of the height is taken at once
#: (the one with the most areas before the code and the largest photo, of those tried first).
ROLLUP_WHITE = 0.04
#: Areas named with this take all the room they are given, so they are fitted last.
GREEDY = "summaries"
#: How many times the hero gives up room when the words do not fit beside it, and how much each time
#: (in small steps: below the crop limit a frame loses width as well as height).
HERO_TRIES = 20
HERO_STEP = 0.95


class PosterComposer(PosterAreas):
    compact = False           # the figures in one row, to leave room for the words after them
    # -- modules: areas placed at a trial position, then moved into their place --------------
    def measure(self, place, *args, **kw) -> tuple[list, float]:
        """(the blocks ``place(x, 0, ...)`` added, their height): placed with their top at y = 0."""
        first = len(self.page.items)
        foot = place(*args, **kw)
        return self.page.items[first:], -foot

    def spread(self, modules: list[tuple[list, float]], top: float, bottom: float) -> float:
        """Put modules top to bottom from ``top``: the first at the top, the last at ``bottom`` when there
        are two or more, the room left over shared evenly between them (at least a gap); the foot."""
        modules = [m for m in modules if m[0]]
        if not modules:
            return top
        spare = (top - bottom) - sum(h for _, h in modules) - self.gap * (len(modules) - 1)
        step = max(spare, 0.0) / (len(modules) - 1) if len(modules) > 1 else 0.0
        y = top
        for items, h in modules:
            for item in items:
                item.y += y
            y -= h + self.gap + step
        return y + self.gap + step

    def stack(self, modules, top: float, bottom: float) -> None:
        """Modules centred between ``top`` and ``bottom``, the room left over shared evenly around them."""
        modules = [m for m in modules if m[0]]
        if not modules:
            return
        spare = (top - bottom) - sum(h for _, h in modules) - self.gap * (len(modules) - 1)
        step = max(spare, 0.0) / (len(modules) + 1)
        y = top - step
        for items, h in modules:
            for item in items:
                item.y += y
            y -= h + self.gap + step

    def undo(self, mark: int) -> None:
        del self.page.items[mark:]

    def bottom_row(self, x, width, compact=False):
        """The honour box and the QR panel side by side, at a trial position; (blocks, height).

        Their widths are chosen so that they come out about equally tall (``compact``: the row as low
        as it can be); both are then set to the taller one's height, so they share their top and foot."""
        shows, g = self.p.shows, self.gap
        first = len(self.page.items)
        if "honours" in shows and "qr" in shows:
            least = self.qr_side() + 2 * self.panel_pad()
            best = None
            for k in range(25):
                qw = least + (max(width * 0.7, least) - least) * k / 24
                hw = width - qw - g
                if hw < self.body_min * 8:
                    break
                hh = self.honours_block(hw).wrap(hw, 1e7)[1]
                qh = self.qr_panel_height(qw)
                score = max(hh, qh) if compact else abs(hh - qh)     # compact: the lowest row
                if best is None or score < best[0] - 0.5:
                    best = (score, qw, max(hh, qh))
            if best is None:
                raise self.qr_too_small()
            _, qw, row = best
            self.honours(x, 0, width - qw - g, row, stretch=True)
            self.qr_panel(x + width - qw, 0, qw, row)
        elif "honours" in shows:
            row = -self.honours(x, 0, width, 1e7)
        elif "qr" in shows:
            row = -self.qr(x, 0, width, 1e7)
        else:
            row = 0.0
        return self.page.items[first:], row

    def figures_module(self, x, width, room, share=1.0):
        """The figures in ``share`` of ``room``, or in more of it (up to half) when that is too little,
        or in one row."""
        if "figures" not in self.p.shows or not self.c.figures:
            return [], 0.0
        mark = len(self.page.items)
        tries = [(share, 0), (max(share, 0.5), 0), (max(share, 0.5), len(self.c.figures))]   # last: one row
        if self.compact:          # the words after them need the room: one row first, in as little as it takes
            tries = [(share, len(self.c.figures))] + tries
        first = None
        for part, per_row in tries:
            try:
                return self.measure(self.figures, x, 0, width, room * part, per_row)
            except LayoutError as exc:
                self.undo(mark)
                first = first or exc
        raise first                 # what the usual rows lack says best what to do

    def summaries_module(self, x, width, room, most=None):
        if "summaries" not in self.p.shows:
            return [], 0.0
        return self.measure(self.summaries, x, 0, width, room, most)

    def hero_target(self, width, room, bleed=False) -> float:
        """The hero's height to start from: at least a fifth of the poster's area where the photo's
        pixels allow, at most ``room``."""
        if "hero" not in self.p.shows or self.hero_photo() is None:
            return 0.0
        W, H = self.boxes.trim_w, self.boxes.trim_h
        most = self.hero_most(width, bleed)
        fit = self.hero_fit(width, 1e7, bleed)
        area = HERO_SHARE * 1.1 * W * H
        wanted = area / max(fit[0], 1.0)
        photo = self.hero_photo()
        pw, ph = photo.pixels or (photo.aspect * 1000, 1000)
        if wanted < fit[0] / (pw / ph) * KEEP_OF_PHOTO:
            # that flat a frame would be cropped too far and come out narrower: as tall as the
            # narrower frame needs to cover the share
            wanted = math.sqrt(area * KEEP_OF_PHOTO / (pw / ph))
        wanted += fit[2]
        return min(most, max(wanted, most * 0.6), room)

    def column(self, x, width, top, bottom, words, bleed=False, hero=True, trial=False, share=0.7):
        """A column of the hero and then ``words`` (callables (room) -> module), from ``top`` to ``bottom``:
        the hero at least a fifth of the poster where it can, the words copy-fitted in what is left,
        then the hero grown into what the words leave; the modules spread from top to bottom.

        Returns the tallest stretch of white left between modules (or under a lone one).  ``trial``
        measures only: the hero is not placed (its photo not prepared) and the words are taken away."""
        g, mark = self.gap, len(self.page.items)
        room = top - bottom
        hero_h = self.hero_target(width, room * share, bleed) if hero else 0.0
        # the areas that take all the room they are given (the summaries) are fitted last, into what the
        # others leave; all are placed in reading order
        order = sorted(range(len(words)), key=lambda i: GREEDY in getattr(words[i], "__name__", ""))
        mods = []
        self.compact = False
        for attempt in range(HERO_TRIES):
            try:
                found = {}
                left = room - (hero_h + g if hero_h else 0.0)
                for i in order:
                    m = words[i](left - g * len(found))
                    if m[1]:
                        found[i] = m
                        left -= m[1]
                if left < g * (len(found) - 1) - 0.5:        # an area of fixed height took more than there was
                    raise self.no_room("hero" if hero_h else "summaries", room)
                mods = [found[i] for i in sorted(found)]
                break
            except LayoutError:
                self.undo(mark)
                if not self.compact:          # first the figures in one row, then a smaller photo
                    self.compact = True
                    continue
                if not hero_h or hero_h < self.body_min * 4 or attempt == HERO_TRIES - 1:
                    raise
                hero_h *= HERO_STEP
        heights = [h for _, h in mods]
        if hero_h:
            spare = room - hero_h - sum(heights) - g * len(mods)
            hero_h = self.hero_height(width, hero_h + max(spare, 0.0), bleed)
            heights = [hero_h] + heights
            if not trial:
                mods = [self.measure(self.hero, x, 0, width, hero_h + 0.01, bleed)] + mods
        spare = room - sum(heights) - g * max(len(heights) - 1, 0)
        worst = spare if len(heights) <= 1 else spare / (len(heights) - 1) + g
        if trial:
            self.undo(mark)
        else:
            self.spread(mods, top, bottom)
        return worst

    # -- the arrangements ------------------------------------------------------------------
    def portrait(self, x, width, top, bottom):
        """Hero, figures and summaries from the title down, the honour box and QR panel at the foot."""
        def figures(room):
            return self.figures_module(x, width, room, 0.25)

        def summaries(room):
            return self.summaries_module(x, width, room)

        if not self.has_hero():
            self.roomy = 2.5          # no photo: the words take the poster's height, larger
        mark = len(self.page.items)
        for compact in (False, True):
            try:
                row = self.bottom_row(x, width, compact)
                low = bottom + row[1] + (self.gap if row[1] else 0)
                self.column(x, width, top, low, [figures, summaries])
            except LayoutError:
                self.undo(mark)
                if compact:
                    raise
                continue
            # the honour box and QR panel as low as they go, where at their even heights the words
            # leave the hero less than its share of the poster
            if compact or self.hero_share(mark) >= self.hero_wanted():
                break
            self.undo(mark)
        self.spread([row], bottom + row[1], bottom)

    def hero_share(self, mark: int) -> float:
        """The share of the poster's area the hero placed since ``mark`` covers."""
        W, H = self.boxes.trim_w, self.boxes.trim_h
        return max((max(0.0, min(i.x + i.w, W) - max(i.x, 0.0)) * max(0.0, min(i.y + i.h, H) - max(i.y, 0.0))
                    / (W * H) for i in self.page.items[mark:] if isinstance(i.flowable, Image)), default=0.0)

    def hero_wanted(self) -> float:
        """The hero's share of the poster: ``HERO_SHARE`` where its pixels allow, else what they allow."""
        photo = self.hero_photo()
        if not self.has_hero() or not photo.pixels:
            return 0.0 if not self.has_hero() else HERO_SHARE
        ppi = self.p.press.min_ppi
        allow = photo.pixels[0] * photo.pixels[1] * (72 / ppi) ** 2 / (self.boxes.trim_w * self.boxes.trim_h)
        return min(HERO_SHARE, allow) - 0.005

    def lift(self, module) -> None:
        """A column opening with the summaries starts on the line its neighbour starts on: the first
        head's ink, not its line box, level with the other column's top."""
        for item in module[0]:
            item.y += self.summaries_drop

    def has_hero(self) -> bool:
        return "hero" in self.p.shows and self.hero_photo() is not None

    def landscape(self, x, width, top, bottom):
        """The hero and figures on the left, the summaries and the honour box with the QR panel on the
        right; both columns start on the title's line below it and end on the same foot.  Without a
        photo the figures run across the top, centred, and the two columns start under them."""
        g = self.gap
        left_w = (width - 2 * g) * 0.5
        rx, rw = x + left_w + 2 * g, width - left_w - 2 * g
        mark = len(self.page.items)
        if not self.has_hero():
            self.roomy = 2.0
            figs = self.figures_module(x, width, (top - bottom) * 0.3)
            if figs[1]:
                self.spread([figs], top, top - figs[1])
                top -= figs[1] + 2 * g
            # the summaries on the left; on the right the honour box over the QR code, the two columns
            # spread over the same height
            mark = len(self.page.items)
            right = []
            if "honours" in self.p.shows:
                right.append(self.measure(self.honours, rx, 0, rw, 1e7))
            if "qr" in self.p.shows:
                right.append(self.measure(self.qr, rx, 0, rw, 1e7))
            if sum(h for _, h in right) + g * (len(right) - 1) > top - bottom:    # side by side, then
                self.undo(mark)
                right = [self.bottom_row(rx, rw, True)]
            sums = self.summaries_module(x, left_w, top - bottom)
            self.spread([sums], top, bottom)
            self.lift(sums)
            self.spread(right, top, bottom)
            return
        mark = len(self.page.items)
        for compact in (False, True):
            try:
                self.column(x, left_w, top, bottom, [lambda room: self.figures_module(x, left_w, room, 0.45)])
                row = self.bottom_row(rx, rw, compact)
                sums = self.summaries_module(rx, rw, top - bottom - row[1] - g)
                self.spread([sums, row], top, bottom)
                self.lift(sums)
                return
            except LayoutError:
                self.undo(mark)
        # the words need the whole right column: the honour box and QR panel go under the figures
        try:
            self.column(x, left_w, top, bottom, [lambda room: self.figures_module(x, left_w, room, 0.45),
                                                 lambda room: self.bottom_row(x, left_w, True)])
        except LayoutError:
            self.undo(mark)
            # and where even that leaves no room for the photo, the figures run across the top
            figs = self.figures_module(x, width, (top - bottom) * 0.25)
            self.spread([figs], top, top - figs[1])
            top -= figs[1] + 2 * g
            row = self.bottom_row(rx, rw, True)
            sums = self.summaries_module(x, left_w, top - bottom)
            self.spread([sums], top, bottom)
            self.lift(sums)
            self.spread([row], top, top - row[1])
            return
        sums = self.summaries_module(rx, rw, top - bottom)
        self.spread([sums], top, bottom)
        self.lift(sums)

    def rollup(self, x, width, top):
        """Read top to bottom: the title, the hero photo (to the bleed where its pixels allow), the
        figures and the summaries, set as large as the banner allows, with the QR code and its call to
        action at chest height (their centre 1.2-1.3 m above the floor) among them; the closing band
        with the publisher and the URL just above the part the stand hides, which stays free.

        Where the code falls in the reading order is chosen: after as many of the areas as fit above
        it, so long as no stretch of the banner is left emptier than another order would leave it."""
        g = self.gap
        # nothing important in the lowest 300 mm: the words stop there, over the closing band
        low = max(self.foot_band(self.p.foot * MM) + g, LOW_ZONE_MM * MM)
        self.roomy = 3.0
        shares = {}

        def figures(room):          # all the room there is when nothing else shares the stretch
            return self.figures_module(x, width, room, shares.get("figures", 0.45))

        def summaries(room):
            return self.summaries_module(x, width, room)

        def honours(room):
            return self.measure(self.honours, x, 0, width, room)

        words = []
        if "figures" in self.p.shows and self.c.figures:
            words.append(figures)
        if "summaries" in self.p.shows:
            words.append(summaries)
        if "honours" in self.p.shows:
            words.append(honours)
        if "qr" not in self.p.shows:
            self.column(x, width, top, low, words, bleed=True)
            return
        centre = sum(QR_CENTRE_M) / 2 * 1000 * MM
        _, _, h, _ = self.qr_pair(width)
        half = max(self.qr_side(), h) / 2
        qr_top, qr_foot = centre + half, centre - half

        def arrange(k, share, trial):
            shares["figures"] = 1.0 if words[:k] == [figures] or words[k:] == [figures] else 0.45
            up = self.column(x, width, top, qr_top + g, words[:k], bleed=True, trial=trial, share=share)
            down = (self.column(x, width, qr_foot - g, low, words[k:], hero=False, trial=trial) if words[k:]
                    else qr_foot - g - low)       # nothing below the code: all of that stretch is empty
            return max(up, down)

        best = None
        good = max(2 * g, self.boxes.trim_h * ROLLUP_WHITE)
        for k in range(len(words), -1, -1):          # the most areas before the code first
            for share in ROLLUP_HERO_SHARES:          # the largest photo first
                self.figure_size = 0.0
                try:
                    worst = arrange(k, share, True)
                except LayoutError:
                    continue
                if best is None or worst < best[0] - self.gap:
                    best = (worst, k, share)
                if worst <= good:          # the reading order kept with no stretch left notably empty
                    break
            if best is not None and best[0] <= good:
                break
        self.figure_size = 0.0
        arrange(*(best[1:] if best else (0, ROLLUP_HERO_SHARES[0])), False)
        self.qr_beside(x, centre, width)

    # -- the whole poster ------------------------------------------------------------------
    def qr_side(self) -> float:
        """The printed QR code's side, quiet zone included; on a roll-up the code itself is at least
        ``ROLLUP_QR_MM`` wide (scanned from about 1.5 m, at chest height)."""
        side = super().qr_side()
        if not self.is_rollup():
            return side
        n = qr_modules(self.c.document.online_url, "Q")
        return max(side, ROLLUP_QR_MM * MM * (n + 2 * QUIET_MODULES) / n)

    def is_rollup(self) -> bool:
        return self.p.foot > 0 and self.boxes.trim_h > 2 * self.boxes.trim_w

    def compose(self) -> Composition:
        W, H = self.boxes.trim_w, self.boxes.trim_h
        m, g = self.margin, self.gap
        x0, x1 = m, W - m
        landscape = W > H
        top = H - m
        if "title" in self.p.shows:
            top = self.title_band(x0, H, x1 - x0, (H - 2 * m) * (0.2 if landscape else 0.16)) - g
        if self.is_rollup():
            # a banner is read standing back: its fine print (caption, URL) too is set for that distance
            self.fine = max(self.fine, self.p.distance * 1000 * LIMITS["char_height_per_distance"] * MM)
            self.rollup(x0, x1 - x0, top)
        elif landscape:
            self.landscape(x0, x1 - x0, top, m + self.p.foot * MM)
        else:
            self.portrait(x0, x1 - x0, top, m + self.p.foot * MM)
        urls = [str(self.c.document.online_url)] if "qr" in self.p.shows else []
        comp = Composition(poster_file(self.p.name), [self.page], f"{self.c.document.title}（{self.p.name}）",
                           qr_urls=urls, warnings=self.warnings)
        safety = self.p.press.safety * MM
        more = max(safety - closest_to_trim(comp), 0.0) / MM
        action = (f"请在 content.yaml 中给海报“{self.p.name}”写上 margin: {math.ceil(self.margin / MM + more)}"
                  "（毫米，画面四周留白）",
                  f"Give poster '{self.p.name}' a 'margin: {math.ceil(self.margin / MM + more)}' (mm, room round "
                  "the edge) in content.yaml")
        comp.warnings += safety_warnings(comp, safety, action)
        return comp


def closest_to_trim(comp: Composition) -> float:
    """The smallest distance (pt) from the trim of anything on ``comp``'s pages but the backgrounds that bleed."""
    gaps = [min(i.x, i.y, page.boxes.trim_w - (i.x + i.w), page.boxes.trim_h - (i.y + i.h))
            for page in comp.pages for i in page.items if i.kind not in BLEEDING_KINDS]
    return min(gaps, default=math.inf)


def compose_poster(content: Content, poster: Poster, faces: dict, photo_loader, boxes: PageBoxes,
                   setter=None) -> Composition:
    """The poster's page; ``setter`` (``brochure.text.store.LineSetter``) remembers set paragraphs.

    Nothing but a bleeding background comes within the press's safety distance of the
    trim: a layout that brings something closer is made again with the margin widened by
    the difference (``margin`` in content.yaml asks for more from the start).
    """
    if setter is None:            # display lines need the segmenter a setter holds: one for this poster
        setter = LineSetter({})
    comp = PosterComposer(content, poster, faces, photo_loader, boxes, setter).compose()
    safety, margin = poster.press.safety * MM, 0.0
    for _ in range(SAFETY_RETRIES):
        short = safety - closest_to_trim(comp)
        if short <= 0.01:
            break
        margin = max(margin, min(boxes.trim_w, boxes.trim_h) * 0.045, safety) + short + 0.5 * MM
        comp = PosterComposer(content, poster, faces, photo_loader, boxes, setter, margin).compose()
    return comp
