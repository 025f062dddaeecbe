"""The areas a poster is made of, each placed in a given rectangle: title band, hero photo,
key figures, section summaries, honour list and the QR code with its call to action.

Every text is copy-fitted between a smallest size set by the reading distance and a largest
size that keeps the hierarchy (title, then hero photo, then key figures, then the message);
fine print (caption, URL, publisher) is sized for the distance people scan from, never under 14 pt.
"""
from __future__ import annotations

from brochure.content.model import Content, Poster
from brochure.draw.qr import QUIET_MODULES, qr_modules, qr_size
from brochure.ground.boxes import MM, PageBoxes
from brochure.ground.colour import WHITE
from brochure.ground.errors import LayoutError
from brochure.ground.layout_rules import LIMITS
from brochure.ground.rules import MIN_BLEED_MM
from brochure.ground.page import Page
from brochure.layout.blocks import Bullet, Fill, Image, QRCode, Spacer, Stack
from brochure.layout.poster_blocks import Balanced, PosterFigureCell, SideBySide
from brochure.text import CJKParagraph, TextStyle, natural_width

FINE_PRINT_PT = 14.0       # nothing on a poster is smaller
MEASURE_CHARS = LIMITS["measure_max_chars"]   # a summary's longest line, in characters (clreq: 15-40)
IDEO_TOP = 0.88           # the top of the ideographic em box above the baseline, in ems (ink of a head)
KEEP_OF_PHOTO = 2 / 3      # a crop keeps at least this much of a photo's height and width


def chars_in(text: str) -> float:
    """A line's length in characters: CJK and full-width count one, Latin letters and digits half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text if not c.isspace())


def min_body_pt(distance_m: float) -> float:
    """Smallest body size legible from ``distance_m``: about 1/250 of the distance as character height."""
    return max(FINE_PRINT_PT, distance_m * 1000 / 250 * 72 / 25.4 * 0.95)


class PosterAreas:
    def __init__(self, content: Content, poster: Poster, faces: dict, photo_loader, boxes: PageBoxes,
                 setter=None, margin: float = 0.0):
        self.c, self.p, self.faces, self.setter = content, poster, faces, setter
        self.load_photo, self.boxes = photo_loader, boxes
        self.page = Page(boxes, label="poster")
        self.warnings: list = []
        self.short = min(boxes.trim_w, boxes.trim_h)
        # the press's safety distance at least, and what content.yaml asks for (``margin``, mm) or ``margin`` (pt)
        self.margin = max(poster.press.safety * MM, self.short * 0.045, (poster.margin or 0.0) * MM, margin)
        self.body_min = min_body_pt(poster.distance)
        self.fine = min_body_pt(min(poster.scan_distance, poster.distance))   # read up close
        self.gap = self.body_min
        self.title_size = 0.0
        self.roomy = 1.0            # how much larger than usual the words may grow (a roll-up without a photo)
        self.figure_size = 0.0
        self.summaries_drop = 0.0   # from the summaries block's top down to its first head's ink

    # -- text ---------------------------------------------------------------------
    def style(self, role: str, size: float, **kw) -> TextStyle:
        # every line on a poster is a display line: broken between words, never ending on a few characters
        base = dict(face=self.faces[role], size=size, leading=size * 1.45, color=self.c.palette.text,
                    align="left", indent=0, cjk_latin_space=self.c.typography.cjk_latin_space, overprint=False,
                    setter=self.setter, display=True)
        base.update(kw)
        return TextStyle(**base)

    def no_room(self, area: str, height: float) -> LayoutError:
        return LayoutError(
            f"海报“{self.p.name}”上已没有留给“{area}”区域的位置（只剩 {max(height, 0) / MM:.0f} 毫米高）："
            "其他区域已占满画面。请在 content.yaml 的 shows 中去掉一个区域，或换用更大的尺寸。",
            f"poster '{self.p.name}' has no room left for the '{area}' area (only {max(height, 0) / MM:.0f} mm "
            "high): the other areas fill the poster. Drop an area from 'shows' in content.yaml, or use a larger size.",
            self.p.where,
        )

    def fit(self, area: str, build, width: float, height: float, lo: float, hi: float):
        """The block from ``build(size)`` at the largest size in [lo, hi] whose height fits ``height``."""
        def height_at(size):
            block = build(size)
            return block, block.wrap(width, 1e7)[1]

        hi = max(hi, lo)
        block, h = height_at(hi)
        if h <= height:
            return block, h, hi
        if height < lo * 1.5:          # not even one line at the smallest size: the other areas took the room
            raise self.no_room(area, height)
        block, h = height_at(lo)
        if h > height:
            over = h / height
            chars = sum(len(t) for t in getattr(block, "texts", [])) or 0
            cut = max(1, round(chars * (1 - 1 / over))) if chars else 0
            # what the staff can do: cut words where the area has words to cut, else the size and the distance
            zh_do = (f"请删减约 {cut} 个字，或在 content.yaml 中去掉该区域。" if cut else
                     "请在 content.yaml 中去掉该区域（shows），或换用更大的尺寸（size），或减小观看距离（distance）。")
            en_do = (f"Cut about {cut} characters, or drop the area from 'shows'." if cut else
                     "Drop the area from 'shows', use a larger 'size', or a shorter 'distance' in content.yaml.")
            raise LayoutError(
                f"海报“{self.p.name}”的“{area}”区域放不下：在最小字号 {lo:.0f} pt 下仍超出约 {(over - 1) * 100:.0f}%。"
                + zh_do,
                f"poster '{self.p.name}', area '{area}': the text does not fit even at the minimum size "
                f"{lo:.0f} pt (about {(over - 1) * 100:.0f}% too long). " + en_do,
                self.p.where,
            )
        for _ in range(12):
            if hi - lo < 0.5:
                break
            mid = (lo + hi) / 2
            b, hm = height_at(mid)
            if hm <= height:
                lo, block, h = mid, b, hm
            else:
                hi = mid
        return block, h, lo

    def texts_block(self, width, parts):
        block = Stack(width, parts)
        block.texts = [getattr(p, "text", "") for p in parts]
        return block

    # -- areas: each places its blocks from ``top`` down and returns the y of its foot --------------
    def title_band(self, x, top, width, most: float) -> float:
        """The accent band across the top, as tall as the slogan and title it holds plus even padding."""
        c, W, bleed = self.c, self.boxes.trim_w, self.boxes.bleed
        one_line = natural_width(c.masthead.title, self.style("display", 100.0)) / 100.0
        size = min(self.short / 7, width / max(one_line, 1e-6) * 0.98)

        def build(s):
            return self.texts_block(width, [
                CJKParagraph(c.masthead.slogan, self.style("display", s * 0.45, color=WHITE, align="center")),
                CJKParagraph(c.masthead.title, self.style("display", s, leading=s * 1.2, color=WHITE,
                                                          align="center")),
            ])

        block, h, self.title_size = self.fit("title", build, width, most, self.body_min * 2.5, size)
        foot = top - self.margin - h - self.gap
        self.page.add(Fill(W + 2 * bleed, self.boxes.trim_h - foot + bleed, c.palette.accent),
                      -bleed, foot, W + 2 * bleed, self.boxes.trim_h - foot + bleed, "decoration")
        self.page.add(block, x, top - self.margin - h, width, h, "heading")
        return foot

    def hero_photo(self):
        return self.c.photos.get(self.p.hero) if self.p.hero else next(iter(self.c.photos.values()), None)

    def caption(self, photo, width):
        return Balanced(f"▲{photo.caption} {photo.credit}", self.style("caption", self.fine, align="center"))

    def hero_fit(self, width: float, height: float, bleed: bool = False):
        """The hero's frame in ``width`` × ``height`` (caption included): (frame width, frame height,
        caption height, bleeds), or None without a photo.

        The frame is as wide as ``width`` (with ``bleed``, the trim and its bleed) where the photo's
        pixels print sharp at the press's resolution, else narrower; as tall as the room allows,
        never cropping away more than a fifth of the sides or a third of the height -- where the
        room is flatter than that, the frame gets narrower instead."""
        photo = self.hero_photo()
        if photo is None:
            return None
        pw, ph = photo.pixels or (photo.aspect * 1000, 1000)
        aspect = pw / ph
        ppi = self.p.press.min_ppi * 1.001                  # a hair over, so rounding never tips it below
        most_w, most_h = (pw / ppi * 72, ph / ppi * 72) if photo.pixels else (1e9, 1e9)
        full = self.boxes.trim_w + 2 * self.boxes.bleed
        # to the bleed: across the trim and at least the least bleed a press takes on each side
        bleeds = bleed and most_w >= self.boxes.trim_w + 2 * MIN_BLEED_MM * MM
        fw = min(full, most_w) if bleeds else min(width, most_w)
        cap_h = self.caption(photo, min(fw, width)).wrap(min(fw, width), 1e6)[1] + self.fine * 0.4
        fh = min(height - cap_h, fw / (aspect * 0.8), most_h)
        if fh < fw / aspect * KEEP_OF_PHOTO:                # too flat for the width: a narrower frame
            bleeds = False
            fw = min(fw, width, fh * aspect / KEEP_OF_PHOTO)
            cap_h = self.caption(photo, fw).wrap(fw, 1e6)[1] + self.fine * 0.4
        if fh < self.body_min * 2:
            raise self.no_room("hero", height)
        return fw, fh, cap_h, bleeds

    def hero(self, x, top, width, height, bleed: bool = False) -> float:
        """The photo as large as ``height`` allows (``hero_fit``), centred on the poster's axis, its
        caption under it; returns the foot of the caption."""
        fit = self.hero_fit(width, height, bleed)
        if fit is None:
            return top
        fw, fh, _, bleeds = fit
        photo = self.hero_photo()
        prepared = self.load_photo(photo, fw, fh)
        self.warnings.extend(prepared.warnings)
        fx = (self.boxes.trim_w - fw) / 2 if bleeds else x + (width - fw) / 2
        # a photo that runs into the bleed is a background there: the safety distance does not apply
        self.page.add(Image(prepared, fw, fh), fx, top - fh, fw, fh, "decoration" if bleeds else "photo")
        cw = min(fw, width)
        cap = self.caption(photo, cw)
        cap_h = cap.wrap(cw, 1e6)[1]
        self.page.add(cap, x + (width - cw) / 2, top - fh - self.fine * 0.4 - cap_h, cw, cap_h, "text")
        return top - fh - self.fine * 0.4 - cap_h

    def hero_height(self, width, height, bleed: bool = False) -> float:
        """How tall the hero comes out in ``width`` × ``height``, caption included (0 without one)."""
        fit = self.hero_fit(width, height, bleed)
        return 0.0 if fit is None else fit[1] + fit[2]

    def hero_most(self, width, bleed: bool = False) -> float:
        """The largest height the hero takes at ``width``, caption included."""
        return self.hero_height(width, 1e7, bleed)

    def figures(self, x, top, width, height, per_row: int = 0) -> float:
        """The key figures in centred rows; each number with its unit on one line, each label balanced.
        ``per_row`` at least the number of figures puts them all in one row (where the rows do not fit)."""
        figs = self.c.figures[:6]
        if not figs:
            return top
        one_row = per_row >= len(figs)
        usual = min(len(figs), 3 if len(figs) in (3, 5, 6) else 2 if len(figs) == 4 else len(figs))
        if not per_row and usual > 2 and height > width * 0.5:
            # a tall room: fewer figures a row, larger, where that sets them larger than the usual rows
            sizes = {}
            for n in (usual, 2):
                mark = len(self.page.items)
                try:
                    self.figures(x, top, width, height, n)
                    sizes[n] = self.figure_size
                except LayoutError:
                    pass
                del self.page.items[mark:]
            if sizes:
                per_row = max(sizes, key=lambda n: (sizes[n] > sizes.get(usual, 0) * 1.15, n == usual))
        per_row = len(figs) if one_row else (per_row or usual)
        rows = -(-len(figs) // per_row)
        cell_w = (width - (per_row - 1) * self.gap) / per_row
        cell_h = (height - (rows - 1) * self.gap) / rows
        most = min(self.body_min * 6 * self.roomy, (self.title_size or 1e9) * 0.8)
        for fig in figs:        # a number never breaks from its unit: no larger than fits one line
            one = natural_width(f"{fig.value}{fig.unit}", self.style("display", 100.0)) / 100.0
            most = min(most, cell_w * 0.96 / one)
        least = max(self.body_min * 1.3, FINE_PRINT_PT * 2)     # the unit, at half size, is fine print at least
        if one_row and most < least:
            raise self.no_room("figures", height)

        def build(size):
            label = max(self.body_min, min(size * 0.3, self.body_min * 1.3))
            cells = [PosterFigureCell(f, self.style("display", size, leading=size * 1.15, color=self.c.palette.accent,
                                              align="center"),
                                self.style("display", size / 2, leading=size * 0.6, color=self.c.palette.accent,
                                           align="center"),
                                self.style("heading", label, align="center")) for f in figs]
            block = self.texts_block(cell_w, cells)
            block.cells = cells
            heights = [cell.wrap(cell_w, 1e7)[1] for cell in cells]
            block.wrap = lambda aw, ah: (width, max(heights))
            return block

        block, h, self.figure_size = self.fit("figures", build, cell_w, cell_h, min(least, most), most)
        row_h = max(cell.wrap(cell_w, 1e7)[1] for cell in block.cells)
        for r in range(rows):
            row = block.cells[r * per_row:(r + 1) * per_row]
            self.figures_row(row, x, width, top - r * (row_h + self.gap), cell_w)
        return top - rows * row_h - (rows - 1) * self.gap

    def figures_row(self, row, x: float, width: float, top: float, cell_w: float) -> None:
        """One row of figures centred by their ink, with even room before, between and after them
        (never less than 3 mm between two), each cell drawn at its own ink width."""
        inks = []
        for cell in row:
            cell.wrap(cell_w, 1e7)
            inks.append(cell.content_width)
        if sum(inks) + 3 * MM * (len(row) + 1) > width:     # a label set wider than its cell: no room
            inks = []
            for cell in row:
                cell.spill = False
                cell.wrap(cell_w, 1e7)
                inks.append(cell.content_width)
        gap = max(3 * MM, (width - sum(inks)) / (len(row) + 1))
        left = x + (width - sum(inks) - gap * (len(row) - 1)) / 2
        for cell, ink in zip(row, inks):
            _, ch = cell.wrap(ink, 1e7)
            self.page.add(cell, left, top - ch, ink, ch, "text")
            left += ink + gap

    def summaries(self, x, top, width, height, most: float | None = None) -> float:
        """Each section's head and summary, centred on the axis at a measure of at most MEASURE_CHARS
        characters a line (a summary justified, or centred when it is one line), as large as ``height``
        allows up to ``most`` (and below the figures, which rank above them).  Where one such column
        does not fit even at the smallest size, the sections run in two columns side by side,
        both starting on the same line."""
        secs = self.c.sections
        g = self.gap

        def measure_at(size, room):        # a comfortable measure: at most MEASURE_CHARS a line
            return min(room, (MEASURE_CHARS - 1) * size)

        def section_parts(sec, size, m):
            body = self.style("body", size, align="justify", indent=2, overprint=True)
            summary = sec.summary or sec.paragraphs[0]
            if natural_width(summary, body) + 2 * size <= m:     # one line: centred on the axis, as the heads
                body = self.style("body", size, align="center", indent=0, overprint=True)
            return [CJKParagraph(f"{sec.letter}　{sec.headline}", self.style(
                "heading", size * 1.3, color=self.c.palette.accent_dark, align="center")),
                CJKParagraph(summary, body)]

        def column(group, size, m):
            parts = []
            for sec in group:
                parts += section_parts(sec, size, m) + [Spacer(m, size * 0.6)]
            return self.texts_block(m, parts[:-1])

        def fitted_measure(size, room):
            """The measure, narrowed until no line holds more than MEASURE_CHARS characters as set
            (squeezed punctuation lets a line hold more characters than its measure has ems)."""
            m = measure_at(size, room)
            for _ in range(8):
                widest = max(chars_in(line.text) for sec in secs for part in section_parts(sec, size, m)
                             for line in part.lines(m))
                if widest <= MEASURE_CHARS:
                    break
                m -= (widest - MEASURE_CHARS) * size
            return m

        def build(size):
            return column(secs, size, fitted_measure(size, width))

        def build_two(size):
            gutter = max(g, 2 * size)          # columns parted by two ems at least
            half = (width - gutter) / 2
            m = fitted_measure(size, half)
            options = [(column(secs[:k], size, m), column(secs[k:], size, m)) for k in range(1, len(secs))]
            left, right = min(options, key=lambda lr: max(b.wrap(m, 1e7)[1] for b in lr))
            block = SideBySide([left, right], half, gutter)
            block.texts = left.texts + right.texts
            return block

        if most is None:
            most = self.body_min * 2 * self.roomy
        most = min(most, self.figure_size / 1.2 if self.figure_size else 1e9)   # under the figures
        try:
            block, h, _ = self.fit("summaries", build, width, height, self.body_min, most)
        except LayoutError:
            if len(secs) < 2 or width / 2 < MEASURE_CHARS / 2 * self.body_min:
                raise
            block, h, _ = self.fit("summaries", build_two, width, height, self.body_min, most)
        m = block.width
        self.page.add(block, x + (width - m) / 2, top - h, m, h, "text")
        first = block
        while not isinstance(first, CJKParagraph):       # the first head (of one column, or the first of two)
            first = first.parts[0]
        self.summaries_drop = first.style.baseline_offset - IDEO_TOP * first.style.size
        return top - h

    def honours_block(self, width, background=True, spacing=0.0):
        """The honour list at the body's smallest size: quieter than the summaries, never larger;
        ``spacing`` (pt) more between its items, to fill a row's height."""
        hon, size = self.c.honours, self.body_min
        parts = [CJKParagraph(f"{hon.title}{hon.note}", self.style("heading", size * 1.3, color=self.c.palette.accent))]
        item = self.style("caption", size)
        for i in hon.items:
            if spacing:
                parts.append(Spacer(width, spacing))
            parts.append(Bullet("■", Balanced(i, item), item))
        box = Stack(width, parts, pad=size * 0.8, background=self.c.palette.tint if background else None)
        box.texts = [hon.title, *hon.items]
        return box

    def honours(self, x, top, width, height, stretch: bool = False) -> float:
        """The honour box; with ``stretch`` it is ``height`` tall, its list centred in it (a row's height)."""
        block = self.honours_block(width, background=not stretch)
        h = block.wrap(width, 1e7)[1]
        if h > height + 0.5:
            raise self.no_room("honours", height)
        if not stretch:
            self.page.add(block, x, top - h, width, h, "box")
            return top - h
        if height - h > self.body_min and self.c.honours.items:     # the items spread to fill the height
            block = self.honours_block(width, background=False, spacing=(height - h) / len(self.c.honours.items))
            h = block.wrap(width, 1e7)[1]
        self.page.add(Fill(width, height, self.c.palette.tint), x, top - height, width, height, "box")
        self.page.add(block, x, top - (height + h) / 2, width, h, "text")
        return top - height

    # -- the QR code and its call to action ----------------------------------------------
    def qr_side(self) -> float:
        return qr_size(self.c.document.online_url, self.p.scan_distance)

    def cta_block(self, width, align="center", scale=1.0, fine_print=True):
        d = self.c.document
        parts = [CJKParagraph(d.call_to_action, self.style("heading", self.body_min * scale, align=align))]
        if fine_print:
            parts += [Balanced(d.online_url, self.style("caption", self.fine, align=align)),
                      Balanced(f"{d.publisher}　{d.date}", self.style("caption", self.fine, align=align))]
        return Stack(width, parts)

    def panel_pad(self) -> float:
        return self.body_min * 0.8

    def qr_panel_height(self, width) -> float:
        """The QR panel's height at ``width``: the code, the call to action, URL and publisher, padding."""
        pad = self.panel_pad()
        return self.qr_side() + self.body_min * 0.3 + self.cta_block(width - 2 * pad).wrap(width - 2 * pad, 1e7)[1] + 2 * pad

    def qr_panel(self, x, top, width, height) -> float:
        """The code and what it leads to in a tinted box ``height`` tall, beside the honour box: the
        two share their top and their foot; the code and its words centred in it."""
        pad, size = self.panel_pad(), self.qr_side()
        if size > width - 2 * pad + 0.5 or self.qr_panel_height(width) > height + 0.5:
            raise self.qr_too_small()
        self.page.add(Fill(width, height, self.c.palette.tint), x, top - height, width, height, "box")
        cta = self.cta_block(width - 2 * pad)
        h = cta.wrap(width - 2 * pad, 1e7)[1]
        # a panel taller than its content (beside a long honour list): the code grows into the room
        size = max(size, min(width - 2 * pad, height - 2 * pad - self.body_min * 0.3 - h))
        # the words at the panel's foot, the code centred in the room above them
        self.page.add(cta, x + pad, top - height + pad, width - 2 * pad, h, "text")
        above = top - height + pad + h + self.body_min * 0.3
        y = (top - pad + above + size) / 2
        self.page.add(QRCode(self.c.document.online_url, size, ec="Q"), x + (width - size) / 2, y - size,
                      size, size, "qr")
        return top - height

    def qr_too_small(self) -> LayoutError:
        size = self.qr_side()
        return LayoutError(
            f"海报“{self.p.name}”的二维码区域太小：从 {self.p.scan_distance:g} 米外扫码需要 {size / MM:.0f} 毫米见方。"
            f"请减小 scan_distance，或去掉其他区域。",
            f"poster '{self.p.name}': the QR area is too small: scanning from {self.p.scan_distance:g} m needs "
            f"{size / MM:.0f} mm. Lower scan_distance or drop another area.",
            self.p.where,
        )

    def qr_height(self, width) -> float:
        return self.qr_side() + self.body_min * 0.3 + self.cta_block(width).wrap(width, 1e7)[1]

    def qr(self, x, top, width, height) -> float:
        """The code centred in ``width``, the call to action, URL and publisher under it."""
        size = self.qr_side()
        if size > width + 0.5 or self.qr_height(width) > height + 0.5:
            raise self.qr_too_small()
        self.page.add(QRCode(self.c.document.online_url, size, ec="Q"), x + (width - size) / 2, top - size,
                      size, size, "qr")
        cta = self.cta_block(width)
        h = cta.wrap(width, 1e7)[1]
        y = top - size - self.body_min * 0.3 - h
        self.page.add(cta, x, y, width, h, "text")
        return y

    def qr_pair(self, width):
        """The code paired with its call to action, the pair as narrow as its words allow:
        (call-to-action block, its width, its height, the pair's width)."""
        size, g = self.qr_side(), self.gap
        room = width - size - g
        if room < self.body_min * 4:
            raise self.qr_too_small()
        d = self.c.document
        one = natural_width(d.call_to_action, self.style("heading", 100.0)) / 100.0
        # the call to action as large as the code's height and the room beside it allow, in one to three lines
        scale = 1.0
        for lines in (1, 2, 3):
            s = min(room * lines / max(one, 1e-6) * 0.98, size / (lines * 1.45)) / self.body_min
            scale = max(scale, min(s, 3.0))
        cta = Balanced(d.call_to_action, self.style("heading", self.body_min * scale, align="left",
                                                    color=self.c.palette.accent_dark))
        h = cta.wrap(room, 1e7)[1]
        tw = max((line.natural_width for line in cta.paragraph.lines(cta.measure)), default=room)
        tw = min(room, tw + 1)
        return cta, tw, h, size + g + tw

    def qr_beside(self, x, centre_y, width) -> tuple[float, float]:
        """The code at ``centre_y`` with its call to action beside it, the pair centred on the poster's
        axis; (top, foot) of the row."""
        size, g = self.qr_side(), self.gap
        cta, tw, h, pair = self.qr_pair(width)
        # centred by what is printed: the code's modules and the words, not the white quiet zone
        n = qr_modules(self.c.document.online_url, "Q")
        quiet = size * QUIET_MODULES / (n + 2 * QUIET_MODULES)
        left = x + (width - pair + quiet) / 2 - quiet
        self.page.add(QRCode(self.c.document.online_url, size, ec="Q"), left, centre_y - size / 2, size, size, "qr")
        self.page.add(cta, left + size + g, centre_y - h / 2, tw, h, "text")
        return centre_y + max(size, h) / 2, centre_y - max(size, h) / 2

    def foot_band(self, foot: float) -> float:
        """A roll-up's closing band: the publisher and the URL, white on the accent, just above the part
        the stand hides (``foot``, pt from the bottom edge), the band running on into the bleed; its top."""
        d, W, bleed = self.c.document, self.boxes.trim_w, self.boxes.bleed
        width = W - 2 * self.margin
        size = max(self.body_min, self.fine)
        block = Stack(width, [
            Balanced(f"{d.publisher}　{d.date}", self.style("heading", size, align="center", color=WHITE)),
            Balanced(d.online_url, self.style("caption", size, align="center", color=WHITE)),
        ])
        h = block.wrap(width, 1e7)[1]
        pad = size * 0.6
        top = foot + pad + h + pad
        self.page.add(Fill(W + 2 * bleed, top + bleed, self.c.palette.accent), -bleed, -bleed, W + 2 * bleed,
                      top + bleed, "decoration")
        self.page.add(block, self.margin, foot + pad, width, h, "text")
        return top
