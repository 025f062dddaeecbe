"""Draw a Composition's pages onto a ReportLab canvas of media size.

Layout works in trim coordinates; here each page is translated to the trim
origin inside a media box that holds the bleed and the slug (for crop marks).
The canvas refuses any non-CMYK colour (``enforceColorSpace``), starts with an
embedded font (so no stray Helvetica resource), and is written invariant so the
same input gives the same bytes.  A draft's watermark is drawn over each page's
content, before the marks.
"""
from __future__ import annotations

from pathlib import Path

from reportlab import rl_config
from reportlab.pdfgen import canvas as rl_canvas

from brochure.ground.page import Composition
from brochure.draw.marks import draw_marks
from brochure.draw.watermark import Watermark, draw_watermark

__all__ = ["Watermark", "render"]


def render(comp: Composition, path: Path, *, font_name: str, marks: bool = True,
           color_bar: bool = False, slug_text: str | None = None, watermark: Watermark | None = None) -> None:
    saved = rl_config.useA85
    rl_config.useA85 = 0   # binary streams: ASCII85 only grows the file and costs time in pure Python
    try:
        _render(comp, path, font_name, marks, color_bar, slug_text, watermark)
    finally:
        rl_config.useA85 = saved


def _render(comp, path, font_name, marks, color_bar, slug_text, watermark) -> None:
    first = comp.pages[0].boxes
    c = rl_canvas.Canvas(
        str(path),
        pagesize=first.media_size,
        invariant=1,
        pageCompression=1,
        enforceColorSpace="cmyk",
        initialFontName=font_name,
        initialFontSize=9,
    )
    c.setTitle(comp.title)
    for number, page in enumerate(comp.pages, 1):
        boxes = page.boxes
        c.setPageSize(boxes.media_size)
        c.saveState()
        c.translate(*boxes.trim_origin)
        for item in page.items:
            item.flowable.drawOn(c, item.x, item.y)
        if watermark is not None:
            codes = [(i.x, i.y, i.w, i.h) for i in page.items if i.kind == "qr"]
            draw_watermark(c, watermark, boxes.trim_w, boxes.trim_h, codes)
        c.restoreState()
        if marks:
            text = f"{slug_text}  {number}/{len(comp.pages)}" if slug_text else None
            draw_marks(c, boxes, registration=color_bar, color_bar=color_bar, slug_text=text)
        c.showPage()
    c.save()
