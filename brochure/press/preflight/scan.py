"""The content-stream interpreter: what a page paints, where, and in which colours.

``walk`` follows a page's content stream (and the forms it draws) with its CTM and
colour state, into a ``Scan``: every image placement, every colour operator or colour
space that print does not allow, every font, and every process colour painted with
the area it covers (for the ink check).  ``page_key`` is a digest of everything the
walk and the checks read from a page, so an identical page's reading can be replayed.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Name

RGB_SPACES = frozenset({"/DeviceRGB", "/CalRGB", "/RGB"})
OK_DEVICE_SPACES = frozenset({"/DeviceCMYK", "/DeviceGray", "/CMYK", "/G", "/CalGray"})

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF order: CTM' = m x CTM with n = CTM)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


@dataclass
class Placement:
    """One image drawn on a page: its pixels, its size there, its colour space."""

    page: int
    name: str
    width_px: int
    height_px: int
    width_pt: float
    height_pt: float
    colorspace: str
    obj: object = None             # the image XObject (None for inline images)


@dataclass
class Scan:
    """What the walk of a whole file found, for the checks to judge."""

    images: list[Placement] = field(default_factory=list)
    colour_problems: list[str] = field(default_factory=list)
    fonts: dict[tuple, tuple[int, str, object]] = field(default_factory=dict)
    # per page: (CMYK 0..1, area painted as (x0, y0, x1, y1) in page space, overprint?)
    paints: dict[int, set] = field(default_factory=dict)
    bleed: dict[int, tuple] = field(default_factory=dict)
    # pages with a watermark artifact (marked content /Artifact with /Subtype /Watermark): a draft's
    watermarked: set[int] = field(default_factory=set)


#: Operators that paint with the fill colour, the stroke colour, or both (text: at ET).
_FILL_OPS = frozenset({"f", "F", "f*"})
_STROKE_OPS = frozenset({"S", "s"})
_BOTH_OPS = frozenset({"B", "B*", "b", "b*"})
_PATH_OPS = frozenset({"m", "l", "c", "v", "y", "re"})
_COLOUR_OPS = frozenset({"k", "K", "g", "G", "sc", "scn", "SC", "SCN", "cs", "CS", "rg", "RG", "gs"})
#: What the walk reads (the rest, glyph strings above all, is skipped while parsing).
_WALK_OPS = " ".join(sorted({"q", "Q", "cm", "sh", "Do", "BI", "ID", "EI", "BT", "ET", "Tr", "Tm", "Td", "TD", "n",
                             "BDC"}
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


def cs_name(cs, resources=None) -> str:
    """A short description of a colour space object: /DeviceRGB, /ICCBased(3), /Separation ..."""
    if cs is None:
        return "none"
    if isinstance(cs, Name):
        key = str(cs)
        if resources is not None and key not in RGB_SPACES | OK_DEVICE_SPACES | {"/Pattern"}:
            table = resources.get("/ColorSpace")
            if table is not None and key in table:
                return cs_name(table[key])
        return key
    if isinstance(cs, pikepdf.Array) and len(cs) > 0:
        family = str(cs[0])
        if family == "/ICCBased":
            try:
                return f"/ICCBased({int(cs[1].get('/N', 0))})"
            except (TypeError, ValueError, AttributeError):
                return "/ICCBased"
        if family == "/Indexed":
            return f"/Indexed({cs_name(cs[1])})"
        if family in ("/Separation", "/DeviceN"):
            return f"{family}({cs_name(cs[2])})"
        return family
    return str(cs)


def cs_bad(desc: str, x4: bool) -> bool:
    """Whether a colour space description is not allowed (X-1a: any RGB/ICC/Lab; X-4: device RGB)."""
    if "/DeviceRGB" in desc or "/CalRGB" in desc or desc == "/RGB":
        return True
    if not x4 and ("/ICCBased" in desc or "/Lab" in desc):
        # a Separation/DeviceN alternate may be anything in X-4, not in X-1a
        return True
    return False


def walk(container, resources, ctm: Matrix, page_no: int, scan: Scan, x4: bool, seen: set) -> None:
    """Follow one content stream, tracking the CTM to image placements and colour operators."""
    if resources is None:
        resources = pikepdf.Dictionary()
    note_fonts(resources, page_no, scan)
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
            desc = cs_name(operands[0], resources)
            if cs_bad(desc, x4):
                scan.colour_problems.append(f"page {page_no}: colour space {desc} ({op})")
            initial = (0.0, 0.0, 0.0, 1.0) if desc in ("/DeviceCMYK", "/CMYK") else None
            if op == "cs":
                colour.fill_space, colour.fill = desc, initial
            else:
                colour.stroke_space, colour.stroke = desc, initial
        elif op == "sh" and operands:
            shadings = resources.get("/Shading")
            if shadings is not None and str(operands[0]) in shadings:
                desc = cs_name(shadings[str(operands[0])].get("/ColorSpace"), resources)
                if cs_bad(desc, x4):
                    scan.colour_problems.append(f"page {page_no}: shading in {desc}")
        elif op == "BDC" and len(operands) == 2 and str(operands[0]) == "/Artifact":
            properties = operands[1]
            if isinstance(properties, Name):            # named in the resources' /Properties
                table = resources.get("/Properties")
                properties = table.get(str(properties)) if table is not None else None
            if isinstance(properties, pikepdf.Dictionary) and properties.get("/Subtype") == Name.Watermark:
                scan.watermarked.add(page_no)
        elif op == "INLINE IMAGE":
            iimage = operands[0]
            try:
                d = iimage.obj
                cs = d.get("/ColorSpace", d.get("/CS"))
                w = int(d.get("/Width", d.get("/W", 0)))
                h = int(d.get("/Height", d.get("/H", 0)))
            except Exception:
                continue
            desc = "/DeviceGray" if cs is None else cs_name(cs, resources)
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
                    desc = cs_name(xo.get("/ColorSpace"), resources)
                _place(scan, page_no, name, int(xo.get("/Width", 0)), int(xo.get("/Height", 0)), ctm, desc, xo)
            elif sub == Name.Form:
                key = (xo.objgen, ctm)
                if key in seen:
                    continue
                seen.add(key)
                m = tuple(float(v) for v in xo.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                walk(xo, xo.get("/Resources", resources), _mul(m, ctm), page_no, scan, x4, seen)


def page_key(page, x4: bool, digests: dict) -> str | None:
    """A digest of everything the checks read from a page: its content, its resources (fonts,
    images, graphics states, colour spaces, recursively and byte for byte) and its boxes.

    None for a page with form XObjects (their own content is walked; not kept).
    """
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


def note_fonts(resources, page_no: int, scan: "Scan") -> None:
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


def _place(scan: Scan, page_no: int, name: str, w: int, h: int, ctm: Matrix, desc: str, obj=None) -> None:
    a, b, c, d, _, _ = ctm
    scan.images.append(Placement(page_no, name, w, h, math.hypot(a, b), math.hypot(c, d), desc, obj))
