"""QR codes as vector art: K100 modules on a knocked-out white square with its quiet zone.

The ``qrcode`` package only computes the module matrix; drawing is ours, as one
filled path of merged horizontal runs, so the code stays sharp at any size and
prints on the black plate only.  ``size_pt`` always means the whole white
square, quiet zone included.
"""
from __future__ import annotations


import qrcode
from qrcode.exceptions import DataOverflowError

from brochure.ground.errors import PressError
from brochure.ground.colour import cmyk
from brochure.ground.boxes import MM
from brochure.ground.rules import QR_MIN_MODULE_MM as MIN_MODULE_MM     # smaller modules are unreliable off a press

#: The white border round a code, in modules, on each side (ISO/IEC 18004 asks for four).
QUIET_MODULES = 4
MIN_SIZE_MM = 20.0         # hand-held scanning needs at least 2 cm
EC_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


def qr_matrix(url: str, ec: str = "Q") -> list[list[bool]]:
    """The module matrix for ``url`` (no quiet zone); True is a dark module.  About 5 ms: made per drawing."""
    q = _qr(str(url), ec)
    try:
        q.make(fit=True)
    except (DataOverflowError, ValueError):   # ValueError: would need version > 40
        raise _too_long(str(url)) from None
    return [list(row) for row in q.get_matrix()]


def _too_long(url: str) -> PressError:
    return PressError(f"网址太长，无法做成二维码（{len(url)} 个字符）。请使用短网址。",
                      f"the URL is too long for a QR code ({len(url)} characters). Use a shortened URL.")


def _qr(url: str, ec: str):
    if not url:
        raise PressError("二维码网址为空。请在 content.yaml 中填写 online_url。",
                         "the QR code URL is empty. Fill in online_url in content.yaml.")
    try:
        level = EC_LEVELS[ec.upper()]
    except KeyError:
        raise ValueError(f"ec must be one of L, M, Q, H, not {ec!r}") from None
    q = qrcode.QRCode(error_correction=level, border=0, box_size=1)
    q.add_data(url)
    return q


def qr_modules(url: str, ec: str = "Q") -> int:
    """Width of the symbol in modules, without the quiet zone (from the version; no mask is chosen)."""
    q = _qr(str(url), ec)
    try:
        version = q.best_fit()
    except (DataOverflowError, ValueError):
        raise _too_long(str(url)) from None
    return 17 + 4 * version


def qr_size_for_distance(distance_m: float, modules: int, *, quiet: int = QUIET_MODULES) -> float:
    """Printed size (pt, quiet zone included) for scanning from ``distance_m`` metres.

    The rule of thumb is size >= distance / 10, meant for a small code (25
    modules plus the quiet zone, 33 in all).  Denser codes need the same
    module size, so the module is derived from the distance (distance / 330,
    never below 0.4 mm) and the size from the module count; the result is
    never below distance / 10 nor 2 cm.
    """
    if distance_m <= 0 or modules <= 0:
        raise ValueError("distance and modules must be positive")
    distance_mm = distance_m * 1000
    module_mm = max(MIN_MODULE_MM, distance_mm / 10 / (25 + 8))
    size_mm = max(MIN_SIZE_MM, distance_mm / 10, module_mm * (modules + 2 * quiet))
    return size_mm * MM


def qr_size(url: str, distance_m: float | None = None, *, code: float | None = None, ec: str = "Q") -> float:
    """Printed size (pt, quiet zone included) of the QR code for ``url``: the code itself (its modules)
    ``code`` pt wide with the quiet zone around it (the back cover), else sized for scanning from
    ``distance_m`` metres (``qr_size_for_distance``: a poster)."""
    n = qr_modules(url, ec)
    if code is not None:
        return code * (n + 2 * QUIET_MODULES) / n
    if distance_m is None:
        raise ValueError("qr_size needs a scanning distance or the code's width")
    return qr_size_for_distance(distance_m, n)


def draw_qr(canvas, url: str, x: float, y: float, size_pt: float, *, ec: str = "Q",
            quiet: int = QUIET_MODULES, color: tuple[float, float, float, float] = (0, 0, 0, 100)) -> float:
    """Draw a QR code for ``url`` with the white square's lower-left at (x, y).

    Returns the module size in pt.  Raises PressError when the URL cannot be
    encoded or its modules would be smaller than 0.4 mm at this size.
    """
    matrix = qr_matrix(url, ec)
    n = len(matrix)
    module = size_pt / (n + 2 * quiet)
    if module < MIN_MODULE_MM * MM:
        need = MIN_MODULE_MM * (n + 2 * quiet)
        raise PressError(
            f"网址对 {size_pt / MM:.0f} mm 的二维码来说太长（每个点只有 {module / MM:.2f} mm，"
            f"至少需要 {MIN_MODULE_MM} mm）。请使用短网址，或把二维码放大到 {need:.0f} mm 以上。",
            f"the URL is too long for a {size_pt / MM:.0f} mm QR code (modules of "
            f"{module / MM:.2f} mm, at least {MIN_MODULE_MM} mm needed). Use a shortened URL "
            f"or make the code at least {need:.0f} mm.")
    canvas.saveState()
    try:
        canvas.setFillColor(cmyk(0, 0, 0, 0))
        canvas.rect(x, y, size_pt, size_pt, stroke=0, fill=1)
        canvas.setFillColor(cmyk(*color))
        path = canvas.beginPath()
        origin_x = x + quiet * module
        top = y + size_pt - quiet * module
        for r, row in enumerate(matrix):
            c = 0
            while c < n:
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < n and row[c]:
                    c += 1
                path.rect(origin_x + start * module, top - (r + 1) * module,
                          (c - start) * module, module)
        canvas.drawPath(path, stroke=0, fill=1, fillMode=1)
    finally:
        canvas.restoreState()
    return module
