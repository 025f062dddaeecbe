"""The whole path, read back with independent tools: pdfium for text, pikepdf for fonts, zxing for the QR code."""
from __future__ import annotations

import re
import subprocess
import sys

import pikepdf
import pypdfium2 as pdfium
import pytest

from brochure.content import load
from conftest import ROOT

SPACE = re.compile(r"\s+")


@pytest.fixture(scope="session")
def content():
    return load(ROOT / "content.yaml")


def page_texts(path):
    pdf = pdfium.PdfDocument(path)
    try:
        return [SPACE.sub("", page.get_textpage().get_text_range()) for page in pdf]
    finally:
        pdf.close()


def body_text(path, content):
    """All pages' text in order, without the running heads and folios drawn at the end of each page."""
    head = SPACE.sub("", f"{content.masthead.slogan}　{content.masthead.title}")
    pages = []
    for number, text in enumerate(page_texts(path), 1):
        text = re.sub(rf"{re.escape(head)}{number}$", "", text)
        pages.append(text)
    return "".join(pages)


def test_outputs_exist(built, content):
    assert (built / "brochure.pdf").stat().st_size > 10_000
    for poster in content.posters:
        assert (built / f"poster-{poster.name}.pdf").is_file()


def test_every_paragraph_extracts_in_reading_order(built, content):
    text = body_text(built / "brochure.pdf", content)
    strings = [content.lead.headline, content.lead.byline, *content.lead.preface, *content.honours.items]
    for section in content.sections:
        strings += [section.headline, *section.paragraphs]
    for photo in content.photos.values():
        strings += [photo.caption, photo.credit]
    for s in strings:
        assert SPACE.sub("", s) in text, s
    # sections come in content order, and paragraphs within a section too
    positions = [text.index(SPACE.sub("", p)) for s in content.sections for p in s.paragraphs]
    assert positions == sorted(positions)


def test_page_count_is_a_multiple_of_four(built):
    with pikepdf.open(built / "brochure.pdf") as pdf:
        assert len(pdf.pages) % 4 == 0


def test_all_fonts_are_embedded_subsets(built, content):
    for path in [built / "brochure.pdf"] + [built / f"poster-{p.name}.pdf" for p in content.posters]:
        with pikepdf.open(path) as pdf:
            fonts = {}
            for page in pdf.pages:
                for name, font in page.Resources.get("/Font", {}).items():
                    fonts[str(font.get("/BaseFont"))] = font
            assert fonts
            for base, font in fonts.items():
                assert re.match(r"^/[A-Z]{6}\+", base), base
                descriptor = font.get("/FontDescriptor")
                if descriptor is None:
                    descriptor = font.DescendantFonts[0].FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), base


def test_qr_code_decodes_at_print_size(built, content):
    import zxingcpp

    pdf = pdfium.PdfDocument(built / "brochure.pdf")
    page = pdf[len(pdf) - 1]
    image = page.render(scale=150 / 72).to_pil()
    found = [r.text for r in zxingcpp.read_barcodes(image)]
    pdf.close()
    assert found == [content.document.online_url]


def test_same_input_same_bytes(built, tmp_path):
    run = subprocess.run([sys.executable, "-m", "brochure", "build", str(ROOT / "content.yaml"), "-o", str(tmp_path),
                          "--only", "brochure"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "brochure.pdf").read_bytes() == (built / "brochure.pdf").read_bytes()
