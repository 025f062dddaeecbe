"""The colour checks: no RGB colour in the content streams, and no transparency in PDF/X-1a."""
from __future__ import annotations

import pikepdf

from brochure.press.transparency import find_transparency

from ..report import FAIL, PASS, Report
from ..scan import Scan


def check_colour(scan: Scan, report: Report) -> None:
    problems = list(dict.fromkeys(scan.colour_problems))
    if problems:
        report.add("colour", FAIL, "内容中使用了 RGB 颜色（印刷只能用 CMYK）",
                   "RGB colour used in page content (print needs CMYK)", problems)
    else:
        report.add("colour", PASS, "颜色均为 CMYK/灰度/专色", "all colour is CMYK, grey or spot")


def check_transparency(pdf: pikepdf.Pdf, report: Report, *, x4: bool) -> None:
    found = find_transparency(pdf)
    if found and not x4:
        report.add("transparency", FAIL, "PDF/X-1a 中有透明效果", "transparency in PDF/X-1a", found)
    else:
        report.add("transparency", PASS, "无违规透明效果", "no forbidden transparency")
