"""content.yaml -> ``Content``: every key checked, every value typed, every place named."""
from __future__ import annotations

from pathlib import Path

import yaml

from brochure.content import model as m
from brochure.content.photos import check_photo
from brochure.content.yamlnodes import Reader, compose, display_path, read_text_file
from brochure.ground.errors import ContentError, Location

MM_PER_IN = 25.4

#: Trim sizes in mm (portrait).  Posters add "-landscape" to turn them.
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A0": (841, 1189),
    "A1": (594, 841),
    "A2": (420, 594),
    "A3": (297, 420),
    "A4": (210, 297),
    "A5": (148, 210),
    "大16开": (210, 285),
    "16k": (210, 285),
    "rollup": (800, 2000),
    "易拉宝": (800, 2000),
    "board": (1200, 900),
    "展板": (1200, 900),
}
POSTER_PARTS = ["title", "hero", "figures", "honours", "summaries", "qr"]
#: Default foot (mm) kept free at the bottom of a roll-up banner for its stand.
ROLLUP_FOOT = 150.0
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}
#: The least room a brochure page must leave for text: the area inside the margins (mm),
#: characters of body type per column, and lines per column.
MIN_TEXT_AREA = (40, 60)
MIN_COLUMN_EMS = 4
MIN_LINES = 10


def load(path: str | Path, *, checked_photos: dict | None = None) -> m.Content:
    """Load and validate a content file.  Raises ContentError with file:line:col.

    ``checked_photos`` (a session's memo) remembers the photo files already found good."""
    path = Path(path).absolute()
    text = read_text_file(path)
    root_node = compose(path, text)
    if root_node is None:
        raise ContentError(
            "内容文件是空的。请从示例 content.yaml 开始编辑。",
            "the content file is empty. Start from the example content.yaml.",
            Location(display_path(path), 1, 1),
        )
    return _Loader(path, checked_photos).content(root_node)


class _Loader(Reader):
    def __init__(self, path: Path, checked_photos: dict | None = None):
        super().__init__(path)
        self.checked_photos = checked_photos
        self.root = path.parent
        self.warnings: list = []

    # -- top level ---------------------------------------------------------
    def content(self, node: yaml.Node) -> m.Content:
        top = self.mapping(node, "content.yaml", {
            "document": True, "masthead": True, "honours": True, "lead": True,
            "sections": True, "photos": False, "figures": False, "settings": False, "posters": False,
        })
        photos = self.photos(top["photos"]) if "photos" in top else {}
        settings = self.mapping(top["settings"], "settings", {
            "fonts": False, "typography": False, "palette": False, "brochure": False,
        }) if "settings" in top else {}
        lead = self.lead(top["lead"], photos)
        sections = [self.section(n, photos) for n in self.items(top["sections"], "sections")]
        if not sections:
            raise self.fail(top["sections"], "“sections”至少要有一节。", "'sections' needs at least one section.")
        content = m.Content(
            source=self.path,
            root=self.root,
            document=self.document(top["document"]),
            masthead=self.masthead(top["masthead"]),
            honours=self.honours(top["honours"]),
            lead=lead,
            sections=sections,
            photos=photos,
            figures=[self.figure(n) for n in self.items(top["figures"], "figures")] if "figures" in top else [],
            fonts=self.fonts(settings.get("fonts")),
            typography=self.typography(settings.get("typography")),
            palette=self.palette(settings.get("palette")),
            brochure=self.brochure(settings.get("brochure")),
            posters=[],
            warnings=self.warnings,
        )
        if "posters" in top:
            content.posters = self.posters(top["posters"], photos)
        self.check_figures(content)
        self.check_ink(content, settings.get("palette"))
        self.check_page_room(content, settings.get("brochure") or settings.get("typography") or top["document"])
        return content

    # -- words -------------------------------------------------------------
    def document(self, node):
        v = self.mapping(node, "document", {
            "title": True, "author": True, "publisher": True, "date": True,
            "language": False, "online_url": True, "call_to_action": False,
        })
        doc = m.Document(
            title=self.text(v["title"], "title"),
            author=self.text(v["author"], "author"),
            publisher=self.text(v["publisher"], "publisher"),
            date=self.text(v["date"], "date"),
            online_url=self.url(v["online_url"]),
        )
        if "language" in v:
            doc.language = self.text(v["language"], "language")
        if "call_to_action" in v:
            doc.call_to_action = self.text(v["call_to_action"], "call_to_action")
        return doc

    def url(self, node):
        url = self.text(node, "online_url")
        if not (url.startswith("https://") or url.startswith("http://")) or any(c.isspace() for c in url):
            raise self.fail(
                node,
                f"二维码网址必须以 http:// 或 https:// 开头且不含空格，现为“{url}”。",
                f"the QR code URL must start with http:// or https:// and contain no spaces, not '{url}'.",
            )
        if len(url.encode("utf-8")) > 300:
            raise self.fail(
                node,
                f"二维码网址太长（{len(url.encode('utf-8'))} 字节），印刷尺寸下难以扫描。请使用不超过 300 字节的短网址。",
                f"the QR code URL is too long ({len(url.encode('utf-8'))} bytes) to scan at print size. Use a short URL of at most 300 bytes.",
            )
        return url

    def masthead(self, node):
        v = self.mapping(node, "masthead", {"slogan": True, "title": True})
        return m.Masthead(self.text(v["slogan"], "slogan"), self.text(v["title"], "title"))

    def honours(self, node):
        v = self.mapping(node, "honours", {"title": True, "note": False, "items": True, "orientation": False})
        items = [self.text(n, "items") for n in self.items(v["items"], "honours.items")]
        if not items:
            raise self.fail(v["items"], "荣誉榜至少要有一项。", "the honour list needs at least one item.")
        return m.Honours(
            title=self.text(v["title"], "title"),
            note=self.text(v["note"], "note") if "note" in v else m.Text(""),
            items=items,
            orientation=self.choice(v["orientation"], "orientation", ["horizontal", "vertical"]) if "orientation" in v else "horizontal",
        )

    def paragraphs(self, node, name):
        paras = [self.text(n, name) for n in self.items(node, name)]
        if not paras:
            raise self.fail(node, f"“{name}”至少要有一段。", f"'{name}' needs at least one paragraph.")
        return paras

    def photo_ref(self, node, photos, name):
        pid = self.text(node, name)
        if pid not in photos:
            raise self.fail(
                node,
                f"照片“{pid}”未在 photos: 中定义。可用的照片：{'、'.join(photos) or '（无）'}。",
                f"photo '{pid}' is not defined under photos:. Defined: {', '.join(photos) or '(none)'}.",
            )
        return str(pid)

    def lead(self, node, photos):
        v = self.mapping(node, "lead", {
            "kicker": False, "headline": True, "byline": True, "photo": False,
            "preface_title": False, "preface": True,
        })
        return m.Lead(
            headline=self.text(v["headline"], "headline"),
            byline=self.text(v["byline"], "byline"),
            preface_title=self.text(v["preface_title"], "preface_title") if "preface_title" in v else m.Text("前言"),
            preface=self.paragraphs(v["preface"], "preface"),
            kicker=self.text(v["kicker"], "kicker") if "kicker" in v else None,
            photo=self.photo_ref(v["photo"], photos, "photo") if "photo" in v else None,
        )

    def section(self, node, photos):
        v = self.mapping(node, "section", {
            "letter": True, "headline": True, "summary": False, "photos": False, "paragraphs": True,
        })
        return m.Section(
            letter=self.text(v["letter"], "letter"),
            headline=self.text(v["headline"], "headline"),
            paragraphs=self.paragraphs(v["paragraphs"], "paragraphs"),
            photos=[self.photo_ref(n, photos, "photos") for n in self.items(v["photos"], "photos")] if "photos" in v else [],
            summary=self.text(v["summary"], "summary") if "summary" in v else None,
        )

    def photos(self, node):
        self.expect(node, "mapping", "photos")
        keys = self.mapping(node, "photos", {k.value: False for k, _ in node.value if isinstance(k, yaml.ScalarNode)})
        return {pid: self.photo(pid, n) for pid, n in keys.items()}

    def photo(self, pid, node):
        v = self.mapping(node, f"photos.{pid}", {
            "file": True, "caption": True, "credit": True, "span": False, "position": False,
            "fit": False, "focus": False, "aspect": False,
        })
        photo = m.Photo(
            id=pid,
            file=self.image_path(v["file"]),
            caption=self.text(v["caption"], "caption"),
            credit=self.text(v["credit"], "credit"),
            where=self.where(node),
            file_where=self.where(v["file"]),
        )
        if photo.caption.startswith("▲"):
            photo.caption = m.Text(photo.caption[1:].lstrip(), photo.caption.where)
        if "span" in v:
            photo.span = self.integer(v["span"], "span", minimum=0, maximum=6)
        if "position" in v:
            photo.position = self.choice(v["position"], "position", ["top", "bottom", "inline"])
        if "fit" in v:
            photo.fit = self.choice(v["fit"], "fit", ["cover", "contain"])
        if "focus" in v:
            pair = self.items(v["focus"], "focus")
            if len(pair) != 2:
                raise self.fail(v["focus"], "“focus”应为两个 0 到 1 之间的数，如 [0.5, 0.4]。", "'focus' must be two numbers from 0 to 1, e.g. [0.5, 0.4].")
            photo.focus = (self.number(pair[0], "focus", minimum=0, maximum=1), self.number(pair[1], "focus", minimum=0, maximum=1))
        if "aspect" in v:
            photo.aspect = self.number(v["aspect"], "aspect", minimum=0.2, maximum=5)
        return photo

    def image_path(self, node):
        rel = self.text(node, "file")
        hint_zh = "；路径请用 / 分隔，不要用 \\" if "\\" in rel else ""
        hint_en = "; separate folders with /, not \\" if "\\" in rel else ""
        try:
            target = (self.root / rel).resolve()
            root = self.root.resolve()
            outside = not target.is_relative_to(root)
            found = not outside and target.is_file()
        except (OSError, ValueError):
            outside, found = False, False
        if outside:
            raise self.fail(
                node,
                f"图片路径“{rel}”指向项目文件夹之外。请把图片放进 images/ 文件夹，并写成 images/文件名。",
                f"the image path '{rel}' leaves the project folder. Put the image in images/ and write images/NAME.",
            )
        if not found:
            raise self.fail(
                node,
                f"找不到图片文件“{rel}”。请检查文件名（区分大小写{hint_zh}），或把照片放进 images/ 文件夹。",
                f"image file '{rel}' not found. Check the name (case matters{hint_en}) or put the photo in images/.",
            )
        if target.suffix.lower() not in IMAGE_SUFFIXES:
            raise self.fail(
                node,
                f"图片“{rel}”的格式不受支持。请使用 JPEG、PNG 或 TIFF。",
                f"image '{rel}' is not a supported format. Use JPEG, PNG or TIFF.",
            )
        self.warnings += check_photo(target, str(rel), self.where(node), self.checked_photos)
        return target

    def figure(self, node):
        v = self.mapping(node, "figure", {"value": True, "unit": False, "label": True, "source": True})
        return m.Figure(
            value=self.text(v["value"], "value"),
            unit=self.text(v["unit"], "unit") if "unit" in v else m.Text(""),
            label=self.text(v["label"], "label"),
            source=self.text(v["source"], "source"),
        )

    def check_figures(self, content: m.Content) -> None:
        body = "\n".join(p for s in content.sections for p in s.paragraphs) + "\n".join(content.lead.preface)
        for fig in content.figures:
            if fig.source not in body:
                raise ContentError(
                    f"数字“{fig.value}{fig.unit}”的出处“{fig.source}”在正文中找不到。请从正文中逐字复制出处句子。",
                    f"the source of figure '{fig.value}{fig.unit}' is not found in the text. Copy the sentence verbatim from a paragraph.",
                    fig.source.where,
                )
            if fig.value not in fig.source:
                raise ContentError(
                    f"数字“{fig.value}”没有出现在它的出处句子中。",
                    f"the figure '{fig.value}' does not occur in its source sentence.",
                    fig.value.where,
                )

    def check_page_room(self, content: m.Content, node: yaml.Node) -> None:
        """The brochure page, less its margins, must hold columns of text: refuse settings that leave no room.

        Far too little room would make the layout give up page after page; it is
        cheaper to say so here, at the settings, with numbers to change.
        """
        b, t = content.brochure, content.typography
        top, outer, bottom, inner = b.margins
        width, height = b.page.width - inner - outer, b.page.height - top - bottom
        if width < MIN_TEXT_AREA[0] or height < MIN_TEXT_AREA[1]:
            raise self.fail(
                node,
                f"宣传册页面 {b.page.width:g}×{b.page.height:g} mm 减去页边距后只剩 {max(width, 0):.0f}×{max(height, 0):.0f} mm，"
                f"放不下正文（至少要 {MIN_TEXT_AREA[0]}×{MIN_TEXT_AREA[1]} mm）。请加大页面（page）或减小页边距（margins）。",
                f"the brochure page {b.page.width:g}×{b.page.height:g} mm leaves only {max(width, 0):.0f}×{max(height, 0):.0f} mm "
                f"inside its margins, too little for text (at least {MIN_TEXT_AREA[0]}×{MIN_TEXT_AREA[1]} mm). "
                "Use a larger page or smaller margins.",
            )
        em = t.body_size / 72 * MM_PER_IN
        for key, columns in (("columns", b.columns), ("front_columns", b.front_columns)):
            column = (width - (columns - 1) * b.gutter) / columns
            if column < MIN_COLUMN_EMS * em:
                raise self.fail(
                    node,
                    f"{columns} 栏时每栏只有 {max(column, 0):.0f} mm，放不下 {MIN_COLUMN_EMS} 个 {t.body_size:g} pt 的字。"
                    f"请减少栏数（{key}）、减小栏间距（gutter）或缩小字号（body_size）。",
                    f"with {columns} columns each is only {max(column, 0):.0f} mm wide, too narrow for {MIN_COLUMN_EMS} "
                    f"characters of {t.body_size:g} pt. Use fewer columns ({key}), a smaller gutter or a smaller body_size.",
                )
        lines = height / (t.leading / 72 * MM_PER_IN)
        if lines < MIN_LINES:
            raise self.fail(
                node,
                f"行距 {t.leading:g} pt 时每栏只能排 {lines:.0f} 行（至少要 {MIN_LINES} 行）。请减小行距（leading）或加大页面。",
                f"with a leading of {t.leading:g} pt a column holds only {lines:.0f} lines (at least {MIN_LINES} needed). "
                "Use a smaller leading or a larger page.",
            )

    # -- settings ------------------------------------------------------------
    def fonts(self, node):
        defaults = m.Fonts(
            body=m.FontRole("Noto Serif CJK SC", "Regular"),
            heading=m.FontRole("Noto Sans CJK SC", "Bold"),
            display=m.FontRole("Noto Serif CJK SC", "Bold"),
            caption=m.FontRole("Noto Sans CJK SC", "Regular"),
        )
        if node is None:
            return defaults
        v = self.mapping(node, "fonts", {"body": False, "heading": False, "display": False, "caption": False})
        for role, n in v.items():
            r = self.mapping(n, f"fonts.{role}", {"family": True, "style": False})
            setattr(defaults, role, m.FontRole(
                self.text(r["family"], "family"),
                self.text(r["style"], "style") if "style" in r else "Regular",
            ))
        return defaults

    def typography(self, node):
        t = m.Typography()
        if node is None:
            return t
        v = self.mapping(node, "typography", {
            "body_size": False, "leading": False, "cjk_latin_space": False, "indent": False, "caption_size": False,
        })
        limits = {"body_size": (5, 72), "leading": (5, 100), "cjk_latin_space": (0, 1), "indent": (0, 4), "caption_size": (5, 72)}
        for key, n in v.items():
            setattr(t, key, self.number(n, key, minimum=limits[key][0], maximum=limits[key][1]))
        if t.leading < t.body_size:
            raise self.fail(node, "行距（leading）不能小于正文字号（body_size）。", "'leading' must not be smaller than 'body_size'.")
        return t

    def cmyk(self, node, name):
        vals = self.items(node, name)
        if len(vals) != 4:
            raise self.fail(node, f"颜色“{name}”应为四个 0–100 的数 [C, M, Y, K]。", f"colour '{name}' must be four numbers 0–100 [C, M, Y, K].")
        return tuple(self.number(n, name, minimum=0, maximum=100) for n in vals)

    def check_ink(self, content: m.Content, node) -> None:
        """Every palette colour within the strictest output's total-ink limit (300 % by default)."""
        from brochure.ground.colour import total_ink

        limit = min([content.brochure.press.ink_limit] + [p.press.ink_limit for p in content.posters])
        for name, value in vars(content.palette).items():
            ink = total_ink(value)
            if ink > limit:
                where = self.where(node) if node is not None else None
                raise ContentError(
                    f"颜色“{name}”的总墨量 {ink:.0f}% 超过上限 {limit:.0f}%，印刷时会粘脏。请降低 C、M、Y 的数值。",
                    f"colour '{name}' has {ink:.0f}% total ink, over the {limit:.0f}% limit: it would set off on press. "
                    "Lower its C, M or Y.",
                    where,
                )

    def palette(self, node):
        p = m.Palette()
        if node is None:
            return p
        v = self.mapping(node, "palette", {k: False for k in ("accent", "accent_dark", "tint", "text", "rich_black")})
        for key, n in v.items():
            setattr(p, key, self.cmyk(n, key))
        return p

    def page(self, node, name, *, landscape_ok=True):
        if isinstance(node, yaml.MappingNode):
            v = self.mapping(node, name, {"width": True, "height": True})
            return m.PageSpec(self.number(v["width"], "width", minimum=50, maximum=5000),
                              self.number(v["height"], "height", minimum=50, maximum=5000))
        self.expect(node, "text", name)
        key = node.value
        landscape = landscape_ok and key.endswith("-landscape")
        base = key.removesuffix("-landscape") if landscape else key
        if base not in PAGE_SIZES:
            options = list(PAGE_SIZES) + [f"{k}-landscape" for k in ("A0", "A1", "A2", "A3")]
            self.choice(node, name, options)  # raises with a suggestion
        w, h = PAGE_SIZES[base]
        return m.PageSpec(h, w) if landscape else m.PageSpec(w, h)

    def press(self, node, base: m.Press | None = None):
        p = m.Press(**vars(base)) if base else m.Press()
        if node is None:
            return p
        v = self.mapping(node, "press", {k: False for k in vars(m.Press())})
        for key, n in v.items():
            if key in ("marks", "color_bar", "slug"):
                setattr(p, key, self.boolean(n, key))
            elif key == "pdfx":
                p.pdfx = self.choice(n, key, ["PDF/X-1a:2001", "PDF/X-4"])
            elif key in ("output_profile", "output_condition"):
                setattr(p, key, str(self.text(n, key)))
            else:
                # print shops (and preflight) need at least 3 mm of bleed
                limits = {"bleed": (3, 20), "safety": (0, 50), "ink_limit": (150, 400), "min_ppi": (30, 1200)}[key]
                setattr(p, key, self.number(n, key, minimum=limits[0], maximum=limits[1]))
        if p.output_profile != "default":
            prof = (self.root / p.output_profile).resolve()
            if not prof.is_file():
                raise self.fail(v["output_profile"], f"找不到色彩配置文件“{p.output_profile}”。", f"colour profile '{p.output_profile}' not found.")
            p.output_profile = str(prof)
        return p

    def brochure(self, node):
        b = m.BrochureSettings(page=m.PageSpec(*PAGE_SIZES["A4"]))
        if node is None:
            return b
        v = self.mapping(node, "brochure", {
            "page": False, "margins": False, "columns": False, "front_columns": False, "gutter": False, "press": False,
        })
        if "page" in v:
            b.page = self.page(v["page"], "page", landscape_ok=False)
        if "margins" in v:
            mv = self.mapping(v["margins"], "margins", {"top": False, "outer": False, "bottom": False, "inner": False})
            cur = dict(zip(("top", "outer", "bottom", "inner"), b.margins))
            for key, n in mv.items():
                cur[key] = self.number(n, key, minimum=5, maximum=60)
            b.margins = (cur["top"], cur["outer"], cur["bottom"], cur["inner"])
        if "columns" in v:
            b.columns = self.integer(v["columns"], "columns", minimum=1, maximum=6)
        if "front_columns" in v:
            b.front_columns = self.integer(v["front_columns"], "front_columns", minimum=1, maximum=6)
        if "gutter" in v:
            b.gutter = self.number(v["gutter"], "gutter", minimum=2, maximum=20)
        b.press = self.press(v.get("press"))
        return b

    def posters(self, node, photos):
        posters = []
        names: dict[str, yaml.Node] = {}
        for n in self.items(node, "posters"):
            v = self.mapping(n, "poster", {
                "name": True, "size": True, "shows": False, "hero": False, "distance": False, "scan_distance": False,
                "foot": False, "press": False,
            })
            name = str(self.text(v["name"], "name"))
            if not name.replace("-", "").replace("_", "").isalnum() or not name.isascii():
                raise self.fail(v["name"], f"海报名称“{name}”只能用英文字母、数字、- 和 _（它会成为文件名）。",
                                f"poster name '{name}' may only use letters, digits, - and _ (it becomes a file name).")
            if name in names:
                raise self.fail(v["name"], f"海报名称“{name}”重复。", f"duplicate poster name '{name}'.")
            names[name] = v["name"]
            size_key = v["size"].value if isinstance(v["size"], yaml.ScalarNode) else ""
            poster = m.Poster(
                name=name,
                page=self.page(v["size"], "size"),
                shows=[self.choice(s, "shows", POSTER_PARTS) for s in self.items(v["shows"], "shows")] if "shows" in v else list(POSTER_PARTS),
                hero=self.photo_ref(v["hero"], photos, "hero") if "hero" in v else None,
                where=self.where(n),
            )
            # Default reading distance grows with the format: about 3.5 × the short side
            # (A3 ≈ 1 m, A1 ≈ 2 m, A0 and display boards ≈ 3 m).
            poster.distance = round(min(4.0, max(1.0, 3.5 * min(poster.page.width, poster.page.height) / 1000)), 1)
            if "distance" in v:
                poster.distance = self.number(v["distance"], "distance", minimum=0.3, maximum=20)
            poster.scan_distance = round(min(1.5, 0.6 * poster.distance), 2)   # visitors step closer to scan
            if "scan_distance" in v:
                poster.scan_distance = self.number(v["scan_distance"], "scan_distance", minimum=0.2, maximum=10)
            poster.foot = ROLLUP_FOOT if size_key in ("rollup", "易拉宝") else 0.0
            if "foot" in v:
                poster.foot = self.number(v["foot"], "foot", minimum=0, maximum=poster.page.height / 2)
            poster.press = self.press(v.get("press"), m.Press(min_ppi=150.0))
            posters.append(poster)
        return posters
