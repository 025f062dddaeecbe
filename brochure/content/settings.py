"""content.yaml's settings: fonts, typography, palette, page sizes and press, read and checked.

``SettingsReader`` is the part of the content loader that reads ``settings:``
(and each poster's ``press:``), with the checks that need more than one value:
the palette against the strictest ink limit, and the brochure page against the
room its text needs.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from brochure.content import model as m
from brochure.content.yamlnodes import Reader
from brochure.ground.boxes import MM, column_grid
from brochure.ground.colour import total_ink
from brochure.ground.errors import ContentError
from brochure.runtime.files import NotRegularFile, is_loop, open_regular
from brochure.ground.rules import MIN_BLEED_MM, PDFX_STANDARDS

#: Trim sizes in mm (portrait), by their ISO or trade name; posters add "-landscape" to turn them.
_SIZES = {"A0": (841, 1189), "A1": (594, 841), "A2": (420, 594), "A3": (297, 420), "A4": (210, 297),
          "A5": (148, 210), "16k": (210, 285), "rollup": (800, 2000), "board": (1200, 900)}
#: The Chinese names staff use for the same sizes.
_CHINESE = {"大16开": "16k", "易拉宝": "rollup", "展板": "board"}
PAGE_SIZES: dict[str, tuple[float, float]] = {**_SIZES, **{zh: _SIZES[en] for zh, en in _CHINESE.items()}}
#: The least room a brochure page must leave for text: the area inside the margins (mm),
#: characters of body type per column, and lines per column.
MIN_TEXT_AREA = (40, 60)
MIN_COLUMN_EMS = 4
MIN_LINES = 10


class SettingsReader(Reader):
    """Reads the settings of the content file at ``path``; files they name resolve against its folder."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.root = path.parent

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
        em = t.body_size / MM
        for key, columns in (("columns", b.columns), ("front_columns", b.front_columns)):
            column = column_grid(width, columns, em, b.gutter)[0]
            if column < MIN_COLUMN_EMS * em:
                raise self.fail(
                    node,
                    f"{columns} 栏时每栏只有 {max(column, 0):.0f} mm，放不下 {MIN_COLUMN_EMS} 个 {t.body_size:g} pt 的字。"
                    f"请减少栏数（{key}）、减小栏间距（gutter）或缩小字号（body_size）。",
                    f"with {columns} columns each is only {max(column, 0):.0f} mm wide, too narrow for {MIN_COLUMN_EMS} "
                    f"characters of {t.body_size:g} pt. Use fewer columns ({key}), a smaller gutter or a smaller body_size.",
                )
        lines = height / (t.leading / MM)
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
        """Every palette colour within the strictest output's total-ink limit (300 % by default),
        and none of them registration colour (every ink at 100 %, for crop marks only)."""
        limit = min([content.brochure.press.ink_limit] + [p.press.ink_limit for p in content.posters])
        where = self.where(node) if node is not None else None
        for name, value in vars(content.palette).items():
            ink = total_ink(value)
            if ink > limit:
                raise ContentError(
                    f"颜色“{name}”的总墨量 {ink:.0f}% 超过上限 {limit:.0f}%，印刷时会粘脏。请降低 C、M、Y 的数值。",
                    f"colour '{name}' has {ink:.0f}% total ink, over the {limit:.0f}% limit: it would set off on press. "
                    "Lower its C, M or Y.",
                    where,
                )
            if all(v >= 99 for v in value):
                raise ContentError(
                    f"颜色“{name}”是套准色（四色都是 100%），只能用于裁切线，不能用于内容。请降低 C、M、Y 的数值。",
                    f"colour '{name}' is registration colour (all four inks at 100%), for crop marks only, "
                    "not for content. Lower its C, M or Y.",
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
                p.pdfx = self.choice(n, key, list(PDFX_STANDARDS))
            elif key in ("output_profile", "output_condition"):
                setattr(p, key, str(self.text(n, key)))
            else:
                # print shops (and preflight) need at least MIN_BLEED_MM of bleed
                limits = {"bleed": (MIN_BLEED_MM, 20), "safety": (0, 50), "ink_limit": (150, 400), "min_ppi": (30, 1200)}[key]
                setattr(p, key, self.number(n, key, minimum=limits[0], maximum=limits[1]))
        if p.output_profile != "default":
            p.output_profile = self.profile_path(v["output_profile"], p.output_profile)
        return p

    def profile_path(self, node, name: str) -> str:
        """The resolved path of the colour profile ``name``, once it is known to be a regular file that can be read."""
        try:
            prof = (self.root / name).resolve()
            with open_regular(prof) as f:
                header = f.read(128)
        except (OSError, RuntimeError) as exc:        # RuntimeError: pathlib's symbolic-link loop
            if is_loop(exc):
                zh = "是循环的符号链接（链接最终指向它自己），无法打开。请换成配置文件本身。"
                en = "is a loop of symbolic links (it ends up pointing at itself) and cannot be opened. Put the profile file itself there."
            elif isinstance(exc, FileNotFoundError):
                raise self.fail(node, f"找不到色彩配置文件“{name}”。", f"colour profile '{name}' not found.") from None
            elif isinstance(exc, NotRegularFile):
                zh = "不是普通文件（而是文件夹、管道、设备或套接字），不能作为色彩配置文件读取。请写出 .icc 文件本身的路径。"
                en = "is not a regular file (a folder, pipe, device or socket) and cannot be read as a colour profile. Give the path of the .icc file itself."
            elif isinstance(exc, PermissionError):
                zh = "没有读取权限，无法打开。请在文件属性中允许读取。"
                en = "cannot be read: permission denied. Allow reading it in the file's properties."
            else:
                zh = f"无法读取（{exc}）。请检查路径。"
                en = f"cannot be read ({exc}). Check the path."
            raise self.fail(node, f"色彩配置文件“{name}”{zh}", f"colour profile '{name}' {en}") from None
        # what the build would find out only when it converts the first photo, said here, at this key
        if len(header) < 128 or header[36:40] != b"acsp":
            raise self.fail(node, f"“{name}”不是 ICC 色彩配置文件。请写出印刷厂提供的 .icc 文件的路径，或写 default。",
                            f"'{name}' is not an ICC colour profile. Give the path of the .icc file the print shop "
                            "provided, or write default.")
        if header[16:20] != b"CMYK" or header[12:16] != b"prtr":
            raise self.fail(node, f"色彩配置文件“{name}”不是 CMYK 印刷（输出）配置文件，PDF/X 需要印刷厂的 CMYK 配置文件。"
                            "请向印刷厂索取，或写 default。",
                            f"the colour profile '{name}' is not a CMYK printer (output) profile, and PDF/X needs the "
                            "press's CMYK profile. Ask the print shop for it, or write default.")
        return str(prof)

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
