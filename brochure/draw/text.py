"""Draw set lines so the text stays text: one text object per line, TJ positioning.

Each line becomes ``BT … [<glyphs> adj <glyphs> …] TJ … ET``: the glyph
string is the line's characters in order, and justification, CJK–Latin
spacing and punctuation compression live only in the TJ numbers (thousandths
of an em).  So the PDF's text, as PDFium or poppler extract it, is the
characters themselves, with no spaces invented and none lost.

Glyphs are encoded with ReportLab's own TrueType subsetting
(``TTFont.splitString`` / ``getSubsetInternalName``), so embedding, subset
tags and ToUnicode maps are ReportLab's.  Colour is always CMYK; K100 text can
be set to overprint.

The 破折号 ``——`` and the 省略号 ``……`` are each one mark two ems long (clreq),
but fonts draw U+2014 and U+2026 as separate glyphs with side bearings, so two
of them read as "一 一" with a gap.  A run of two or more of either character
is therefore drawn whole: the glyphs stay in the text object, invisible
(``3 Tr``), so the page still copies and searches as ``——``/``……``, and over
them go one filled bar across the whole run (at the height and thickness of
the font's own dash) or three evenly spaced dots per em (at the height and
size of the font's own dots).  The shapes are painted in the run's fill colour
and overprint, the graphics state the text is drawn in.
"""
from __future__ import annotations

import struct
from typing import Iterable, NamedTuple, Sequence

from reportlab.lib.rl_accel import fp_str


def _encode(font, text: str, doc) -> list[tuple[str, int]]:
    """(PDF font resource name, byte code) for each character of ``text``."""
    out: list[tuple[str, int]] = []
    for subset, codes in font.splitString(text, doc):
        name = font.getSubsetInternalName(subset, doc)      # a dictionary look-up in ReportLab's own state
        out.extend(zip([name] * len(codes), codes))
    return out


def tj_operators(canvas, face, size: float, run: Sequence[tuple[str, float]],
                 hidden: Iterable[int] = ()) -> str:
    """Tf/TJ operators that show ``run`` — (character, x origin in pt) — from the current point.

    The first character must sit at the current point (x of run[0] is the origin).
    The characters at the indexes in ``hidden`` are shown invisibly (text render
    mode 3): they are text for readers and extractors but leave no ink.
    """
    font = face.pdf_font
    encoded = _encode(font, "".join(ch for ch, _ in run), canvas._doc)
    widths, default_width = font.face.charWidths, font.face.defaultWidth    # getCharWidth, inlined
    hidden = frozenset(hidden)
    size_str = fp_str(size)
    ops: list[str] = []
    current_font = None
    invisible = False
    items: list[str] = []
    chunk = bytearray()
    expected = run[0][1]
    for i, ((ch, x), (fname, code)) in enumerate(zip(run, encoded)):
        if fname != current_font or (i in hidden) != invisible:
            if chunk:
                items.append("<" + chunk.hex().upper() + ">")
                chunk.clear()
            if items:
                ops.append("[" + " ".join(items) + "] TJ")
                items.clear()
            if fname != current_font:
                ops.append(f"{fname} {size_str} Tf")
                current_font = fname
            if (i in hidden) != invisible:
                invisible = not invisible
                ops.append("3 Tr" if invisible else "0 Tr")
        adjust = (expected - x) * 1000.0 / size     # TJ: positive moves left
        if abs(adjust) > 0.0005:
            if chunk:
                items.append("<" + chunk.hex().upper() + ">")
                chunk.clear()
            items.append(fp_str(round(adjust, 3)))
        chunk.append(code)
        expected = x + widths.get(ord(ch), default_width) * size / 1000.0
    if chunk:
        items.append("<" + chunk.hex().upper() + ">")
    if items:
        ops.append("[" + " ".join(items) + "] TJ")
    if invisible:
        ops.append("0 Tr")
    return " ".join(ops)


# --- marks drawn whole: —— and …… -------------------------------------------------------
DASH, ELLIPSIS = "\u2014", "\u2026"
JOINED = (DASH, ELLIPSIS)
DOTS_PER_EM = 3
KAPPA = 0.5522847498           # a quarter circle as one cubic Bézier
DASH_THICKNESS_EM = 0.06       # when the font's own dash cannot be measured
DOT_DIAMETER_EM = 0.1


class MarkShape(NamedTuple):
    """Where a face draws the ink of one mark, in em: its centre above the baseline and its thickness."""

    centre: float
    thickness: float


def _glyph_ink_y(face, ch: str) -> tuple[float, float] | None:
    """(yMin, yMax) in em of ``ch``'s glyph, read from the face's TrueType 'glyf' table (None: unknown)."""
    ttf = face.pdf_font.face            # ReportLab's parsed font file (TTFontFile), already in memory
    try:
        gid = ttf.charToGlyph[ord(ch)]
        start = ttf.get_table_pos("glyf")[0]
        pos, end = ttf.glyphPos[gid], ttf.glyphPos[gid + 1]
        if end - pos < 10:              # an empty glyph: no outline to measure
            return None
        _, _, y_min, _, y_max = struct.unpack(">hhhhh", ttf.get_chunk(start + pos, 10))
    except (AttributeError, IndexError, KeyError, TypeError, struct.error):
        return None
    upm = float(ttf.unitsPerEm)
    return (y_min / upm, y_max / upm) if y_max > y_min else None


def mark_shape(face, ch: str) -> MarkShape:
    """Height and thickness of the bar (``—``) or the dots (``…``) as the face draws them.

    Without a measurable glyph: centred in the em box, 0.06 em thick, dots 0.1 em across.
    """
    ink = _glyph_ink_y(face, ch) if face.has(ch) else None
    if ink is None:
        fallback = DASH_THICKNESS_EM if ch == DASH else DOT_DIAMETER_EM
        return MarkShape((face.ascent - face.descent) / 2, fallback)
    return MarkShape((ink[0] + ink[1]) / 2, ink[1] - ink[0])


def joined_marks(run: Sequence[tuple[str, float]], advance) -> list[tuple[int, int]]:
    """Spans [i, j) of ``run`` that are one mark: two or more ``—`` (or ``…``) set edge to edge.

    ``advance(ch)`` is a character's advance in pt; a gap between two of them
    (a space, justification) ends the mark.
    """
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(run):
        ch = run[i][0]
        j = i + 1
        if ch in JOINED:
            while (j < len(run) and run[j][0] == ch
                   and abs(run[j][1] - run[j - 1][1] - advance(ch)) < 0.01):
                j += 1
        if j - i >= 2:
            spans.append((i, j))
        i = j
    return spans


def _circle(cx: float, cy: float, r: float) -> str:
    k = KAPPA * r
    return (f"{fp_str(cx + r)} {fp_str(cy)} m "
            f"{fp_str(cx + r)} {fp_str(cy + k)} {fp_str(cx + k)} {fp_str(cy + r)} {fp_str(cx)} {fp_str(cy + r)} c "
            f"{fp_str(cx - k)} {fp_str(cy + r)} {fp_str(cx - r)} {fp_str(cy + k)} {fp_str(cx - r)} {fp_str(cy)} c "
            f"{fp_str(cx - r)} {fp_str(cy - k)} {fp_str(cx - k)} {fp_str(cy - r)} {fp_str(cx)} {fp_str(cy - r)} c "
            f"{fp_str(cx + k)} {fp_str(cy - r)} {fp_str(cx + r)} {fp_str(cy - k)} {fp_str(cx + r)} {fp_str(cy)} c h")


def mark_operators(face, size: float, ch: str, start: float, end: float, across: float,
                   vertical: bool = False) -> str:
    """Path operators that fill one whole ``——`` or ``……`` from ``start`` to ``end`` pt.

    Horizontal: ``start``/``end`` are x and ``across`` is the baseline y.
    Vertical (the mark turned 90° clockwise, as the font's vertical forms are):
    ``start``/``end`` are y down the column and ``across`` is the x of the
    column's centre line, where the em box's centre lies.
    """
    shape = mark_shape(face, ch)
    lo, hi = min(start, end), max(start, end)
    if vertical:
        # turned clockwise, height above the em box's centre becomes distance to the right
        mid = across + (shape.centre - (face.ascent - face.descent) / 2) * size
    else:
        mid = across + shape.centre * size
    half = shape.thickness * size / 2
    if ch == DASH:
        if vertical:
            return f"{fp_str(mid - half)} {fp_str(lo)} {fp_str(2 * half)} {fp_str(hi - lo)} re f"
        return f"{fp_str(lo)} {fp_str(mid - half)} {fp_str(hi - lo)} {fp_str(2 * half)} re f"
    count = max(1, round((hi - lo) / size * DOTS_PER_EM))
    pitch = (hi - lo) / count
    dots = []
    for k in range(count):
        along = (lo + (k + 0.5) * pitch) if not vertical else (hi - (k + 0.5) * pitch)
        dots.append(_circle(mid, along, half) if vertical else _circle(along, mid, half))
    return " ".join(dots) + " f"


def set_fill(canvas, color: Iterable[float], overprint: bool = False) -> None:
    """CMYK fill colour given in percent; optionally overprinting (OPM 1)."""
    c, m, y, k = (v / 100.0 for v in color)
    canvas.setFillColorCMYK(c, m, y, k)
    if overprint:
        canvas.setFillOverprint(True)
        canvas.setOverprintMask(1)


def actual_text_span(text: str) -> str:
    """BDC operator opening a span whose ActualText is ``text`` (UTF-16BE, as PDF requires)."""
    return "/Span <</ActualText <FEFF" + text.encode("utf-16-be").hex().upper() + ">>> BDC"


def draw_run(canvas, face, size: float, x: float, y: float, run: Sequence[tuple[str, float]],
             actual_text: str | None = None) -> None:
    """Show ``run`` — (character, x offset) pairs — on the baseline y, offsets measured from x.

    With ``actual_text`` the run is marked as standing for exactly that text, so
    extractors report it verbatim instead of guessing spaces from the glyph gaps.
    """
    if not run:
        return
    ox = x + run[0][1]
    widths, default_width = face.pdf_font.face.charWidths, face.pdf_font.face.defaultWidth
    marks = joined_marks(run, lambda ch: widths.get(ord(ch), default_width) * size / 1000.0)
    hidden = [k for i, j in marks for k in range(i, j)]
    ops = f"BT 1 0 0 1 {fp_str(ox)} {fp_str(y)} Tm {tj_operators(canvas, face, size, run, hidden)} ET"
    for i, j in marks:
        ch, last = run[i][0], run[j - 1][1]
        end = last + widths.get(ord(ch), default_width) * size / 1000.0
        ops += " " + mark_operators(face, size, ch, x + run[i][1], x + end, y)
    if actual_text is not None:
        ops = f"{actual_text_span(actual_text)} {ops} EMC"
    canvas.addLiteral(ops)
