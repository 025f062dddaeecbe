"""The fonts check: every font embedded; Type3 fonts flagged."""
from __future__ import annotations

from pikepdf import Name

from ..report import FAIL, PASS, WARN, Report
from ..scan import Scan


def _font_name(font) -> str:
    return str(font.get("/BaseFont", font.get("/Name", "?"))).lstrip("/")


def check_fonts(scan: Scan, report: Report) -> None:
    unembedded, type3 = [], []
    for page_no, key, font in scan.fonts.values():
        sub = font.get("/Subtype")
        if sub == Name.Type3:
            type3.append(f"page {page_no}: {key} Type3")
            continue
        desc = font.get("/FontDescriptor")
        if sub == Name.Type0:
            try:
                desc = font.DescendantFonts[0].get("/FontDescriptor")
            except (AttributeError, IndexError, KeyError):
                desc = None
        if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            unembedded.append(f"page {page_no}: {_font_name(font)} not embedded")
    if unembedded:
        report.add("fonts", FAIL, "有字体未嵌入（印刷厂会替换字体，可能印错字）",
                   "fonts not embedded (the press would substitute them)", unembedded + type3)
    elif type3:
        report.add("fonts", WARN, "有 Type3 字体", "Type3 fonts present", type3)
    else:
        report.add("fonts", PASS, f"全部 {len(scan.fonts)} 个字体已嵌入", f"all {len(scan.fonts)} fonts embedded")
