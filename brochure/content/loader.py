"""content.yaml -> ``Content``: every key checked, every value typed, every place named."""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import yaml

from brochure.content import model as m
from brochure.content.photos import check_photo
from brochure.images.prepare import photo_pixels
from brochure.content.settings import SettingsReader
from brochure.content.files import display_path, read_text_file
from brochure.content.yamlnodes import compose, keyboard_slip
from brochure.ground.errors import BuildWarning, ContentError, Location
from brochure.ground.layout_rules import TUNABLE, LayoutRules
from brochure.runtime.files import is_loop
from brochure.ground.rules import BROCHURE, IMAGE_SUFFIXES, POSTER_MIN_PPI, POSTER_PREFIX, QR_URL_MAX_BYTES

#: A poster name becomes a file name (poster-NAME.pdf, poster-NAME.preflight.json): kept well short.
MAX_POSTER_NAME = 40
POSTER_PARTS = ["title", "hero", "figures", "honours", "summaries", "qr"]
#: Default foot (mm) kept free at the bottom of a roll-up banner for its stand.
ROLLUP_FOOT = 150.0


def load(path: str | Path, *, checked_photos: dict | None = None, text: str | None = None) -> m.Content:
    """Load and validate a content file.  Raises ContentError with file:line:col.

    ``checked_photos`` (a session's memo) remembers the photo files already found good.
    ``text``: the file's words as they stand in an editor, not saved yet; read and checked
    as if they were the file at ``path`` (photos and fonts beside it)."""
    path = Path(path).absolute()
    if text is None:
        text = read_text_file(path)
    root_node = compose(path, text)
    if root_node is None:
        raise ContentError(
            "内容文件是空的。请从示例 content.yaml 开始编辑。",
            "the content file is empty. Start from the example content.yaml.",
            Location(display_path(path), 1, 1),
        )
    loader = _Loader(path, checked_photos)
    loader.source_lines = text.split("\n")
    try:
        return loader.content(root_node)
    except ContentError as exc:
        # YAML read a keyboard slip as words (a key lost, a value run on): name the slip, not what followed from
        # it (a missing key is said at its mapping's start, above the slip)
        slip = keyboard_slip(path, text, in_lists=False)
        raise (slip or exc) from None


class _Loader(SettingsReader):
    def __init__(self, path: Path, checked_photos: dict | None = None):
        super().__init__(path)
        self.checked_photos = checked_photos
        self.warnings: list = []
        #: photo id -> where the brochure first uses it, and in what (Chinese, English)
        self.photo_uses: dict[str, tuple[Location, str, str]] = {}

    # -- top level ---------------------------------------------------------
    def content(self, node: yaml.Node) -> m.Content:
        top = self.mapping(node, "content.yaml", {
            "document": True, "masthead": True, "honours": True, "lead": True,
            "sections": True, "photos": False, "figures": False, "settings": False, "posters": False,
            "layout": False,
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
        if "layout" in top:
            content.layout = self.layout_rules(top["layout"])
        self.check_figures(content)
        self.check_ink(content, settings.get("palette"))
        self.check_page_room(content, settings.get("brochure") or settings.get("typography") or top["document"])
        return content

    def layout_rules(self, node) -> LayoutRules:
        """The composition rules content.yaml tunes (``layout:``), each a number in its range."""
        keys = self.mapping(node, "layout", {name: False for name in TUNABLE})
        values = {}
        for name, value in keys.items():
            kind, least, most = TUNABLE[name]
            read = self.integer if kind is int else self.number
            values[name] = read(value, name, minimum=least, maximum=most)
        return replace(LayoutRules(), **values)

    # -- words -------------------------------------------------------------
    def document(self, node):
        v = self.mapping(node, "document", {
            "title": True, "author": True, "publisher": True, "date": True,
            "language": False, "online_url": True, "call_to_action": False,
            "address": False, "contact": False,
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
        for key in ("address", "contact"):
            if key in v:
                setattr(doc, key, self.text(v[key], key))
        return doc

    def position(self, node) -> str:
        """A photo's ``position``: top or bottom of its columns (``PHOTO_POSITIONS``); "inline" is refused by name."""
        if isinstance(node, yaml.ScalarNode) and str(node.value).strip() == "inline":
            raise self.fail(
                node,
                "照片位置“inline”（夹在正文中间）无法排出：照片只能放在各栏的上方（top）或下方（bottom）。"
                "请把 position 改为 top 或 bottom，或删去这一行（默认 top）。",
                "the photo position 'inline' (inside the text) cannot be laid out: a photo goes at the top or the "
                "bottom of its columns. Change position to top or bottom, or delete the line (top is the default).")
        return self.choice(node, "position", list(m.PHOTO_POSITIONS))

    def url(self, node):
        url = self.text(node, "online_url")
        scheme, _, rest = url.partition("://")
        host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2].split(":", 1)[0]
        if scheme not in ("http", "https") or any(c.isspace() for c in url) or "." not in host.strip("."):
            raise self.fail(
                node,
                f"二维码网址必须以 http:// 或 https:// 开头、带有网站域名（如 www.zznews.gov.cn）且不含空格，现为“{url}”。",
                f"the QR code URL must start with http:// or https://, name a web site (e.g. www.zznews.gov.cn) "
                f"and contain no spaces, not '{url}'.",
            )
        if len(url.encode("utf-8")) > QR_URL_MAX_BYTES:
            raise self.fail(
                node,
                f"二维码网址太长（{len(url.encode('utf-8'))} 字节），印刷尺寸下难以扫描。请使用不超过 {QR_URL_MAX_BYTES} 字节的短网址。",
                f"the QR code URL is too long ({len(url.encode('utf-8'))} bytes) to scan at print size. "
                f"Use a short URL of at most {QR_URL_MAX_BYTES} bytes.",
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

    def use_photo(self, node, pid: str, zh: str, en: str) -> None:
        """A photo used a second time in the brochure prints twice: a warning at the second use, naming the first."""
        where = self.where(node)
        first = self.photo_uses.setdefault(pid, (where, zh, en))
        if first[0] == where:
            return
        self.warnings.append(BuildWarning(
            f"照片“{pid}”已在{first[1]}用过（{first[0]}），这里{zh}又用了一次，同一张照片会印两遍。"
            "如果不是有意的，请在这里换一张照片，或删去其中一处。",
            f"photo '{pid}' is already used in {first[2]} ({first[0]}); used here again, in {en}, it prints twice. "
            "Unless that is meant, use another photo here or delete one of the two.",
            where))

    def lead(self, node, photos):
        v = self.mapping(node, "lead", {
            "kicker": False, "headline": True, "byline": True, "photo": False,
            "preface_title": False, "preface": True,
        })
        if "photo" in v:
            self.use_photo(v["photo"], self.photo_ref(v["photo"], photos, "photo"), "导语", "the lead")
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
        letter = self.text(v["letter"], "letter")
        refs = [(n, self.photo_ref(n, photos, "photos")) for n in self.items(v["photos"], "photos")] if "photos" in v else []
        for n, pid in refs:
            self.use_photo(n, pid, f"第 {letter} 节", f"section {letter}")
        return m.Section(
            letter=letter,
            headline=self.text(v["headline"], "headline"),
            paragraphs=self.paragraphs(v["paragraphs"], "paragraphs"),
            photos=[pid for _, pid in refs],
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
        photo.pixels = photo_pixels(photo.file)
        if photo.caption.startswith("▲"):
            photo.caption = m.Text(photo.caption[1:].lstrip(), photo.caption.where)
        if "span" in v:
            photo.span = self.integer(v["span"], "span", minimum=0, maximum=6)
        if "position" in v:
            photo.position = self.position(v["position"])
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
            found = not outside and os.path.lexists(target)     # what it is, check_photo finds out
        except (OSError, ValueError, RuntimeError) as exc:      # RuntimeError: pathlib's symbolic-link loop
            if is_loop(exc):
                raise self.fail(
                    node,
                    f"图片路径“{rel}”是循环的符号链接（链接最终指向它自己），无法打开。请换成图片文件本身。",
                    f"the image path '{rel}' is a loop of symbolic links (it ends up pointing at itself) and cannot "
                    "be opened. Put the image file itself there.",
                ) from None
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

    def posters(self, node, photos):
        posters = []
        names: dict[str, yaml.Node] = {}
        for n in self.items(node, "posters"):
            v = self.mapping(n, "poster", {
                "name": True, "size": True, "shows": False, "hero": False, "distance": False, "scan_distance": False,
                "foot": False, "press": False, "margin": False,
            })
            name = str(self.text(v["name"], "name"))
            if not name.replace("-", "").replace("_", "").isalnum() or not name.isascii():
                raise self.fail(v["name"], f"海报名称“{name}”只能用英文字母、数字、- 和 _（它会成为文件名）。",
                                f"poster name '{name}' may only use letters, digits, - and _ (it becomes a file name).")
            if len(name) > MAX_POSTER_NAME:
                raise self.fail(v["name"], f"海报名称太长（{len(name)} 个字符）：它会成为文件名，请不超过 {MAX_POSTER_NAME} 个字符。",
                                f"the poster name is too long ({len(name)} characters): it becomes a file name; "
                                f"use at most {MAX_POSTER_NAME}.")
            if name.lower() == BROCHURE or name.lower().startswith(POSTER_PREFIX):
                raise self.fail(v["name"], f"海报名称不能是“{name}”：宣传册的输出已叫 brochure，海报文件名会自动加上 poster-。"
                                "请换一个名字，例如 a1 或 rollup。",
                                f"a poster cannot be named '{name}': the brochure's output is called brochure, and poster "
                                "files get poster- in front by themselves. Choose another name, e.g. a1 or rollup.")
            same = next((k for k in names if k.lower() == name.lower()), None)
            if same is not None:
                first = self.where(names[same])
                raise self.fail(v["name"], f"海报名称“{name}”与第 {first.line} 行的“{same}”重复（文件名不分大小写）。请换一个名字。",
                                f"the poster name '{name}' repeats '{same}' of line {first.line} (file names ignore case). "
                                "Choose another name.")
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
            poster.press = self.press(v.get("press"), m.Press(min_ppi=POSTER_MIN_PPI))
            if "margin" in v:            # more room round the edge than the automatic one (never less)
                poster.margin = self.number(v["margin"], "margin", minimum=0,
                                            maximum=min(poster.page.width, poster.page.height) / 4)
            posters.append(poster)
        return posters
