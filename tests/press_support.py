"""Shared code for the press tests: sample photos, a small finished PDF, renders (no tests here)."""
from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from brochure.ground.colour import cmyk
from brochure.ground.boxes import MM, PageBoxes
from brochure.draw.image import draw_image
from brochure.images.prepare import prepare_photo
from brochure.draw.marks import draw_marks
from brochure.press.pdfx import DEFAULT_CMYK_PROFILE, X1A, finish
from brochure.draw.qr import draw_qr

CMYK_PROFILE = DEFAULT_CMYK_PROFILE
# DroidSansFallback is a TrueType font with Han glyphs (no Latin); DejaVuSans covers Latin.
CJK_TTF = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
LATIN_TTF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CJK_TEXT = "奋进新征程 建功新时代"
URL = "https://example.org/lukou/2022"
EPOCH = 1662000000


def press_values(pdfx: str = X1A, profile: Path = CMYK_PROFILE) -> dict:
    """The press settings ``finish`` takes, as content.yaml's defaults give them."""
    return dict(pdfx=pdfx, profile=profile, output_condition="CGATS TR 001")


def fonts() -> tuple[str, str]:
    """Register and return (cjk, latin) font names; skip-worthy if the files are absent."""
    if "TestCJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("TestCJK", str(CJK_TTF)))
        pdfmetrics.registerFont(TTFont("TestLatin", str(LATIN_TTF)))
    return "TestCJK", "TestLatin"


def have_fonts() -> bool:
    return CJK_TTF.exists() and LATIN_TTF.exists()


def have_gs() -> bool:
    return shutil.which("gs") is not None


def photo(path: Path, size=(1200, 800), color=(200, 30, 30), mode="RGB", **save) -> Path:
    Image.new(mode, size, color).save(path, **save)
    return path


def build_raw(tmp: Path, boxes: PageBoxes, *, url: str = URL, marks: bool = True,
              photo_path: Path | None = None, pages: int = 1) -> Path:
    """A small ReportLab PDF drawn the way the renderer does: media-size canvas, trim origin."""
    cjk, latin = fonts()
    raw = tmp / "raw.pdf"
    c = Canvas(str(raw), pagesize=boxes.media_size, initialFontName=latin, invariant=1)
    src = photo_path or photo(tmp / "red.png")
    prepared = prepare_photo(src, 80 * MM, 50 * MM, profile=CMYK_PROFILE, cache_dir=tmp / "cache")
    for n in range(pages):
        if marks:
            draw_marks(c, boxes, registration=True, color_bar=True,
                       slug_text=f"raw.pdf  2022-09-01  page {n + 1}", font_name=latin)
        c.saveState()
        c.translate(*boxes.trim_origin)
        c.setFillColor(cmyk(0, 8, 15, 0))
        c.rect(-boxes.bleed, -boxes.bleed, boxes.trim_w + 2 * boxes.bleed, 40 * MM, stroke=0, fill=1)
        c.setFillColor(cmyk(0, 0, 0, 100))
        c.setFont(cjk, 20)
        c.drawString(20 * MM, boxes.trim_h - 30 * MM, CJK_TEXT)
        draw_image(c, prepared, 20 * MM, boxes.trim_h - 100 * MM)
        draw_qr(c, url, boxes.trim_w - 45 * MM, 50 * MM, 25 * MM)
        c.restoreState()
        c.showPage()
    c.save()
    return raw


def build_finished(tmp: Path, *, pdfx: str = X1A, **kw) -> tuple[Path, PageBoxes]:
    boxes = PageBoxes.from_mm(148, 210, bleed_mm=3, slug_mm=10 if kw.get("marks", True) else 0)
    raw = build_raw(tmp, boxes, **kw)
    out = tmp / "out.pdf"
    finish(raw, out, boxes=boxes, **press_values(pdfx), title="非凡10年·渌口篇", author="渌口区融媒体中心",
           source_date_epoch=EPOCH)
    return out, boxes


def render(pdf: Path, page: int = 0, dpi: float = 150, grayscale: bool = False) -> Image.Image:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return doc[page].render(scale=dpi / 72, grayscale=grayscale).to_pil().copy()
    finally:
        doc.close()
