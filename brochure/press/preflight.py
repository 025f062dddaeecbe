"""Preflight: read a finished PDF the way a print shop would and report what is wrong.

``preflight`` only reads the file (with pikepdf, pypdfium2, Ghostscript and
zxing-cpp, independent of how it was made) and returns a ``Report`` of checks,
each pass / warn / fail with a Chinese and an English message:

* pdfx      -- OutputIntent /GTS_PDFX, identification keys, PDF version, Trapped, dates, /ID
* boxes     -- MediaBox, BleedBox, TrimBox on every page, nested, bleed >= 3 mm
* fonts     -- every font embedded; Type3 fonts flagged
* images    -- colour space of every image, effective ppi from its placement
* colour    -- colour operators and colour spaces in content streams (no RGB)
* transparency -- none in PDF/X-1a
* ink       -- maximum total ink inside the bleed box.  Thorough (``brochure preflight``):
               a Ghostscript CMYK render at ~20 dpi.  Quick (every build): from the
               file's own numbers -- each CMYK colour painted (with K overprinting what
               lies under it) and each image's samples (kept in the cache by content)
* text      -- text extracts and contains Chinese (Han) characters
* qr        -- QR codes on the rendered pages decode (and match the expected URLs).  Given
               where the codes were placed, only those areas are rendered (at 300 dpi)

It writes nothing; ``main_preflight`` is the command-line wrapper that prints
the summary and writes FILE.preflight.json beside the PDF.
"""
from __future__ import annotations

import contextlib
import json
import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Name

from brochure.ground.store import cache_dir, write_atomic
from brochure.ground.errors import BrochureError

from brochure.ground.boxes import MM

PASS, WARN, FAIL = "pass", "warn", "fail"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
INK_DPI = 20
QR_DPI = 300
QR_MAX_PIXELS = 60_000_000      # cap for large posters: render them at lower dpi
QR_QUICK_DPI = 100              # first pass; the close look at QR_DPI only when something is missing
QR_QUICK_PIXELS = 8_000_000
INK_TOLERANCE = 2.0             # percent, for rounding in JPEG and rendering
INK_FAIL_AREA_MM2 = 25.0        # over-limit area that fails (a 5 x 5 mm patch)
INK_BAND_PIXELS = 1_000_000     # image samples summed at a time by the quick ink check
INK_FULL_PIXELS = 4_000_000     # larger JPEGs are read at half resolution
INK_NOTE_AREA_MM2 = 1.0         # smaller areas of an image (JPEG noise, a few samples) are not reported
BOX_EPS = 0.01                  # pt

RGB_SPACES = {"/DeviceRGB", "/CalRGB", "/RGB"}
OK_DEVICE_SPACES = {"/DeviceCMYK", "/DeviceGray", "/CMYK", "/G", "/CalGray"}


@dataclass
class Check:
    name: str
    status: str                      # pass | warn | fail
    zh: str
    en: str
    details: list[str] = field(default_factory=list)

    def line(self) -> str:
        mark = {PASS: "✓", WARN: "!", FAIL: "✗"}[self.status]
        return f"{mark} {self.name}: {self.zh} / {self.en}"


@dataclass
class Report:
    path: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def by_name(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def add(self, name: str, status: str, zh: str, en: str, details: list[str] | None = None) -> Check:
        c = Check(name, status, zh, en, list(details or []))
        self.checks.append(c)
        return c

    def summary(self) -> str:
        fails = sum(c.status == FAIL for c in self.checks)
        warns = sum(c.status == WARN for c in self.checks)
        if fails:
            head = f"印前检查未通过：{fails} 项错误，{warns} 项警告 / preflight FAILED: {fails} errors, {warns} warnings"
        elif warns:
            head = f"印前检查通过，有 {warns} 项警告 / preflight passed with {warns} warnings"
        else:
            head = "印前检查通过 / preflight passed"
        lines = [f"{self.path}: {head}"]
        for c in self.checks:
            if c.status != PASS:
                lines.append("  " + c.line())
                lines.extend(f"      {d}" for d in c.details[:5])
                if len(c.details) > 5:
                    lines.append(f"      … (+{len(c.details) - 5})")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps({"path": self.path, "ok": self.ok,
                           "checks": [asdict(c) for c in self.checks]},
                          ensure_ascii=False, indent=2)


# --- content stream walking ----------------------------------------------------

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF order: CTM' = m x CTM with n = CTM)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


@dataclass
class _Placement:
    page: int
    name: str
    width_px: int
    height_px: int
    width_pt: float
    height_pt: float
    colorspace: str
    obj: object = None             # the image XObject (None for inline images)


@dataclass
class _Scan:
    images: list[_Placement] = field(default_factory=list)
    colour_problems: list[str] = field(default_factory=list)
    fonts: dict[tuple, tuple[int, str, object]] = field(default_factory=dict)
    # per page: (CMYK 0..1, area painted as (x0, y0, x1, y1) in page space, overprint?)
    paints: dict[int, set] = field(default_factory=dict)
    bleed: dict[int, tuple] = field(default_factory=dict)


#: Operators that paint with the fill colour, the stroke colour, or both (text: at ET).
_FILL_OPS = {"f", "F", "f*"}
_STROKE_OPS = {"S", "s"}
_BOTH_OPS = {"B", "B*", "b", "b*"}
_PATH_OPS = {"m", "l", "c", "v", "y", "re"}
_COLOUR_OPS = {"k", "K", "g", "G", "sc", "scn", "SC", "SCN", "cs", "CS", "rg", "RG", "gs"}
#: What the walk reads (the rest, glyph strings above all, is skipped while parsing).
_WALK_OPS = " ".join(sorted({"q", "Q", "cm", "sh", "Do", "BI", "ID", "EI", "BT", "ET", "Tr", "Tm", "Td", "TD", "n"}
                            | _COLOUR_OPS | _FILL_OPS | _STROKE_OPS | _BOTH_OPS | _PATH_OPS))


@dataclass
class _Colour:
    """The colour part of the graphics state: current fill/stroke CMYK (None: not process CMYK) and overprint."""

    fill: tuple | None = (0.0, 0.0, 0.0, 1.0)
    stroke: tuple | None = (0.0, 0.0, 0.0, 1.0)
    fill_space: str = "/DeviceGray"
    stroke_space: str = "/DeviceGray"
    op_fill: bool = False
    op_stroke: bool = False

    def copy(self) -> "_Colour":
        return _Colour(self.fill, self.stroke, self.fill_space, self.stroke_space, self.op_fill, self.op_stroke)


def _cmyk_of(space: str, values: list[float]) -> tuple | None:
    """Process CMYK (0..1) of a colour in ``space``; None for spot colours (Separation, e.g. registration)."""
    if space in ("/DeviceCMYK", "/CMYK") and len(values) == 4:
        return tuple(values)
    if space in ("/DeviceGray", "/G", "/CalGray") and len(values) == 1:
        return (0.0, 0.0, 0.0, 1.0 - values[0])
    return None


def _cs_name(cs, resources=None) -> str:
    """A short description of a colour space object: /DeviceRGB, /ICCBased(3), /Separation ..."""
    if cs is None:
        return "none"
    if isinstance(cs, Name):
        key = str(cs)
        if resources is not None and key not in RGB_SPACES | OK_DEVICE_SPACES | {"/Pattern"}:
            table = resources.get("/ColorSpace")
            if table is not None and key in table:
                return _cs_name(table[key])
        return key
    if isinstance(cs, pikepdf.Array) and len(cs) > 0:
        family = str(cs[0])
        if family == "/ICCBased":
            try:
                return f"/ICCBased({int(cs[1].get('/N', 0))})"
            except (TypeError, ValueError, AttributeError):
                return "/ICCBased"
        if family == "/Indexed":
            return f"/Indexed({_cs_name(cs[1])})"
        if family in ("/Separation", "/DeviceN"):
            return f"{family}({_cs_name(cs[2])})"
        return family
    return str(cs)


def _cs_bad(desc: str, x4: bool) -> bool:
    """Whether a colour space description is not allowed (X-1a: any RGB/ICC/Lab; X-4: device RGB)."""
    if "/DeviceRGB" in desc or "/CalRGB" in desc or desc == "/RGB":
        return True
    if not x4 and ("/ICCBased" in desc or "/Lab" in desc):
        # a Separation/DeviceN alternate may be anything in X-4, not in X-1a
        return True
    return False


def _walk(container, resources, ctm: Matrix, page_no: int, scan: _Scan, x4: bool, seen: set) -> None:
    """Follow one content stream, tracking the CTM to image placements and colour operators."""
    if resources is None:
        resources = pikepdf.Dictionary()
    _note_fonts(resources, page_no, scan)
    stack: list[tuple[Matrix, _Colour]] = []
    colour = _Colour()
    paints = scan.paints.setdefault(page_no, set())
    subpaths: list[list[tuple[float, float]]] = []    # points of the current path, in page space
    text_matrix = line_matrix = IDENTITY

    def at(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = ctm
        return (a * x + c * y + e, b * x + d * y + f)

    def area(points) -> tuple[float, float, float, float]:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return (min(xs), min(ys), max(xs), max(ys))

    in_text, text_mode, text_at = False, 0, []

    def paint(box, fill: bool, stroke: bool) -> None:
        if fill and colour.fill is not None:
            paints.add((colour.fill, box, colour.op_fill))
        if stroke and colour.stroke is not None:
            paints.add((colour.stroke, box, colour.op_stroke))

    def paint_text() -> None:
        """Text shown since BT (or the last colour change) is painted at the text positions seen."""
        if text_mode in (3, 7):          # invisible (OCR layers, clipping)
            text_at.clear()
            return
        for x, y in text_at:
            paint((x, y, x, y), text_mode in (0, 2, 4, 6), text_mode in (1, 2, 5, 6))
        text_at.clear()

    try:
        # only the operators that matter here: skipping the glyph strings (TJ, Tj) halves the time
        instructions = pikepdf.parse_content_stream(container, _WALK_OPS)
    except pikepdf.PdfError as e:
        scan.colour_problems.append(f"page {page_no}: unreadable content stream ({e})")
        return
    xobjects = resources.get("/XObject")
    for operands, op in instructions:
        op = str(op)
        if op in _PATH_OPS:
            numbers = [float(v) for v in operands]
            if op == "re" and len(numbers) == 4:
                x, y, w, h = numbers
                subpaths.append([at(x, y), at(x + w, y), at(x, y + h), at(x + w, y + h)])
            elif op == "m" or not subpaths:
                subpaths.append([at(numbers[i], numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)])
            else:
                subpaths[-1] += [at(numbers[i], numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]
            continue
        if op in _FILL_OPS or op in _STROKE_OPS or op in _BOTH_OPS or op == "n":
            # each subpath by itself: crop marks are one path of many short lines around the page
            for points in subpaths:
                if points:
                    paint(area(points), op in _FILL_OPS or op in _BOTH_OPS, op in _STROKE_OPS or op in _BOTH_OPS)
            subpaths = []
            continue
        if in_text and op in _COLOUR_OPS:
            paint_text()                     # what was shown so far had the colour before this one
        if op == "BT":
            in_text, text_matrix, line_matrix = True, IDENTITY, IDENTITY
            text_at.clear()
        elif op == "ET":
            paint_text()
            in_text = False
        elif op == "Tr" and operands:
            text_mode = int(operands[0])
        elif op == "Tm" and len(operands) == 6:
            text_matrix = line_matrix = tuple(float(v) for v in operands)
            text_at.append(at(text_matrix[4], text_matrix[5]))
        elif op in ("Td", "TD") and len(operands) == 2:
            text_matrix = line_matrix = _mul((1.0, 0.0, 0.0, 1.0, float(operands[0]), float(operands[1])), line_matrix)
            text_at.append(at(text_matrix[4], text_matrix[5]))
        elif op == "q":
            stack.append((ctm, colour.copy()))
        elif op == "Q":
            ctm, colour = stack.pop() if stack else (ctm, colour)
        elif op == "cm" and len(operands) == 6:
            ctm = _mul(tuple(float(v) for v in operands), ctm)
        elif op in ("k", "K", "g", "G"):
            space = "/DeviceCMYK" if op in ("k", "K") else "/DeviceGray"
            value = _cmyk_of(space, [float(v) for v in operands])
            if op.islower():
                colour.fill, colour.fill_space = value, space
            else:
                colour.stroke, colour.stroke_space = value, space
        elif op in ("sc", "scn", "SC", "SCN"):
            numbers = [float(v) for v in operands if _is_number(v)]
            if op.islower():
                colour.fill = _cmyk_of(colour.fill_space, numbers)
            else:
                colour.stroke = _cmyk_of(colour.stroke_space, numbers)
        elif op == "gs" and operands:
            states = resources.get("/ExtGState")
            state = states.get(str(operands[0])) if states is not None else None
            if state is not None:
                op_stroke = state.get("/OP")
                if op_stroke is not None:
                    colour.op_stroke = bool(op_stroke)
                    colour.op_fill = bool(op_stroke)      # /op defaults to /OP
                if state.get("/op") is not None:
                    colour.op_fill = bool(state.get("/op"))
        elif op in ("rg", "RG"):
            scan.colour_problems.append(f"page {page_no}: RGB colour operator {op} {[float(v) for v in operands]}")
            if op == "rg":
                colour.fill = None
            else:
                colour.stroke = None
        elif op in ("cs", "CS") and operands:
            desc = _cs_name(operands[0], resources)
            if _cs_bad(desc, x4):
                scan.colour_problems.append(f"page {page_no}: colour space {desc} ({op})")
            initial = (0.0, 0.0, 0.0, 1.0) if desc in ("/DeviceCMYK", "/CMYK") else None
            if op == "cs":
                colour.fill_space, colour.fill = desc, initial
            else:
                colour.stroke_space, colour.stroke = desc, initial
        elif op == "sh" and operands:
            shadings = resources.get("/Shading")
            if shadings is not None and str(operands[0]) in shadings:
                desc = _cs_name(shadings[str(operands[0])].get("/ColorSpace"), resources)
                if _cs_bad(desc, x4):
                    scan.colour_problems.append(f"page {page_no}: shading in {desc}")
        elif op == "INLINE IMAGE":
            iimage = operands[0]
            try:
                d = iimage.obj
                cs = d.get("/ColorSpace", d.get("/CS"))
                w = int(d.get("/Width", d.get("/W", 0)))
                h = int(d.get("/Height", d.get("/H", 0)))
            except Exception:
                continue
            desc = "/DeviceGray" if cs is None else _cs_name(cs, resources)
            _place(scan, page_no, "inline image", w, h, ctm, desc)
        elif op == "Do" and operands and xobjects is not None:
            name = str(operands[0])
            if name not in xobjects:
                continue
            xo = xobjects[name]
            sub = xo.get("/Subtype")
            if sub == Name.Image:
                if xo.get("/ImageMask") is True:
                    desc = "ImageMask"
                else:
                    desc = _cs_name(xo.get("/ColorSpace"), resources)
                _place(scan, page_no, name, int(xo.get("/Width", 0)), int(xo.get("/Height", 0)), ctm, desc, xo)
            elif sub == Name.Form:
                key = (xo.objgen, ctm)
                if key in seen:
                    continue
                seen.add(key)
                m = tuple(float(v) for v in xo.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                _walk(xo, xo.get("/Resources", resources), _mul(m, ctm), page_no, scan, x4, seen)


PAGE_CACHE_LIMIT = 2000


def _page_key(page, x4: bool, digests: dict) -> str | None:
    """A digest of everything the checks read from a page: its content, its resources (fonts,
    images, graphics states, colour spaces, recursively and byte for byte) and its boxes.

    None for a page with form XObjects (their own content is walked; not cached).
    """
    import hashlib

    xobjects = (page.obj.get("/Resources") or pikepdf.Dictionary()).get("/XObject")
    if xobjects is not None and any(xobjects[k].get("/Subtype") == Name.Form for k in xobjects.keys()):
        return None
    h = hashlib.sha1(b"x4" if x4 else b"x1a")
    for key in ("/Contents", "/Resources", "/MediaBox", "/BleedBox", "/TrimBox"):
        h.update(key.encode())
        h.update(_digest(page.obj.get(key), digests, set()))
    return h.hexdigest()


def _digest(obj, digests: dict, path: set) -> bytes:
    """A digest of a PDF object and everything it refers to (indirect objects once per file)."""
    import hashlib

    if obj is None:
        return b"-"
    indirect = obj.is_indirect if isinstance(obj, pikepdf.Object) else False
    if indirect:
        og = obj.objgen
        if og in digests:
            return digests[og]
        if og in path:                            # a cycle (e.g. a /Parent link): named, not followed
            return b"cycle"
        path = path | {og}
    h = hashlib.sha1()
    if isinstance(obj, (pikepdf.Stream, pikepdf.Dictionary)):
        if isinstance(obj, pikepdf.Stream):
            h.update(b"S")
            h.update(obj.read_raw_bytes())
        h.update(b"D")
        for k in sorted(obj.keys()):
            if k not in ("/Length", "/Parent"):     # the length is the bytes'; the parent is the page tree
                h.update(k.encode())
                h.update(_digest(obj.get(k), digests, path))
    elif isinstance(obj, pikepdf.Array):
        h.update(b"A")
        for item in obj:
            h.update(_digest(item, digests, path))
    else:
        h.update(repr(obj).encode())
    value = h.digest()
    if indirect:
        digests[obj.objgen] = value
    return value


@dataclass
class _PageRead:
    """What the checks read from one page, without its number: replayed for an identical page."""

    paints: frozenset
    images: tuple                  # (name, width_px, height_px, width_pt, height_pt, colour space)
    problems: tuple                # colour problems, without the "page N: " prefix
    han: int | None = None         # Han characters PDFium extracted (filled in by the text check)
    garbled: bool = False
    qr: dict = field(default_factory=dict)     # QR codes decoded in each placed area of the page

    @classmethod
    def of(cls, scan: "_Scan", n: int, before: tuple[int, int]) -> "_PageRead":
        prefix = f"page {n}: "
        return cls(frozenset(scan.paints.get(n, ())),
                   tuple((im.name, im.width_px, im.height_px, im.width_pt, im.height_pt, im.colorspace)
                         for im in scan.images[before[1]:]),
                   tuple(p[len(prefix):] if p.startswith(prefix) else p for p in scan.colour_problems[before[0]:]))


def _replay(read: _PageRead, page, n: int, scan: "_Scan") -> None:
    resources = page.obj.get("/Resources") or pikepdf.Dictionary()
    _note_fonts(resources, n, scan)
    scan.paints.setdefault(n, set()).update(read.paints)
    xobjects = resources.get("/XObject")
    for name, w, h, wpt, hpt, cs in read.images:
        obj = xobjects.get(name) if xobjects is not None and name != "inline image" else None
        scan.images.append(_Placement(n, name, w, h, wpt, hpt, cs, obj))
    scan.colour_problems.extend(f"page {n}: {p}" for p in read.problems)


def _note_fonts(resources, page_no: int, scan: "_Scan") -> None:
    fonts = resources.get("/Font")
    if fonts is not None:
        for key in fonts.keys():
            f = fonts[key]
            scan.fonts.setdefault(f.objgen if f.is_indirect else (id(f), 0), (page_no, key, f))


def _is_number(v) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def _place(scan: _Scan, page_no: int, name: str, w: int, h: int, ctm: Matrix, desc: str, obj=None) -> None:
    a, b, c, d, _, _ = ctm
    scan.images.append(_Placement(page_no, name, w, h, math.hypot(a, b), math.hypot(c, d), desc, obj))


# --- individual checks -----------------------------------------------------------

def _xmp_value(pdf: pikepdf.Pdf, name: str) -> str:
    """The value of the XMP property ``name`` ({namespace}local), as element or attribute; "" if absent.

    Read with the standard library's XML parser: pikepdf's metadata model loads lxml,
    which costs more than the whole check.
    """
    from xml.etree import ElementTree

    meta = pdf.Root.get("/Metadata")
    if meta is None:
        return ""
    try:
        root = ElementTree.fromstring(meta.read_bytes())
    except (ElementTree.ParseError, pikepdf.PdfError, ValueError):
        return ""
    for element in root.iter():
        if element.tag == name and element.text:
            return element.text.strip()
        if name in element.attrib:
            return element.attrib[name].strip()
    return ""


def _pdfx_flavour(pdf: pikepdf.Pdf) -> str | None:
    info = pdf.trailer.get("/Info")
    version = str(info.get("/GTS_PDFXVersion", "")) if info is not None else ""
    conformance = str(info.get("/GTS_PDFXConformance", "")) if info is not None else ""
    xmp_version = _xmp_value(pdf, "{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion")
    if str(xmp_version).startswith("PDF/X-4"):
        return "PDF/X-4"
    if conformance.startswith("PDF/X-1a") or version.startswith("PDF/X-1"):
        return conformance or version
    if version:
        return version
    return None


def _check_pdfx(pdf: pikepdf.Pdf, report: Report) -> str | None:
    flavour = _pdfx_flavour(pdf)
    problems: list[str] = []
    intents = [oi for oi in pdf.Root.get("/OutputIntents", []) if oi.get("/S") == Name.GTS_PDFX]
    if len(intents) != 1:
        problems.append(f"{len(intents)} GTS_PDFX output intents (need exactly 1)")
    for oi in intents:
        if not str(oi.get("/OutputConditionIdentifier", "")):
            problems.append("output intent without OutputConditionIdentifier")
        profile = oi.get("/DestOutputProfile")
        if profile is None and not str(oi.get("/RegistryName", "")):
            problems.append("output intent has neither DestOutputProfile nor RegistryName")
        if profile is not None and int(profile.get("/N", 0)) != 4:
            problems.append("output profile is not CMYK (N != 4)")
        if profile is None and flavour == "PDF/X-4":
            problems.append("PDF/X-4 needs an embedded output profile")
    if flavour is None:
        problems.append("no GTS_PDFXVersion (not identified as PDF/X)")
    info = pdf.trailer.get("/Info")
    for key in ("/Title", "/CreationDate", "/ModDate", "/Trapped"):
        if info is None or key not in info:
            problems.append(f"Info {key[1:]} missing")
    if info is not None and "/Trapped" in info and str(info.Trapped) not in ("/True", "/False"):
        problems.append(f"Trapped is {info.Trapped} (must be True or False)")
    if "/ID" not in pdf.trailer:
        problems.append("trailer /ID missing")
    if pdf.is_encrypted:
        problems.append("file is encrypted")
    if "/JavaScript" in pdf.Root.get("/Names", {}) or "/OpenAction" in pdf.Root:
        problems.append("JavaScript or OpenAction present")
    version = pdf.pdf_version
    if flavour and flavour.startswith("PDF/X-1a:2001") and version > "1.3":
        problems.append(f"PDF version {version} (PDF/X-1a:2001 needs 1.3)")
    if flavour == "PDF/X-4" and version > "1.6":
        problems.append(f"PDF version {version} (PDF/X-4 allows up to 1.6)")
    if problems:
        report.add("pdfx", FAIL, "不符合 PDF/X 要求", f"not valid {flavour or 'PDF/X'}", problems)
    else:
        report.add("pdfx", PASS, f"{flavour}，输出意图齐全", f"{flavour} with output intent")
    return flavour


def _box(page, key):
    v = page.obj.get(key)
    if v is None:
        inherited = page.obj
        while v is None and "/Parent" in inherited and key == "/MediaBox":
            inherited = inherited.Parent
            v = inherited.get(key)
    return None if v is None else [float(x) for x in v]


def _check_boxes(pdf: pikepdf.Pdf, report: Report) -> None:
    problems: list[str] = []
    for n, page in enumerate(pdf.pages, 1):
        media, bleed, trim = _box(page, "/MediaBox"), _box(page, "/BleedBox"), _box(page, "/TrimBox")
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
    if problems:
        report.add("boxes", FAIL, "页面框（裁切框/出血框）缺失或出血不足 3 毫米",
                   "page boxes missing or bleed under 3 mm", problems)
    else:
        report.add("boxes", PASS, "裁切框、出血框齐全，出血 ≥ 3 毫米", "trim and bleed boxes present, bleed ≥ 3 mm")


def _font_name(font) -> str:
    return str(font.get("/BaseFont", font.get("/Name", "?"))).lstrip("/")


def _check_fonts(scan: _Scan, report: Report) -> None:
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


def _check_images(scan: _Scan, report: Report, *, x4: bool, min_ppi: float) -> None:
    bad_cs, low, very_low = [], [], []
    for im in scan.images:
        if im.colorspace == "ImageMask":
            continue
        if _cs_bad(im.colorspace, x4):
            bad_cs.append(f"page {im.page}: {im.name} in {im.colorspace}")
        if im.width_pt <= 0 or im.height_pt <= 0:
            continue
        ppi = min(im.width_px / (im.width_pt / 72), im.height_px / (im.height_pt / 72))
        where = (f"page {im.page}: {im.name} {ppi:.0f} ppi at "
                 f"{im.width_pt / MM:.0f}×{im.height_pt / MM:.0f} mm")
        if ppi < min_ppi / 2:
            very_low.append(where)
        elif ppi < min_ppi - 0.5:
            low.append(where)
    details = bad_cs + very_low + low
    if bad_cs or very_low:
        report.add("images", FAIL,
                   f"图片颜色不是 CMYK/灰度，或分辨率远低于 {min_ppi:.0f} ppi",
                   f"images not CMYK/grey, or far below {min_ppi:.0f} ppi", details)
    elif low:
        report.add("images", WARN, f"有图片低于 {min_ppi:.0f} ppi", f"images below {min_ppi:.0f} ppi", details)
    else:
        report.add("images", PASS, f"{len(scan.images)} 张图片颜色与分辨率合格",
                   f"{len(scan.images)} images: colour and resolution OK")


def _check_colour(scan: _Scan, report: Report) -> None:
    problems = list(dict.fromkeys(scan.colour_problems))
    if problems:
        report.add("colour", FAIL, "内容中使用了 RGB 颜色（印刷只能用 CMYK）",
                   "RGB colour used in page content (print needs CMYK)", problems)
    else:
        report.add("colour", PASS, "颜色均为 CMYK/灰度/专色", "all colour is CMYK, grey or spot")


def _check_transparency(pdf: pikepdf.Pdf, report: Report, *, x4: bool) -> None:
    from .pdfx import _transparency
    found = _transparency(pdf)
    if found and not x4:
        report.add("transparency", FAIL, "PDF/X-1a 中有透明效果", "transparency in PDF/X-1a", found)
    else:
        report.add("transparency", PASS, "无违规透明效果", "no forbidden transparency")


def _check_ink(pdf_path: Path, report: Report, *, limit: float) -> None:
    gs = shutil.which("gs")
    if gs is None:
        report.add("ink", WARN, "未安装 Ghostscript，无法检查总墨量",
                   "Ghostscript not installed; total ink not checked")
        return
    from PIL import Image
    worst, worst_page, problems, fail = 0.0, 0, [], False
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
            page_max = max(totals, default=0.0)
            over = sum(1 for t in totals if t > limit + INK_TOLERANCE)
            if page_max > worst:
                worst, worst_page = page_max, n
            if over:
                area = over * px_area
                problems.append(f"page {n}: max {page_max:.0f}%, {area:.0f} mm² over {limit:.0f}%")
                fail = fail or area >= INK_FAIL_AREA_MM2
    if fail:
        report.add("ink", FAIL, f"总墨量超过 {limit:.0f}%（最高 {worst:.0f}%，第 {worst_page} 页）",
                   f"total ink over {limit:.0f}% (max {worst:.0f}% on page {worst_page})", problems)
    elif problems:
        report.add("ink", WARN, f"少量区域总墨量超过 {limit:.0f}%", f"small areas over {limit:.0f}% total ink",
                   problems)
    else:
        report.add("ink", PASS, f"最大总墨量 {worst:.0f}% ≤ {limit:.0f}%", f"max total ink {worst:.0f}% ≤ {limit:.0f}%")


def _image_ink(xo, limit: float) -> tuple[float, float] | None:
    """(maximum total ink %, fraction of samples over ``limit``) of a CMYK image XObject; None if not CMYK.

    Read at full resolution up to 4 megapixels (a reduced decode averages away the
    darkest samples), larger ones at half resolution.  The answer depends only on the image's bytes, so it is kept in the cache (a photo
    that did not change is not decoded again on the next build).
    """
    import hashlib
    import io

    cs = xo.get("/ColorSpace")
    desc = _cs_name(cs)
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
    cache = cache_dir("ink")
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        got = json.loads((cache / f"{key}.json").read_text(encoding="utf-8"))
        return float(got["max"]), float(got["over"])
    from PIL import Image

    if filters == ["/DCTDecode"]:
        im = Image.open(io.BytesIO(raw))
        if im.width * im.height > INK_FULL_PIXELS:
            # a banner-sized photo at half its resolution: still finer than print can show,
            # and a quarter of the memory
            from brochure.images.prepare import decode_reduced

            decode_reduced(im, 2)
        im = im.convert("CMYK") if im.mode != "CMYK" else im
        # Pillow already inverts an Adobe CMYK JPEG; the Decode array says what PDF does
        invert = ("adobe" in im.info) != inverted
    else:
        im = pikepdf.PdfImage(xo).as_pil_image()
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
    result = (hi * 100 / 255, over / max(1, im.width * im.height))
    with contextlib.suppress(OSError):
        cache.mkdir(parents=True, exist_ok=True)
        write_atomic(cache / f"{key}.json", json.dumps({"max": result[0], "over": result[1]}).encode("utf-8"))
    return result


def _image_math(expression: str, **images):
    """Pillow's ImageMath on our own fixed expressions (``unsafe_eval`` from Pillow 10.3, ``eval`` before)."""
    from PIL import ImageMath

    return (getattr(ImageMath, "unsafe_eval", None) or ImageMath.eval)(expression, **images)


def _check_ink_values(scan: _Scan, report: Report, *, limit: float) -> None:
    """Total ink from the file's own numbers: every CMYK colour painted and every image's samples.

    Only what is painted inside the bleed box counts (crop marks are outside).  A
    colour painted with overprint adds its inks to those of every colour painted in
    an area that meets its own (the worst case of what may lie under it).  Images
    are read sample by sample, finer than the thorough check's render.
    """
    worst, worst_page, problems, fail = 0.0, 0, [], False

    def note(page: int, tac: float, what: str, area: float | None = None) -> None:
        nonlocal worst, worst_page, fail
        if tac > worst:
            worst, worst_page = tac, page
        if tac > limit + INK_TOLERANCE:
            if area is None:
                problems.append(f"page {page}: {what} {tac:.0f}%")
                fail = True
            elif area >= INK_NOTE_AREA_MM2:
                problems.append(f"page {page}: {what} max {tac:.0f}%, {area:.0f} mm² over {limit:.0f}%")
                fail = fail or area >= INK_FAIL_AREA_MM2

    for page, paints in scan.paints.items():
        bx0, by0, bx1, by1 = scan.bleed.get(page, (-math.inf, -math.inf, math.inf, math.inf))

        def meets(a, b, eps: float = 0.1) -> bool:
            """Whether two areas overlap by more than ``eps`` pt (touching edges do not count)."""
            return a[0] < b[2] - eps and b[0] < a[2] - eps and a[1] < b[3] - eps and b[1] < a[3] - eps

        def grown(box, by: float = 0.5):      # a point (a text origin) or a hairline has some extent
            return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)

        # crop marks and the slug are outside the bleed box: they are cut off, not printed on the sheet
        inside = [(c, grown(box), op) for c, box, op in paints if meets(grown(box), (bx0, by0, bx1, by1))]
        under = [(c, box) for c, box, op in inside if not op]
        for c, box, op in inside:
            name = "colour C{:.0f} M{:.0f} Y{:.0f} K{:.0f}".format(*(100 * v for v in c))
            tac = sum(c)
            if op:       # its inks add to those of what it overlaps, where it has none of its own
                tac += max((sum(b[i] for i in range(4) if c[i] == 0) for b, bbox in under if meets(bbox, box)),
                           default=0.0)
                name = "overprinted " + name
            note(page, 100 * tac, name)
    seen: dict[tuple, tuple[float, float] | None] = {}
    for im in scan.images:
        if im.obj is None or im.width_pt <= 0 or im.height_pt <= 0:
            continue
        key = im.obj.objgen if im.obj.is_indirect else (id(im.obj), 0)
        if key not in seen:
            try:
                seen[key] = _image_ink(im.obj, limit)
            except Exception as e:         # an image Pillow cannot read: say so, do not guess
                problems.append(f"page {im.page}: {im.name} could not be read for ink ({e})")
                seen[key] = None
        got = seen[key]
        if got is not None:
            tac, fraction = got
            note(im.page, tac, im.name, fraction * (im.width_pt / MM) * (im.height_pt / MM))
    problems = list(dict.fromkeys(problems))
    if fail:
        report.add("ink", FAIL, f"总墨量超过 {limit:.0f}%（最高 {worst:.0f}%，第 {worst_page} 页）",
                   f"total ink over {limit:.0f}% (max {worst:.0f}% on page {worst_page})", problems)
    elif problems:
        report.add("ink", WARN, f"少量区域总墨量超过 {limit:.0f}%，或有图片无法读取",
                   f"small areas over {limit:.0f}% total ink, or images that could not be read", problems)
    elif worst > limit + INK_TOLERANCE:
        report.add("ink", PASS, f"总墨量不超过 {limit:.0f}%，仅图片中零星像素达 {worst:.0f}%（每张不到 1 平方毫米）",
                   f"total ink within {limit:.0f}%; only isolated image samples reach {worst:.0f}% "
                   f"(under {INK_NOTE_AREA_MM2:.0f} mm² per image)")
    else:
        report.add("ink", PASS, f"最大总墨量 {worst:.0f}% ≤ {limit:.0f}%（按颜色值与图片像素计算）",
                   f"max total ink {worst:.0f}% ≤ {limit:.0f}% (from colour values and image samples)")


Region = tuple[int, tuple[float, float, float, float]]


def _check_text_and_qr(pdf_path: Path, report: Report, expect_urls: list[str] | None,
                       qr_regions: list[Region] | None = None, pages_read: list | None = None) -> None:
    han = 0
    bad_chars: list[str] = []
    found: dict[str, int] = {}
    opened = []

    def document():
        """PDFium's view of the file, opened (and PDFium loaded) only when a page must be read."""
        if not opened:
            import pypdfium2 as pdfium
            opened.append(pdfium.PdfDocument(str(pdf_path)))
        return opened[0]

    def decode(img, n) -> list[str]:
        import zxingcpp

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
                   f"{len(found)} QR codes decode to the expected URLs", lines)
    elif found:
        report.add("qr", PASS, f"{len(found)} 个二维码可识别", f"{len(found)} QR codes decode", lines)
    else:
        report.add("qr", PASS, "未发现二维码", "no QR codes found")


# --- entry points ----------------------------------------------------------------

def preflight(pdf: Path, *, expect_urls: list[str] | None = None, min_ppi: float = 300,
              ink_limit: float = 300, thorough: bool = True, qr_regions: list[Region] | None = None,
              page_cache: dict | None = None) -> Report:
    """Check a finished PDF; never writes anything.

    ``thorough`` measures total ink on a Ghostscript render of every page; otherwise
    (every build) from the colour values and image samples in the file: quick, and
    never lower than the render, which averages.  ``qr_regions`` -- (page index, (x0, y0, x1, y1) in page
    space) where QR codes were placed -- limits the QR render to those areas; the
    whole pages are still scanned if a code is not found there.  ``page_cache``
    keeps what was read from each page (colours, images, extracted text, QR codes
    decoded where placed), keyed by a digest of everything the page is made of (see
    ``_page_key``): a page identical to one already checked is not read again, and
    PDFium is loaded only if some page must be.  ``brochure watch`` keeps it in
    memory, one-shot builds on disk.
    """
    pdf = Path(pdf)
    report = Report(path=str(pdf))
    try:
        doc = pikepdf.open(pdf)
    except (pikepdf.PdfError, OSError) as e:
        report.add("open", FAIL, f"无法打开 PDF（{e}）", f"cannot open the PDF ({e})")
        return report
    with doc:
        flavour = _check_pdfx(doc, report)
        x4 = flavour == "PDF/X-4"
        _check_boxes(doc, report)
        scan = _Scan()
        keys: list[str | None] = []
        digests: dict = {}
        for n, page in enumerate(doc.pages, 1):
            bleed = _box(page, "/BleedBox") or _box(page, "/MediaBox")
            if bleed is not None:
                scan.bleed[n] = tuple(bleed)
            key = _page_key(page, x4, digests) if page_cache is not None else None
            keys.append(key)
            known = page_cache.get(key) if key is not None else None
            if known is not None:
                _replay(known, page, n, scan)
            else:
                before = len(scan.colour_problems), len(scan.images)
                _walk(page.obj, page.obj.get("/Resources"), IDENTITY, n, scan, x4, set())
                if key is not None:
                    if len(page_cache) > PAGE_CACHE_LIMIT:
                        page_cache.clear()
                    page_cache[key] = _PageRead.of(scan, n, before)
        _check_fonts(scan, report)
        _check_images(scan, report, x4=x4, min_ppi=min_ppi)
        _check_colour(scan, report)
        _check_transparency(doc, report, x4=x4)
        if not thorough:
            _check_ink_values(scan, report, limit=ink_limit)
    if thorough:
        _check_ink(pdf, report, limit=ink_limit)
    _text_and_qr(pdf, report, expect_urls, qr_regions,
                 [page_cache.get(k) if k is not None else None for k in keys] if page_cache is not None else None)
    return report


def _text_and_qr(pdf: Path, report: Report, expect_urls, qr_regions, pages_read=None) -> None:
    try:
        _check_text_and_qr(pdf, report, expect_urls, qr_regions, pages_read)
    except Exception as e:     # a renderer crash must not hide the other results
        report.add("text", FAIL, f"无法渲染或提取文字（{e}）", f"cannot render or extract text ({e})")


def report_path(pdf: Path) -> Path:
    """Where the JSON report for ``pdf`` goes: FILE.preflight.json beside it."""
    pdf = Path(pdf)
    return pdf.with_name(pdf.stem + ".preflight.json")


def main_preflight(path, *, expect_urls: list[str] | None = None, min_ppi: float = 300,
                   ink_limit: float = 300) -> int:
    """Command-line use: print the summary, write FILE.preflight.json, return 0 (ok) or 1."""
    path = Path(path)
    if not path.is_file():
        err = BrochureError(f"找不到文件 {path}", f"file not found: {path}")
        print(err)
        return 1
    report = preflight(path, expect_urls=expect_urls, min_ppi=min_ppi, ink_limit=ink_limit)
    print(report.summary())
    try:
        report_path(path).write_text(report.to_json() + "\n", encoding="utf-8")
    except OSError as e:
        print(f"无法写入检查报告 / cannot write the report: {e}")
    return 0 if report.ok else 1
