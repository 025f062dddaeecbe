"""Refuse a photo placed so large that it would print blurred, at its line in content.yaml.

Preflight would refuse the PDF anyway; saying it here names the photo and the
size of original to use instead.
"""
from __future__ import annotations

import math
from pathlib import Path

from PIL import Image

from brochure.ground.boxes import MM
from brochure.ground.errors import Location, PressError
from brochure.images.prepare import open_photo, oriented_size


def pixel_size(source: Path) -> tuple[int, int]:
    """The photo's width and height in pixels as it is seen (EXIF orientation applied); only its header is read."""
    with open_photo(source, load=False) as im:
        return oriented_size(im)


def check_resolution(prepared, photo_id: str, source: Path, rel: str, min_ppi: float,
                     where: Location | None) -> None:
    """PressError at ``where`` if ``prepared`` has less than half of ``min_ppi`` at its placed size."""
    ppi = prepared.effective_ppi
    if ppi >= min_ppi / 2:
        return
    with Image.open(source) as im:
        w, h = im.size
    factor = min_ppi / max(ppi, 1e-6)
    raise PressError(
        f"照片“{photo_id}”（{rel}）放在 {prepared.draw_w / MM:.0f}×{prepared.draw_h / MM:.0f} mm 的位置上只有 "
        f"{ppi:.0f} ppi，不到要求（{min_ppi:.0f} ppi）的一半，印出来会模糊。"
        f"请换用至少 {math.ceil(w * factor)}×{math.ceil(h * factor)} 像素的原图。",
        f"photo '{photo_id}' ({rel}) has only {ppi:.0f} ppi at its placed size "
        f"{prepared.draw_w / MM:.0f}×{prepared.draw_h / MM:.0f} mm, less than half the required "
        f"{min_ppi:.0f} ppi; it would print blurred. Use an original of at least "
        f"{math.ceil(w * factor)}×{math.ceil(h * factor)} pixels.",
        where,
    )
