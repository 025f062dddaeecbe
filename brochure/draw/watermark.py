"""The draft watermark: "样稿 DRAFT" across the page, over everything, so a proof is never mistaken for the job.

It is part of the page content, so it prints.  PDF/X-1a allows no transparency
and the canvas only CMYK, so the words are drawn as outlines (text render mode 1,
no fill) in a light tint of the accent: what lies under them stays readable, and
they show on photos and on white alike.  They run along the page's diagonal,
as wide as about four fifths of it, and leave every QR code clear (a clipping
path with the codes cut out), so the draft's codes still scan in preflight.

The words are drawn inside a marked-content sequence tagged as a watermark artifact
(``/Artifact <</Type /Pagination /Subtype /Watermark>> BDC … EMC``, the PDF
standard's own name for it; marked content is PDF 1.2, so PDF/X-1a keeps it).  That
is what tells any reader, preflight above all, that a file is a draft: the words
themselves are only outlines.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from reportlab.pdfgen.canvas import FILL_EVEN_ODD, Canvas

from brochure.ground.colour import cmyk

#: How much of the accent colour the outlines have.
TINT = 0.45
#: The words' width as a share of the page's diagonal.
SPAN = 0.8
#: The marked-content sequence the words are drawn in (what preflight looks for).
MARK_BEGIN = "/Artifact <</Type /Pagination /Subtype /Watermark>> BDC"
MARK_END = "EMC"


@dataclass(frozen=True)
class Watermark:
    text: str                                    # e.g. "样稿 DRAFT"
    font_name: str                               # a face registered with ReportLab and embedded
    accent: tuple[float, float, float, float]    # CMYK per cent; drawn at TINT of it


def draw_watermark(c: Canvas, mark: Watermark, width: float, height: float,
                   keep_clear: list[tuple[float, float, float, float]] = ()) -> None:
    """``mark`` across the page of ``width`` × ``height`` pt (canvas at the trim origin), off the ``keep_clear``
    rectangles (x, y, w, h)."""
    diagonal = math.hypot(width, height)
    natural = c.stringWidth(mark.text, mark.font_name, 100)
    size = 100 * diagonal * SPAN / natural
    c.addLiteral(MARK_BEGIN)
    c.saveState()
    try:
        if keep_clear:
            clip = c.beginPath()
            clip.rect(0, 0, width, height)
            for x, y, w, h in keep_clear:
                clip.rect(x, y, w, h)
            c.clipPath(clip, stroke=0, fill=0, fillMode=FILL_EVEN_ODD)       # the codes are holes
        c.setStrokeColor(cmyk(*(v * TINT for v in mark.accent)))
        c.setLineWidth(max(0.5, size / 40))
        c.setLineJoin(1)
        c.translate(width / 2, height / 2)
        c.rotate(math.degrees(math.atan2(height, width)))
        text = c.beginText()
        text.setTextRenderMode(1)
        text.setFont(mark.font_name, size)
        text.setTextOrigin(-natural * size / 100 / 2, -size * 0.35)
        text.textOut(mark.text)
        c.drawText(text)
    finally:
        c.restoreState()
        c.addLiteral(MARK_END)
