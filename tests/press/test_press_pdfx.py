"""PDF/X finishing, read back with pikepdf, poppler and pypdfium2; marks in the slug."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from reportlab.lib.colors import CMYKColor
from reportlab.pdfgen.canvas import Canvas

from brochure.ground.errors import BrochureError, PressError
from brochure.ground.boxes import MM, PageBoxes
from brochure.draw.marks import draw_marks
from brochure.ground.rules import source_date
from brochure.press.pdfx import DEFAULT_CMYK_PROFILE, X4, finish, output_profile_path

from press_support import (CJK_TEXT, EPOCH, build_finished, build_raw, fonts, have_fonts,
                                press_values, render)

pytestmark = pytest.mark.skipif(not have_fonts(), reason="needs DroidSansFallback and DejaVuSans")


def test_boxes_on_every_page(tmp_path):
    boxes = PageBoxes.from_mm(148, 210, bleed_mm=3, slug_mm=10)
    raw = build_raw(tmp_path, boxes, pages=3)
    out = tmp_path / "out.pdf"
    finish(raw, out, boxes=boxes, **press_values(), title="t", author="a", source_date_epoch=EPOCH)
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 3
        for page in pdf.pages:
            media = [float(v) for v in page.obj.MediaBox]
            bleed = [float(v) for v in page.obj.BleedBox]
            trim = [float(v) for v in page.obj.TrimBox]
            assert media == pytest.approx(list(boxes.media_box))
            assert bleed == pytest.approx(list(boxes.bleed_box))
            assert trim == pytest.approx(list(boxes.trim_box))
            assert media[0] <= bleed[0] < trim[0] and trim[2] < bleed[2] <= media[2]
            assert trim[0] - bleed[0] == pytest.approx(3 * MM, abs=0.01)
            assert "/ArtBox" not in page.obj and "/CropBox" not in page.obj


def test_x1a_keys_intent_and_metadata(tmp_path):
    out, _ = build_finished(tmp_path)
    assert out.read_bytes().startswith(b"%PDF-1.3")
    with pikepdf.open(out) as pdf:
        info = pdf.docinfo
        assert str(info.GTS_PDFXVersion) == "PDF/X-1:2001"
        assert str(info.GTS_PDFXConformance) == "PDF/X-1a:2001"
        assert info.Trapped == pikepdf.Name("/False")
        assert str(info.Title) == "非凡10年·渌口篇" and str(info.Author) == "渌口区融媒体中心"
        assert str(info.CreationDate) == str(info.ModDate) == "D:20220901024000Z"
        (oi,) = pdf.Root.OutputIntents
        assert oi.S == "/GTS_PDFX"
        assert str(oi.OutputConditionIdentifier) == "CGATS TR 001"
        assert str(oi.RegistryName) == "http://www.color.org"
        assert "SWOP" in str(oi.Info)
        icc = oi.DestOutputProfile
        assert int(icc.N) == 4 and icc.read_bytes()[12:20] == b"prtrCMYK"
        assert str(pdf.Root.Lang) == "zh-CN"
        assert "/ID" in pdf.trailer
        # the XMP agrees, and reading it did not wipe Info (pikepdf's sync of XMP into Info is not used)
        meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        assert meta["dc:title"] == "非凡10年·渌口篇"
        assert meta["pdf:Trapped"] == "False"
        assert meta["xmp:CreateDate"] == "2022-09-01T02:40:00Z"
        # no unembedded Helvetica left behind by ReportLab
        for page in pdf.pages:
            for key in page.obj.Resources.get("/Font", {}).keys():
                font = page.obj.Resources.Font[key]
                assert "Helvetica" not in str(font.get("/BaseFont", ""))
        # JPEGs are stored as plain DCTDecode, no ASCII85 around them
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
                assert obj.Filter == "/DCTDecode" and obj.ColorSpace == "/DeviceCMYK"


def test_x4_identification(tmp_path):
    out, _ = build_finished(tmp_path, pdfx="PDF/X-4")
    assert out.read_bytes().startswith(b"%PDF-1.6")
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        assert meta["{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion"] == "PDF/X-4"
        assert meta["xmpMM:RenditionClass"] == "default"
        assert "/GTS_PDFXConformance" not in pdf.docinfo
        assert pdf.Root.OutputIntents[0].DestOutputProfile is not None


def test_deterministic_bytes(tmp_path):
    boxes = PageBoxes.from_mm(148, 210, bleed_mm=3, slug_mm=10)
    raw = build_raw(tmp_path, boxes)
    a, b, c, d = (tmp_path / f"{n}.pdf" for n in "abcd")
    kw = dict(boxes=boxes, **press_values(), title="非凡10年", author="渌口区")
    finish(raw, a, source_date_epoch=EPOCH, **kw)
    finish(raw, b, source_date_epoch=EPOCH, **kw)
    assert a.read_bytes() == b.read_bytes()
    finish(raw, c, source_date_epoch=source_date([raw], epoch_of({"SOURCE_DATE_EPOCH": str(EPOCH)})), **kw)
    assert c.read_bytes() == a.read_bytes()
    finish(raw, d, source_date_epoch=EPOCH + 1, **kw)
    assert d.read_bytes() != a.read_bytes()
    ids = {bytes(pikepdf.open(p).trailer.ID[0]) for p in (a, d)}
    assert len(ids) == 2                                  # the /ID follows the content


def test_chinese_text_survives(tmp_path):
    out, _ = build_finished(tmp_path)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True).stdout.decode()
        assert CJK_TEXT in text
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(out))
    assert CJK_TEXT in doc[0].get_textpage().get_text_bounded()
    doc.close()


def test_photo_colour_in_ghostscript_and_pdfium(tmp_path):
    """The red photo renders red in two independent renderers (Adobe CMYK JPEG /Decode)."""
    out, boxes = build_finished(tmp_path)
    # the photo frame: 80 x 50 mm at (20 mm, trim_h - 100 mm) in trim coordinates
    x_pt = boxes.trim_origin[0] + 60 * MM
    y_pt = boxes.media_h - (boxes.trim_origin[1] + boxes.trim_h - 75 * MM)
    img = render(out, dpi=72).convert("RGB")
    r, g, b = img.getpixel((int(x_pt), int(y_pt)))
    assert r > 180 and g < 90 and b < 90
    if shutil.which("gs"):
        png = tmp_path / "gs.png"
        subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=png16m", "-r72",
                        f"-sOutputFile={png}", str(out)], check=True, capture_output=True)
        from PIL import Image
        r, g, b = Image.open(png).convert("RGB").getpixel((int(x_pt), int(y_pt)))
        assert r > 180 and g < 90 and b < 90


def test_transparency_refused_for_x1a_and_nothing_written(tmp_path):
    boxes = PageBoxes.from_mm(100, 100, slug_mm=0)
    raw = tmp_path / "alpha.pdf"
    c = Canvas(str(raw), pagesize=boxes.media_size)
    c.setFillColor(CMYKColor(0, 1, 1, 0, alpha=0.5))
    c.rect(10, 10, 50, 50, stroke=0, fill=1)
    c.showPage()
    c.save()
    dst = tmp_path / "out.pdf"
    with pytest.raises(PressError) as e:
        finish(raw, dst, boxes=boxes, **press_values(), title="t", author="a", source_date_epoch=EPOCH)
    assert "透明" in str(e.value) and "transparency" in str(e.value)
    assert not dst.exists()
    finish(raw, dst, boxes=boxes, **press_values(X4), title="t", author="a",
           source_date_epoch=EPOCH)                       # allowed in X-4
    assert dst.exists()


def test_bad_profile_and_standard(tmp_path):
    boxes = PageBoxes.from_mm(100, 100)
    raw = build_raw(tmp_path, boxes, marks=False)
    dst = tmp_path / "out.pdf"
    srgb = Path("/usr/share/color/icc/ghostscript/srgb.icc")
    with pytest.raises(PressError) as e:
        finish(raw, dst, boxes=boxes, **press_values(profile=srgb), title="t", author="a",
               source_date_epoch=EPOCH)
    assert "CMYK" in str(e.value)
    with pytest.raises(PressError):
        finish(raw, dst, boxes=boxes, **press_values("PDF/X-3"), title="t", author="a",
               source_date_epoch=EPOCH)
    assert not dst.exists()


def test_output_profile_path_from_the_setting():
    assert output_profile_path("default") == output_profile_path("") == DEFAULT_CMYK_PROFILE
    assert output_profile_path("/srv/press/coated.icc") == Path("/srv/press/coated.icc")


def test_source_date_from_the_environment_or_the_newest_input(tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.jpg"
    old.write_text("a")
    new.write_text("b")
    os.utime(old, (1_600_000_000, 1_600_000_000))
    os.utime(new, (1_650_000_000.7, 1_650_000_000.7))
    assert source_date([old, new], epoch_of({"SOURCE_DATE_EPOCH": str(EPOCH)})) == EPOCH
    assert source_date([old, new], epoch_of({})) == 1_650_000_000
    assert source_date([old, tmp_path / "gone.png"], epoch_of({"SOURCE_DATE_EPOCH": ""})) == 1_600_000_000
    # a value that is not a whole number of seconds is refused at the command line (see test_source_date_epoch)
    with pytest.raises(BrochureError):
        epoch_of({"SOURCE_DATE_EPOCH": "yesterday"})
    assert source_date([], epoch_of({})) == 0


def epoch_of(environ: dict) -> int | None:
    """The document date ``environ`` sets, as the command line reads it."""
    from brochure.runtime.session import Environment

    return Environment.read(environ).source_date_epoch


# --- marks -------------------------------------------------------------------

def marks_pdf(tmp_path, boxes, **kw):
    _, latin = fonts()
    path = tmp_path / "marks.pdf"
    c = Canvas(str(path), pagesize=boxes.media_size, initialFontName=latin)
    draw_marks(c, boxes, font_name=latin, **kw)
    c.showPage()
    c.save()
    return path


def test_marks_stay_outside_the_bleed(tmp_path):
    boxes = PageBoxes.from_mm(100, 140, bleed_mm=3, slug_mm=10)
    path = marks_pdf(tmp_path, boxes, registration=True, color_bar=True, slug_text="marks.pdf 2022-09-01 p1")
    img = render(path, dpi=100, grayscale=True).convert("L")
    s = 100 / 72
    x0, y0, x1, y1 = boxes.bleed_box
    inside = img.crop((int(x0 * s) + 1, int((boxes.media_h - y1) * s) + 1,
                       int(x1 * s) - 1, int((boxes.media_h - y0) * s) - 1))
    assert inside.getextrema()[0] == 255                  # nothing inside the bleed box
    assert img.getextrema()[0] < 128                      # but marks were drawn
    with pikepdf.open(path) as pdf:
        ops = [(str(op), [float(v) for v in o if not isinstance(v, pikepdf.Object)])
               for o, op in pikepdf.parse_content_stream(pdf.pages[0])]
        assert ("w", [0.25]) in ops
        # crop marks are in registration colour: Separation /All, or CMYK 100/100/100/100
        cs = pdf.pages[0].obj.Resources.get("/ColorSpace")
        all_sep = cs is not None and any(str(cs[k][1]) == "/All" for k in cs.keys())
        assert all_sep or ("K", [1, 1, 1, 1]) in ops
        assert not any(op in ("rg", "RG") for op, _ in ops)
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(path))
    assert "marks.pdf 2022-09-01 p1" in doc[0].get_textpage().get_text_bounded()
    doc.close()


def test_no_marks_without_slug(tmp_path):
    boxes = PageBoxes.from_mm(100, 140, bleed_mm=3, slug_mm=0)
    path = marks_pdf(tmp_path, boxes, registration=True, color_bar=True, slug_text="x")
    assert render(path, dpi=50, grayscale=True).convert("L").getextrema()[0] == 255


def test_deterministic_across_reportlab_runs(tmp_path):
    """ReportLab stamps its own date and /ID into every file; the finished bytes must not change."""
    import time

    cjk, _ = fonts()
    boxes = PageBoxes.from_mm(100, 100)
    outs = []
    for i in range(2):
        raw = tmp_path / f"raw{i}.pdf"
        c = Canvas(str(raw), pagesize=boxes.media_size, initialFontName=cjk)   # not invariant
        c.setFont(cjk, 20)
        c.drawString(20, 20, CJK_TEXT)
        c.showPage()
        c.save()
        out = tmp_path / f"out{i}.pdf"
        finish(raw, out, boxes=boxes, **press_values(), title="t", author="a", source_date_epoch=EPOCH)
        outs.append(out.read_bytes())
        if i == 0:
            time.sleep(1.1)
    assert (tmp_path / "raw0.pdf").read_bytes() != (tmp_path / "raw1.pdf").read_bytes()
    assert outs[0] == outs[1]
