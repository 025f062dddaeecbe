"""Reading a page as a reader's device would: extracting its text and decoding its QR codes (PDFium, zxing-cpp).

* text -- text extracts and contains Chinese (Han) characters
* qr   -- QR codes on the rendered pages decode (and match the expected URLs).  Given
          where the codes were placed, only those areas are rendered (at 300 dpi)

PDFium is opened only when some page must be read: with the readings of earlier runs
(``PageRead``) a page already read is not read again.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

from brochure.ground.boxes import MM
from brochure.ground.words import plural

from .kept import PageRead
from .report import FAIL, PASS, WARN, Report

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
QR_DPI = 300
QR_MAX_PIXELS = 60_000_000      # cap for large posters: render them at lower dpi
QR_QUICK_DPI = 100              # first pass; the close look at QR_DPI only when something is missing
QR_QUICK_PIXELS = 8_000_000

Region = tuple[int, tuple[float, float, float, float]]


def check_text_and_qr(pdf_path: Path, report: Report, expect_urls: list[str] | None,
                       qr_regions: list[Region] | None = None,
                       pages_read: list[PageRead | None] | None = None) -> None:
    """The text and qr checks.  ``pages_read`` (one entry per page, None for a page not kept)
    holds what earlier runs read from each page and receives what this one reads."""
    han = 0
    bad_chars: list[str] = []
    found: dict[str, int] = {}
    opened = []

    def document():
        """PDFium's view of the file, opened (and PDFium loaded) only when a page must be read."""
        if not opened:
            import pypdfium2 as pdfium      # deferred: a page known from the store loads no PDFium
            opened.append(pdfium.PdfDocument(str(pdf_path)))
        return opened[0]

    def decode(img, n) -> list[str]:
        import zxingcpp                     # deferred with PDFium: only for a page rendered

        texts = [c.text for c in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode) if c.valid]
        for text in texts:
            found.setdefault(text, n + 1)
        return texts

    def scan(page, n, dpi, max_pixels):
        w, h = page.get_size()
        scale = min(dpi / 72, math.sqrt(max_pixels / max(w * h, 1)))
        decode(page.render(scale=scale, grayscale=True).to_pil(), n)

    def scan_region(page, n, box) -> list[str]:
        """Render only ``box`` (x0, y0, x1, y1 in page space) with a margin, at QR_DPI."""
        w, h = page.get_size()
        x0, y0, x1, y1 = box
        pad = 3 * MM
        crop = (max(0.0, x0 - pad), max(0.0, y0 - pad), max(0.0, w - x1 - pad), max(0.0, h - y1 - pad))
        return decode(page.render(scale=QR_DPI / 72, crop=crop, grayscale=True).to_pil(), n)

    def missing() -> bool:
        return any(u not in found for u in expect_urls) if expect_urls else not found

    def read_of(n):
        return pages_read[n] if pages_read is not None and n < len(pages_read) else None

    try:
        count = len(pages_read) if pages_read is not None else len(document())
        for n, box in qr_regions or ():
            if not 0 <= n < count:
                continue
            read = read_of(n)
            if read is not None and box in read.qr:      # this very page, decoded before
                for text in read.qr[box]:
                    found.setdefault(text, n + 1)
                continue
            texts = scan_region(document()[n], n, box)
            if read is not None:
                read.qr[box] = tuple(texts)
        quick_pages = not qr_regions or missing()
        for n in range(count):
            read = read_of(n)
            if read is not None and read.han is not None and not quick_pages:
                han += read.han                          # this very page was read before
                if read.garbled:
                    bad_chars.append(f"page {n + 1}: replacement or private-use characters in extracted text")
                continue
            page = document()[n]
            text = page.get_textpage().get_text_range()     # all of the page's text, in order
            page_han = len(HAN.findall(text))
            garbled = "\ufffd" in text or any("\ue000" <= ch <= "\uf8ff" for ch in text)
            han += page_han
            if read is not None:
                read.han, read.garbled = page_han, garbled
            if garbled:
                bad_chars.append(f"page {n + 1}: replacement or private-use characters in extracted text")
            if quick_pages:
                # a quick look first: print-size QR codes decode at low resolution
                scan(page, n, QR_QUICK_DPI, QR_QUICK_PIXELS)
        if missing() and (quick_pages or expect_urls):
            for n in range(count):   # then a close look, for small or dense codes
                scan(document()[n], n, QR_DPI, QR_MAX_PIXELS)
    finally:
        if opened:
            opened[0].close()

    if han == 0:
        report.add("text", FAIL, "提取不到中文文字（字体可能被转曲或映射错误）",
                   "no Chinese text can be extracted (outlined text or a broken font mapping)")
    elif bad_chars:
        report.add("text", WARN, "部分文字提取为乱码", "some text extracts as garbage", bad_chars)
    else:
        report.add("text", PASS, f"可提取 {han} 个汉字", f"{han} Han characters extract")

    lines = [f"page {p}: {url}" for url, p in found.items()]
    if expect_urls:
        missing = [u for u in expect_urls if u not in found]
        if missing:
            report.add("qr", FAIL, "二维码缺失、无法识别或网址不符", "QR code missing, unreadable or wrong",
                       [f"expected {u}" for u in missing] + [f"found {line}" for line in lines])
            return
        report.add("qr", PASS, f"{len(found)} 个二维码可识别且网址正确",
                   f"{plural(len(found), 'QR code')} decode to the expected URLs", lines)
    elif found:
        report.add("qr", PASS, f"{len(found)} 个二维码可识别", f"{plural(len(found), 'QR code')} decode", lines)
    else:
        report.add("qr", PASS, "未发现二维码", "no QR codes found")



def text_and_qr(pdf: Path, report: Report, expect_urls, qr_regions, pages_read=None) -> None:
    """``check_text_and_qr``, reporting a renderer crash as a failed text check instead of raising."""
    try:
        check_text_and_qr(pdf, report, expect_urls, qr_regions, pages_read)
    except Exception as e:     # a renderer crash must not hide the other results
        report.add("text", FAIL, f"无法渲染或提取文字（{e}）", f"cannot render or extract text ({e})")
