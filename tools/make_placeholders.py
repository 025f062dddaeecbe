#!/usr/bin/env python3
"""Make clearly-labelled placeholder photos for every entry under photos: in content.yaml.

    python tools/make_placeholders.py [--force] [--content content.yaml]

为 content.yaml 中 photos: 下的每张照片生成一张“示意图”占位图（放在 images/）。
已有的图片不会被覆盖（实拍照片是安全的），除非加 --force。
Existing images are never overwritten (real photos are safe) unless --force is given.

Each placeholder is an RGB JPEG with an embedded sRGB profile, large enough for
its biggest use (the brochure's type area at its min_ppi, or the full width of a
poster that shows it as hero at the poster's min_ppi), with the frame's aspect.
The output is deterministic: the same content.yaml gives the same bytes.
"""
from __future__ import annotations

import argparse
import hashlib
import struct
import subprocess
import sys
from pathlib import Path

import yaml
from PIL import Image, ImageCms, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
MM_PER_IN = 25.4
#: Trim sizes in mm (portrait), as content.yaml names them.
SIZES = {"A0": (841, 1189), "A1": (594, 841), "A2": (420, 594), "A3": (297, 420), "A4": (210, 297),
         "A5": (148, 210), "大16开": (210, 285), "16k": (210, 285), "rollup": (800, 2000),
         "易拉宝": (800, 2000), "board": (1200, 900), "展板": (1200, 900)}
CJK_FALLBACK = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)


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


def find_font(pattern: str, need_zh: bool) -> tuple[str, int] | None:
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


CJK = find_font("Noto Sans CJK SC", need_zh=True)
LATIN = CJK or find_font("DejaVu Sans", need_zh=False)


def font(size: int, cjk: bool):
    spec = CJK if cjk else LATIN
    if spec:
        return ImageFont.truetype(spec[0], size, index=spec[1])
    return ImageFont.load_default(size)


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


def placeholder(pid: str, photo: dict, width: int) -> Image.Image:
    aspect = float(photo.get("aspect", 1.5))
    w, h = width, round(width / aspect)
    sky, ground = colours(pid)
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

    lines = [("示意图 PLACEHOLDER" if CJK else "PLACEHOLDER", 0.13),
             (str(photo["file"]), 0.05),
             (str(photo.get("caption", "")) if CJK else "", 0.05),
             ("请替换为实拍照片 / replace with the real photo" if CJK else "replace with the real photo", 0.045),
             (f"{w} x {h} px  ·  {pid}  ·  aspect {aspect:g}", 0.035)]
    rendered = []
    for text, rel in lines:
        if not text:
            continue
        size = max(12, round(h * rel))
        f = font(size, CJK is not None)
        while d.textlength(text, font=f) > w * 0.84 and size > 12:   # shrink long lines to fit
            size = int(size * 0.9)
            f = font(size, CJK is not None)
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Make placeholder photos for content.yaml (never overwrites without --force).")
    ap.add_argument("--force", action="store_true", help="overwrite existing images 覆盖已有图片")
    ap.add_argument("--content", type=Path, default=ROOT / "content.yaml", help="content file (default: content.yaml)")
    args = ap.parse_args(argv)

    doc = yaml.safe_load(args.content.read_text(encoding="utf-8"))
    root = args.content.resolve().parent
    icc = srgb_profile()
    if CJK is None:
        print("未找到中文字体，占位图只写英文。No CJK font found: Latin text only.", file=sys.stderr)
    for pid, photo in (doc.get("photos") or {}).items():
        path = (root / photo["file"]).resolve()
        if not path.is_relative_to(root):
            print(f"跳过 skip {photo['file']}: 不在项目文件夹内 outside the project folder", file=sys.stderr)
            continue
        if path.exists() and not args.force:
            print(f"保留 kept  {photo['file']} (已存在 exists; --force 覆盖 to overwrite)")
            continue
        img = placeholder(pid, photo, target_width_px(doc, pid))
        path.parent.mkdir(parents=True, exist_ok=True)
        img.save(path, "JPEG", quality=88, icc_profile=icc, dpi=(300, 300), optimize=True)
        print(f"生成 made  {photo['file']}  {img.width} × {img.height} px")
    return 0


if __name__ == "__main__":
    sys.exit(main())
