"""Preflight: a good finished file passes; hand-made bad files fail, naming each problem."""
from __future__ import annotations

import json

import pytest
from reportlab.lib.colors import CMYKColor
from reportlab.pdfgen.canvas import Canvas

from brochure.ground.boxes import MM, PageBoxes
from brochure.ground.errors import BrochureError
from brochure.press.pdfx import finish
from brochure.press.preflight import FAIL, PASS, WARN, main_preflight, preflight, report_path

from press_support import EPOCH, URL, build_finished, build_raw, have_fonts, have_gs, photo, press_values

pytestmark = pytest.mark.skipif(not (have_fonts() and have_gs()),
                                reason="needs DroidSansFallback, DejaVuSans and Ghostscript")


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("good")
    out, _ = build_finished(tmp)
    return out


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    """Everything ReportLab does by default, plus RGB everywhere and a 400 % patch."""
    tmp = tmp_path_factory.mktemp("bad")
    path = tmp / "bad.pdf"
    rgb_png = photo(tmp / "rgb.png", (300, 300), (0, 128, 255))
    c = Canvas(str(path), pagesize=(210 * MM, 297 * MM))
    c.setFont("Helvetica", 12)                         # standard font: never embedded
    c.setFillColorRGB(1, 0, 0)                         # DeviceRGB rg
    c.drawString(72, 700, "Hello, printer")
    c.drawImage(str(rgb_png), 72, 400, 100, 100)       # DeviceRGB image
    c.setFillColor(CMYKColor(1, 1, 1, 1))
    c.rect(72, 72, 150, 150, stroke=0, fill=1)         # 400 % ink
    c.showPage()
    c.save()
    return path


def statuses(report):
    return {c.name: c.status for c in report.checks}


def test_good_file_passes(good):
    report = preflight(good, expect_urls=[URL])
    assert report.ok, report.summary()
    s = statuses(report)
    for name in ("pdfx", "boxes", "fonts", "images", "colour", "transparency", "ink", "text", "qr"):
        assert s[name] == PASS, report.summary()
    assert URL in " ".join(report.by_name("qr").details)
    assert "通过" in report.summary() and "passed" in report.summary()


def test_bad_file_fails_naming_each_problem(bad):
    report = preflight(bad)
    assert not report.ok
    s = statuses(report)
    assert s["pdfx"] == FAIL and s["boxes"] == FAIL and s["fonts"] == FAIL
    assert s["colour"] == FAIL and s["images"] == FAIL and s["ink"] == FAIL and s["text"] == FAIL
    details = {c.name: "\n".join(c.details) for c in report.checks}
    assert "GTS_PDFX" in details["pdfx"]
    assert "TrimBox" in details["boxes"] and "BleedBox" in details["boxes"]
    assert "Helvetica" in details["fonts"]
    assert "rg" in details["colour"]
    assert "DeviceRGB" in details["images"]
    assert "400%" in details["ink"]
    summary = report.summary()
    assert "未通过" in summary and "FAILED" in summary
    for word in ("Helvetica", "TrimBox", "DeviceRGB"):
        assert word in summary


def test_wrong_or_missing_url_fails(good):
    report = preflight(good, expect_urls=["https://example.org/other"])
    assert report.by_name("qr").status == FAIL
    assert not report.ok


def test_low_resolution_photo_warns(tmp_path):
    small = photo(tmp_path / "small.jpg", (200, 120), quality=90)     # cropped to 192 px over 80 mm: 61 ppi
    out, _ = build_finished(tmp_path, photo_path=small)
    report = preflight(out, expect_urls=[URL], min_ppi=150)
    assert report.by_name("images").status == FAIL                     # under half of 150
    report = preflight(out, expect_urls=[URL], min_ppi=100)
    check = report.by_name("images")
    assert check.status == WARN and "61 ppi" in check.details[0]
    assert report.ok


def test_bleed_too_small_fails(tmp_path):
    boxes = PageBoxes.from_mm(148, 210, bleed_mm=1, slug_mm=0)
    raw = build_raw(tmp_path, boxes, marks=False)
    out = tmp_path / "thin.pdf"
    finish(raw, out, boxes=boxes, **press_values(), title="t", author="a", source_date_epoch=EPOCH)
    check = preflight(out).by_name("boxes")
    assert check.status == FAIL and "1.0 mm" in check.details[0]


def test_rgb_image_allowed_nowhere_and_icc_only_in_x4(tmp_path):
    boxes = PageBoxes.from_mm(100, 100, slug_mm=0)
    raw = tmp_path / "raw.pdf"
    rgb = photo(tmp_path / "rgb.png", (1200, 1200), (0, 128, 255))
    c = Canvas(str(raw), pagesize=boxes.media_size)
    c.drawImage(str(rgb), 20, 20, 100, 100)
    c.showPage()
    c.save()
    out = tmp_path / "x4.pdf"
    finish(raw, out, boxes=boxes, **press_values("PDF/X-4"), title="t", author="a", source_date_epoch=EPOCH)
    assert preflight(out).by_name("images").status == FAIL            # DeviceRGB is not allowed in X-4 either


def test_transparency_added_after_finishing_fails_x1a(good, tmp_path):
    """Finishing refuses transparency in PDF/X-1a; a file given it afterwards is caught by preflight."""
    import pikepdf

    out = tmp_path / "see-through.pdf"
    with pikepdf.open(good) as pdf:
        page = pdf.pages[0]
        states = page.Resources.get("/ExtGState")
        if states is None:
            states = page.Resources.ExtGState = pikepdf.Dictionary()
        states.GSsee = pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=0.5)
        pdf.save(out)
    check = preflight(out, thorough=False).by_name("transparency")
    assert check.status == FAIL and "page 1: opacity ca=0.5 (/GSsee)" in check.details


def test_main_writes_json_beside_pdf(good, bad, capsys):
    assert main_preflight(good) == 0
    data = json.loads(report_path(good).read_text(encoding="utf-8"))
    assert data["ok"] is True and report_path(good).name == "out.preflight.json"
    assert main_preflight(bad) == 1
    assert json.loads(report_path(bad).read_text(encoding="utf-8"))["ok"] is False
    out = capsys.readouterr().out
    assert "preflight" in out
    with pytest.raises(BrochureError, match="file not found"):
        main_preflight(good.parent / "missing.pdf")


def test_preflight_writes_nothing(good):
    before = set(good.parent.iterdir())
    preflight(good)
    assert set(good.parent.iterdir()) == before


def test_not_a_pdf(tmp_path):
    p = tmp_path / "x.pdf"
    p.write_text("not a pdf")
    report = preflight(p)
    assert not report.ok and report.checks[0].name == "open"


# --- the quick preflight every build runs ----------------------------------------

def _finished(tmp_path, draw, name="q"):
    """A one-page PDF/X file (100 mm square, no slug) drawn by ``draw(canvas, boxes)`` in trim coordinates."""
    boxes = PageBoxes.from_mm(100, 100, slug_mm=0)
    raw = tmp_path / f"{name}.raw.pdf"
    c = Canvas(str(raw), pagesize=boxes.media_size)
    c.translate(*boxes.trim_origin)
    draw(c, boxes)
    c.showPage()
    c.save()
    out = tmp_path / f"{name}.pdf"
    finish(raw, out, boxes=boxes, **press_values(), title="t", author="a", source_date_epoch=EPOCH)
    return out


def test_quick_ink_agrees_with_the_render(bad, good):
    """The quick check finds the 400 % patch the Ghostscript render finds, and passes the good file."""
    quick = preflight(bad, thorough=False).by_name("ink")
    assert quick.status == FAIL and "400%" in "\n".join(quick.details)
    assert preflight(good, expect_urls=[URL], thorough=False).by_name("ink").status == PASS


def _black_over_tint(paint_black):
    """A 240 % box (C80 M80 Y80) at 10-50 mm, then ``paint_black(canvas)`` in overprinting K100."""
    from brochure.draw.text import set_fill

    def paint(c, boxes):
        c.setFillColor(CMYKColor(0.8, 0.8, 0.8, 0))
        c.rect(10 * MM, 10 * MM, 40 * MM, 40 * MM, stroke=0, fill=1)
        c.saveState()
        set_fill(c, (0, 0, 0, 100), overprint=True)
        paint_black(c)
        c.restoreState()
    return paint


def test_quick_ink_adds_overprinted_black_to_what_lies_under_it(tmp_path):
    """K100 overprinting a 240 % box prints 340 %; the same black beside the box is fine."""
    def square(x_mm):
        return _black_over_tint(lambda c: c.rect(x_mm * MM, 20 * MM, 15 * MM, 15 * MM, stroke=0, fill=1))

    on_box = _finished(tmp_path, square(20), "on")
    beside = _finished(tmp_path, square(60), "beside")
    quick = preflight(on_box, thorough=False).by_name("ink")
    assert quick.status == FAIL and "340%" in "\n".join(quick.details)
    assert preflight(on_box).by_name("ink").status == FAIL                # Ghostscript renders the overprint too
    assert preflight(beside, thorough=False).by_name("ink").status == PASS
    assert preflight(beside).by_name("ink").status == PASS


def test_quick_ink_counts_overprinted_text_where_it_is_shown(tmp_path):
    def words(x_mm):
        def draw(c):
            c.setFont("Helvetica", 24)
            c.drawString(x_mm * MM, 30 * MM, "K100")
        return _black_over_tint(draw)

    on_box = preflight(_finished(tmp_path, words(20), "text-on"), thorough=False).by_name("ink")
    assert on_box.status == FAIL and "overprinted colour C0 M0 Y0 K100 340%" in "\n".join(on_box.details)
    beside = preflight(_finished(tmp_path, words(60), "text-beside"), thorough=False).by_name("ink")
    assert beside.status == PASS, beside


def test_quick_ink_reads_image_samples(tmp_path):
    """A CMYK photo with a 15 mm patch at 380 %: found in the image samples, with its area."""
    from PIL import Image

    im = Image.new("CMYK", (600, 600), (40, 40, 40, 40))
    im.paste((242, 242, 242, 242), (0, 0, 180, 180))          # 95 % of each ink
    jpg = tmp_path / "dark.jpg"
    im.save(jpg, quality=95)
    out = _finished(tmp_path, lambda c, b: c.drawImage(str(jpg), 0, 0, 50 * MM, 50 * MM), "dark")
    quick = preflight(out, thorough=False).by_name("ink")
    assert quick.status == FAIL, quick
    detail = "\n".join(quick.details)
    assert "mm² over 300%" in detail
    assert preflight(out).by_name("ink").status == FAIL


def test_qr_regions_render_only_there_and_fall_back_to_the_page(good):
    """Given where the code is, it decodes from that area; a wrong area still finds it on the whole page."""
    import pikepdf

    with pikepdf.open(good) as pdf:
        w, h = (float(v) for v in pdf.pages[0].MediaBox[2:])
    corner = [(0, (0.0, 0.0, 20.0, 20.0))]                          # an empty corner: not found there
    report = preflight(good, expect_urls=[URL], thorough=False, qr_regions=corner)
    assert report.by_name("qr").status == PASS
    report = preflight(good, expect_urls=[URL], thorough=False, qr_regions=[(0, (0.0, 0.0, w, h))])
    assert report.by_name("qr").status == PASS


class CountingStore:
    """A store kept in a dict (the Store interface), counting what preflight asks of it."""

    def __init__(self):
        self.entries: dict[tuple[str, str], bytes] = {}
        self.gets: list[tuple[str, str]] = []
        self.puts: list[tuple[str, str]] = []

    def get(self, kind: str, key: str) -> bytes | None:
        self.gets.append((kind, key))
        return self.entries.get((kind, key))

    def put(self, kind: str, key: str, data: bytes) -> None:
        self.puts.append((kind, key))
        self.entries[kind, key] = data


def test_store_reads_an_identical_page_once_and_reports_the_same(good, bad):
    """What preflight read from each page is kept: a page that is byte for byte the same is not
    read again (nothing new is put), and the report (failures included) is unchanged."""
    store = CountingStore()
    first_good = preflight(good, expect_urls=[URL], thorough=False, store=store)
    first_bad = preflight(bad, thorough=False, store=store)
    assert first_good.ok and not first_bad.ok
    assert sum(kind == "preflight" for kind, _ in store.entries) == 2      # two different pages
    assert any(kind == "ink" for kind, _ in store.entries)                 # the good file's photo
    for data in store.entries.values():
        json.loads(data)                                                   # plain JSON, no pickles

    store.gets.clear()
    store.puts.clear()
    again_good = preflight(good, expect_urls=[URL], thorough=False, store=store)
    again_bad = preflight(bad, thorough=False, store=store)
    assert store.puts == []                                                # nothing read again
    assert ("preflight", next(k for kind, k in store.entries if kind == "preflight")) in store.gets
    assert again_good.to_json() == first_good.to_json()
    assert again_bad.to_json() == first_bad.to_json()                      # the RGB and ink failures replayed
    assert "rg" in "\n".join(again_bad.by_name("colour").details)


def test_without_a_store_nothing_is_kept_and_the_report_is_the_same(good):
    assert (preflight(good, expect_urls=[URL], thorough=False).to_json()
            == preflight(good, expect_urls=[URL], thorough=False, store=CountingStore()).to_json())


@pytest.mark.parametrize("tamper", [
    lambda data: b"not json",
    lambda data: b'{"key": "x"}',
    lambda data: json.dumps(dict(json.loads(data), paints="nothing")).encode(),
    lambda data: json.dumps(dict(json.loads(data), key="0" * 40)).encode(),       # another page's entry
    lambda data: json.dumps(dict(json.loads(data), han=True)).encode(),
])
def test_a_tampered_page_entry_is_read_again_not_trusted(bad, tamper):
    """An entry that is not this page's reading (damaged, another page's, wrong shapes) is ignored:
    the page is read again, the report is the same, and the entry is replaced."""
    store = CountingStore()
    first = preflight(bad, thorough=False, store=store)
    (key,) = [k for kind, k in store.entries if kind == "preflight"]
    good_entry = store.entries["preflight", key]
    store.entries["preflight", key] = tamper(good_entry)
    store.puts.clear()
    again = preflight(bad, thorough=False, store=store)
    assert again.to_json() == first.to_json()
    assert store.puts == [("preflight", key)] and store.entries["preflight", key] == good_entry


def test_a_tampered_ink_entry_is_measured_again(tmp_path):
    from PIL import Image

    im = Image.new("CMYK", (600, 600), (40, 40, 40, 40))
    im.paste((242, 242, 242, 242), (0, 0, 180, 180))
    jpg = tmp_path / "dark.jpg"
    im.save(jpg, quality=95)
    out = _finished(tmp_path, lambda c, b: c.drawImage(str(jpg), 0, 0, 50 * MM, 50 * MM), "dark")
    store = CountingStore()
    first = preflight(out, thorough=False, store=store)
    (key,) = [k for kind, k in store.entries if kind == "ink"]
    store.entries["ink", key] = b'{"max": "low"}'
    again = preflight(out, thorough=False, store=store)
    assert again.by_name("ink") == first.by_name("ink") and again.by_name("ink").status == FAIL


def test_page_key_changes_with_any_byte_the_checks_read(good, tmp_path):
    """A different colour in the content, or a different image behind the same name, is a new page."""
    import pikepdf

    from brochure.press.preflight.scan import page_key

    with pikepdf.open(good) as pdf:
        page = pdf.pages[0]
        before = page_key(page, False, {})
        assert page_key(page, False, {}) == before and page_key(page, True, {}) != before
        stream = page.Contents if isinstance(page.Contents, pikepdf.Stream) else page.Contents[0]
        stream.write(stream.read_bytes() + b"\n0 0 0 1 k\n")
        assert page_key(page, False, {}) != before


def test_text_shown_as_notdef_fails(tmp_path):
    """A font lacking the characters it sets prints blank boxes: preflight reads that from the PDF itself."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("LatinOnly", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    raw = tmp_path / "latin.pdf"
    c = Canvas(str(raw))
    c.setFont("LatinOnly", 12)
    c.drawString(100, 700, "AB中文C")
    c.save()
    report = preflight(raw, thorough=False)
    check = report.by_name("glyphs")
    assert check.status == FAIL and "2 character(s)" in check.details[0]

    fine = tmp_path / "fine.pdf"
    c = Canvas(str(fine))
    c.setFont("LatinOnly", 12)
    c.drawString(100, 700, "ABC")
    c.save()
    assert preflight(fine, thorough=False).by_name("glyphs").status == PASS
