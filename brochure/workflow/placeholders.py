"""Clearly-labelled placeholder photos for every entry under photos: in a content file.

A draft (``brochure import``) names photos the staff do not have yet; with a
placeholder in their place it builds (``build --draft``), so the layout can be
proofed while the real photos are on their way.  An existing image is never
overwritten (a real photo is safe) unless ``force`` is given.

Each placeholder is an RGB JPEG with an embedded sRGB profile, large enough for
its biggest use (the brochure's type area at its min_ppi, or the full width of a
poster that shows it as hero at the poster's min_ppi), with the frame's aspect,
labelled "示意图 PLACEHOLDER" with its file, caption and size.  The output is
deterministic: the same content file gives the same bytes.

The content file is read as plain YAML, not through ``brochure.content.load``:
that refuses a photo file that is missing, which is exactly the case here.
"""
from __future__ import annotations

import hashlib
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml
from PIL import Image, ImageCms, ImageDraw, ImageFont

from brochure.runtime.progress import Progress

MM_PER_IN = 25.4
#: Trim sizes in mm (portrait), as content.yaml names them.
SIZES = {"A0": (841, 1189), "A1": (594, 841), "A2": (420, 594), "A3": (297, 420), "A4": (210, 297),
         "A5": (148, 210), "大16开": (210, 285), "16k": (210, 285), "rollup": (800, 2000),
         "易拉宝": (800, 2000), "board": (1200, 900), "展板": (1200, 900)}
CJK_FALLBACK = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)

FontSpec = tuple[str, int]       # (font file, face index)


@dataclass(frozen=True)
class LabelFonts:
    """The fonts the labels are written in: ``cjk`` None when the machine has no Chinese font."""

    cjk: FontSpec | None
    latin: FontSpec | None

    @classmethod
    def find(cls) -> "LabelFonts":
        cjk = find_font("Noto Sans CJK SC", need_zh=True)
        return cls(cjk, cjk or find_font("DejaVu Sans", need_zh=False))

    def font(self, size: int):
        spec = self.cjk or self.latin
        if spec:
            return ImageFont.truetype(spec[0], size, index=spec[1])
        return ImageFont.load_default(size)


@dataclass(frozen=True)
class Made:
    """What happened to one photo's file: ``made`` (new), ``kept`` (exists) or ``skipped`` (outside the folder)."""

    file: str
    status: str
    size: tuple[int, int] | None = None

    def line(self) -> str:
        if self.status == "made":
            return f"生成 made  {self.file}  {self.size[0]} × {self.size[1]} px"
        if self.status == "kept":
            return f"保留 kept  {self.file} (已存在 exists; --force 覆盖 to overwrite)"
        return f"跳过 skip {self.file}: 不在项目文件夹内 outside the project folder"


def page_width(size) -> float:
    """Trim width in mm of a page size as written in content.yaml."""
    if isinstance(size, dict):
        return float(size["width"])
    name = str(size)
    landscape = name.endswith("-landscape")
    w, h = SIZES[name.removesuffix("-landscape")]
    return h if landscape else w


def target_width_px(doc: dict, pid: str) -> int:
    """Pixels across for the photo's widest use: brochure type area, or a poster it heads."""
    settings = doc.get("settings") or {}
    b = settings.get("brochure") or {}
    m = b.get("margins") or {}
    type_area = page_width(b.get("page", "A4")) - m.get("outer", 15) - m.get("inner", 15)
    widths = [type_area / MM_PER_IN * (b.get("press") or {}).get("min_ppi", 300)]
    for poster in doc.get("posters") or []:
        if poster.get("hero") == pid:
            press = poster.get("press") or {}
            mm = page_width(poster.get("size", "A1")) + 2 * press.get("bleed", 3)
            widths.append(mm / MM_PER_IN * press.get("min_ppi", 300))
    return round(max(widths))


def find_font(pattern: str, need_zh: bool) -> FontSpec | None:
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}:%{index}:%{lang}", pattern],
                             capture_output=True, text=True, check=True).stdout
        file, index, langs = out.split(":", 2)
        if not need_zh or "zh-cn" in langs.split("|"):
            return file, int(index)
    except (OSError, subprocess.CalledProcessError, ValueError):
        pass
    if need_zh and Path(CJK_FALLBACK[0]).is_file():
        return CJK_FALLBACK
    return None


def srgb_profile() -> bytes:
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    icc[24:36] = struct.pack(">6H", 2022, 9, 1, 0, 0, 0)   # fixed creation date, so the bytes never change
    return bytes(icc)


def colours(pid: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """A calm sky-to-ground pair of colours, different for each photo id but stable."""
    h = hashlib.sha256(pid.encode()).digest()
    sky = (150 + h[0] % 50, 175 + h[1] % 40, 195 + h[2] % 40)
    ground = (70 + h[3] % 50, 85 + h[4] % 45, 60 + h[5] % 40)
    return sky, ground


def placeholder(pid: str, photo: dict, width: int, fonts: LabelFonts) -> Image.Image:
    """The placeholder image of photo ``pid`` (its entry under photos: is ``photo``), ``width`` pixels across."""
    aspect = float(photo.get("aspect", 1.5))
    w, h = width, round(width / aspect)
    sky, ground = colours(pid)
    cjk = fonts.cjk is not None
    # vertical gradient (sky to ground) with a soft vignette: looks like a photo, reads as none
    img = Image.composite(Image.new("RGB", (w, h), ground), Image.new("RGB", (w, h), sky),
                          Image.linear_gradient("L").resize((w, h), Image.BICUBIC))
    vignette = Image.radial_gradient("L").resize((w, h), Image.BICUBIC).point(lambda v: v * 90 // 255)
    img = Image.composite(Image.new("RGB", (w, h), (30, 30, 35)), img, vignette)

    d = ImageDraw.Draw(img)
    line = max(3, w // 400)
    d.line([(0, 0), (w, h)], fill=(255, 255, 255), width=line)
    d.line([(0, h), (w, 0)], fill=(255, 255, 255), width=line)
    d.rectangle([0, 0, w - 1, h - 1], outline=(255, 255, 255), width=line * 2)

    lines = [("示意图 PLACEHOLDER" if cjk else "PLACEHOLDER", 0.13),
             (str(photo["file"]), 0.05),
             (str(photo.get("caption", "")) if cjk else "", 0.05),
             ("请替换为实拍照片 / replace with the real photo" if cjk else "replace with the real photo", 0.045),
             (f"{w} x {h} px  ·  {pid}  ·  aspect {aspect:g}", 0.035)]
    rendered = []
    for text, rel in lines:
        if not text:
            continue
        size = max(12, round(h * rel))
        f = fonts.font(size)
        while d.textlength(text, font=f) > w * 0.84 and size > 12:   # shrink long lines to fit
            size = int(size * 0.9)
            f = fonts.font(size)
        rendered.append((text, f, size))
    gap = round(h * 0.025)
    block = sum(s for _, _, s in rendered) + gap * (len(rendered) - 1)
    pad = round(h * 0.04)
    top = (h - block) // 2
    panel_w = max(d.textlength(t, font=f) for t, f, _ in rendered) + 2 * pad
    d.rectangle([(w - panel_w) // 2, top - pad, (w + panel_w) // 2, top + block + pad], fill=(25, 25, 30))
    y = top
    for text, f, size in rendered:
        d.text((w / 2, y + size / 2), text, font=f, fill=(255, 255, 255), anchor="mm")
        y += size + gap
    return img


def make_placeholders(content_path: Path, *, force: bool = False,
                      echo: Callable[[str], None] | None = None,
                      warn: Callable[[str], None] | None = None) -> list[Made]:
    """A placeholder for every photo of ``content_path`` whose file is not there yet (all of them with ``force``).

    ``echo`` is told each file as it is done (``Made.line()``); ``warn`` that the labels are Latin only.
    On a terminal a progress line counts the photos (each placeholder takes a moment to draw and save).
    """
    content_path = Path(content_path)
    doc = yaml.safe_load(content_path.read_text(encoding="utf-8")) or {}
    root = content_path.resolve().parent
    fonts: LabelFonts | None = None
    icc = srgb_profile()
    done = []
    photos = doc.get("photos") or {}
    progress = Progress("正在生成占位图", "making placeholders", len(photos))
    for n, (pid, photo) in enumerate(photos.items(), 1):
        progress.show(n)
        path = (root / photo["file"]).resolve()
        if not path.is_relative_to(root):
            made = Made(str(photo["file"]), "skipped")
        elif path.exists() and not force:
            made = Made(str(photo["file"]), "kept")
        else:
            if fonts is None:
                fonts = LabelFonts.find()
                if fonts.cjk is None and warn is not None:
                    progress.close()
                    warn("未找到中文字体，占位图只写英文。No CJK font found: Latin text only.")
            img = placeholder(pid, photo, target_width_px(doc, pid), fonts)
            path.parent.mkdir(parents=True, exist_ok=True)
            img.save(path, "JPEG", quality=88, icc_profile=icc, dpi=(300, 300), optimize=True)
            made = Made(str(photo["file"]), "made", img.size)
        done.append(made)
        progress.close()           # the line is cleared before anything else is said
        if echo is not None:
            echo(made.line())
    return done
