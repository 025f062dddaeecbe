"""QR codes: vector, K100 on white, decodable at 20 mm, sized for distance."""
from __future__ import annotations

import pikepdf
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfgen.canvas import Canvas

from brochure.ground.errors import PressError
from brochure.ground.boxes import MM
from brochure.draw.qr import draw_qr, qr_modules, qr_size_for_distance

from press_support import render

URL = "https://example.org/lukou/feifan-10-nian?from=brochure"


def qr_pdf(tmp_path, url, size_mm=20.0, **kw):
    path = tmp_path / "qr.pdf"
    c = Canvas(str(path), pagesize=(60 * MM, 60 * MM), invariant=1)
    draw_qr(c, url, 10 * MM, 10 * MM, size_mm * MM, **kw)
    c.showPage()
    c.save()
    return path


def decode(path, dpi=300):
    img = render(path, dpi=dpi, grayscale=True)
    return [r.text for r in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_20mm_code_decodes_to_exact_url(tmp_path):
    assert decode(qr_pdf(tmp_path, URL)) == [URL]


def test_vector_k100_on_white(tmp_path):
    path = qr_pdf(tmp_path, URL)
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        assert "/XObject" not in page.obj.Resources        # no raster image
        colours = {(str(op), tuple(float(v) for v in ops))
                   for ops, op in pikepdf.parse_content_stream(page)
                   if str(op) in ("k", "K", "rg", "RG", "g", "G", "sc", "scn")}
    assert colours == {("k", (0, 0, 0, 0)), ("k", (0, 0, 0, 1))}


def test_quiet_zone_is_white(tmp_path):
    path = qr_pdf(tmp_path, URL)
    img = render(path, dpi=300, grayscale=True).convert("L")
    px = 300 / 72
    n = qr_modules(URL)
    module = 20 * MM / (n + 8)
    # the four-module band inside the white square, along the left edge
    x0 = int((10 * MM + 0.5) * px)
    x1 = int((10 * MM + 4 * module - 0.5) * px)
    top = int((60 * MM - 30 * MM) * px) + 2
    bottom = int((60 * MM - 10 * MM) * px) - 2
    band = img.crop((x0, top, x1, bottom))
    assert band.getextrema()[0] > 250


def test_too_long_url_for_size_fails():
    long_url = "https://example.org/" + "x" * 600
    with pytest.raises(PressError) as e:
        c = Canvas("/dev/null")
        draw_qr(c, long_url, 0, 0, 20 * MM)
    assert "二维码" in str(e.value) and "QR" in str(e.value)


def test_unencodable_url_fails():
    with pytest.raises(PressError):
        qr_modules("https://example.org/" + "x" * 5000)
    with pytest.raises(PressError):
        qr_modules("")


def test_size_for_distance():
    assert qr_size_for_distance(0.15, 25) == pytest.approx(20 * MM)         # hand-held: 2 cm floor
    assert qr_size_for_distance(0.3, 25) == pytest.approx(30 * MM)
    assert qr_size_for_distance(2.5, 25) == pytest.approx(250 * MM)          # distance / 10
    assert qr_size_for_distance(2.5, 57) > qr_size_for_distance(2.5, 25)    # denser code, bigger
    with pytest.raises(ValueError):
        qr_size_for_distance(0, 25)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_/", min_size=0, max_size=40))
def test_random_urls_round_trip(tmp_path, path):
    url = f"https://example.org/{path}"
    assert decode(qr_pdf(tmp_path, url, size_mm=25)) == [url]
