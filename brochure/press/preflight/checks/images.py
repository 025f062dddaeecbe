"""The images check: the colour space of every image and its effective ppi where it is placed."""
from __future__ import annotations

from brochure.ground.boxes import MM

from ..report import FAIL, PASS, WARN, Report
from ..scan import Scan, cs_bad


def shown_name(name: str) -> str:
    """The photo's file name where the PDF's resource name carries it (``…Photo.<file>.<digest>``)."""
    _, found, rest = name.partition("Photo.")
    if not found or "." not in rest:
        return name
    shown = rest.rsplit(".", 1)[0]
    if shown.startswith("x") and len(shown) % 2 == 1:
        try:
            return bytes.fromhex(shown[1:]).decode("utf-8")
        except ValueError:
            return shown
    return shown


def check_images(scan: Scan, report: Report, *, x4: bool, min_ppi: float, draft: bool = False) -> None:
    """Images must be CMYK or grey, and not far below ``min_ppi``; in a ``draft`` (a proof) that only warns."""
    bad_cs, low, very_low = [], [], []
    for im in scan.images:
        if im.colorspace == "ImageMask":
            continue
        if cs_bad(im.colorspace, x4):
            bad_cs.append(f"page {im.page}: {shown_name(im.name)} in {im.colorspace}")
        if im.width_pt <= 0 or im.height_pt <= 0:
            continue
        ppi = min(im.width_px / (im.width_pt / 72), im.height_px / (im.height_pt / 72))
        where = (f"page {im.page}: {shown_name(im.name)} {ppi:.0f} ppi at "
                 f"{im.width_pt / MM:.0f}×{im.height_pt / MM:.0f} mm")
        if ppi < min_ppi / 2:
            very_low.append(where)
        elif ppi < min_ppi - 0.5:
            low.append(where)
    details = bad_cs + very_low + low
    if bad_cs or (very_low and not draft):
        report.add("images", FAIL,
                   f"图片颜色不是 CMYK/灰度，或分辨率远低于 {min_ppi:.0f} ppi",
                   f"images not CMYK/grey, or far below {min_ppi:.0f} ppi", details)
    elif low or very_low:
        report.add("images", WARN, f"有图片低于 {min_ppi:.0f} ppi", f"images below {min_ppi:.0f} ppi", details)
    else:
        report.add("images", PASS, f"{len(scan.images)} 张图片颜色与分辨率合格",
                   f"{len(scan.images)} images: colour and resolution OK")
