"""The boxes check: MediaBox, BleedBox, TrimBox on every page, nested, bleed >= 3 mm."""
from __future__ import annotations

import pikepdf

from brochure.ground.boxes import MM

from ..report import Report

BOX_EPS = 0.01                  # pt


def page_box(page, key: str) -> list[float] | None:
    """A page's box as [x0, y0, x1, y1] (the MediaBox may be inherited from the page tree); None if absent."""
    v = page.obj.get(key)
    if v is None:
        inherited = page.obj
        while v is None and "/Parent" in inherited and key == "/MediaBox":
            inherited = inherited.Parent
            v = inherited.get(key)
    return None if v is None else [float(x) for x in v]


def check_boxes(pdf: pikepdf.Pdf, report: Report) -> None:
    problems: list[str] = []
    for n, page in enumerate(pdf.pages, 1):
        media, bleed, trim = page_box(page, "/MediaBox"), page_box(page, "/BleedBox"), page_box(page, "/TrimBox")
        if trim is None:
            problems.append(f"page {n}: no TrimBox")
        if bleed is None:
            problems.append(f"page {n}: no BleedBox")
        if media is None or trim is None or bleed is None:
            continue

        def inside(inner, outer):
            return (inner[0] >= outer[0] - BOX_EPS and inner[1] >= outer[1] - BOX_EPS
                    and inner[2] <= outer[2] + BOX_EPS and inner[3] <= outer[3] + BOX_EPS)

        if not inside(trim, bleed):
            problems.append(f"page {n}: TrimBox not inside BleedBox")
        if not inside(bleed, media):
            problems.append(f"page {n}: BleedBox not inside MediaBox")
        least = min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])
        if least < 3 * MM - BOX_EPS:
            problems.append(f"page {n}: bleed {least / MM:.1f} mm (need 3 mm)")
    report.verdict("boxes", problems,
                   ("页面框（裁切框/出血框）缺失或出血不足 3 毫米", "page boxes missing or bleed under 3 mm"),
                   ("裁切框、出血框齐全，出血 ≥ 3 毫米", "trim and bleed boxes present, bleed ≥ 3 mm"))
