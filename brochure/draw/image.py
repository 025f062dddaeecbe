"""Placing a print-ready photo on a ReportLab canvas, under a name that comes from the photo alone."""
from __future__ import annotations

from reportlab.pdfbase import pdfdoc

from brochure.images.prepare import PreparedImage


def photo_name(prepared: PreparedImage) -> str:
    """The image's resource name: ``Photo.<source file name>.<digest>``, so that preflight, reading only
    the PDF, can name the photo a staff member knows; a name that is not plain ASCII goes as hex."""
    shown = prepared.source.name if prepared.source is not None else "photo"
    if not all(c.isascii() and (c.isalnum() or c in "._-") for c in shown):
        shown = "x" + shown.encode("utf-8").hex()
    return f"Photo.{shown}.{prepared.path.stem.partition('-')[0][:16]}"


def draw_image(canvas, prepared: PreparedImage, x: float, y: float) -> None:
    """Place a prepared image with its frame's lower-left at (x, y).

    ReportLab passes a .jpg file through as DCTDecode and, for a 4-channel JPEG,
    writes /Decode [1 0 1 0 1 0 1 0].  That is right for the Adobe-inverted CMYK
    JPEGs Pillow writes (and only for those), so only our own files go here.

    ``canvas.drawImage`` names the image XObject after a digest of the file's
    path, so the same content built from another cache folder (another user,
    another machine) gave other bytes, and the name could be traced back to
    the path.  The XObject is registered here under the source photo's file
    name and a digest of what it is made of (``photo_name``), the way drawImage does it.
    """
    doc = canvas._doc
    name = photo_name(prepared)
    reg = doc.getXObjectName(name)
    if doc.idToObject.get(reg) is None:
        xobject = pdfdoc.PDFImageXObject(name, str(prepared.path))
        xobject.name = name
        canvas._setXObjects(xobject)
        doc.Reference(xobject, reg)
        doc.addForm(name, xobject)
    canvas.saveState()
    canvas.translate(x + prepared.offset_x, y + prepared.offset_y)
    canvas.scale(prepared.draw_w, prepared.draw_h)
    canvas._code.append(f"/{reg} Do")
    canvas.restoreState()
    canvas._formsinuse.append(name)
