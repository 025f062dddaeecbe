"""Checks of content against what the layout can print, made before any page is composed."""
from __future__ import annotations

from brochure.content.model import Content
from brochure.draw.qr import qr_modules
from brochure.ground.boxes import MM
from brochure.ground.errors import ContentError, PressError
from brochure.ground.rules import QR_MIN_MODULE_MM as MIN_MODULE_MM
from brochure.layout.back import QR_CODE


def check_qr(content: Content) -> None:
    """The back cover prints its QR code ``QR_CODE`` wide (the quiet zone around it): refuse a URL
    too long to scan there, at its line.  The loader has refused one longer than any code can be
    scanned (``rules.QR_URL_MAX_BYTES``); here the module size is held to ``rules.QR_MIN_MODULE_MM``."""
    url = content.document.online_url

    def module_mm(u: str) -> float:
        try:
            return QR_CODE / MM / qr_modules(u, "Q")
        except PressError:
            return 0.0

    got = module_mm(url)
    if got >= MIN_MODULE_MM:
        return
    lo, hi = 0, len(url)            # the longest prefix that still fits: the length to aim for
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if module_mm(url[:mid]) >= MIN_MODULE_MM:
            lo = mid
        else:
            hi = mid - 1
    size = QR_CODE / MM
    n = len(url.encode("utf-8"))
    raise ContentError(
        f"二维码网址太长（{n} 字节）：印成 {size:.0f} mm 的二维码时每个点只有 {got:.2f} mm（至少要 {MIN_MODULE_MM} mm），"
        f"手机扫不出来。请改用不超过 {lo} 个字符的短网址。",
        f"the QR code URL is too long ({n} bytes): printed as a {size:.0f} mm code its modules would be "
        f"{got:.2f} mm (at least {MIN_MODULE_MM} mm needed), too small to scan. Use a short URL of at most {lo} characters.",
        url.where,
    )
