"""Placing a print-ready photo on a ReportLab canvas."""
from __future__ import annotations

from brochure.images.prepare import PreparedImage


def draw_image(canvas, prepared: PreparedImage, x: float, y: float) -> None:
    """Place a prepared image with its frame's lower-left at (x, y).

    ReportLab passes a .jpg file through as DCTDecode and, for a 4-channel JPEG,
    writes /Decode [1 0 1 0 1 0 1 0].  That is right for the Adobe-inverted CMYK
    JPEGs Pillow writes (and only for those), so only our own files go here.
    """
    canvas.drawImage(str(prepared.path), x + prepared.offset_x, y + prepared.offset_y,
                     width=prepared.draw_w, height=prepared.draw_h)
