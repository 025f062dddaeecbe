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
from brochure.ground.rules import poster_file
from brochure.layout.blocks import Fill
from brochure.layout.page_checks import safety_warnings
from brochure.draw.qr import QUIET_MODULES, qr_modules
from brochure.layout.poster_areas import PosterAreas, min_body_pt, qr_size

__all__ = ["PosterComposer", "compose_poster", "min_body_pt", "qr_size", "QR_CENTRE_M", "LOW_ZONE_MM", "ROLLUP_QR_MM"]

#: Where a roll-up's QR code is centred, metres above the floor: chest height, from .. to.
QR_CENTRE_M = (1.0, 1.5)
#: A roll-up's QR code is at least this wide (mm): scanned from 1.5 m.
ROLLUP_QR_MM = 150.0
#: A roll-up's lowest part (stand's foot included) holds nothing to read.
LOW_ZONE_MM = 300.0
#: How many times a poster is laid out again with a wider margin to keep its blocks off the trim.
SAFETY_RETRIES = 2


class PosterComposer(PosterAreas):
    # -- modules: areas placed at a trial position, then moved into their place --------------
    def measure(self, place, *args) -> tuple[list, float]:
        """(the blocks ``place(x, 0, ...)`` added, their height): placed with their top at y = 0."""
        first = len(self.page.items)
        foot = place(*args)
        return self.page.items[first:], -foot

    def stack(self, modules: list[tuple[list, float]], top: float, bottom: float) -> None:
        """Put modules top to bottom between ``top`` and ``bottom``, the room left over shared evenly
        between the spaces above, between and below them (at least one gap between two modules)."""
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

    def bottom_row(self, x, width):
        """The honour box and the QR code side by side, at a trial position; (blocks, height)."""
        shows, g = self.p.shows, self.gap
        first = len(self.page.items)
        if "honours" in shows and "qr" in shows:
            qw = max(self.qr_side(), width * 0.4)
            row = max(self.honours_block(width - qw - g).wrap(width - qw - g, 1e7)[1], self.qr_height(qw))
            self.honours(x, 0, width - qw - g, row)
            self.qr(x + width - qw, 0, qw, row)
        elif "honours" in shows:
            row = -self.honours(x, 0, width, 1e7)
        elif "qr" in shows:
            row = -self.qr(x, 0, width, 1e7)
        else:
            row = 0.0
        return self.page.items[first:], row

    def hero_module(self, x, width, room):
        if "hero" not in self.p.shows:
            return [], 0.0
        return self.measure(self.hero, x, 0, width, room)

    def figures_module(self, x, width, room):
        if "figures" not in self.p.shows:
            return [], 0.0
        return self.measure(self.figures, x, 0, width, room)

    def summaries_module(self, x, width, room):
        if "summaries" not in self.p.shows:
            return [], 0.0
        return self.measure(self.summaries, x, 0, width, room)

    # -- the arrangements ------------------------------------------------------------------
    def portrait(self, x, width, top, bottom):
        row = self.bottom_row(x, width)
        low = bottom + row[1] + (self.gap if row[1] else 0)
        room = top - low
        figs = self.figures_module(x, width, room * 0.2)
        sums = self.summaries_module(x, width, room * 0.4)
        hero = self.hero_module(x, width, room - figs[1] - sums[1] - 2 * self.gap)
        self.stack([hero, figs, sums], top, low)
        self.stack([row], bottom + row[1], bottom)

    def landscape(self, x, width, top, bottom):
        g = self.gap
        left_w = (width - 2 * g) * 0.5
        rx, rw = x + left_w + 2 * g, width - left_w - 2 * g
        figs = self.figures_module(x, left_w, (top - bottom) * 0.4)
        hero = self.hero_module(x, left_w, top - bottom - figs[1] - g)
        self.stack([hero, figs], top, bottom)
        row = self.bottom_row(rx, rw)
        sums = self.summaries_module(rx, rw, top - bottom - row[1] - g)
        self.stack([sums, row], top, bottom)

    def rollup(self, x, width, top):
        """Title and photo above the QR code at chest height; figures, words and honours below it,
        down to the low zone, which a closing band fills to the bottom edge (the stand's foot)."""
        low = max(LOW_ZONE_MM, self.p.foot) * MM
        bleed, W = self.boxes.bleed, self.boxes.trim_w
        self.page.add(Fill(W + 2 * bleed, low - self.gap + bleed, self.c.palette.accent),
                      -bleed, -bleed, W + 2 * bleed, low - self.gap + bleed, "decoration")
        if "qr" not in self.p.shows:
            return self.portrait(x, width, top, low)
        g, half = self.gap, self.qr_side() / 2
        lowest, highest = QR_CENTRE_M[0] * 1000 * MM, QR_CENTRE_M[1] * 1000 * MM
        room = highest - half - g - low
        if "hero" not in self.p.shows:       # no photo: the words take the banner's height, larger
            room = top - low - 2 * half - 4 * g
            self.roomy = 2.5
        figs = self.figures_module(x, width, room * 0.3)
        hon = self.measure(self.honours, x, 0, width, 1e7) if "honours" in self.p.shows else ([], 0.0)
        sums = self.summaries_module(x, width, room - figs[1] - hon[1] - 2 * g)
        need = sum(h for _, h in (figs, sums, hon) if h) + g * (len([h for _, h in (figs, sums, hon) if h]) + 1)
        # the room left over shared as evenly above the code (two spaces) as below it (one more than modules)
        above = self.hero_most(width) + 2 * g if "hero" in self.p.shows else 0.0
        spare = max(top - low - need - above - 2 * half, 0.0)
        below = len([h for _, h in (figs, sums, hon) if h]) + 1
        centre = min(max(low + need + half + spare * below / (below + 2), lowest), highest)
        if "hero" not in self.p.shows:
            # no photo above the code: the modules are shared out above and below it, the split and
            # the code's height (within chest height) chosen so that neither stretch is left empty
            modules = [m for m in (figs, sums, hon) if m[1]]
            inside = (lowest + 5 * MM, highest - 5 * MM)
            best = None
            for k in range(len(modules) + 1):
                up, down = modules[:k], modules[k:]
                need_up = sum(h for _, h in up) + g * (len(up) + 1)
                need_down = sum(h for _, h in down) + g * (len(down) + 1)
                free = top - low - 2 * half - need_up - need_down
                mid = min(max(low + need_down + free / 2 + half, inside[0]), inside[1])
                worst = max(top - (mid + half) - need_up, (mid - half) - low - need_down)
                if best is None or worst < best[0]:
                    best = (worst, up, down, mid)
            _, up, down, centre = best
            qr_top, qr_foot = self.qr_beside(x, centre, width)
            self.stack(up, top, qr_top)
            self.stack(down, qr_foot, low)
            return
        qr_top, qr_foot = self.qr_beside(x, centre, width)
        hero = self.hero_module(x, width, top - qr_top - 2 * g)
        self.stack([hero], top, qr_top)
        self.stack([figs, sums, hon], qr_foot, low)

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
    comp = PosterComposer(content, poster, faces, photo_loader, boxes, setter).compose()
    safety, margin = poster.press.safety * MM, 0.0
    for _ in range(SAFETY_RETRIES):
        short = safety - closest_to_trim(comp)
        if short <= 0.01:
            break
        margin = max(margin, min(boxes.trim_w, boxes.trim_h) * 0.045, safety) + short + 0.5 * MM
        comp = PosterComposer(content, poster, faces, photo_loader, boxes, setter, margin).compose()
    return comp
