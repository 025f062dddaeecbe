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
"""
from __future__ import annotations

from typing import Iterable, Sequence

from reportlab.lib.rl_accel import fp_str


def _encode(font, text: str, doc) -> list[tuple[str, int]]:
    """(PDF font resource name, byte code) for each character of ``text``."""
    out: list[tuple[str, int]] = []
    for subset, codes in font.splitString(text, doc):
        name = font.getSubsetInternalName(subset, doc)      # a dictionary look-up in ReportLab's own state
        out.extend(zip([name] * len(codes), codes))
    return out


def tj_operators(canvas, face, size: float, run: Sequence[tuple[str, float]]) -> str:
    """Tf/TJ operators that show ``run`` — (character, x origin in pt) — from the current point.

    The first character must sit at the current point (x of run[0] is the origin).
    """
    font = face.pdf_font
    encoded = _encode(font, "".join(ch for ch, _ in run), canvas._doc)
    widths, default_width = font.face.charWidths, font.face.defaultWidth    # getCharWidth, inlined
    size_str = fp_str(size)
    ops: list[str] = []
    current_font = None
    items: list[str] = []
    chunk = bytearray()
    expected = run[0][1]
    for (ch, x), (fname, code) in zip(run, encoded):
        if fname != current_font:
            if chunk:
                items.append("<" + chunk.hex().upper() + ">")
                chunk.clear()
            if items:
                ops.append("[" + " ".join(items) + "] TJ")
                items.clear()
            ops.append(f"{fname} {size_str} Tf")
            current_font = fname
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
    return " ".join(ops)


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
    ops = f"BT 1 0 0 1 {fp_str(ox)} {fp_str(y)} Tm {tj_operators(canvas, face, size, run)} ET"
    if actual_text is not None:
        ops = f"{actual_text_span(actual_text)} {ops} EMC"
    canvas.addLiteral(ops)


def draw_line(canvas, line, style, x: float, y: float) -> None:
    """Draw a ``brochure.text`` Line with its box's left edge at x and its baseline at y."""
    canvas.saveState()
    set_fill(canvas, style.color, style.overprint)
    draw_run(canvas, style.face, style.size, x, y, [(g.char, g.x) for g in line.glyphs])
    canvas.restoreState()
