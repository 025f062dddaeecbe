#!/usr/bin/env python3
"""Audit the composition of a brochure or poster PDF as a newspaper designer (美编) would.

    python tools/composition_audit.py out/brochure.pdf [out/poster-*.pdf ...] [--json]

The rules are those of the design brief (LAYOUT.md: legs, modules, white space,
boxes, dashes, padding pages, posters, running heads).  Only the PDF is read:
glyphs come from tools/typeset_audit.py's content-stream reader (origin, size
as font size times the text and graphics matrices, ``/ToUnicode`` text), and a
second pass over the same streams here collects what else is painted: images
(``Do`` of an image XObject, placed by the CTM), filled and stroked paths (their
bounding boxes, and the rectangles of a path made of ``re`` only).  Positions in
findings are millimetres from the trim box's top-left corner (``/TrimBox``, or
the media box), the way a designer measures a page.

Heuristics (they hold on our own outputs; a PDF set otherwise may fool them)
-----------------------------------------------------------------------------
* Body text is the most common (font, size) pair of the document; its lines
  are glyphs on one baseline no more than an em apart, its columns the x ranges
  those lines cover on a page, its leading the most common baseline step.
* A leg is a run of body lines in one column whose baselines follow each other
  at no more than 1.5 leadings; anything else between them (headline, photo,
  box, rule, page edge) shows as a larger step.  Reported: legs of fewer than
  5 lines, and legs deeper than 250 mm.
* Column balance: legs of neighbouring columns that overlap in height form a
  module (one story's text); their columns' feet must lie within one leading
  of each other.  A column's foot is its last baseline, or the bottom of a
  photo or box narrower than the module that closes it (within two leadings).
* Empty band: a horizontal band, inside the margins (the smallest distance of
  any text from the trim's left or right edge), with no text, image or
  non-white fill, taller than 10 % of the trim height; top and foot included.
* Box: a filled or stroked rectangle at least 20 mm each way lying wholly inside
  the trim (bands that bleed are backgrounds, not boxes) and holding text.  It
  fails when its last baseline (less a descent of 0.2 em) lies more than two of
  its own line steps above its bottom edge.
* Dashes and ellipses: two U+2014 (or U+2026) glyphs drawn one after the other
  on a baseline.  The ink of each comes from the embedded font program
  (``/FontFile2``; the advance box when it cannot be read).  A dash fails when
  the ink of its halves does not touch (a gap of 0.02 em or more that no fill or
  stroke bridges); an ellipsis when the pitch of its six dots across the join
  differs from the pitch within a glyph by more than 0.08 em.
* Padding pages (documents of three pages or more, inner pages only): less than
  25 % of the live area covered (on a 2 mm raster), or a ruled notes page (six
  or more long horizontal rules with hardly any text, or a heading 笔记 / 备忘).
* Running heads and folios: a short line near the top or foot (outer 12 % of the
  trim height) repeated on two pages or more, and folios (digits alone there).
  Even pages want them on the left, odd ones on the right; centred is fine.
  The covers (first and last page of three or more) are not checked.
* Posters (trim wider than 230 mm or taller than 330 mm) skip the page rules
  above and get: text under 14 pt; figures rows (a digit-bearing (font, size)
  used by three blocks or more on the page; a block is the value with its label
  directly under it) centred on the box holding them, else on the trim, within
  2 mm, and 3 mm or more apart (a label's width is its widest line); a line
  ending in a number whose next line of the same block starts with its unit or
  word.  A roll-up (800 x 2000 mm trim)
  also wants its QR code's centre 1.2-1.3 m above the trim bottom and the code
  150 mm or larger (limits in limits.json).  A QR code is a fill of 40 or more rectangles sharing one
  module height, whose extent is square.

The rules of the composition issue (limits from brochure/ground/limits.json, shared with the layout)
-------------------------------------------------------------------------------------------------------
* Blocks: lines of one face and size set one under the other (baselines at most 2 sizes apart, flush,
  indented or centred alike, none longer than the line before); a line opening with a bullet starts a
  block of its own.  Headlines are blocks 1.6 body sizes or larger; a pull quote is a block 1.2 body
  sizes or larger opening with a quotation mark with a rule just above and one just below it.
* hole (brochure, not the back cover): an empty rectangle inside the type area at least 25 mm each way
  and 4 % of the type area, on a 1 mm raster of everything drawn.  The type area is the body columns'
  extent across (pages of one parity) and, down, from the highest body line to the lowest on any page.
* reading-order: under each headline the reading path starts in the leftmost column whose first body
  line lies directly under the head (no photo, box or quote between); that line must open a paragraph
  (its 2-em indent), and no column top directly under the head and higher than the first paragraph's
  opening may begin mid-paragraph.
* quote-owner, quote-rank: a pull quote's words are found in the body text of one section; the quote must
  lie under that section's headline and before the next one, on a page with that section's text, and be
  smaller than that headline.  double-rule: two rules (under 1 mm thick, 10 mm or longer) overlapping
  across and less than 2 mm apart.
* gutter: body columns' gutters (between the edges most lines keep) 1-2 em of the body size.  measure:
  a block of two lines or more with a line over 40 characters (Latin letters count half).
* display-tail, word-split: headlines, summaries, labels and list items (blocks of two lines or more,
  not body type; on a brochure not running text at body size either; on a poster lines with other
  type set between them, as a figure's label between two rows of values, are not one block) do not end on a line of four
  characters or fewer, and no jieba word runs across a line end (Latin words break at spaces the PDF
  does not show, so only breaks next to a Chinese character or between digits are read).
* repeat-photo: one image (its stream's digest) placed twice.  repeat-text: a display block of eight
  characters or more (not body type, pull quotes or running heads) printed on two pages; the covers'
  mastheads (what stands in the top quarter of both) are the one repeat allowed.
* Posters: side-by-side (photos, boxes and the QR code beside each other, each mostly within the
  other's height, share top and bottom within 1 mm; a code inside a tinted panel is the panel's, and
  the panel is the box), axis (every element's left edge on the margin or on an edge three elements
  share, or its right edge so, or its centre on a centre line it shares with another element -- a
  centred poster, or a column centred on its own axis; a line-end closing mark counts by the left half
  of its em, where its ink is; text hung under a photo, box or code (directly, in type under a twentieth
  of its height), inside a box or on a colour band is the element's; a call to action beside the code
  is one element with it; rows of cells set one under the other (a figure's value and unit over its
  label) and a line within a row's extent are one element), column-start (the tops of side-by-side columns below the title within 1 mm), hero-size (the largest
  photo at least a fifth of the poster where its pixels at the poster's minimum resolution allow).
* Roll-up: rollup-type (no type under the distance rule's size: character height = reading distance /
  250, at the roll-up's 2 m 8 mm), foot-band (a colour band across the foot no taller than the stand's
  150 mm plus what it carries and 1.5 of its type size of room, or 20 mm more when it is empty); the QR
  code's centre at 1.2-1.3 m (qr-height).  Empty bands over 10 % are the page rule empty-band.

The exit status is 1 when any rule fails, 2 when a file is missing or unreadable.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pikepdf

sys.path.insert(0, str(Path(__file__).resolve().parent))   # the sibling tool, run as a script or loaded by path
from typeset_audit import Glyph, parse_to_unicode, read_glyphs  # noqa: E402

MM = 72 / 25.4
#: The limits, shared with the layout: brochure/ground/limits.json (read as data; nothing of brochure is imported).
LIMITS_FILE = Path(__file__).resolve().parent.parent / "brochure" / "ground" / "limits.json"
LIMITS = json.loads(LIMITS_FILE.read_text(encoding="utf-8"))
SHALLOW_LEG_LINES = LIMITS["leg_min_lines"]
DEEP_LEG_MM = LIMITS["leg_max_mm"]
BALANCE_LINES = LIMITS["balance_lines"]
EMPTY_BAND = LIMITS["empty_band_share"]             # of the trim height
BOX_MIN_MM = LIMITS["box_min_mm"]
PADDING_COVER = LIMITS["padding_page_cover"]
POSTER_MIN_PT = float(LIMITS["poster_min_pt"])
ROLLUP_MM = tuple(LIMITS["rollup_mm"])
QR_HEIGHT_M = tuple(LIMITS["rollup_qr_centre_m"])
QR_MIN_MM = LIMITS["rollup_qr_min_mm"]
FIGURES_CENTRE_MM = float(LIMITS["figures_centre_mm"])
FIGURES_GAP_MM = float(LIMITS["figures_gap_mm"])
EDGE_ZONE = 0.12             # running heads and folios: the outer part of the trim height
UNITS = set("%％‰℃°′″")


def _mul(m1, m2):
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _apply(m, x, y):
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


# ---- What is painted besides text --------------------------------------------------------------
@dataclass
class Shape:
    kind: str                     # fill | stroke | image
    x0: float
    y0: float
    x1: float
    y1: float
    rects: list = field(default_factory=list)    # the rectangles of a path drawn with ``re`` only
    white: bool = False
    pixels: tuple[int, int] = (0, 0)             # an image's width and height in samples
    digest: str = ""                             # an image's stream bytes, hashed (the same photo placed twice)

    w = property(lambda self: self.x1 - self.x0)
    h = property(lambda self: self.y1 - self.y0)


def _bbox(points):
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def read_shapes(page) -> list[Shape]:
    """Images and painted paths of one page (Form XObjects included), in drawing order."""
    shapes: list[Shape] = []
    digests: dict = {}

    def run(owner, resources, ctm, depth):
        xobjects = resources.get("/XObject", pikepdf.Dictionary())
        stack, subpaths, rects, only_rects = [], [], [], True
        fill_white = stroke_white = False
        for operands, op in pikepdf.parse_content_stream(owner):
            op = str(op)
            nums = [float(v) for v in operands] if op in ("cm", "m", "l", "c", "v", "y", "re", "k", "K", "g", "G",
                                                          "rg", "RG") else []
            if op == "q":
                stack.append((ctm, fill_white, stroke_white))
            elif op == "Q" and stack:
                ctm, fill_white, stroke_white = stack.pop()
            elif op == "cm":
                ctm = _mul(tuple(nums), ctm)
            elif op in ("m", "l", "c", "v", "y"):
                if op == "m" or not subpaths:
                    subpaths.append([])
                subpaths[-1] += [_apply(ctm, nums[i], nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
                only_rects = False
            elif op == "re":
                x, y, w, h = nums
                corners = [_apply(ctm, x + dx, y + dy) for dx in (0, w) for dy in (0, h)]
                subpaths.append(corners)
                rects.append(_bbox(corners))
            elif op in ("k", "g", "rg", "K", "G", "RG"):
                white = all(v == 0 for v in nums) if op in ("k", "K") else all(v == 1 for v in nums)
                if op.islower():
                    fill_white = white
                else:
                    stroke_white = white
            elif op in ("f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "n"):
                if subpaths and op in ("S", "s"):     # each stroked subpath apart: rules, crop marks
                    shapes.extend(Shape("stroke", *_bbox(sp), [], stroke_white) for sp in subpaths if sp)
                elif subpaths and op != "n":
                    shapes.append(Shape("fill", *_bbox([pt for sp in subpaths for pt in sp]),
                                        rects if only_rects else [], fill_white))
                subpaths, rects, only_rects = [], [], True
            elif op == "Do":
                xo = xobjects.get(str(operands[0]))
                if xo is None:
                    continue
                if xo.get("/Subtype") == "/Image":
                    key = (xo.objgen, id(xo)) if xo.objgen == (0, 0) else xo.objgen
                    if key not in digests:
                        digests[key] = hashlib.sha256(xo.read_raw_bytes()).hexdigest()[:16]
                    shapes.append(Shape("image", *_bbox([_apply(ctm, x, y) for x in (0, 1) for y in (0, 1)]),
                                        pixels=(int(xo.get("/Width", 0)), int(xo.get("/Height", 0))),
                                        digest=digests[key]))
                elif xo.get("/Subtype") == "/Form" and depth < 12:
                    m = tuple(float(v) for v in xo.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                    run(xo, xo.get("/Resources", resources), _mul(m, ctm), depth + 1)
            elif op == "INLINE IMAGE":
                shapes.append(Shape("image", *_bbox([_apply(ctm, x, y) for x in (0, 1) for y in (0, 1)])))

    run(page, page.get("/Resources", pikepdf.Dictionary()), (1, 0, 0, 1, 0, 0), 0)
    return shapes


# ---- Dash and ellipsis glyphs: their ink, from the embedded font programs ----------------------
@dataclass
class MarkInk:
    advance: float                       # em
    contours: list[tuple[float, float]]  # x extents of the glyph's contours, em, left to right

    left = property(lambda self: self.contours[0][0])
    right = property(lambda self: max(c[1] for c in self.contours))


def read_mark_ink(pdf) -> dict[tuple[str, str], MarkInk]:
    """(font name without subset tag, '—' or '…') -> the glyph's ink, for every font that has them."""
    out: dict[tuple[str, str], MarkInk] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font" or "/ToUnicode" not in obj:
            continue
        if obj.get("/Subtype") not in ("/Type0", "/TrueType"):
            continue
        try:
            codes = {c: ch for c, ch in parse_to_unicode(obj.ToUnicode.read_bytes()).items() if ch in ("—", "…")}
            if not codes:
                continue
            base = str(obj.get("/BaseFont", "/?"))[1:]
            name = base.split("+", 1)[1] if len(base) > 7 and base[6] == "+" else base
            cid = obj.get("/Subtype") == "/Type0"
            desc = (obj.DescendantFonts[0] if cid else obj).get("/FontDescriptor")
            if desc is None or "/FontFile2" not in desc:
                continue
            from fontTools.ttLib import TTFont      # deferred: only PDFs with dashes or ellipses need it
            tt = TTFont(io.BytesIO(desc.FontFile2.read_bytes()))
            upm, glyf, order = tt["head"].unitsPerEm, tt["glyf"], tt.getGlyphOrder()
            cmap = {}
            if not cid:
                for pid, eid in ((1, 0), (3, 0), (3, 1)):
                    sub = tt["cmap"].getcmap(pid, eid)
                    if sub is not None:
                        cmap = {(c & 0xFF if (pid, eid) == (3, 0) else c): n for c, n in sub.cmap.items()}
                        break
            for code_b, ch in codes.items():
                code = int.from_bytes(code_b, "big")
                gname = order[code] if cid and code < len(order) else cmap.get(code)
                if gname is None or gname not in glyf:
                    continue
                coords, ends, _ = glyf[gname].getCoordinates(glyf)
                contours, start = [], 0
                for end in ends:
                    xs = [p[0] for p in coords[start:end + 1]]
                    contours.append((min(xs) / upm, max(xs) / upm))
                    start = end + 1
                if contours:
                    out[(name, ch)] = MarkInk(tt["hmtx"][gname][0] / upm, sorted(contours))
        except Exception:   # a font we cannot read: its marks fall back to their advance boxes
            continue
    return out


# ---- Lines -------------------------------------------------------------------------------------
@dataclass
class Line:
    page: int
    y: float
    glyphs: list[Glyph]

    x0 = property(lambda self: min(g.x for g in self.glyphs))
    x1 = property(lambda self: max(g.x + g.advance for g in self.glyphs))
    size = property(lambda self: max(g.size for g in self.glyphs))
    text = property(lambda self: "".join(g.char for g in self.glyphs))


def make_lines(glyphs: list[Glyph], page: int, gap_em: float = 1.0) -> list[Line]:
    """Glyphs on one baseline no more than ``gap_em`` (of the larger size) apart, top to bottom."""
    rows: dict[float, list[Glyph]] = defaultdict(list)
    for g in sorted((g for g in glyphs if g.horizontal and not g.char.isspace()), key=lambda g: -g.y):
        key = next((y for y in rows if abs(y - g.y) <= 0.2 * g.size), g.y)
        rows[key].append(g)
    lines = []
    for y, gs in rows.items():
        gs.sort(key=lambda g: (g.x, g.order))
        cur = [gs[0]]
        for g in gs[1:]:
            if g.x - max(h.x + h.advance for h in cur) > gap_em * max(g.size, cur[-1].size):
                lines.append(Line(page, y, cur))
                cur = []
            cur.append(g)
        lines.append(Line(page, y, cur))
    return sorted(lines, key=lambda l: (-l.y, l.x0))


# ---- Findings ----------------------------------------------------------------------------------
@dataclass
class Finding:
    rule: str          # leg-shallow | leg-deep | balance | empty-band | box-fit | dash | ellipsis | padding-page
    page: int          # | poster-text | qr-height | qr-size | figures-centre | figures-gap | number-unit | mirror
    #                    | hole | reading-order | quote-owner | quote-rank | double-rule | gutter | measure
    #                    | display-tail | word-split | repeat-photo | repeat-text | side-by-side | axis
    #                    | column-start | hero-size | rollup-type | foot-band
    x_mm: float        # from the trim's left edge
    y_mm: float        # from the trim's top edge
    detail: str


@dataclass
class PageData:
    number: int
    trim: tuple[float, float, float, float]
    glyphs: list[Glyph]
    shapes: list[Shape]
    lines: list[Line] = field(default_factory=list)

    def at(self, rule: str, x: float, y: float, detail: str) -> Finding:
        return Finding(rule, self.number, round((x - self.trim[0]) / MM, 1), round((self.trim[3] - y) / MM, 1),
                       detail)

    height = property(lambda self: self.trim[3] - self.trim[1])


def _merge(intervals):
    out = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def _ink_boxes(p: PageData):
    """Boxes of everything visible: glyphs, images, non-white fills."""
    boxes = [(g.x, g.y - 0.12 * g.size, g.x + max(g.advance, 0.5 * g.size), g.y + 0.88 * g.size)
             for g in p.glyphs if not g.char.isspace()]
    boxes += [(s.x0, s.y0, s.x1, s.y1) for s in p.shapes if s.kind != "stroke" and not s.white]
    return boxes


# ---- legs and column balance ----------------------------------------------------------------
def check_legs(pages: list[PageData], body: tuple[str, float]) -> list[Finding]:
    findings, legs_by_page, steps = [], {}, Counter()
    for p in pages:
        lines = [l for l in make_lines([g for g in p.glyphs if (g.font, round(g.size, 2)) == body], p.number)]
        columns = _merge([(l.x0, l.x1) for l in lines])
        cols: dict[int, list[Line]] = defaultdict(list)
        for l in lines:
            k = next(i for i, (a, b) in enumerate(columns) if a <= l.x0 <= b)
            if cols[k] and abs(cols[k][-1].y - l.y) < 0.2 * body[1]:
                cols[k][-1].glyphs += l.glyphs       # one baseline, split by a wide gap
            else:
                cols[k].append(l)
        for col in cols.values():
            steps.update(round(a.y - b.y, 2) for a, b in zip(col, col[1:]))
        legs_by_page[p.number] = cols
    near = {d: n for d, n in steps.items() if 0 < d < 3 * body[1]}
    leading = max(near, key=lambda d: (near[d], -d)) if near else 1.2 * body[1]
    for p in pages:
        legs = []                    # (column, [lines])
        for k, col in sorted(legs_by_page[p.number].items()):
            run = [col[0]]
            for l in col[1:]:
                if run[-1].y - l.y > 1.5 * leading:
                    legs.append((k, run))
                    run = []
                run.append(l)
            legs.append((k, run))
        for k, run in legs:
            depth = (run[0].y - run[-1].y + leading) / MM
            if len(run) < SHALLOW_LEG_LINES:
                findings.append(p.at("leg-shallow", run[0].x0, run[0].y,
                                     f"leg of {len(run)} line{'s' * (len(run) > 1)} in column {k + 1}: {run[0].text[:12]}"))
            elif depth > DEEP_LEG_MM:
                findings.append(p.at("leg-deep", run[0].x0, run[0].y, f"leg {depth:.0f} mm deep in column {k + 1}"))
        # modules: legs overlapping in height, their columns' last baselines level within a leading
        bands: list[list] = []
        for k, run in sorted(legs, key=lambda kr: -kr[1][0].y):
            top, foot = run[0].y, run[-1].y
            if bands and top >= bands[-1][0] - 0.5:
                bands[-1][0] = min(bands[-1][0], foot)
                bands[-1][1].append((k, run))
            else:
                bands.append([foot, [(k, run)]])
        for _, members in bands:
            feet: dict[int, tuple[float, Line]] = {}     # column -> (where it ends, its last line)
            left, right = min(r[0].x0 for _, r in members), max(r[0].x1 for _, r in members)
            for k, run in members:
                last = run[-1]
                under = [s.y0 for s in p.shapes if s.kind != "stroke" and not s.white and s.x0 <= last.x0 + 1
                         and s.x1 >= last.x1 - 1 and last.y - 2 * leading <= s.y1 <= last.y
                         and s.w < 0.9 * (right - left)]     # (one as wide as the module is the next module)
                end = min(under + [last.y])      # a photo or box closing the column is its foot
                if k not in feet or end < feet[k][0]:
                    feet[k] = (end, last)
            if len(feet) < 2:
                continue
            low = min(e for e, _ in feet.values())
            k, (high, line) = max(feet.items(), key=lambda kv: kv[1][0])
            if high - low > BALANCE_LINES * leading + 0.5:
                findings.append(p.at("balance", line.x0, line.y, f"columns end {(high - low) / leading:.1f} "
                                     f"lines apart (column {k + 1} is short)"))
    return findings


# ---- white space, boxes, padding pages --------------------------------------------------------
def check_bands(p: PageData, margin: float) -> list[Finding]:
    lo, hi = p.trim[1] + margin, p.trim[3] - margin
    busy = _merge([(max(lo, b[1]), min(hi, b[3])) for b in _ink_boxes(p) if b[3] > lo and b[1] < hi
                   and b[2] > p.trim[0] and b[0] < p.trim[2]])
    edges = [hi] + [v for a, b in reversed(busy) for v in (b, a)] + [lo]
    out = []
    for top, foot in zip(edges[::2], edges[1::2]):
        if top - foot > EMPTY_BAND * p.height:
            out.append(p.at("empty-band", p.trim[0] + margin, top,
                            f"nothing drawn for {(top - foot) / MM:.0f} mm "
                            f"({(p.trim[3] - top) / MM:.0f}-{(p.trim[3] - foot) / MM:.0f} mm from the top)"))
    return out


def check_boxes(p: PageData) -> list[Finding]:
    out, tx0, ty0, tx1, ty1 = [], *p.trim
    for s in p.shapes:
        if s.kind == "image" or s.white and s.kind == "fill" or min(s.w, s.h) < BOX_MIN_MM * MM:
            continue
        if s.x0 < tx0 + 0.5 or s.y0 < ty0 + 0.5 or s.x1 > tx1 - 0.5 or s.y1 > ty1 - 0.5 or len(s.rects) > 1:
            continue
        inside = [l for l in p.lines if s.x0 <= l.x0 and l.x1 <= s.x1 + 1 and s.y0 < l.y < s.y1]
        if not inside:
            continue
        ys = sorted({round(l.y, 1) for l in inside}, reverse=True)
        steps = sorted(a - b for a, b in zip(ys, ys[1:]))
        last = min(inside, key=lambda l: l.y)
        step = steps[len(steps) // 2] if steps else 1.5 * last.size
        empty = last.y - 0.2 * last.size - s.y0
        if empty > 2 * step:
            out.append(p.at("box-fit", s.x0, s.y0, f"box {s.h / MM:.0f} mm tall ends {empty / MM:.0f} mm "
                            f"({empty / step:.1f} lines, {empty / s.h:.0%}) below its last line: "
                            f"{inside[0].text[:10]}"))
    return out


def check_padding(p: PageData, margin: float) -> list[Finding]:
    x0, y0, x1, y1 = p.trim[0] + margin, p.trim[1] + margin, p.trim[2] - margin, p.trim[3] - margin
    cell = 2 * MM
    nx, ny = max(1, int((x1 - x0) / cell)), max(1, int((y1 - y0) / cell))
    covered = set()
    for bx0, by0, bx1, by1 in _ink_boxes(p):
        for i in range(max(0, int((bx0 - x0) / cell)), min(nx, int((bx1 - x0) / cell) + 1)):
            for j in range(max(0, int((by0 - y0) / cell)), min(ny, int((by1 - y0) / cell) + 1)):
                covered.add((i, j))
    share = len(covered) / (nx * ny)
    rules = [s for s in p.shapes if s.kind == "stroke" and s.h < 1 and s.w > 0.5 * (x1 - x0)]
    notes = any(w in l.text for l in p.lines for w in ("笔记", "备忘", "Notes", "NOTES"))
    if (len(rules) >= 6 and len(p.lines) < 10) or notes:     # rules for writing on, not rules among text
        return [p.at("padding-page", x0, y1, "ruled notes page (笔记/备忘)")]
    if share < PADDING_COVER:
        return [p.at("padding-page", x0, y1, f"only {share:.0%} of the live area used")]
    return []


# ---- dashes and ellipses ------------------------------------------------------------------
def check_marks(p: PageData, ink: dict) -> list[Finding]:
    out = []
    for a, b in zip(p.glyphs, p.glyphs[1:]):
        if a.char != b.char or a.char not in "—…" or not (a.horizontal and b.horizontal):
            continue
        if abs(a.y - b.y) > 0.01 or not -0.3 * a.size < b.x - (a.x + a.advance) < 0.5 * a.size:
            continue
        ia, ib = ink.get((a.font, a.char)), ink.get((b.font, b.char))
        sa = a.advance / ia.advance if ia and ia.advance else a.size
        sb = b.advance / ib.advance if ib and ib.advance else b.size
        if a.char == "—":
            left = a.x + (ia.right * sa if ia else a.advance)
            right = b.x + (ib.left * sb if ib else 0.0)
            gap = right - left
            bridged = any(s.kind != "image" and not s.white and s.h < a.size and s.x0 <= left + 0.01 and s.x1 >= right - 0.01
                          and s.y0 <= a.y + 0.6 * a.size and s.y1 >= a.y for s in p.shapes)
            if gap >= 0.02 * a.size and not bridged:
                out.append(p.at("dash", a.x, a.y, f"—— drawn as two glyphs {gap:.2f} pt apart"))
        elif ia and ib and len(ia.contours) >= 2:
            centres = [(c0 + c1) / 2 for c0, c1 in ia.contours]
            pitch = (centres[-1] - centres[0]) / (len(centres) - 1) * sa
            across = b.x + sum(ib.contours[0]) / 2 * sb - (a.x + centres[-1] * sa)
            if abs(across - pitch) > 0.08 * a.size:
                out.append(p.at("ellipsis", a.x, a.y, f"…… dots {pitch:.2f} pt apart, {across:.2f} pt across the join"))
    return out


# ---- running heads and folios ----------------------------------------------------------------
def check_mirror(pages: list[PageData]) -> list[Finding]:
    out, seen = [], Counter()
    sizes = Counter(round(g.size, 2) for p in pages for g in p.glyphs if g.horizontal and not g.char.isspace())
    body_size = max(sizes, key=sizes.get) if sizes else 1e9
    edge = {p.number: [l for l in p.lines if l.y > p.trim[3] - EDGE_ZONE * p.height
                       or l.y < p.trim[1] + EDGE_ZONE * p.height] for p in pages}
    for lines in edge.values():
        seen.update({l.text for l in lines})
    for p in pages:
        for l in edge[p.number]:
            folio = l.text.isdigit() and len(l.text) <= 3
            if not folio and (seen[l.text] < 2 or len(l.text) > 40 or l.size >= body_size):
                continue                              # a running head is set smaller than the body
            centre, mid, w = (l.x0 + l.x1) / 2, (p.trim[0] + p.trim[2]) / 2, p.trim[2] - p.trim[0]
            side = "centre" if abs(centre - mid) < 0.05 * w else "left" if centre < mid else "right"
            parity = int(l.text) if folio else p.number
            want = "left" if parity % 2 == 0 else "right"
            if side not in ("centre", want):
                what = "folio" if folio else "running head"
                out.append(p.at("mirror", l.x0, l.y, f"{what} {l.text[:16]!r} on the {side} of "
                                f"{'an even' if want == 'left' else 'an odd'} page (outside edge: {want})"))
    return out


# ---- posters ---------------------------------------------------------------------------------
def find_qr(p: PageData) -> Shape | None:
    for s in p.shapes:
        if s.kind != "fill" or s.white or len(s.rects) < 40:
            continue
        m = Counter(round(min(r[2] - r[0], r[3] - r[1]), 2) for r in s.rects).most_common(1)[0][0]
        mods = [r for r in s.rects if abs(min(r[2] - r[0], r[3] - r[1]) - m) < 0.02 * m + 0.01]
        if len(mods) >= 0.9 * len(s.rects) and m > 0:
            x0, y0, x1, y1 = _bbox([(r[0], r[1]) for r in mods] + [(r[2], r[3]) for r in mods])
            if abs((x1 - x0) - (y1 - y0)) < 0.1 * (x1 - x0) and 21 <= (x1 - x0) / m <= 177:
                return Shape("qr", x0, y0, x1, y1)
    return None


def check_poster(p: PageData) -> list[Finding]:
    out = []
    for l in p.lines:
        small = min(g.size for g in l.glyphs)
        if small < POSTER_MIN_PT - 0.05:
            out.append(p.at("poster-text", l.x0, l.y, f"{small:.1f} pt text (at least {POSTER_MIN_PT:g}): {l.text[:16]}"))
    w, h = (p.trim[2] - p.trim[0]) / MM, p.height / MM
    if abs(w - ROLLUP_MM[0]) < 5 and abs(h - ROLLUP_MM[1]) < 5:
        qr = find_qr(p)
        if qr is None:
            out.append(p.at("qr-height", p.trim[0], p.trim[1], "roll-up without a QR code"))
        else:
            height = ((qr.y0 + qr.y1) / 2 - p.trim[1]) / MM / 1000
            if not QR_HEIGHT_M[0] <= height <= QR_HEIGHT_M[1]:
                out.append(p.at("qr-height", qr.x0, qr.y1, f"QR code centre {height:.2f} m above the floor "
                                f"(wants {QR_HEIGHT_M[0]:g}-{QR_HEIGHT_M[1]:g} m)"))
            if qr.w / MM < QR_MIN_MM - 0.5:
                out.append(p.at("qr-size", qr.x0, qr.y1, f"QR code {qr.w / MM:.0f} mm (at least {QR_MIN_MM} mm)"))
    return out + check_figures(p) + check_number_units(p)


def check_figures(p: PageData) -> list[Finding]:
    groups = defaultdict(list)
    for l in p.lines:
        big = max(l.glyphs, key=lambda g: g.size)
        if any(g.char.isdigit() and g.size == big.size for g in l.glyphs):
            groups[(big.font, round(big.size, 1))].append(l)
    out = []
    for values in groups.values():
        if len(values) < 3:
            continue
        rows = defaultdict(list)
        for v in values:
            under = [l for l in p.lines if 0 < v.y - l.y < 2.5 * v.size and l.x0 < v.x1 and l.x1 > v.x0
                     and l not in values]
            label = max(under, key=lambda l: l.y) if under else None
            # all the label's lines (a balanced label of two lines may be wider on its second)
            label_lines = [label] if label is not None else []
            for l in sorted(under, key=lambda l: -l.y):
                if l is not label and _face(l) == _face(label) and 0 < label_lines[-1].y - l.y < 1.6 * l.size:
                    label_lines.append(l)
            unit = [c for c in p.lines if c is not v and abs(c.y - v.y) < 0.35 * v.size
                    and 0 <= c.x0 - v.x1 < 0.6 * v.size]          # a unit set smaller on the number's baseline
            right = max([v.x1] + [c.x1 for c in unit])
            x0, x1 = ((min([v.x0] + [l.x0 for l in label_lines]), max([right] + [l.x1 for l in label_lines]))
                      if label else (v.x0, right))
            rows[round(v.y)].append((x0, x1, v))
        for blocks in rows.values():
            blocks.sort(key=lambda b: b[0])
            y = blocks[0][2].y
            left, right = blocks[0][0], max(b[1] for b in blocks)
            holder = [s for s in p.shapes if s.kind == "fill" and not s.white and len(s.rects) <= 1
                      and s.x0 <= left and s.x1 >= right and s.y0 <= y <= s.y1 and s.w < p.trim[2] - p.trim[0]]
            ref = min(holder, key=lambda s: s.w) if holder else None
            # in a column of its own (a landscape poster), the row is centred under the photo above it
            above = [s for s in p.shapes if s.kind == "image" and s.y0 > y and s.x0 <= left + 1 and s.x1 >= right - 1
                     and s.w < 0.9 * (p.trim[2] - p.trim[0])]
            column = min(above, key=lambda s: s.y0 - y) if above and ref is None else None
            mid = ((ref.x0 + ref.x1) / 2 if ref else (column.x0 + column.x1) / 2 if column
                   else (p.trim[0] + p.trim[2]) / 2)
            off = ((left + right) / 2 - mid) / MM
            if abs(off) > FIGURES_CENTRE_MM:
                where = "box" if ref else "photo" if column else "page"
                out.append(p.at("figures-centre", left, y, f"figures row {off:+.1f} mm off the "
                                f"{where} centre: {' '.join(b[2].text for b in blocks)}"))
            for a, b in zip(blocks, blocks[1:]):
                if (b[0] - a[1]) / MM < FIGURES_GAP_MM:
                    out.append(p.at("figures-gap", a[1], y, f"figure blocks {(b[0] - a[1]) / MM:.1f} mm apart "
                                    f"(at least {FIGURES_GAP_MM:g}): {a[2].text} | {b[2].text}"))
    return out


def check_number_units(p: PageData) -> list[Finding]:
    out = []
    for a in p.lines:
        if not a.text or not (a.text[-1].isdigit() or a.text[-1] in UNITS):
            continue
        below = [b for b in p.lines if 0 < a.y - b.y < 1.8 * a.size and b.x0 < a.x1 and b.x1 > a.x0]
        if not below:
            continue
        beside = [c for c in p.lines if c is not a and abs(c.y - a.y) < 0.35 * a.size and 0 <= c.x0 - a.x1 < 0.6 * a.size]
        if beside:                 # the unit set smaller on the number's baseline, right after it: not broken
            continue
        b = max(below, key=lambda l: l.y)
        first = b.text[0]
        if not first.isdigit() and (first.isalpha() or first in UNITS):
            out.append(p.at("number-unit", a.x1, a.y, f"number broken from its unit: {a.text[-6:]} | {b.text[:6]}"))
    return out


# ---- issue 19's rules: text blocks, headlines, pull quotes ---------------------------------------
BULLETS = set("■□●○◆◇▪▫•·▲►▶")
OPEN_QUOTES = set("“‘「『\"")
HOLE_MIN_MM = LIMITS["hole_min_mm"]
HOLE_MIN_SHARE = LIMITS["hole_min_share"]
INDENT_EM = LIMITS["paragraph_indent_em"]
#: How far past the indent a paragraph's first glyph may sit: a figure or Latin word opening it keeps
#: its side bearing and the quarter em of CJK-Latin space.
INDENT_SLACK = 0.9
DOUBLE_RULE_MM = LIMITS["double_rule_mm"]
GUTTER_EM = tuple(LIMITS["gutter_em"])
MEASURE_CHARS = LIMITS["measure_max_chars"]
DISPLAY_TAIL = LIMITS["display_last_line_min_chars"]
HERO_SHARE = LIMITS["poster_hero_min_share"]
POSTER_PPI = LIMITS["poster_min_ppi"]
SIDE_MM = LIMITS["side_by_side_mm"]
AXIS_MM = LIMITS["axis_mm"]
ROLLUP_FOOT_MM = LIMITS["rollup_foot_mm"]
ROLLUP_TYPE_MM = LIMITS["rollup_distance_m"] * 1000 * LIMITS["char_height_per_distance"]


def _chars(s: str) -> float:
    """A line's length in characters: CJK and full-width count one, Latin letters and digits half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in s if not c.isspace())


def _core(s: str) -> str:
    """The words of ``s`` without punctuation or spaces, for finding a quote in the text it quotes."""
    return "".join(c for c in s if c.isalnum())


@dataclass
class Block:
    """Lines of one face and size set one under the other: a paragraph, a headline, a list item."""
    lines: list[Line]

    x0 = property(lambda self: min(l.x0 for l in self.lines))
    x1 = property(lambda self: max(l.x1 for l in self.lines))
    top = property(lambda self: self.lines[0].y + 0.88 * self.size)
    bottom = property(lambda self: self.lines[-1].y - 0.12 * self.size)
    size = property(lambda self: self.lines[0].size)
    font = property(lambda self: self.lines[0].glyphs[0].font)
    text = property(lambda self: "".join(l.text for l in self.lines))


def _face(l: Line) -> tuple[str, float]:
    g = max(l.glyphs, key=lambda g: g.size)
    return g.font, round(g.size, 1)


def face_lines(p: PageData) -> list[Line]:
    """The page's lines, each of one face and size (a headline beside body text is not one line with it)."""
    faces = defaultdict(list)
    for g in p.glyphs:
        faces[(g.font, round(g.size, 1))].append(g)
    return [l for gs in faces.values() for l in make_lines(gs, p.number)]


def make_blocks(lines: list[Line]) -> list[Block]:
    """Lines grouped into blocks: same face and size, baselines at most 2 sizes apart, overlapping
    across; a line that opens with a bullet (■ ● ▲ …) starts a block of its own."""
    blocks: list[Block] = []
    open_: list[Block] = []
    for l in sorted(lines, key=lambda l: (-l.y, l.x0)):
        home = None
        if l.text[:1] not in BULLETS:
            for b in open_:
                last = b.lines[-1]
                aligned = (abs(l.x0 - last.x0) <= 2.5 * l.size or abs(l.x1 - last.x1) <= l.size
                           or abs(l.x0 + l.x1 - last.x0 - last.x1) <= 2 * l.size)   # flush, indented or centred
                fuller = last.x1 - last.x0 >= 0.8 * (l.x1 - l.x0)          # a line wraps into one no longer
                if (_face(last) == _face(l) and 0.3 * l.size < last.y - l.y <= 2.0 * l.size and aligned and fuller
                        and l.x0 < last.x1 and l.x1 > last.x0 - 0.5 * l.size):
                    home = b
                    break
        if home is None:
            home = Block([l])
            blocks.append(home)
            open_.append(home)
        else:
            home.lines.append(l)
        open_ = [b for b in open_ if b.lines[-1].y - l.y <= 2.2 * b.size]
    return blocks


def horizontal_rules(p: PageData) -> list[Shape]:
    """Rules: strokes or fills under a millimetre thick and 10 mm or longer, inside the trim."""
    return [s for s in p.shapes if s.kind != "image" and not s.white and s.h < MM and s.w >= 10 * MM
            and s.x0 >= p.trim[0] - 0.5 and s.x1 <= p.trim[2] + 0.5]


def pull_quotes(p: PageData, blocks: list[Block], body_size: float) -> list[tuple[Block, Shape, Shape]]:
    """Large text opening with a quotation mark, a rule just above it and one just below: a pull quote."""
    rules = horizontal_rules(p)
    out = []
    for b in blocks:
        if b.size < 1.2 * body_size or b.text[:1] not in OPEN_QUOTES:
            continue
        near = [r for r in rules if r.x0 <= b.x0 + b.size and r.x1 >= b.x1 - b.size]   # a quote mark may hang
        above = [r for r in near if 0 <= r.y0 - b.top < 3 * b.size]
        below = [r for r in near if 0 <= b.bottom - r.y1 < 3 * b.size]
        if above and below:
            out.append((b, min(above, key=lambda r: r.y0), max(below, key=lambda r: r.y1)))
    return out


@dataclass
class Head:
    page: int
    block: Block


def headlines(pages: list[PageData], blocks: dict[int, list[Block]], quotes: dict[int, list], body) -> list[Head]:
    """Every headline in reading order: blocks 1.6 body sizes or larger that are not pull quotes, with body
    text somewhere below them on their page or the next."""
    quoted = {id(q[0]) for qs in quotes.values() for q in qs}
    heads = []
    for p in pages:
        for b in sorted(blocks[p.number], key=lambda b: -b.top):
            if b.size >= 1.6 * body[1] and id(b) not in quoted and len(b.text) >= 2 and b.top < p.trim[3] - EDGE_ZONE * p.height / 2:
                heads.append(Head(p.number, b))
    return heads


def _owner(heads: list[Head], page: int, y: float) -> Head | None:
    """The headline a point belongs to: the last one above it on its page, else the last of an earlier page."""
    before = [h for h in heads if h.page < page or h.page == page and h.block.bottom > y]
    return before[-1] if before else None


def body_columns(lines: list[Line]) -> list[tuple[float, float, float, float]]:
    """The body columns of a page, left to right: (lo, hi, left, right), ``lo``-``hi`` the x range its
    lines cover, ``left`` and ``right`` the edges most of its lines keep (a line opening or closing with a
    punctuation mark hangs past them, an indented one starts inside)."""
    out = []
    for lo, hi in _merge([(l.x0, l.x1) for l in lines]):
        mine = [l for l in lines if lo <= l.x0 <= hi]
        left = Counter(round(l.x0, 1) for l in mine).most_common(1)[0][0]
        right = Counter(round(l.x1, 1) for l in mine).most_common(1)[0][0]
        out.append((lo, hi, left, right))
    return out


def check_reading_order(pages, body, heads, body_lines, quotes) -> list[Finding]:
    """Under each headline the reading path (the leftmost column with text directly under the head)
    begins with a paragraph's first line (its 2-em indent), and no column top higher than that begins
    mid-paragraph."""
    out = []
    em = body[1]
    for h in heads:
        p = pages[h.page - 1]
        lines = body_lines[p.number]
        if not lines:
            continue
        later = [g for g in heads if g.page == h.page and g.block.top < h.block.bottom]
        stop = max((g.block.top for g in later), default=p.trim[1])
        region = [l for l in lines if stop < l.y < h.block.bottom and l.x1 > h.block.x0]
        if not region:
            continue
        obstacles = [(s.x0, s.y0, s.x1, s.y1) for s in p.shapes
                     if s.kind != "stroke" and not s.white and s.h > 3 * MM and s.y1 < h.block.bottom + 1]
        obstacles += [(q[0].x0, q[0].bottom, q[0].x1, q[0].top) for q in quotes.get(p.number, [])]
        tops, path = [], []
        columns = body_columns(lines)
        for lo, c1, c0, _ in columns:
            col = sorted((l for l in region if lo <= l.x0 <= c1), key=lambda l: -l.y)
            if not col:
                continue
            first = col[0]
            direct = not any(o[0] < c1 and o[2] > lo and first.y < o[3] and o[1] < h.block.bottom for o in obstacles)
            indented = (INDENT_EM - 0.5) * em <= first.x0 - c0 <= (INDENT_EM + INDENT_SLACK) * em
            tops.append((first, direct, indented))
            path += col
        starts = [l for l in path if any((INDENT_EM - 0.5) * em <= l.x0 - c0 <= (INDENT_EM + INDENT_SLACK) * em for lo, c1, c0, _ in columns
                                         if lo <= l.x0 <= c1)]
        begin = starts[0] if starts else None
        directs = [t for t in tops if t[1]]
        entry = directs[0] if directs else tops[0]
        bad = [] if entry[2] else [entry[0]]
        bad += [t[0] for t in directs if not t[2] and t[0] not in bad and (begin is None or t[0].y > begin.y + 1)]
        if bad:
            l = bad[0]
            out.append(p.at("reading-order", l.x0, l.y, f"under {h.block.text[:14]!r} the column top begins "
                            f"mid-paragraph: {l.text[:12]}… (first paragraph begins "
                            + (f"{(p.trim[3] - begin.y) / MM:.0f} mm from the top)" if begin else "elsewhere)")))
    return out


def check_pull_quotes(pages, heads, quotes, body_lines) -> list[Finding]:
    """A pull quote lies under its own section's headline, before the next one, and is smaller than it."""
    text: dict[int, str] = defaultdict(str)          # headline index -> the body text under it
    index = {id(h): i for i, h in enumerate(heads)}
    for p in pages:
        for c0, c1, _, _ in body_columns(body_lines[p.number]):
            for l in sorted((l for l in body_lines[p.number] if c0 <= l.x0 <= c1), key=lambda l: -l.y):
                h = _owner(heads, p.number, l.y)
                if h is not None:
                    text[index[id(h)]] += _core(l.text)
    out = []
    for p in pages:
        for b, _, _ in quotes.get(p.number, []):
            place = _owner(heads, p.number, b.top)
            core = _core(b.text)
            key = core[: min(len(core), 10)]
            owners = [i for i, t in text.items() if key and key in t]
            own = heads[owners[0]] if owners else place
            beside = {index[id(h)] for l in body_lines[p.number] if (h := _owner(heads, p.number, l.y)) is not None}
            if owners and (place is None or index[id(place)] not in owners):
                out.append(p.at("quote-owner", b.x0, b.top, f"pull quote {b.text[:12]!r} of "
                                f"{own.block.text[:12]!r} sits under "
                                + (f"{place.block.text[:12]!r}" if place else "no headline")))
            elif owners and not beside & set(owners):
                out.append(p.at("quote-owner", b.x0, b.top, f"pull quote {b.text[:12]!r} of "
                                f"{own.block.text[:12]!r} on a page without its section's text"))
            if own is not None and b.size >= own.block.size - 0.05:
                out.append(p.at("quote-rank", b.x0, b.top, f"pull quote {b.size:.1f} pt, its headline "
                                f"{own.block.size:.1f} pt: {b.text[:12]}"))
    return out


def check_double_rules(p: PageData) -> list[Finding]:
    rules = sorted(horizontal_rules(p), key=lambda r: -r.y1)
    out = []
    for i, a in enumerate(rules):
        for b in rules[i + 1:]:
            overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
            gap = a.y0 - b.y1
            if overlap > 0.5 * min(a.w, b.w) and -0.01 <= gap < DOUBLE_RULE_MM * MM and a.y1 - b.y0 > 0:
                out.append(p.at("double-rule", max(a.x0, b.x0), a.y1, f"two rules {max(gap, 0) / MM:.1f} mm apart "
                                f"over {overlap / MM:.0f} mm (at least {DOUBLE_RULE_MM:g} mm)"))
                break
    return out


def type_area(pages: list[PageData], body_lines: dict[int, list[Line]]):
    """The type area of each page: across, the body columns' extent on pages of its parity (else of all
    pages); down, from the highest body line's top to the lowest one's foot on any page."""
    every = [(p, l) for p in pages for l in body_lines[p.number]]
    if not every:
        return {}
    top = max(l.y + 0.88 * l.size - p.trim[3] for p, l in every)          # as offsets from the trim top
    foot = min(l.y - 0.12 * l.size - p.trim[3] for p, l in every)
    out = {}
    for p in pages:
        same = [(q, l) for q, l in every if q.number % 2 == p.number % 2] or every
        x0 = min(l.x0 - q.trim[0] for q, l in same)
        x1 = max(l.x1 - q.trim[0] for q, l in same)
        out[p.number] = (p.trim[0] + x0, p.trim[3] + foot, p.trim[0] + x1, p.trim[3] + top)
    return out


def empty_rectangles(area, boxes, cell: float, min_w: float, min_h: float, min_area: float, limit: int = 6):
    """Empty rectangles of ``area`` among ``boxes`` on a ``cell`` raster, largest first, each at least
    ``min_w`` x ``min_h`` and ``min_area``; once one is found its cells count as taken."""
    x0, y0, x1, y1 = area
    nx, ny = int((x1 - x0) / cell), int((y1 - y0) / cell)
    if nx <= 0 or ny <= 0:
        return []
    grid = [[False] * nx for _ in range(ny)]              # row 0 at the top
    for bx0, by0, bx1, by1 in boxes:
        i0, i1 = max(0, int((bx0 - x0) / cell)), min(nx, int((bx1 - x0) / cell) + 1)
        j0, j1 = max(0, int((y1 - by1) / cell)), min(ny, int((y1 - by0) / cell) + 1)
        for j in range(j0, j1):
            row = grid[j]
            for i in range(i0, i1):
                row[i] = True
    found = []
    while len(found) < limit:
        best, heights = None, [0] * nx
        for j in range(ny):
            row = grid[j]
            for i in range(nx):
                heights[i] = 0 if row[i] else heights[i] + 1
            stack = []
            for i in range(nx + 1):
                hgt = heights[i] if i < nx else 0
                start = i
                while stack and stack[-1][1] >= hgt:
                    start, hh = stack.pop()
                    w, h = (i - start) * cell, hh * cell
                    if w >= min_w and h >= min_h and w * h >= min_area and (best is None or w * h > best[0]):
                        best = (w * h, start, j - hh + 1, i - start, hh)
                stack.append((start, hgt))
        if best is None:
            break
        _, i, j, w, h = best
        for jj in range(j, j + h):
            for ii in range(i, i + w):
                grid[jj][ii] = True
        found.append((x0 + i * cell, y1 - (j + h) * cell, x0 + (i + w) * cell, y1 - j * cell))
    return found


def check_holes(p: PageData, area) -> list[Finding]:
    ax0, ay0, ax1, ay1 = area
    share = HOLE_MIN_SHARE * (ax1 - ax0) * (ay1 - ay0)
    boxes = _ink_boxes(p) + [(s.x0, s.y0, s.x1, s.y1) for s in p.shapes if s.kind == "stroke" and not s.white]
    sizes = sorted(l.size for l in p.lines)
    if sizes:      # a display line (a headline) owns its band across the type area: ragged white, not a hole
        body = sizes[len(sizes) // 2]
        boxes += [(l.x0, l.y - 0.3 * l.size, ax1, l.y + 0.9 * l.size) for l in p.lines if l.size >= 1.8 * body]
    out = []
    for x0, y0, x1, y1 in empty_rectangles(area, boxes, MM, HOLE_MIN_MM * MM, HOLE_MIN_MM * MM, share):
        out.append(p.at("hole", x0, y1, f"{(x1 - x0) / MM:.0f} x {(y1 - y0) / MM:.0f} mm empty inside the type area "
                        f"({(x1 - x0) * (y1 - y0) / ((ax1 - ax0) * (ay1 - ay0)):.0%} of it)"))
    return out


def check_measure(p: PageData, blocks: list[Block], body_lines: list[Line], body) -> list[Finding]:
    out = []
    if body is not None and body_lines:
        cols = [c for c in body_columns(body_lines)
                if sum(1 for l in body_lines if c[0] <= l.x0 <= c[1]) >= 3]
        for a, b in zip(cols, cols[1:]):
            gap = (b[2] - a[3]) / body[1]
            if not GUTTER_EM[0] - 0.05 <= gap <= GUTTER_EM[1] + 0.05:
                top = max(l.y for l in body_lines if a[0] <= l.x0 <= a[1]) + 0.88 * body[1]
                out.append(p.at("gutter", a[3], top, f"gutter {(b[2] - a[3]) / MM:.1f} mm = {gap:.1f} em "
                                f"of the body size (wants {GUTTER_EM[0]:g}-{GUTTER_EM[1]:g} em)"))
                break
    for b in blocks:
        if len(b.lines) < 2 or body is not None and (b.font, round(b.size, 2)) == (body[0], round(body[1], 2)):
            continue                     # body columns: their measure is the gutter check's
        longest = max(b.lines, key=lambda l: _chars(l.text))
        n = _chars(longest.text)
        if n > MEASURE_CHARS + 0.5:
            out.append(p.at("measure", b.x0, longest.y, f"{n:.0f} characters a line (at most {MEASURE_CHARS}): "
                            f"{longest.text[:12]}…"))
    return out


_SEGMENTER = []


def _words(text: str) -> list[str]:
    """jieba's words of ``text``; the dictionary is loaded the first time display lines are read."""
    if not _SEGMENTER:
        import logging

        import jieba
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _SEGMENTER.append(jieba)
    return _SEGMENTER[0].lcut(text)


def _parted(b: Block, lines: list[Line]) -> list[Block]:
    """``b`` split where a line of other type lies between two of its lines, across them both."""
    parts = [[b.lines[0]]]
    for a, c in zip(b.lines, b.lines[1:]):
        between = any(c.y < l.y < a.y and l.x0 < min(a.x1, c.x1) and l.x1 > max(a.x0, c.x0)
                      and l is not a and l is not c for l in lines)
        if between:
            parts.append([c])
        else:
            parts[-1].append(c)
    return [Block(ls) for ls in parts]


def check_display_lines(p: PageData, blocks: list[Block], body, poster: bool) -> list[Finding]:
    """Headlines, summaries, labels and list items: no last line of four characters or fewer, no word split."""
    out = []
    if poster:                # a figure grid's values, one row over the next, are parted by their labels
        blocks = [part for b in blocks for part in _parted(b, p.lines)]
    for b in blocks:
        if len(b.lines) < 2:
            continue
        if not poster and body is not None and (b.font, round(b.size, 2)) == (body[0], round(body[1], 2)):
            continue
        if not poster and b.size < 1.2 * body[1] and max(_chars(l.text) for l in b.lines) > 24:
            continue                                     # running text (a preface), not a display line
        last = b.lines[-1].text
        if len(last) < DISPLAY_TAIL:
            out.append(p.at("display-tail", b.lines[-1].x0, b.lines[-1].y,
                            f"last line of {len(last)} character{'s' * (len(last) > 1)}: …{b.lines[-2].text[-6:]}/{last}"))
        for a, c in zip(b.lines, b.lines[1:]):
            left, right = a.text[-6:], c.text[:6]
            if not left or not right or not (left[-1].isalnum() and right[0].isalnum()):
                continue
            if not (ord(left[-1]) >= 0x2E80 or ord(right[0]) >= 0x2E80 or left[-1].isdigit() and right[0].isdigit()):
                continue                  # Latin words break at a space, which the PDF does not show
            pos = 0
            for w in _words(left + right):
                if pos < len(left) < pos + len(w) and all(ch.isalnum() for ch in w):
                    out.append(p.at("word-split", a.x1, a.y, f"word {w!r} split across lines: {left}/{right}"))
                    break
                pos += len(w)
    return out


def check_repeats(pages: list[PageData], blocks: dict[int, list[Block]], body, quotes) -> list[Finding]:
    """The same photo (image digest) placed twice; the same display text (8 characters or more, running
    heads, body text and pull quotes aside) on two pages, the covers' mastheads (their top quarter) aside."""
    out, seen = [], {}
    for p in pages:
        for s in p.shapes:
            if s.kind == "image" and s.digest and s.w > 10 * MM and s.h > 10 * MM:
                if s.digest in seen:
                    out.append(p.at("repeat-photo", s.x0, s.y1, f"photo {s.pixels[0]}x{s.pixels[1]} printed again "
                                    f"(first on page {seen[s.digest]})"))
                else:
                    seen[s.digest] = p.number
    quoted = {id(q[0]) for qs in quotes.values() for q in qs}
    texts = {}
    for p in pages:
        keep = []
        for b in blocks[p.number]:
            if id(b) in quoted or body is not None and (b.font, round(b.size, 2)) == (body[0], round(body[1], 2)):
                continue
            edge = b.top > p.trim[3] - EDGE_ZONE * p.height or b.bottom < p.trim[1] + EDGE_ZONE * p.height
            if edge and (body is None or b.size < 1.2 * body[1]):
                continue                                 # running heads and folios repeat by design
            t = "".join(ch for ch in b.text if not ch.isspace() and ch not in BULLETS)
            if len(t) >= 8:
                keep.append((t, b))
        texts[p.number] = keep
    last = len(pages)

    def masthead(page: PageData, b: Block) -> bool:          # the covers' title, repeated by design
        return b.top > page.trim[3] - 0.25 * page.height

    for p in pages[1:]:
        for t, b in texts[p.number]:
            cover = p.number == last and last >= 3          # the back cover against the front: not its masthead
            # the back cover may show again what an inner page shows (its key figures), never the front's
            earlier = [q for q in (range(1, 2) if cover else range(1, p.number))
                       if any((t == u or len(t) >= 12 and (t in u or u in t))
                              and not (cover and q == 1 and masthead(p, b) and masthead(pages[0], c))
                              for u, c in texts[q])]
            if earlier:
                out.append(p.at("repeat-text", b.x0, b.top, f"{t[:16]!r} printed again (first on page {earlier[0]})"))
    return out


# ---- posters: alignment, hero, the roll-up ------------------------------------------------------
def _elements(p: PageData, blocks: list[Block]):
    """What a poster is composed of, as (kind, x0, y0, x1, y1, label): photos, boxes, the QR code, and text
    blocks outside boxes not hung under a photo, box or code; a row of blocks on one baseline is one element."""
    tx0, ty0, tx1, ty1 = p.trim
    qr = find_qr(p)
    things = [("photo", s.x0, s.y0, s.x1, s.y1, "photo") for s in p.shapes if s.kind == "image"
              and s.w > 20 * MM and s.h > 20 * MM]
    things += [("box", s.x0, s.y0, s.x1, s.y1, "box") for s in p.shapes if s.kind == "fill" and not s.white
               and len(s.rects) <= 1 and min(s.w, s.h) >= BOX_MIN_MM * MM and s.x0 > tx0 + 0.5 and s.x1 < tx1 - 0.5
               and s.y0 > ty0 + 0.5 and s.y1 < ty1 - 0.5]
    if qr is not None and not any(k == "box" and x0 <= qr.x0 and qr.x1 <= x1 and y0 <= qr.y0 and qr.y1 <= y1
                                  for k, x0, y0, x1, y1, _ in things):
        # in a tinted panel, the panel is the box; a call to action set beside the code is one element with it
        beside = [b for b in blocks if qr.y0 - 1 <= b.bottom and b.top <= qr.y1 + 1 and 0 <= b.x0 - qr.x1 < 0.3 * qr.w]
        things.append(("qr", qr.x0, qr.y0, max([qr.x1] + [_ink_x1(b) for b in beside]), qr.y1, "QR code"))
    else:
        beside = []
    bands = [s for s in p.shapes if s.kind == "fill" and not s.white and (s.x0 <= tx0 + 0.5 and s.x1 >= tx1 - 0.5)]
    rows: dict = {}
    for b in blocks:
        inside = any(k in ("box", "qr") and x0 - 1 <= b.x0 and b.x1 <= x1 + 1 and y0 <= b.bottom and b.top <= y1
                     for k, x0, y0, x1, y1, _ in things)
        banded = any(s.y0 <= b.bottom and b.top <= s.y1 for s in bands)
        hung = any(x0 - AXIS_MM * MM <= b.x0 and b.x1 <= x1 + AXIS_MM * MM and 0 <= y0 - b.top < 2 * b.size
                   and b.size < 0.05 * (y1 - y0) for k, x0, y0, x1, y1, _ in things)     # a caption, not a figure
        if inside or banded or hung or any(b is c for c in beside):
            continue
        key = round(b.lines[0].y / (2 * MM))          # blocks on one baseline (a figure's value and unit): one row
        rows.setdefault(key, []).append(b)
    # the cells of a row (a figure's value and unit over its label, the label's second line): rows of
    # cells set directly one under the other, or a line within a row's extent, are one element
    rowed = sorted(rows.values(), key=lambda bs: -max(b.top for b in bs))
    merged: list[list[Block]] = []
    tol = AXIS_MM * MM
    for bs in rowed:
        x0, x1 = min(b.x0 for b in bs), max(_ink_x1(b) for b in bs)
        top, size = max(b.top for b in bs), max(b.size for b in bs)

        def joins(m):
            mx0, mx1 = min(b.x0 for b in m), max(_ink_x1(b) for b in m)
            within = mx0 - tol <= x0 and x1 <= mx1 + tol or x0 - tol <= mx0 and mx1 <= x1 + tol
            overlap = min(b.bottom for b in m) < top and min(b.bottom for b in bs) < max(b.top for b in m)
            across = min(x1, mx1) - max(x0, mx0) >= 0.5 * min(x1 - x0, mx1 - mx0)
            cells = len(m) >= 2 and len(bs) >= 2 and min(b.bottom for b in m) - top < 1.5 * size and across
            return within and overlap or cells
        home = next((m for m in merged if joins(m)), None)
        if home is None:
            merged.append(list(bs))
        else:
            home.extend(bs)
    for bs in merged:
        things.append(("text", min(b.x0 for b in bs), min(b.bottom for b in bs), max(_ink_x1(b) for b in bs),
                       max(b.top for b in bs), " ".join(b.text[:8] for b in bs)[:20]))
    return things


CLOSING = set("”’）」』》〉】〕。，、；：！？")


def _ink_x1(b: Block) -> float:
    """A block's right edge as a reader sees it: a closing mark ending a line keeps only the left half
    of its em (where its ink is), as a line-end mark is set half-width."""
    ends = []
    for l in b.lines:
        g = max(l.glyphs, key=lambda g: g.x + g.advance)
        ends.append(g.x + g.advance / 2 if g.char in CLOSING else g.x + g.advance)
    return max(ends)


def check_poster_grid(p: PageData, blocks: list[Block]) -> list[Finding]:
    out = []
    things = _elements(p, blocks)
    # side by side: boxes, photos and the code that share a band of the poster share its top and bottom
    solid = [t for t in things if t[0] != "text"]
    for i, a in enumerate(solid):
        for b in solid[i + 1:]:
            if a[1] < b[3] and b[1] < a[3]:
                continue                                     # one above the other, or overlapping
            overlap = min(a[4], b[4]) - max(a[2], b[2])
            if overlap < 0.5 * max(a[4] - a[2], b[4] - b[2]):
                continue                  # each mostly in the other's band, not a tall photo beside a column
            dt, db = abs(a[4] - b[4]) / MM, abs(a[2] - b[2]) / MM
            if dt > SIDE_MM or db > SIDE_MM:
                out.append(p.at("side-by-side", min(a[1], b[1]), max(a[4], b[4]), f"{a[5]} and {b[5]} side by side: "
                                f"tops {dt:.0f} mm and bottoms {db:.0f} mm apart (within {SIDE_MM:g} mm)"))
    # one axis: every element's left edge on an axis three elements share (or its right edge on one),
    # or its centre on a centre line three share (a centred poster, or a column centred on its own axis)
    tol = AXIS_MM * MM
    lefts, rights = [t[1] for t in things], [t[3] for t in things]
    centres = [(t[1] + t[3]) / 2 for t in things]
    margin_l, margin_r = min(lefts, default=0), max(rights, default=0)          # the margins are axes too
    off = [t for t in things if not (abs(t[1] - margin_l) <= tol or abs(t[3] - margin_r) <= tol
                                     or sum(1 for x in lefts if abs(x - t[1]) <= tol) >= 3
                                     or sum(1 for x in rights if abs(x - t[3]) <= tol) >= 3
                                     or sum(1 for x in centres if abs(x - (t[1] + t[3]) / 2) <= tol) >= 2)]
    if off:
        first = max(off, key=lambda t: t[4])
        out.append(p.at("axis", first[1], first[4], f"{len(off)} of {len(things)} elements on no axis three share: "
                        + ", ".join(f"{t[0]} {t[5][:8]!r} at {(t[1] - p.trim[0]) / MM:.0f} mm" for t in off[:4])))
    # columns start on one line: elements side by side below the title, each column's top level
    title = max(blocks, key=lambda b: b.size, default=None)
    below = [t for t in things if title is None or t[4] < title.bottom - 1]
    columns: list[list] = []
    for t in sorted(below, key=lambda t: t[1]):
        home = [c for c in columns if any(u[1] < t[3] - 1 and t[1] < u[3] - 1 for u in c)]
        for c in home[1:]:
            home[0].extend(c)
            columns.remove(c)
        if not home:
            columns.append([])
            home = [columns[-1]]
        home[0].append(t)
    columns = [c for c in columns if c]
    if len(columns) >= 2:
        tops = sorted(((max(u[4] for u in c), min(u[1] for u in c)) for c in columns), reverse=True)
        (high, hx), (low, lx) = tops[0], tops[-1]
        if (high - low) / MM > SIDE_MM:
            out.append(p.at("column-start", lx, low, f"columns start {(high - low) / MM:.0f} mm apart "
                            f"(within {SIDE_MM:g} mm)"))
    # the hero photo: a fifth of the poster where its pixels allow
    photos = [s for s in p.shapes if s.kind == "image" and s.w > 20 * MM]
    if photos:
        hero = max(photos, key=lambda s: s.w * s.h)
        area = (p.trim[2] - p.trim[0]) * p.height
        vis = (min(hero.x1, p.trim[2]) - max(hero.x0, p.trim[0])) * (min(hero.y1, p.trim[3]) - max(hero.y0, p.trim[1]))
        allow = hero.pixels[0] * hero.pixels[1] * (72 / POSTER_PPI) ** 2
        if vis < HERO_SHARE * area and allow >= HERO_SHARE * area:
            out.append(p.at("hero-size", hero.x0, hero.y1, f"hero photo {vis / area:.0%} of the poster "
                            f"(at least {HERO_SHARE:.0%}; its pixels allow {min(allow / area, 1):.0%})"))
    return out


def check_rollup(p: PageData) -> list[Finding]:
    """The roll-up: type at least the reading distance's size, a foot band no taller than the stand's foot
    and what it carries.  (Empty bands over a tenth of its height are the page rule ``empty-band``.)"""
    out = []
    tx0, ty0, tx1, ty1 = p.trim
    bands = [s for s in p.shapes if s.kind == "fill" and not s.white and s.x0 <= tx0 + 0.5 and s.x1 >= tx1 - 0.5
             and s.h > 10 * MM]
    foot = [s for s in bands if s.y0 <= ty0 + 0.5]
    small = [l for l in p.lines if l.size / MM < ROLLUP_TYPE_MM - 0.05]
    if small:
        l = min(small, key=lambda l: l.size)
        out.append(p.at("rollup-type", l.x0, l.y, f"{len(small)} line{'s' * (len(small) > 1)} under "
                        f"{ROLLUP_TYPE_MM:.0f} mm type at {LIMITS['rollup_distance_m']:g} m, smallest "
                        f"{l.size:.0f} pt: {l.text[:14]}"))
    for s in foot:
        ink = [l for l in p.lines if s.y0 <= l.y <= s.y1]
        need = ROLLUP_FOOT_MM * MM + (max(l.y + 0.88 * l.size for l in ink) - ty0 - ROLLUP_FOOT_MM * MM
                                      + 1.5 * max(l.size for l in ink) if ink else 20 * MM)
        need = max(need, ROLLUP_FOOT_MM * MM)
        height = s.y1 - ty0
        if height > need + MM:
            out.append(p.at("foot-band", tx0, s.y1, f"foot band {height / MM:.0f} mm tall, "
                            f"{'empty' if not ink else 'holding ' + ink[0].text[:10]}, "
                            f"needs {need / MM:.0f} mm (the stand hides {ROLLUP_FOOT_MM} mm)"))
    return out


# ---- The audit ---------------------------------------------------------------------------------
def audit(path: Path | str) -> dict:
    """The findings for the PDF at ``path``: {"file", "kind", "pages", "body", "findings", "summary"}.

    ``kind`` is brochure, poster or rollup; each finding is a dict of :class:`Finding`'s fields.
    """
    path = Path(path)
    glyph_pages, _ = read_glyphs(path)
    pages = []
    with pikepdf.open(str(path)) as pdf:
        ink = read_mark_ink(pdf)
        for n, (page, glyphs) in enumerate(zip(pdf.pages, glyph_pages), 1):
            box = page.obj.get("/TrimBox", page.mediabox)
            pages.append(PageData(n, tuple(float(v) for v in box), glyphs, read_shapes(page.obj)))
    for p in pages:
        p.lines = make_lines(p.glyphs, p.number)
    w, h = ((pages[0].trim[2] - pages[0].trim[0]) / MM, pages[0].height / MM) if pages else (0, 0)
    kind = ("rollup" if abs(w - ROLLUP_MM[0]) < 5 and abs(h - ROLLUP_MM[1]) < 5
            else "poster" if w > 230 or h > 330 else "brochure")
    pairs = Counter((g.font, round(g.size, 2)) for p in pages for g in p.glyphs if g.horizontal and not g.char.isspace())
    body = max(pairs, key=pairs.get) if pairs else None
    lefts = [g.x - p.trim[0] for p in pages for g in p.glyphs if g.x > p.trim[0]]
    margin = min(lefts) if lefts else 0.0
    findings: list[Finding] = []
    if kind == "brochure" and body is not None:
        findings += check_legs(pages, body)
    # body lines split at gaps wider than 0.75 em: a gutter of 1-2 em less a hanging mark still parts columns
    body_lines = {p.number: ([l for l in make_lines([g for g in p.glyphs if (g.font, round(g.size, 2)) == body],
                                                    p.number, gap_em=0.75)] if kind == "brochure" and body else [])
                  for p in pages}
    blocks = {p.number: make_blocks(face_lines(p)) for p in pages}
    quotes = {p.number: pull_quotes(p, blocks[p.number], body[1]) for p in pages} if body else {}
    areas = type_area(pages, body_lines) if kind == "brochure" else {}
    for p in pages:
        findings += check_bands(p, margin) + check_boxes(p) + check_marks(p, ink)
        findings += check_double_rules(p) + check_display_lines(p, blocks[p.number], body, kind != "brochure")
        findings += check_measure(p, blocks[p.number], body_lines[p.number], body if kind == "brochure" else None)
        if kind == "brochure" and len(pages) >= 3 and 1 < p.number < len(pages):
            findings += check_padding(p, margin)
        if p.number in areas and not (len(pages) >= 3 and p.number == len(pages)):     # the back cover aside
            findings += check_holes(p, areas[p.number])
        if kind != "brochure":
            findings += check_poster(p) + check_poster_grid(p, blocks[p.number])
        if kind == "rollup":
            findings += check_rollup(p)
    if kind == "brochure" and body is not None:
        findings += check_mirror(pages[1:-1] if len(pages) >= 3 else pages)     # not the covers
        heads = headlines(pages, blocks, quotes, body)
        findings += check_reading_order(pages, body, heads, body_lines, quotes)
        findings += check_pull_quotes(pages, heads, quotes, body_lines)
    findings += check_repeats(pages, blocks, body, quotes)
    findings.sort(key=lambda f: (f.page, f.y_mm, f.x_mm))
    return {"file": str(path), "kind": kind, "pages": len(pages),
            "body": {"font": body[0], "size": body[1]} if body else None,
            "findings": [asdict(f) for f in findings], "summary": dict(Counter(f.rule for f in findings))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pdf", type=Path, nargs="+")
    ap.add_argument("--json", action="store_true", help="print the reports as JSON (the summary goes to stderr)")
    args = ap.parse_args(argv)
    reports, status = [], 0
    for pdf in args.pdf:
        try:
            reports.append(audit(pdf))
        except (OSError, pikepdf.PdfError) as exc:
            print(f"{pdf}: {exc}", file=sys.stderr)
            return 2
    for r in reports:
        if not args.json:
            for f in r["findings"]:
                print(f"{r['file']}: p{f['page']} at {f['x_mm']:.0f},{f['y_mm']:.0f} mm  {f['rule']:<14} {f['detail']}")
        status = max(status, 1 if r["findings"] else 0)
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=1))
    total = Counter()
    for r in reports:
        total.update(r["summary"])
    verdict = ", ".join(f"{k} {v}" for k, v in sorted(total.items())) or "no findings"
    print(f"summary: {len(reports)} file{'s' * (len(reports) > 1)}, {sum(r['pages'] for r in reports)} pages: "
          f"{verdict} -> {'FAIL' if status else 'OK'}", file=sys.stderr if args.json else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main())
