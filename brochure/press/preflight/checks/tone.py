"""The tone check: no photo prints as blank paper or as a solid black block.

A photo whose every sample is paper white (no ink at all) or solid black is not a
photo any more: what a 32-bit TIFF read at the wrong range, a damaged file or a
failed conversion leaves.  Every other check passes such a page, so this one reads
each image's samples (at an eighth of their size for a JPEG: a uniform image is
uniform at any size) and fails the file, naming the photo.  A reading depends only on
the image's bytes and is kept in the store (kind "tone").
"""
from __future__ import annotations

import hashlib
import io
import json

from pikepdf import Name, PdfImage

from brochure.ground.boxes import MM
from brochure.ground.words import plural

from ..kept import Store
from ..report import Report
from ..scan import Scan, cs_name
from .images import shown_name

KIND = "tone"
#: Images smaller than this on the page (mm, either side) are rules, dots or icons, not photos.
PHOTO_MM = 10.0
#: Ink (of 255) that still counts as none, and as full: JPEG noise on a flat area.
NO_INK = 5
FULL_INK = 250
#: Total ink (of 4 x 255) of a flat image that is black through a profile (rich black, K under FULL_INK).
RICH_BLACK = 255 * 250 // 100
WHITE, BLACK = "white", "black"


def check_tone(scan: Scan, report: Report, *, store: Store | None = None) -> None:
    """FAIL naming every placed photo that is uniformly paper white or solid black."""
    problems: list[str] = []
    seen: dict[tuple, str | None] = {}
    photos = 0
    for im in scan.images:
        if im.obj is None or im.colorspace == "ImageMask" or min(im.width_pt, im.height_pt) < PHOTO_MM * MM:
            continue
        photos += 1
        key = im.obj.objgen if im.obj.is_indirect else (id(im.obj), 0)
        if key not in seen:
            try:
                seen[key] = image_tone(im.obj, store)
            except Exception:          # an image that cannot be read: the ink check says so
                seen[key] = None
        tone = seen[key]
        if tone == WHITE:
            problems.append(f"page {im.page}: {shown_name(im.name)} prints as blank paper (no ink at all)")
        elif tone == BLACK:
            problems.append(f"page {im.page}: {shown_name(im.name)} prints as a solid black block")
    if not photos:
        return
    report.verdict(
        "tone", problems,
        ("有照片印出来是一片空白或一片漆黑：原图可能是 32 位或损坏的 TIFF，或转换出错。"
         "请核对原图，另存为 8 位 JPEG 后重新生成",
         "photos that print as blank paper white or solid black: the original may be a 32-bit or damaged TIFF, "
         "or its conversion failed. Check the original, save it as an 8-bit JPEG and build again"),
        (f"{photos} 张照片都有明暗层次", f"{plural(photos, 'photo')}: none blank white or solid black"))


def image_tone(xo, store: Store | None = None) -> str | None:
    """WHITE when no sample of the image carries ink, BLACK when every one is solid black, else None."""
    filters = xo.get("/Filter")
    filters = [str(filters)] if isinstance(filters, Name) else [str(f) for f in (filters or [])]
    decode = xo.get("/Decode")
    inverted = decode is not None and len(decode) >= 2 and float(decode[0]) > float(decode[1])
    desc = cs_name(xo.get("/ColorSpace"))
    raw = xo.read_raw_bytes()
    h = hashlib.sha256(b"tone\0")
    h.update(raw)
    h.update(repr((filters, inverted, desc, NO_INK, FULL_INK)).encode())
    key = h.hexdigest()
    kept = store.get(KIND, key) if store is not None else None
    if kept is not None:
        try:
            tone = json.loads(kept)["tone"]
            if tone in (WHITE, BLACK, None):
                return tone
        except (ValueError, KeyError, TypeError):
            pass                        # not a reading: read again
    tone = _read(xo, raw, filters, inverted)
    if store is not None:
        store.put(KIND, key, json.dumps({"tone": tone}).encode("utf-8"))
    return tone


def _read(xo, raw: bytes, filters: list[str], inverted: bool) -> str | None:
    from PIL import Image          # deferred, as in the ink check

    if filters == ["/DCTDecode"]:
        im = Image.open(io.BytesIO(raw))
        im.draft(im.mode, (max(1, im.width // 8), max(1, im.height // 8)))
        flip = ("adobe" in im.info) != inverted if im.mode == "CMYK" else inverted
    else:
        im = PdfImage(xo).as_pil_image()
        flip = inverted
    im.load()
    if im.mode == "CMYK":             # samples are ink (flipped: an Adobe JPEG's, or a /Decode [1 0])
        ink = [(255 - hi, 255 - lo) if flip else (lo, hi) for lo, hi in (b.getextrema() for b in im.split())]
        if all(hi <= NO_INK for _, hi in ink):
            return WHITE
        flat = all(hi - lo <= NO_INK for lo, hi in ink)
        if ink[3][0] >= FULL_INK or (flat and sum(lo for lo, _ in ink) >= RICH_BLACK):
            return BLACK
        return None
    if im.mode not in ("L", "1", "RGB"):
        im = im.convert("RGB")
    light = [(255 - hi, 255 - lo) if flip else (lo, hi) for lo, hi in
             (b.getextrema() for b in im.convert("L" if im.mode == "1" else im.mode).split())]
    if all(lo >= 255 - NO_INK for lo, _ in light):
        return WHITE
    if all(hi <= 255 - FULL_INK for _, hi in light):
        return BLACK
    return None
