"""The ink check: maximum total ink inside the bleed box, by one of two strategies.

* Thorough (``brochure preflight``): a Ghostscript CMYK render at ~20 dpi.
* Quick (every build): from the file's own numbers -- each CMYK colour painted (with
  K overprinting what lies under it) and each image's samples (kept in the store by
  the image's bytes, kind "ink").

Both note what they measure in one ``_Tally``, which decides pass / warn / fail and
words the check; they differ only in how they measure.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import shutil
import subprocess
import tempfile
from pathlib import Path

from pikepdf import Name, PdfImage

from brochure.ground.boxes import MM

from ..kept import Store
from ..report import FAIL, PASS, WARN, Report
from ..scan import Scan, cs_name

KIND = "ink"
INK_DPI = 20
#: Per cent above the limit still within it: what rounds to the limit.  Every figure is shown rounded to a
#: whole per cent, and a figure shown above the limit is never a pass ("302% ≤ 300%" was).
INK_TOLERANCE = 0.5
INK_FAIL_AREA_MM2 = 25.0        # over-limit area that fails (a 5 x 5 mm patch)
INK_BAND_PIXELS = 1_000_000     # image samples summed at a time by the quick ink check
INK_FULL_PIXELS = 4_000_000     # larger JPEGs are read at half resolution
INK_NOTE_AREA_MM2 = 1.0         # smaller areas of an image (JPEG noise, a few samples) are not reported


class _Tally:
    """The worst total ink seen and the places over the limit, whichever way they were measured."""

    def __init__(self, limit: float):
        self.limit = limit
        self.worst, self.worst_page = 0.0, 0
        self.problems: list[str] = []
        self.fail = False

    def over(self, tac: float) -> bool:
        """Whether ``tac`` is over the limit as it is shown: rounded to a whole per cent."""
        return round(tac) > self.limit

    def note(self, page: int, tac: float, what: str = "", area: float | None = None, least: float = 0.0) -> None:
        """``tac`` % measured on ``page``: at a point (``area`` None, over the limit fails) or
        over ``area`` mm² (noted from ``least`` mm², failing from INK_FAIL_AREA_MM2)."""
        if tac > self.worst:
            self.worst, self.worst_page = tac, page
        if not self.over(tac):
            return
        where = f"page {page}: {what} " if what else f"page {page}: "
        if area is None:
            self.problems.append(f"{where}{tac:.0f}%")
            self.fail = True
        elif area >= least:
            self.problems.append(f"{where}max {tac:.0f}%, {area:.0f} mm² over {self.limit:.0f}%")
            self.fail = self.fail or area >= INK_FAIL_AREA_MM2

    def add_to(self, report: Report, *, basis: tuple[str, str] = ("", ""),
               unread: tuple[str, str] = ("", "")) -> None:
        """The ink check; ``basis`` says how it was measured, ``unread`` that some images could not be."""
        limit, worst = self.limit, self.worst
        problems = list(dict.fromkeys(self.problems))
        if self.fail:
            report.add("ink", FAIL, f"总墨量超过 {limit:.0f}%（最高 {worst:.0f}%，第 {self.worst_page} 页）",
                       f"total ink over {limit:.0f}% (max {worst:.0f}% on page {self.worst_page})", problems)
        elif problems:
            report.add("ink", WARN, f"少量区域总墨量超过 {limit:.0f}%{unread[0]}",
                       f"small areas over {limit:.0f}% total ink{unread[1]}", problems)
        elif self.over(worst):
            report.add("ink", PASS, f"总墨量不超过 {limit:.0f}%，仅图片中零星像素达 {worst:.0f}%（每张不到 1 平方毫米）",
                       f"total ink within {limit:.0f}%; only isolated image samples reach {worst:.0f}% "
                       f"(under {INK_NOTE_AREA_MM2:.0f} mm² per image)")
        else:
            report.add("ink", PASS, f"最大总墨量 {worst:.0f}% ≤ {limit:.0f}%{basis[0]}",
                       f"max total ink {worst:.0f}% ≤ {limit:.0f}%{basis[1]}")


# --- thorough: a render ----------------------------------------------------------

def check_ink_render(pdf_path: Path, report: Report, *, limit: float) -> None:
    """Total ink on a Ghostscript CMYK render of every page (at INK_DPI, inside the bleed box)."""
    gs = shutil.which("gs")
    if gs is None:
        report.add("ink", WARN, "未安装 Ghostscript，无法检查总墨量",
                   "Ghostscript not installed; total ink not checked")
        return
    from PIL import Image          # deferred: only the thorough check and image samples need Pillow

    tally = _Tally(limit)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(
                [gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiff32nc", f"-r{INK_DPI}",
                 "-dUseBleedBox", f"-sOutputFile={tmp}/p%04d.tif", str(pdf_path)],
                check=True, capture_output=True, timeout=300)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            report.add("ink", WARN, "Ghostscript 渲染失败，无法检查总墨量",
                       "Ghostscript failed to render; total ink not checked",
                       [str(getattr(e, "stderr", b"") or e)[:300]])
            return
        px_area = (25.4 / INK_DPI) ** 2
        for n, f in enumerate(sorted(Path(tmp).glob("p*.tif")), 1):
            with Image.open(f) as im:
                if im.width > 2 and im.height > 2:   # the outermost pixels may catch marks at the edge
                    im = im.crop((1, 1, im.width - 1, im.height - 1))
                data = im.convert("CMYK").tobytes()
            scale = 100 / 255
            totals = [sum(data[i:i + 4]) * scale for i in range(0, len(data), 4)]
            over = sum(1 for t in totals if t > limit + INK_TOLERANCE)
            tally.note(n, max(totals, default=0.0), area=over * px_area)
    tally.add_to(report)


# --- quick: the file's own numbers -----------------------------------------------

def check_ink_values(scan: Scan, report: Report, *, limit: float, store: Store | None = None) -> None:
    """Total ink from the file's own numbers: every CMYK colour painted and every image's samples.

    Only what is painted inside the bleed box counts (crop marks are outside).  A
    colour painted with overprint adds its inks to those of every colour painted in
    an area that meets its own (the worst case of what may lie under it).  Images
    are read sample by sample, finer than the thorough check's render.
    """
    tally = _Tally(limit)
    for page, paints in scan.paints.items():
        bleed = scan.bleed.get(page, (-math.inf, -math.inf, math.inf, math.inf))
        # crop marks and the slug are outside the bleed box: they are cut off, not printed on the sheet
        inside = [(c, _grown(box), op) for c, box, op in paints if _meets(_grown(box), bleed)]
        under = [(c, box) for c, box, op in inside if not op]
        for c, box, op in inside:
            name = "colour C{:.0f} M{:.0f} Y{:.0f} K{:.0f}".format(*(100 * v for v in c))
            tac = sum(c)
            if op:       # its inks add to those of what it overlaps, where it has none of its own
                tac += max((sum(b[i] for i in range(4) if c[i] == 0) for b, bbox in under if _meets(bbox, box)),
                           default=0.0)
                name = "overprinted " + name
            tally.note(page, 100 * tac, name)
    seen: dict[tuple, tuple[float, float] | None] = {}
    for im in scan.images:
        if im.obj is None or im.width_pt <= 0 or im.height_pt <= 0:
            continue
        key = im.obj.objgen if im.obj.is_indirect else (id(im.obj), 0)
        if key not in seen:
            try:
                seen[key] = image_ink(im.obj, limit, store)
            except Exception as e:         # an image Pillow cannot read: say so, do not guess
                tally.problems.append(f"page {im.page}: {im.name} could not be read for ink ({e})")
                seen[key] = None
        got = seen[key]
        if got is not None:
            tac, fraction = got
            tally.note(im.page, tac, im.name, fraction * (im.width_pt / MM) * (im.height_pt / MM), INK_NOTE_AREA_MM2)
    tally.add_to(report, basis=("（按颜色值与图片像素计算）", " (from colour values and image samples)"),
                 unread=("，或有图片无法读取", ", or images that could not be read"))


def _meets(a, b, eps: float = 0.1) -> bool:
    """Whether two areas overlap by more than ``eps`` pt (touching edges do not count)."""
    return a[0] < b[2] - eps and b[0] < a[2] - eps and a[1] < b[3] - eps and b[1] < a[3] - eps


def _grown(box, by: float = 0.5):
    """A point (a text origin) or a hairline has some extent."""
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def image_ink(xo, limit: float, store: Store | None = None) -> tuple[float, float] | None:
    """(maximum total ink %, fraction of samples over ``limit``) of a CMYK image XObject; None if not CMYK.

    Read at full resolution up to 4 megapixels (a reduced decode averages away the
    darkest samples), larger ones at half resolution.  The answer depends only on the
    image's bytes, so it is kept in ``store`` (a photo that did not change is not
    decoded again on the next build).
    """
    desc = cs_name(xo.get("/ColorSpace"))
    if desc not in ("/DeviceCMYK", "/ICCBased(4)"):
        return None
    decode = xo.get("/Decode")
    inverted = decode is not None and len(decode) >= 2 and float(decode[0]) > float(decode[1])
    filters = xo.get("/Filter")
    filters = [str(filters)] if isinstance(filters, Name) else [str(f) for f in (filters or [])]
    raw = xo.read_raw_bytes()
    h = hashlib.sha256(raw)             # (raw + the rest would copy a poster's photo just for its key)
    h.update(repr((filters, inverted, desc, limit, INK_TOLERANCE)).encode())
    key = h.hexdigest()
    kept = store.get(KIND, key) if store is not None else None
    if kept is not None:
        try:
            got = json.loads(kept)
            return float(got["max"]), float(got["over"])
        except (ValueError, KeyError, TypeError):
            pass                        # not a reading: measure again
    result = _measure(xo, raw, filters, inverted, limit)
    if result is not None and store is not None:
        store.put(KIND, key, json.dumps({"max": result[0], "over": result[1]}).encode("utf-8"))
    return result


def _measure(xo, raw: bytes, filters: list[str], inverted: bool, limit: float) -> tuple[float, float] | None:
    """Decode the image and sum its inks, in bands of rows."""
    from PIL import Image          # deferred: a build whose image readings are all kept never loads Pillow

    if filters == ["/DCTDecode"]:
        im = Image.open(io.BytesIO(raw))
        if im.width * im.height > INK_FULL_PIXELS:
            # a banner-sized photo at half its resolution: still finer than print can show,
            # and a quarter of the memory (images.prepare loads Pillow: imported here, not above)
            from brochure.images.prepare import decode_reduced

            decode_reduced(im, 2)
        im = im.convert("CMYK") if im.mode != "CMYK" else im
        # Pillow already inverts an Adobe CMYK JPEG; the Decode array says what PDF does
        invert = ("adobe" in im.info) != inverted
    else:
        im = PdfImage(xo).as_pil_image()
        if im.mode != "CMYK":
            return None
        invert = inverted
    im.load()
    threshold = (limit + INK_TOLERANCE) * 255 / 100
    over_test = f"t < {4 * 255 - threshold}" if invert else f"t > {threshold}"
    hi, over = 0, 0
    # in bands of rows: the 32-bit sum of a poster-sized photo would take 4 bytes per pixel at once
    band = max(1, INK_BAND_PIXELS // max(1, im.width))
    for top in range(0, im.height, band):
        c, m, y, k = im.crop((0, top, im.width, min(im.height, top + band))).split()
        total = _image_math("c + m + y + k", c=c, m=m, y=y, k=k)
        lo_band, hi_band = total.getextrema()
        worst = 4 * 255 - lo_band if invert else hi_band
        hi = max(hi, worst)
        if worst > threshold:
            over += _image_math(over_test, t=total).convert("L").histogram()[1]
    return (hi * 100 / 255, over / max(1, im.width * im.height))


def _image_math(expression: str, **images):
    """Pillow's ImageMath on our own fixed expressions (``unsafe_eval`` from Pillow 10.3, ``eval`` before)."""
    from PIL import ImageMath       # deferred with Pillow (see _measure)

    return (getattr(ImageMath, "unsafe_eval", None) or ImageMath.eval)(expression, **images)
