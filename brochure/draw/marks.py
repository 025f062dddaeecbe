"""Printer's marks drawn in the slug: crop marks, registration targets, colour bar, slug line.

``draw_marks`` is called with the canvas in MEDIA coordinates (origin at the
media box's lower-left), before the renderer translates to the trim.  Marks stay
outside the bleed box, so they never reach the printed, trimmed page.  Crop marks
and targets use registration colour (Separation /All); the slug line is K100.
"""
from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas

from brochure.ground.colour import cmyk
from brochure.ground.colour import registration as registration_colour
from brochure.ground.boxes import MM, PageBoxes

MARK_WIDTH = 0.25   # pt
MIN_SLUG = 3 * MM   # below this there is no room for marks; nothing is drawn

# The colour bar: solids, tints, overprint pairs.
COLOR_BAR: list[tuple[float, float, float, float]] = [
    (100, 0, 0, 0), (0, 100, 0, 0), (0, 0, 100, 0), (0, 0, 0, 100),
    (0, 100, 100, 0), (100, 0, 100, 0), (100, 100, 0, 0),
    (50, 0, 0, 0), (0, 50, 0, 0), (0, 0, 50, 0), (0, 0, 0, 50),
    (25, 0, 0, 0), (0, 25, 0, 0), (0, 0, 25, 0), (0, 0, 0, 25),
    (0, 0, 0, 10), (0, 0, 0, 5),
]


def draw_marks(canvas: Canvas, boxes: PageBoxes, *, registration: bool = False,
               color_bar: bool = False, slug_text: str | None = None,
               font_name: str | None = None) -> None:
    """Draw the requested marks into the slug of one page.

    ``font_name`` is the (embedded) font for the slug line; by default the
    canvas's current font, so the renderer must have set an embedded one.
    Nothing is drawn when ``boxes.slug`` is too small to hold marks.
    """
    if boxes.slug < MIN_SLUG:
        return
    canvas.saveState()
    try:
        _crop_marks(canvas, boxes)
        if registration:
            _registration_targets(canvas, boxes)
        if color_bar:
            _color_bar(canvas, boxes)
        if slug_text:
            _slug_line(canvas, boxes, slug_text, font_name)
    finally:
        canvas.restoreState()


def _mark_extent(boxes: PageBoxes) -> tuple[float, float]:
    """(start, end) distance from the trim line for a crop mark."""
    start = boxes.bleed + 0.5 * MM      # a small gap: marks never touch the bleed box
    end = start + min(6 * MM, boxes.slug - 1 * MM)
    return start, min(end, boxes.margin)


def _crop_marks(c: Canvas, b: PageBoxes) -> None:
    x0, y0, x1, y1 = b.trim_box
    start, end = _mark_extent(b)
    c.setStrokeColor(registration_colour())
    c.setLineWidth(MARK_WIDTH)
    c.setLineCap(0)
    p = c.beginPath()
    for x in (x0, x1):
        p.moveTo(x, y0 - start); p.lineTo(x, y0 - end)
        p.moveTo(x, y1 + start); p.lineTo(x, y1 + end)
    for y in (y0, y1):
        p.moveTo(x0 - start, y); p.lineTo(x0 - end, y)
        p.moveTo(x1 + start, y); p.lineTo(x1 + end, y)
    c.drawPath(p, stroke=1, fill=0)


def _target(c: Canvas, cx: float, cy: float, r: float) -> None:
    c.circle(cx, cy, r * 0.6, stroke=1, fill=0)
    c.circle(cx, cy, r * 0.3, stroke=1, fill=0)
    c.line(cx - r, cy, cx + r, cy)
    c.line(cx, cy - r, cx, cy + r)


def _registration_targets(c: Canvas, b: PageBoxes) -> None:
    """Targets centred in the left and right slug, halfway up the page."""
    r = min(b.slug / 2 - 0.5 * MM, 4 * MM)
    if r <= 0.5 * MM:
        return
    c.setStrokeColor(registration_colour())
    c.setLineWidth(MARK_WIDTH)
    cy = b.media_h / 2
    _target(c, b.slug / 2, cy, r)
    _target(c, b.media_w - b.slug / 2, cy, r)


def _color_bar(c: Canvas, b: PageBoxes) -> None:
    """A row of CMYK patches centred in the bottom slug, clear of the crop marks."""
    size = min(5 * MM, b.slug * 0.5)
    x0, _, x1, _ = b.trim_box
    room = (x1 - x0) - 2 * 3 * MM
    n = min(len(COLOR_BAR), int(room // size))
    if n <= 0:
        return
    start = (b.media_w - n * size) / 2
    y = (b.slug - size) / 2
    for i, value in enumerate(COLOR_BAR[:n]):
        c.setFillColor(cmyk(*value))
        c.rect(start + i * size, y, size, size, stroke=0, fill=1)


def _slug_line(c: Canvas, b: PageBoxes, text: str, font_name: str | None) -> None:
    """One line of job information in the top slug, starting at the left trim line."""
    size = max(4.0, min(6.0, b.slug * 0.35))
    font = font_name or c._fontname
    c.setFont(font, size)
    c.setFillColor(cmyk(0, 0, 0, 100))
    x0, _, x1, _ = b.trim_box
    max_w = x1 - x0
    while text and c.stringWidth(text, font, size) > max_w:
        text = text[:-1]
    y = b.media_h - b.slug / 2 - size * 0.35
    c.drawString(x0, y, text)
