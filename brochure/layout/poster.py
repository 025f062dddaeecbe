"""Exhibition posters from the same content: read from two to three metres.

A poster is a band with the title, then areas for what ``shows`` asks for: the
hero photo, key figures as big numbers, section summaries, the honour list and
the QR code.  Portrait formats stack the areas; landscape formats put the
photo and figures beside the words.  Text in every area is copy-fitted: its
size is the largest between a maximum and a minimum set by the reading
distance at which it fits; if it does not fit at the minimum the build stops,
naming the poster, the area and roughly how many characters to cut.
"""
from __future__ import annotations

from brochure.content.model import Content, Poster
from brochure.ground.colour import WHITE
from brochure.ground.errors import LayoutError
from brochure.layout.blocks import Bullet, Fill, Image, QRCode, Spacer, Stack
from brochure.ground.page import Composition, Page
from brochure.layout.pages import safety_warnings
from brochure.ground.boxes import MM, PageBoxes
from brochure.text import CJKParagraph, TextStyle


def min_body_pt(distance_m: float) -> float:
    """Smallest body size legible from ``distance_m``: about 1/250 of the distance as character height."""
    return max(12.0, distance_m * 1000 / 250 * 72 / 25.4 * 0.95)


def qr_size(url: str, distance_m: float) -> float:
    """QR size (with quiet zone) in pt for scanning from ``distance_m``: module size from the distance, at least 1/10 of it."""
    from brochure.draw.qr import qr_modules, qr_size_for_distance

    return max(qr_size_for_distance(distance_m, qr_modules(url, ec="Q")), distance_m * 1000 / 10 * MM)


class PosterComposer:
    def __init__(self, content: Content, poster: Poster, faces: dict, photo_loader, boxes: PageBoxes,
                 setter=None):
        self.c, self.p, self.faces, self.setter = content, poster, faces, setter
        self.load_photo, self.boxes = photo_loader, boxes
        self.page = Page(boxes, label="poster")
        self.warnings: list = []
        W, H = boxes.trim_w, boxes.trim_h
        self.short = min(W, H)
        self.margin = max(poster.press.safety * MM, self.short * 0.045)
        self.body_min = min_body_pt(poster.distance)
        self.gap = self.body_min

    # -- text ---------------------------------------------------------------------
    def style(self, role: str, size: float, **kw) -> TextStyle:
        base = dict(face=self.faces[role], size=size, leading=size * 1.45, color=self.c.palette.text,
                    align="left", indent=0, cjk_latin_space=self.c.typography.cjk_latin_space, overprint=False,
                    setter=self.setter)
        base.update(kw)
        return TextStyle(**base)

    def fit(self, area: str, build, width: float, height: float, lo: float, hi: float):
        """The block from ``build(size)`` at the largest size in [lo, hi] whose height fits ``height``."""
        def height_at(size):
            block = build(size)
            return block, block.wrap(width, 1e7)[1]

        block, h = height_at(hi)
        if h <= height:
            return block, h, hi
        if height < lo * 1.5:          # not even one line at the smallest size: the other areas took the room
            raise LayoutError(
                f"海报“{self.p.name}”上已没有留给“{area}”区域的位置（只剩 {max(height, 0) / MM:.0f} 毫米高）："
                "其他区域已占满画面。请在 content.yaml 的 shows 中去掉一个区域，或换用更大的尺寸。",
                f"poster '{self.p.name}' has no room left for the '{area}' area (only {max(height, 0) / MM:.0f} mm "
                "high): the other areas fill the poster. Drop an area from 'shows' in content.yaml, or use a larger size.",
                self.p.where,
            )
        block, h = height_at(lo)
        if h > height:
            over = h / height
            chars = sum(len(t) for t in getattr(block, "texts", [])) or 0
            cut = max(1, round(chars * (1 - 1 / over))) if chars else 0
            raise LayoutError(
                f"海报“{self.p.name}”的“{area}”区域放不下：在最小字号 {lo:.0f} pt 下仍超出约 {(over - 1) * 100:.0f}%。"
                f"请删减约 {cut} 个字，或在 content.yaml 中去掉该区域。",
                f"poster '{self.p.name}', area '{area}': the text does not fit even at the minimum size "
                f"{lo:.0f} pt (about {(over - 1) * 100:.0f}% too long). Cut about {cut} characters, "
                f"or drop the area from 'shows'.",
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

    # -- areas ----------------------------------------------------------------------
    def title_band(self, x, top, width, height):
        c, W, bleed = self.c, self.boxes.trim_w, self.boxes.bleed
        self.page.add(Fill(W + 2 * bleed, self.boxes.trim_h - (top - height) + bleed, c.palette.accent),
                      -bleed, top - height, W + 2 * bleed, self.boxes.trim_h - (top - height) + bleed, "decoration")

        def build(size):
            return self.texts_block(width, [
                CJKParagraph(c.masthead.slogan, self.style("display", size * 0.45, color=WHITE)),
                CJKParagraph(c.masthead.title, self.style("display", size, leading=size * 1.2, color=WHITE)),
            ])

        block, h, _ = self.fit("title", build, width, height - 2 * self.gap, self.body_min * 2.5, self.short / 7)
        self.page.add(block, x, top - self.gap - h, width, h, "heading")

    def hero(self, x, top, width, height):
        photo = self.c.photos.get(self.p.hero) if self.p.hero else next(iter(self.c.photos.values()), None)
        if photo is None:
            return top
        cap_size = self.body_min * 0.8
        img_h = min(width / photo.aspect, height - cap_size * 3)
        prepared = self.load_photo(photo, width, img_h)
        self.warnings.extend(prepared.warnings)
        cap = CJKParagraph(f"▲{photo.caption} {photo.credit}", self.style("caption", cap_size))
        block = Stack(width, [Image(prepared, width, img_h), Spacer(width, cap_size * 0.4), cap])
        _, h = block.wrap(width, height)
        self.page.add(block, x, top - h, width, h, "photo")
        return top - h

    def figures(self, x, top, width, height):
        figs = self.c.figures[:6]
        if not figs:
            return top
        per_row = min(len(figs), 3 if len(figs) in (3, 5, 6) else 2 if len(figs) == 4 else len(figs))
        rows = -(-len(figs) // per_row)
        cell_w = (width - (per_row - 1) * self.gap) / per_row
        cell_h = (height - (rows - 1) * self.gap) / rows

        for i, fig in enumerate(figs):
            r, k = divmod(i, per_row)

            def build(size, fig=fig):
                return self.texts_block(cell_w, [
                    CJKParagraph(f"{fig.value}{fig.unit}", self.style("display", size, leading=size * 1.15,
                                                                       color=self.c.palette.accent, align="center")),
                    CJKParagraph(fig.label, self.style("heading", max(self.body_min, size * 0.3), align="center")),
                ])

            block, h, _ = self.fit("figures", build, cell_w, cell_h, self.body_min * 1.3, self.body_min * 6)
            self.page.add(block, x + k * (cell_w + self.gap), top - r * (cell_h + self.gap) - h, cell_w, h, "text")
        return top - height

    def summaries(self, x, top, width, height):
        secs = self.c.sections

        def build(size):
            parts = []
            for s in secs:
                parts.append(CJKParagraph(f"{s.letter}　{s.headline}", self.style("heading", size * 1.3, color=self.c.palette.accent_dark)))
                summary = s.summary or s.paragraphs[0]
                parts.append(CJKParagraph(summary, self.style("body", size, align="justify", indent=2, overprint=True)))
                parts.append(Spacer(width, size * 0.6))
            return self.texts_block(width, parts)

        block, h, _ = self.fit("summaries", build, width, height, self.body_min, self.body_min * 4)
        self.page.add(block, x, top - h, width, h, "text")
        return top - h

    def honours(self, x, top, width, height):
        hon = self.c.honours

        def build(size):
            parts = [CJKParagraph(f"{hon.title}{hon.note}", self.style("heading", size * 1.3, color=self.c.palette.accent))]
            item = self.style("caption", size)
            parts += [Bullet("■", CJKParagraph(i, item), item) for i in hon.items]
            box = Stack(width, parts, pad=size * 0.8, background=self.c.palette.tint)
            box.texts = [hon.title, *hon.items]
            return box

        block, h, _ = self.fit("honours", build, width, height, self.body_min, self.body_min * 2)
        self.page.add(block, x, top - h, width, h, "box")
        return top - h

    def cta_height(self) -> float:
        """Room under the QR code for the call to action, the URL and the publisher line."""
        return self.body_min * 1.45 * 3.5

    def bottom_row_height(self, usable: float) -> float:
        if not {"honours", "qr"} & set(self.p.shows):
            return 0.0
        need = qr_size(self.c.document.online_url, self.p.scan_distance) + self.cta_height() if "qr" in self.p.shows else 0
        if "honours" not in self.p.shows:
            return need          # the QR code alone: its own height, the rest is spread between the areas above
        return max(usable * 0.2, need)

    def qr(self, x, top, width, height):
        size = qr_size(self.c.document.online_url, self.p.scan_distance)
        if size > min(width, height - self.cta_height()) + 0.5:
            raise LayoutError(
                f"海报“{self.p.name}”的二维码区域太小：从 {self.p.scan_distance:g} 米外扫码需要 {size / MM:.0f} 毫米见方。"
                f"请减小 scan_distance，或去掉其他区域。",
                f"poster '{self.p.name}': the QR area is too small: scanning from {self.p.scan_distance:g} m needs "
                f"{size / MM:.0f} mm. Lower scan_distance or drop another area.",
                self.p.where,
            )
        cta_size = self.body_min
        qx = x + (width - size) / 2
        self.page.add(QRCode(self.c.document.online_url, size, ec="Q"), qx, top - size, size, size, "qr")
        cta = Stack(width, [
            CJKParagraph(self.c.document.call_to_action, self.style("heading", cta_size, align="center")),
            CJKParagraph(self.c.document.online_url, self.style("caption", cta_size * 0.5, align="center")),
            CJKParagraph(f"{self.c.document.publisher}　{self.c.document.date}", self.style("caption", cta_size * 0.5, align="center")),
        ])
        _, h = cta.wrap(width, height)
        self.page.add(cta, x, top - size - h - cta_size * 0.3, width, h, "text")
        return top - size - h

    # -- the whole poster ------------------------------------------------------------------
    def compose(self) -> Composition:
        W, H = self.boxes.trim_w, self.boxes.trim_h
        m, g = self.margin, self.gap
        shows = self.p.shows
        x0, x1 = m, W - m
        top = H - m
        bottom = m + self.p.foot * MM
        usable = top - bottom
        landscape = W > H
        band = usable * (0.2 if landscape else 0.14)
        if "title" in shows:
            self.title_band(x0, H, x1 - x0, band + m)
            top = H - band - m - g
        if landscape:
            left_w = (x1 - x0) * 0.48
            lx, rx = x0, x0 + left_w + 2 * g
            rw = x1 - rx
            y = top
            if "hero" in shows:
                y = self.hero(lx, y, left_w, (top - bottom) * 0.62) - g
            if "figures" in shows:
                self.figures(lx, y, left_w, y - bottom)
            y = top
            bottom_row = max((top - bottom) * 0.36, self.bottom_row_height(usable))
            if "summaries" in shows:
                self.summaries(rx, y, rw, top - bottom - (bottom_row + g if {"honours", "qr"} & set(shows) else 0))
            self.bottom_row(rx, bottom + bottom_row, rw, bottom_row)
        else:
            y = top
            starts = []      # index of the first item of each area, to spread spare height between them
            if "hero" in shows:
                starts.append(len(self.page.items))
                y = self.hero(x0, y, x1 - x0, usable * 0.24) - g
            if "figures" in shows:
                starts.append(len(self.page.items))
                y = self.figures(x0, y, x1 - x0, usable * 0.13) - g
            bottom_row = self.bottom_row_height(usable)
            if "summaries" in shows:
                starts.append(len(self.page.items))
                y = self.summaries(x0, y, x1 - x0, y - bottom - bottom_row - g) - g
            self.spread(starts, y - (bottom + bottom_row))
            self.bottom_row(x0, bottom + bottom_row, x1 - x0, bottom_row)
        urls = [str(self.c.document.online_url)] if "qr" in shows else []
        comp = Composition(f"poster-{self.p.name}", [self.page], f"{self.c.document.title}（{self.p.name}）",
                           qr_urls=urls, warnings=self.warnings)
        comp.warnings += safety_warnings(comp, self.p.press.safety * MM)
        return comp

    def spread(self, starts: list[int], spare: float) -> None:
        """Share ``spare`` height equally among the gaps after each area, moving later areas down."""
        if spare <= 0 or not starts:
            return
        step = spare / (len(starts) + 1)
        for k, first in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(self.page.items)
            for item in self.page.items[first:end]:
                item.y -= step * (k + 1)

    def bottom_row(self, x, top, width, height):
        shows = self.p.shows
        if "honours" in shows and "qr" in shows:
            qw = width * 0.4
            self.honours(x, top, width - qw - self.gap, height)
            self.qr(x + width - qw, top, qw, height)
        elif "honours" in shows:
            self.honours(x, top, width, height)
        elif "qr" in shows:
            self.qr(x, top, width, height)


def compose_poster(content: Content, poster: Poster, faces: dict, photo_loader, boxes: PageBoxes,
                   setter=None) -> Composition:
    """The poster's page; ``setter`` (``brochure.text.store.LineSetter``) remembers set paragraphs."""
    return PosterComposer(content, poster, faces, photo_loader, boxes, setter).compose()
