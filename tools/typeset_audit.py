#!/usr/bin/env python3
"""Audit the Chinese typesetting of a PDF from the glyphs it actually draws.

    python tools/typeset_audit.py out/brochure.pdf [--json] [--body-size 9.5] [--leading 15] [--measure PT]

With --json the report is JSON on stdout and the summary line goes to stderr.

How positions are read
----------------------
The PDF's content streams are interpreted here, with pikepdf (qpdf) only to
parse them: the graphics state (``q Q cm``, Form XObjects), the text state
(``BT Tm Td TD T* Tf Tc Tw Tz TL Ts``) and the showing operators (``Tj TJ '
"``) give every glyph's origin in page space, and its advance comes from the
font dictionary's ``/Widths`` (simple fonts) or ``/W`` (CID fonts).  Glyph codes
become characters through the font's ``/ToUnicode`` map.  The ink of each
punctuation glyph is read from the embedded font program (``/FontFile2``, with
fontTools), so the audit knows how much empty space a full-width mark carries
on each side.  Nothing here imports the typesetting code that wrote the PDF,
and ``/ActualText`` spans (which make text extractors spread character boxes
evenly across a line) do not affect the positions.

What is checked
---------------
Body text is the most common (font, size) pair, or the font most used at
``--body-size``.  Its glyphs are grouped into columns (the x ranges they cover
on a page, separated by gutters) and lines (one baseline within a column).  A
line's edges are the edges of its outer glyphs, less the empty half (or
quarter) of a full-width mark whose ink leaves it empty.  Each column's
measure is the right edge most of its lines reach.

A line begins a paragraph when it is indented (1.4–3 em); it ends one when the
next line of its column begins one, or when it is the last line of a column
block and falls short of the measure.

* kinsoku: a line (other than a paragraph's first) starting with a mark that
  may not start a line; a line (other than a paragraph's last) ending with
  one that may not end a line; ``——`` or ``……`` split over two lines; a
  number or Latin word split over two lines (a break between two letters or
  digits counts as a split unless the line's ``/ActualText`` ends in a space).
* lone: a paragraph's last line holding one character (or one character and
  punctuation), the paragraph having more than one line.
* justification: a line that is not a paragraph's last whose right edge is
  more than 0.05 pt from the measure, or a line that does not begin a
  paragraph whose left edge is more than 0.05 pt from the column's.
* grid: body baselines on a page that are not congruent modulo the leading
  (within 0.1 pt), so neighbouring columns' lines do not line up.
* dash-gap: a ``——`` (two U+2014 set edge to edge, in any text) that does not
  read as one unbroken line: either its glyphs are painted and the ink of the
  first ends more than 0.02 em before the ink of the second begins (fonts give
  U+2014 side bearings), or they are invisible (``3 Tr``) and no filled
  rectangle (``re f``) covers the two ems at the dash's height.

Other horizontal text (captions, boxes, headings) is checked for kinsoku and
lone characters only, where it runs to more than one line; vertical columns
(one glyph under another) for kinsoku at their ends.

The exit status is 1 when anything is found, 0 otherwise (2: no such file or
no text); the last line printed is a one-line summary.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pikepdf

# --------------------------------------------------------------------------------------------
# The rules' character sets (W3C clreq at the strict level, GB/T 15834-2011, JLREQ)
# --------------------------------------------------------------------------------------------
NO_START = set(
    "、。，．：；！？‼⁇⁈⁉"                 # pause and stop marks
    "”’）》〉」』】〗〕］｝⦆〙〞»"          # closing quotes and brackets
    "～〜-–—"                             # connectors (a lone — is a connector; —— may not start either)
    "·・‧"                                # interpuncts
    "/／"                                 # solidi
    "…⋯⸺"                                 # ellipsis and two-em dash (strict)
    "%％‰℃°′″"                            # postfix units
    "々〻ーゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
    ",.:;!?)]}"                           # half-width forms
)
NO_END = set("“‘（《〈「『【〖〔［｛⦅〘〝«([{" "/／" "$￥¥＄£￡€#＃@＠§№")
UNBREAKABLE = set("—…⋯")                  # a pair of these is one unit
UNITS = set("%％‰℃°′″")

JUSTIFY_TOLERANCE = 0.05    # pt
GRID_TOLERANCE = 0.1        # pt
INDENT_EM = (1.4, 3.0)      # a paragraph's first line is indented by about 2 em


def is_han(ch: str) -> bool:
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x3FFFF
            or 0xF900 <= cp <= 0xFAFF or 0x2E80 <= cp <= 0x2FDF or cp == 0x3007
            or 0x3040 <= cp <= 0x30FF or 0xAC00 <= cp <= 0xD7AF)


def is_alnum(ch: str) -> bool:
    return not is_han(ch) and unicodedata.category(ch)[0] in "LN"


# --------------------------------------------------------------------------------------------
# Reading the PDF
# --------------------------------------------------------------------------------------------
def _mul(m1, m2):
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2,
            c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _hex_bytes(s: str) -> bytes:
    s = re.sub(r"\s", "", s)
    if len(s) % 2:
        s += "0"
    return bytes.fromhex(s)


def _utf16(data: bytes) -> str:
    try:
        return data.decode("utf-16-be")
    except UnicodeDecodeError:
        return ""


def parse_to_unicode(data: bytes) -> dict[bytes, str]:
    """``bfchar``/``bfrange`` entries of a ToUnicode CMap: code bytes -> text."""
    text = data.decode("latin-1")
    out: dict[bytes, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f\s]+)>\s*<([0-9A-Fa-f\s]*)>", block):
            out[_hex_bytes(src)] = _utf16(_hex_bytes(dst))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, rest in re.findall(
                r"<([0-9A-Fa-f\s]+)>\s*<([0-9A-Fa-f\s]+)>\s*(<[0-9A-Fa-f\s]*>|\[[^\]]*\])", block):
            lo_b, hi_b = _hex_bytes(lo), _hex_bytes(hi)
            n_lo, n_hi = int.from_bytes(lo_b, "big"), int.from_bytes(hi_b, "big")
            width = len(lo_b)
            if rest.startswith("["):
                dsts = [_hex_bytes(d) for d in re.findall(r"<([0-9A-Fa-f\s]*)>", rest)]
                for i, d in enumerate(dsts):
                    out[(n_lo + i).to_bytes(width, "big")] = _utf16(d)
            else:
                base = _hex_bytes(rest[1:-1])
                base_n = int.from_bytes(base, "big")
                for i in range(n_hi - n_lo + 1):
                    out[(n_lo + i).to_bytes(width, "big")] = _utf16((base_n + i).to_bytes(len(base), "big"))
    return out


@dataclass
class FontInfo:
    name: str                                   # BaseFont without the subset tag
    code_bytes: int                             # 1 (simple font) or 2 (Identity-H CID font)
    widths: dict[int, float]                    # code -> advance in em
    default_width: float
    to_unicode: dict[bytes, str]
    ink: dict[int, tuple[float, float]] = field(default_factory=dict)   # code -> (xmin, xmax) in em

    def split(self, data: bytes) -> list[bytes]:
        n = self.code_bytes
        return [data[i:i + n] for i in range(0, len(data) - n + 1, n)]


def _font_program_ink(descriptor, code_to_gid_name) -> dict[int, tuple[float, float]]:
    """(xmin, xmax) in em of each code's glyph, from the embedded TrueType program."""
    try:
        stream = descriptor.get("/FontFile2")
        if stream is None:
            return {}
        from fontTools.ttLib import TTFont
        tt = TTFont(io.BytesIO(stream.read_bytes()))
        upm = tt["head"].unitsPerEm
        glyf = tt["glyf"]
        out = {}
        for code, gname in code_to_gid_name(tt).items():
            if gname not in glyf:
                continue
            g = glyf[gname]
            if getattr(g, "numberOfContours", 0) == 0 or not hasattr(g, "xMin"):
                continue
            out[code] = (g.xMin / upm, g.xMax / upm)
        return out
    except Exception:   # a font program we cannot read: ink unknown, edges are advance boxes
        return {}


def load_font(font) -> FontInfo:
    subtype = str(font.get("/Subtype", ""))
    base = str(font.get("/BaseFont", "/?"))[1:]
    name = base.split("+", 1)[1] if re.match(r"^[A-Z]{6}\+", base) else base
    tu = parse_to_unicode(font.ToUnicode.read_bytes()) if "/ToUnicode" in font else {}
    if subtype == "/Type0":
        desc = font.DescendantFonts[0]
        dw = float(desc.get("/DW", 1000)) / 1000
        widths: dict[int, float] = {}
        w = list(desc.get("/W", []))
        i = 0
        while i < len(w):
            first = int(w[i])
            if isinstance(w[i + 1], pikepdf.Array):
                for k, v in enumerate(w[i + 1]):
                    widths[first + k] = float(v) / 1000
                i += 2
            else:
                last, v = int(w[i + 1]), float(w[i + 2]) / 1000
                for c in range(first, last + 1):
                    widths[c] = v
                i += 3

        def gid_names(tt):
            order = tt.getGlyphOrder()
            return {gid: order[gid] for gid in range(len(order))}     # Identity CIDToGIDMap

        info = FontInfo(name, 2, widths, dw, tu)
        if "/FontDescriptor" in desc:
            info.ink = _font_program_ink(desc.FontDescriptor, gid_names)
        return info
    first = int(font.get("/FirstChar", 0))
    widths = {first + k: float(v) / 1000 for k, v in enumerate(font.get("/Widths", []))}
    missing = 0.5
    if "/FontDescriptor" in font:
        missing = float(font.FontDescriptor.get("/MissingWidth", 500)) / 1000

    def code_names(tt):
        for pid, eid in ((1, 0), (3, 0), (3, 1)):
            sub = tt["cmap"].getcmap(pid, eid)
            if sub is not None:
                return {(c & 0xFF if pid == 3 and eid == 0 else c): n for c, n in sub.cmap.items()}
        return {}

    info = FontInfo(name, 1, widths, missing, tu)
    if "/FontDescriptor" in font:
        info.ink = _font_program_ink(font.FontDescriptor, code_names)
    if not tu and subtype in ("/Type1", "/TrueType"):
        info.to_unicode = {bytes([c]): chr(c) for c in range(32, 127)}
    return info


@dataclass
class Glyph:
    page: int
    char: str
    x: float                   # origin, page space (pt, y up)
    y: float                   # baseline
    advance: float             # pt
    size: float                # pt
    font: str
    horizontal: bool           # an upright, unrotated glyph
    trim_left: float = 0.0     # pt of empty space on the left a line edge may lose (full-width marks)
    trim_right: float = 0.0
    span: int = -1             # marked-content span with /ActualText (-1: none)
    order: int = 0             # drawing order on the page
    visible: bool = True       # painted (text render mode other than 3 and 7)
    ink: tuple[float, float] | None = None   # (xmin, xmax) of the glyph's outline, pt from its origin

    @property
    def left(self) -> float:
        return self.x + self.trim_left

    @property
    def right(self) -> float:
        return self.x + self.advance - self.trim_right


def _trims(ch: str, adv_em: float, ink) -> tuple[float, float]:
    """Empty sides (em) of a full-width punctuation mark, in quarter ems up to a half."""
    if ink is None or is_han(ch) or is_alnum(ch) or abs(adv_em - 1.0) > 0.05:
        return 0.0, 0.0
    if unicodedata.category(ch)[0] not in "PS":
        return 0.0, 0.0
    xmin, xmax = ink

    def q(blank):
        return min(0.5, math.floor(max(0.0, blank) / 0.25 + 1e-6) * 0.25)
    return q(xmin), q(adv_em - xmax)


class PageReader:
    """Interprets one page's content (and its Form XObjects) into glyphs."""

    def __init__(self, pdf_fonts: dict, page_no: int):
        self.fonts = pdf_fonts
        self.page_no = page_no
        self.glyphs: list[Glyph] = []
        self.spans: dict[int, str] = {}
        self.bars: list[tuple[float, float, float, float]] = []   # filled rectangles (x0, y0, x1, y1), page space
        self._span_stack: list[int] = []
        self._next_span = 0

    def font(self, obj) -> FontInfo:
        key = obj.objgen if obj.objgen != (0, 0) else id(obj)
        if key not in self.fonts:
            self.fonts[key] = load_font(obj)
        return self.fonts[key]

    def run(self, page) -> list[Glyph]:
        self._run(page, page.get("/Resources", pikepdf.Dictionary()), IDENTITY, 0)
        return self.glyphs

    def _run(self, stream_owner, resources, ctm, depth):
        if depth > 12:
            return
        fonts = resources.get("/Font", pikepdf.Dictionary())
        xobjects = resources.get("/XObject", pikepdf.Dictionary())
        properties = resources.get("/Properties", pikepdf.Dictionary())
        stack = []
        tm = tlm = IDENTITY
        tc = tw = ts = 0.0
        th, tl = 1.0, 0.0
        font: FontInfo | None = None
        fs = 0.0
        mode = 0                       # text render mode
        rects: list[tuple[float, float, float, float]] = []    # rectangles of the current path

        def show(data: bytes):
            nonlocal tm
            if font is None:
                return
            for code_b in font.split(bytes(data)):
                code = int.from_bytes(code_b, "big")
                w0 = font.widths.get(code, font.default_width)
                trm = _mul((fs * th, 0, 0, fs, 0, ts), _mul(tm, ctm))
                ch = font.to_unicode.get(code_b, "")
                a, b, c, d = trm[:4]
                horizontal = abs(b) < 1e-6 and abs(c) < 1e-6 and a > 0 and d > 0
                size = math.hypot(c, d)
                adv = w0 * math.hypot(a, b)
                tl_, tr_ = (0.0, 0.0)
                if len(ch) == 1 and horizontal:
                    tl_, tr_ = _trims(ch, w0 * (math.hypot(a, b) / size if size else 1), font.ink.get(code))
                span = self._span_stack[-1] if self._span_stack else -1
                ink = font.ink.get(code)
                ink_pt = (ink[0] * size, ink[1] * size) if ink is not None and horizontal else None
                for k, one in enumerate(ch or "\ufffd"):
                    self.glyphs.append(Glyph(self.page_no, one, trm[4], trm[5], adv if k == 0 else 0.0,
                                             size, font.name, horizontal, tl_ * size, tr_ * size,
                                             span, len(self.glyphs), mode not in (3, 7), ink_pt))
                tx = (w0 * fs + tc + (tw if font.code_bytes == 1 and code == 32 else 0.0)) * th
                tm = _mul((1, 0, 0, 1, tx, 0), tm)

        try:
            instructions = pikepdf.parse_content_stream(stream_owner)
        except pikepdf.PdfError:
            return
        for operands, op in instructions:
            op = str(op)
            if op == "q":
                stack.append(ctm)
            elif op == "Q":
                if stack:
                    ctm = stack.pop()
            elif op == "cm":
                ctm = _mul(tuple(float(v) for v in operands), ctm)
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op == "Tf":
                fobj = fonts.get(str(operands[0]))
                font = self.font(fobj) if fobj is not None else None
                fs = float(operands[1])
            elif op == "Tm":
                tm = tlm = tuple(float(v) for v in operands)
            elif op in ("Td", "TD"):
                tx, ty = float(operands[0]), float(operands[1])
                if op == "TD":
                    tl = -ty
                tm = tlm = _mul((1, 0, 0, 1, tx, ty), tlm)
            elif op == "T*":
                tm = tlm = _mul((1, 0, 0, 1, 0, -tl), tlm)
            elif op == "Tc":
                tc = float(operands[0])
            elif op == "Tw":
                tw = float(operands[0])
            elif op == "Tz":
                th = float(operands[0]) / 100
            elif op == "TL":
                tl = float(operands[0])
            elif op == "Ts":
                ts = float(operands[0])
            elif op == "Tr":
                mode = int(operands[0])
            elif op == "re" and len(operands) == 4:
                x, y, w, h = (float(v) for v in operands)
                (x0, y0), (x1, y1) = _apply(ctm, x, y), _apply(ctm, x + w, y + h)
                rects.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
            elif op in ("f", "F", "f*", "B", "B*", "b", "b*"):
                self.bars.extend(rects)
                rects = []
            elif op in ("n", "S", "s"):
                rects = []
            elif op == "Tj":
                show(bytes(operands[0]))
            elif op in ("'", '"'):
                if op == '"':
                    tw, tc = float(operands[0]), float(operands[1])
                tm = tlm = _mul((1, 0, 0, 1, 0, -tl), tlm)
                show(bytes(operands[-1]))
            elif op == "TJ":
                for item in operands[0]:
                    if isinstance(item, pikepdf.String):
                        show(bytes(item))
                    else:
                        tm = _mul((1, 0, 0, 1, -float(item) / 1000 * fs * th, 0), tm)
            elif op in ("BDC", "BMC"):
                actual = None
                if op == "BDC" and len(operands) > 1:
                    props = operands[1]
                    if isinstance(props, pikepdf.Name):
                        props = properties.get(str(props))
                    if isinstance(props, pikepdf.Dictionary) and "/ActualText" in props:
                        actual = bytes(props.ActualText)
                if actual is not None:
                    sid = self._next_span
                    self._next_span += 1
                    self.spans[sid] = _decode_text_string(actual)
                    self._span_stack.append(sid)
                else:
                    self._span_stack.append(self._span_stack[-1] if self._span_stack else -1)
            elif op == "EMC":
                if self._span_stack:
                    self._span_stack.pop()
            elif op == "Do":
                xo = xobjects.get(str(operands[0]))
                if xo is not None and xo.get("/Subtype") == "/Form":
                    m = tuple(float(v) for v in xo.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                    self._run(xo, xo.get("/Resources", resources), _mul(m, ctm), depth + 1)


def _apply(m, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _decode_text_string(b: bytes) -> str:
    if b[:2] == b"\xfe\xff":
        return b[2:].decode("utf-16-be", "replace")
    return b.decode("latin-1")


def read_glyphs(path: Path, bars: list | None = None) -> tuple[list[list[Glyph]], list[dict[int, str]]]:
    """Every page's glyphs (and ActualText spans) in drawing order; each page's filled rectangles into ``bars``."""
    pages, spans = [], []
    fonts: dict = {}
    with pikepdf.open(str(path)) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            reader = PageReader(fonts, n)
            pages.append(reader.run(page))
            spans.append(reader.spans)
            if bars is not None:
                bars.append(reader.bars)
    return pages, spans


DASH_GAP_EM = 0.02           # ink gap inside a —— that still reads as one line
DASH_END_EM = 0.05           # a drawn bar may stop this short of the two ems' ends


def dash_findings(glyphs: list[Glyph], bars: list[tuple[float, float, float, float]], page: int) -> tuple[int, list]:
    """(number of horizontal ``——`` on the page, a Finding for each that is not one unbroken line)."""
    count, out = 0, []
    dashes = [g for g in glyphs if g.char == "\u2014" and g.horizontal]
    for a, b in zip(dashes, dashes[1:]):
        if b.order != a.order + 1 or abs(a.y - b.y) > 0.01 or abs(b.x - (a.x + a.advance)) > 0.01:
            continue
        count += 1
        size = a.size
        if a.visible and b.visible:
            if a.ink is None or b.ink is None:
                continue
            gap = (b.x + b.ink[0]) - (a.x + a.ink[1])
            if gap > DASH_GAP_EM * size:
                out.append(Finding("dash-gap", page, -1, round(a.y, 2), "——",
                                   f"{gap:.2f} pt of paper between the two dashes", False))
            continue
        lo, hi = a.x + DASH_END_EM * size, b.x + b.advance - DASH_END_EM * size
        covered = any(x0 <= lo and x1 >= hi and a.y < y1 and y0 < a.y + size for x0, y0, x1, y1 in bars)
        if not covered:
            out.append(Finding("dash-gap", page, -1, round(a.y, 2), "——",
                               "invisible dash glyphs without a bar drawn over them", False))
    return count, out


# --------------------------------------------------------------------------------------------
# Lines, columns, paragraphs
# --------------------------------------------------------------------------------------------
@dataclass
class TextLine:
    page: int
    column: int
    y: float
    glyphs: list[Glyph]
    size: float
    indented: bool = False
    para_first: bool = False
    para_last: bool = False
    block: int = 0

    @property
    def ink(self) -> list[Glyph]:
        return [g for g in self.glyphs if not g.char.isspace()]

    @property
    def left(self) -> float:
        return self.ink[0].left

    @property
    def right(self) -> float:
        return max(g.right for g in self.ink)

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)

    @property
    def first(self) -> str:
        return self.ink[0].char

    @property
    def last(self) -> str:
        return self.ink[-1].char


@dataclass
class Column:
    page: int
    index: int
    x0: float
    x1: float
    left: float = 0.0
    measure_right: float = 0.0
    lines: list[TextLine] = field(default_factory=list)


def _intervals(glyphs: list[Glyph], merge: float) -> list[tuple[float, float]]:
    spans = sorted((g.left, max(g.right, g.left)) for g in glyphs if not g.char.isspace())
    out: list[list[float]] = []
    for a, b in spans:
        if out and a <= out[-1][1] + merge:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _cluster(values: list[float], tol: float) -> list[list[float]]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return out


def _lines_in(glyphs: list[Glyph], page: int, column: int, size: float) -> list[TextLine]:
    by_y: dict[float, list[Glyph]] = defaultdict(list)
    ys = _cluster([g.y for g in glyphs], 0.2 * size)
    key = {}
    for group in ys:
        ref = sum(group) / len(group)
        for v in group:
            key[v] = ref
    for g in glyphs:
        by_y[key[g.y]].append(g)
    lines = []
    for y, gs in by_y.items():
        gs.sort(key=lambda g: (g.x, g.order))
        line = TextLine(page, column, y, gs, size)
        if line.ink:
            lines.append(line)
    lines.sort(key=lambda l: -l.y)
    return lines


def _measure(rights: list[float]) -> float:
    """The right edge most lines reach (ties: the rightmost)."""
    groups = _cluster(rights, JUSTIFY_TOLERANCE)
    best = max(groups, key=lambda g: (len(g), g[-1]))
    return sorted(best)[len(best) // 2]


def _units(line: TextLine) -> int:
    """Characters a lone-character check counts: Han, Western runs, ——/…… pairs."""
    n, prev_alnum = 0, False
    prev = ""
    for g in line.ink:
        ch = g.char
        if is_han(ch):
            n += 1
            prev_alnum = False
        elif is_alnum(ch):
            if not prev_alnum:
                n += 1
            prev_alnum = True
        else:
            prev_alnum = False
            if ch in UNBREAKABLE and prev != ch:
                n += 1
        prev = ch
    return n


def _lone(line: TextLine) -> bool:
    """One character alone (perhaps with punctuation): 孤字.  A Latin word alone is not one."""
    letters = [g for g in line.ink if is_han(g.char) or is_alnum(g.char)]
    return _units(line) <= 1 and len(letters) <= 1      # (a ——/…… pair or a mark alone counts too)


@dataclass
class Finding:
    kind: str          # kinsoku-start | kinsoku-end | kinsoku-split | lone | ragged-right | ragged-left | grid | ...
    page: int
    column: int
    y: float
    text: str
    detail: str
    body: bool = True


def _boundary_findings(lines: list[TextLine], spans: dict[int, str], body: bool) -> list[Finding]:
    """Kinsoku at each line's ends, within consecutive lines of one block."""
    out = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].block == line.block else None
        f = lambda kind, detail: Finding(kind, line.page, line.column, round(line.y, 2), line.text, detail, body)
        if not line.para_first and line.first in NO_START:
            prev = lines[i - 1] if i > 0 and lines[i - 1].block == line.block else None
            if prev is not None and line.first in UNBREAKABLE and prev.last == line.first:
                out.append(f("kinsoku-split", f"{prev.last}{line.first} split over two lines"))
            else:
                out.append(f("kinsoku-start", f"line starts with {line.first!r}"))
        if not line.para_last and line.last in NO_END:
            out.append(f("kinsoku-end", f"line ends with {line.last!r}"))
        if nxt is not None and not line.para_last and not nxt.para_first:
            a, b = line.last, nxt.first
            src = spans.get(line.ink[-1].span, "") if line.ink[-1].span >= 0 else ""
            if is_alnum(a) and (is_alnum(b) or b in UNITS) and not src[-1:].isspace():
                if b not in NO_START:       # a unit starting the line is already reported
                    kind = "number" if a.isdigit() or b.isdigit() else "word"
                    out.append(f("kinsoku-split", f"{kind} split: …{a} | {b}…"))
    return out


def audit(path: Path, body_size: float | None = None, leading: float | None = None,
          measure: float | None = None) -> dict:
    """The full report for the PDF at ``path`` (see the module docstring).

    ``body_size`` picks the body text (default: the most common font and size),
    ``leading`` the grid step (default: the most common line spacing) and
    ``measure`` the column width in pt (default: the right edge most lines reach).
    """
    bars: list = []
    pages, spans = read_glyphs(path, bars)
    horiz = [g for page in pages for g in page if g.horizontal and not g.char.isspace()]
    pairs = Counter((g.font, round(g.size, 2)) for g in horiz)
    if not pairs:
        return {"file": str(path), "error": "no text found", "findings": [], "summary": {}}
    if body_size is not None:
        at = {k: v for k, v in pairs.items() if abs(k[1] - body_size) < 0.01}
        body_key = max(at, key=at.get) if at else max(pairs, key=pairs.get)
    else:
        body_key = max(pairs, key=pairs.get)
    body_font, size = body_key

    findings: list[Finding] = []
    columns: list[Column] = []
    body_lines: list[TextLine] = []
    # ---- body text: columns and lines ----
    diffs = Counter()
    for n, glyphs in enumerate(pages, 1):
        body = [g for g in glyphs if g.horizontal and g.font == body_font and abs(g.size - size) < 0.01]
        for k, (x0, x1) in enumerate(_intervals(body, 0.3 * size)):
            col = Column(n, k, x0, x1)
            col.lines = _lines_in([g for g in body if x0 - 1e-6 <= g.left <= x1 + 1e-6], n, k, size)
            columns.append(col)
            for a, b in zip(col.lines, col.lines[1:]):
                diffs[round(a.y - b.y, 2)] += 1
    if leading is None:
        near = {d: c for d, c in diffs.items() if 0 < d < 3 * size}
        leading = max(near, key=lambda d: (near[d], -d)) if near else 1.2 * size

    for col in columns:
        if not col.lines:
            continue
        col.left = min(l.left for l in col.lines)
        col.measure_right = (col.left + measure if measure is not None
                             else _measure([l.right for l in col.lines]))
        block = 0
        for i, line in enumerate(col.lines):
            if i and col.lines[i - 1].y - line.y > leading + 0.5:
                block += 1
            line.block = block
            ind = (line.left - col.left) / size
            line.indented = INDENT_EM[0] <= ind <= INDENT_EM[1]
            line.para_first = line.indented
        for i, line in enumerate(col.lines):
            nxt = col.lines[i + 1] if i + 1 < len(col.lines) and col.lines[i + 1].block == line.block else None
            short = line.right < col.measure_right - JUSTIFY_TOLERANCE
            line.para_last = (nxt.para_first if nxt is not None else short)
        body_lines.extend(col.lines)

        findings += _boundary_findings(col.lines, spans[col.page - 1], True)
        for i, line in enumerate(col.lines):
            f = lambda kind, detail: Finding(kind, line.page, line.column, round(line.y, 2), line.text, detail)
            first_of_para = line.para_first
            if line.para_last and not first_of_para and _lone(line):
                findings.append(f("lone", "last line holds one character"))
            if not line.para_last and abs(line.right - col.measure_right) > JUSTIFY_TOLERANCE:
                findings.append(f("ragged-right", f"right edge {line.right - col.measure_right:+.2f} pt from the measure"))
            if not first_of_para and abs(line.left - col.left) > JUSTIFY_TOLERANCE:
                findings.append(f("ragged-left", f"left edge {line.left - col.left:+.2f} pt from the column"))

    # ---- the baseline grid: every body baseline on a page, modulo the leading ----
    grid = []
    for n in range(1, len(pages) + 1):
        lines = [l for l in body_lines if l.page == n]
        if not lines:
            continue
        ref = _grid_phase([l.y % leading for l in lines], leading)
        cols = sorted({l.column for l in lines})
        offsets = {}
        for l in lines:
            dev = (l.y - ref + leading / 2) % leading - leading / 2
            offsets.setdefault(l.column, []).append(dev)
            if abs(dev) > GRID_TOLERANCE:
                findings.append(Finding("grid", n, l.column, round(l.y, 2), l.text,
                                        f"baseline {dev:+.2f} pt off the page's grid"))
        grid.append({"page": n, "columns": len(cols),
                     "worst_offset": round(max(abs(d) for ds in offsets.values() for d in ds), 3)})

    # ---- other horizontal text and vertical columns: kinsoku and lone characters ----
    other_lines = 0
    other_blocks = []
    vertical_count = 0
    vertical_text: list[str] = []
    for n, glyphs in enumerate(pages, 1):
        rest = [g for g in glyphs if g.horizontal and not g.char.isspace()
                and not (g.font == body_font and abs(g.size - size) < 0.01)]
        vertical, rest = _split_vertical(rest)
        vertical_count += len(vertical)
        vertical_text += ["".join(g.char for g in run) for run in vertical]
        for block in _other_blocks(rest):
            other_lines += len(block)
            other_blocks.append({"page": n, "lines": [l.text for l in block]})
            if len(block) < 2:
                continue
            findings += _boundary_findings(block, spans[n - 1], False)
            last = block[-1]
            if _lone(last) and not last.para_first:
                findings.append(Finding("lone", n, -1, round(last.y, 2), last.text,
                                        "last line holds one character", False))
        findings += _vertical_findings(vertical, n)

    dashes = 0
    for n, glyphs in enumerate(pages, 1):
        found, gaps = dash_findings(glyphs, bars[n - 1], n)
        dashes += found
        findings += gaps

    counts = Counter(f.kind for f in findings)
    kinsoku = sum(v for k, v in counts.items() if k.startswith("kinsoku"))
    ragged = counts["ragged-right"] + counts["ragged-left"]
    summary = {
        "pages": len(pages), "body_font": body_font, "body_size": size, "leading": leading,
        "columns": len([c for c in columns if c.lines]), "body_lines": len(body_lines),
        "paragraph_last_lines": sum(1 for l in body_lines if l.para_last),
        "other_lines": other_lines,
        "kinsoku": kinsoku, "kinsoku_start": counts["kinsoku-start"], "kinsoku_end": counts["kinsoku-end"],
        "kinsoku_split": counts["kinsoku-split"], "lone": counts["lone"],
        "not_justified": ragged, "ragged_right": counts["ragged-right"], "ragged_left": counts["ragged-left"],
        "off_grid": counts["grid"], "dashes": dashes, "dash_gaps": counts["dash-gap"],
        "violations": len(findings),
    }
    return {
        "file": str(path), "summary": summary, "grid": grid,
        "columns": [{"page": c.page, "index": c.index, "left": round(c.left, 3),
                     "measure": round(c.measure_right - c.left, 3), "lines": len(c.lines)}
                    for c in columns if c.lines],
        "lines": [{"page": l.page, "column": l.column, "y": round(l.y, 3), "left": round(l.left, 3),
                   "right": round(l.right, 3), "para_first": l.para_first, "para_last": l.para_last,
                   "text": l.text} for l in body_lines],
        "other_blocks": other_blocks,
        "vertical_columns": vertical_text,
        "findings": [asdict(f) for f in findings],
    }


def _grid_phase(residues: list[float], period: float) -> float:
    """The baseline phase most lines share (baselines modulo the leading)."""
    def dist(a, b):
        d = abs(a - b) % period
        return min(d, period - d)

    best = max(residues, key=lambda r: sum(1 for v in residues if dist(v, r) <= GRID_TOLERANCE))
    near = [((v - best + period / 2) % period) - period / 2 for v in residues if dist(v, best) <= GRID_TOLERANCE]
    return (best + sum(near) / len(near)) % period


def _split_vertical(glyphs: list[Glyph]) -> tuple[list[list[Glyph]], list[Glyph]]:
    """Columns of vertical text (three or more one-em cells drawn one under another), and the rest.

    Glyphs drawn one after another on one baseline form a segment; a segment no
    wider than about an em is a cell (one character, or two set upright across
    the column, 縦中横).  Consecutive cells whose centres line up, each lower
    than the one before by one to two ems, make a vertical column.
    """
    segments: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: g.order):
        if segments:
            p = segments[-1][-1]
            gap = g.x - (p.x + p.advance)
            if abs(g.size - p.size) < 0.01 and abs(p.y - g.y) < 0.01 and -0.05 * g.size <= gap <= 0.3 * g.size:
                segments[-1].append(g)
                continue
        segments.append([g])

    def cell(seg):
        return seg[-1].x + seg[-1].advance - seg[0].x <= 1.1 * seg[0].size

    def centre(seg):
        return (seg[0].x + seg[-1].x + seg[-1].advance) / 2

    runs: list[list[Glyph]] = []
    rest: list[Glyph] = []
    cur: list[list[Glyph]] = []

    def close():
        if len(cur) >= 3:
            runs.append([g for seg in cur for g in seg])
        else:
            rest.extend(g for seg in cur for g in seg)
        cur.clear()

    for seg in segments:
        if not cell(seg):
            close()
            rest.extend(seg)
            continue
        if cur:
            p, size = cur[-1], seg[0].size
            stacked = (abs(seg[0].size - p[0].size) < 0.01 and abs(centre(seg) - centre(p)) < 0.35 * size
                       and 0.3 * size < p[0].y - seg[0].y < 2.2 * size)
            if not stacked:
                close()
        cur.append(seg)
    close()
    return runs, rest


def _vertical_findings(runs: list[list[Glyph]], page: int) -> list[Finding]:
    """Vertical columns: none may start with a no-start mark or end with a no-end mark."""
    out = []
    for run in runs:
        text = "".join(g.char for g in run)
        if text[0] in NO_START:
            out.append(Finding("kinsoku-start", page, -1, round(run[0].y, 2), text,
                               f"vertical column starts with {text[0]!r}", False))
        if text[-1] in NO_END:
            out.append(Finding("kinsoku-end", page, -1, round(run[-1].y, 2), text,
                               f"vertical column ends with {text[-1]!r}", False))
    return out


def _other_blocks(glyphs: list[Glyph]) -> list[list[TextLine]]:
    """Lines of non-body text, grouped into blocks of consecutive lines sharing a left edge."""
    by_size: dict[tuple[str, float], list[Glyph]] = defaultdict(list)
    for g in glyphs:
        by_size[(g.font, round(g.size, 2))].append(g)
    blocks: list[list[TextLine]] = []
    for (font, size), gs in by_size.items():
        # line segments: same baseline, glyphs within 1.2 em of each other
        segments: list[TextLine] = []
        for line in _lines_in(gs, gs[0].page, -1, size):
            cur = [line.ink[0]]
            for g in line.ink[1:]:
                if g.left - max(h.right for h in cur) > 1.2 * size:
                    segments.append(TextLine(line.page, -1, line.y, cur, size))
                    cur = [g]
                else:
                    cur.append(g)
            segments.append(TextLine(line.page, -1, line.y, cur, size))
        segments.sort(key=lambda l: (-l.y, l.left))
        used = [False] * len(segments)
        for i, seg in enumerate(segments):
            if used[i]:
                continue
            used[i] = True
            block = [seg]
            while True:
                cur = block[-1]
                nxt = None
                for j in range(i + 1, len(segments)):
                    s = segments[j]
                    if used[j]:
                        continue
                    dy = cur.y - s.y
                    if dy < 0.5 * size:
                        continue
                    if dy > 2.2 * size:
                        break
                    if abs(s.left - block[0].left) < 0.1 * size or abs(s.left - cur.left) < 0.1 * size or (
                            abs(s.left - block[0].left) < 3 * size and abs(s.right - cur.right) < 0.1 * size):
                        nxt = j
                        break
                if nxt is None:
                    break
                used[nxt] = True
                block.append(segments[nxt])
            left = min(l.left for l in block)
            for k, l in enumerate(block):
                l.block = 0
                ind = (l.left - left) / size
                l.indented = k > 0 and INDENT_EM[0] <= ind <= INDENT_EM[1]
                l.para_first = k == 0 or l.indented
            for k, l in enumerate(block):
                l.para_last = k == len(block) - 1 or block[k + 1].para_first
            blocks.append(block)
    return blocks


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------
def summary_line(s: dict) -> str:
    ok = s.get("violations", 1) == 0
    return (f"summary: {s['body_lines']} body lines in {s['columns']} columns on {s['pages']} pages "
            f"({s['body_font']} {s['body_size']:g} pt, leading {s['leading']:g} pt); "
            f"kinsoku {s['kinsoku']} (start {s['kinsoku_start']}, end {s['kinsoku_end']}, "
            f"split {s['kinsoku_split']}), lone {s['lone']}, not justified {s['not_justified']}, "
            f"off grid {s['off_grid']}, dashes {s.get('dashes', 0)} (broken {s.get('dash_gaps', 0)})"
            f" -> {'OK' if ok else 'FAIL'}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pdf", type=Path)
    ap.add_argument("--json", action="store_true", help="print the full report as JSON")
    ap.add_argument("--body-size", type=float, help="body text size in pt (default: the most common)")
    ap.add_argument("--leading", type=float, help="baseline grid step in pt (default: measured)")
    ap.add_argument("--measure", type=float, help="column width in pt (default: measured)")
    ap.add_argument("--limit", type=int, default=40, help="findings listed in the text report")
    args = ap.parse_args(argv)
    if not args.pdf.is_file():
        print(f"{args.pdf}: no such file", file=sys.stderr)
        return 2
    report = audit(args.pdf, args.body_size, args.leading, args.measure)
    if "error" in report:
        print(f"{args.pdf}: {report['error']}", file=sys.stderr)
        return 2
    s = report["summary"]
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(f"{args.pdf}")
        for c in report["columns"]:
            print(f"  page {c['page']} column {c['index']}: x {c['left']:.2f}, measure {c['measure']:.2f} pt,"
                  f" {c['lines']} lines")
        for g in report["grid"]:
            print(f"  page {g['page']}: {g['columns']} columns, worst baseline offset {g['worst_offset']} pt")
        for f in report["findings"][:args.limit]:
            where = f"p{f['page']}" + (f" col {f['column']}" if f["column"] >= 0 else " (other text)")
            print(f"  {f['kind']:<14} {where} y={f['y']:.2f}: {f['detail']}: {f['text']}")
        if len(report["findings"]) > args.limit:
            print(f"  … {len(report['findings']) - args.limit} more")
    print(summary_line(s), file=sys.stderr if args.json else sys.stdout)
    return 1 if s["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
