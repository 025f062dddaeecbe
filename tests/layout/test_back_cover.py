"""The back cover and the running heads, read back from the PDF with PDFium and pikepdf."""
from __future__ import annotations

import html
import re
import subprocess

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp

from brochure.content import load
from brochure.fonts import FontLibrary
from brochure.layout.back import balanced_width
from brochure.text import TextStyle, layout_lines
from conftest import ROOT, build_project, copy_project

MM = 72 / 25.4
SPACE = re.compile(r"\s+")
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@pytest.fixture(scope="module")
def content():
    return load(ROOT / "content.yaml")


@pytest.fixture(scope="module")
def brochure_pdf(built):
    return built / "brochure.pdf"


def trim(path, index):
    """(media box, trim box) of page ``index``."""
    with pikepdf.open(path) as pdf:
        page = pdf.pages[index]
        return [float(v) for v in page.MediaBox], [float(v) for v in page.TrimBox]


def chars(path, index):
    """[(char, (left, bottom, right, top), font size)] of page ``index``, spaces left out."""
    pdf = pdfium.PdfDocument(path)
    try:
        tp = pdf[index % len(pdf)].get_textpage()
        out = []
        for i in range(tp.count_chars()):
            ch = tp.get_text_range(i, 1)
            if ch.strip():
                out.append((ch, tp.get_charbox(i), pdfium_c.FPDFText_GetFontSize(tp.raw, i)))
        return out
    finally:
        pdf.close()


def find(found, text, last=False):
    """The characters of ``text`` in ``found`` (the first or last place it occurs)."""
    joined = "".join(ch for ch, _, _ in found)
    text = SPACE.sub("", text)
    at = joined.rfind(text) if last else joined.find(text)
    assert at >= 0, f"{text} is not on the page"
    return found[at:at + len(text)]


def words(path, index):
    """[(text, (left, bottom, right, top))] of page ``index`` as poppler reads it, in PDF user space.

    Poppler, not PDFium, for extents: PDFium spreads the characters of a line marked with
    its source text (ActualText) over the first glyph's box.
    """
    pages = len(pdfium.PdfDocument(path))
    number = index % pages + 1
    media, _ = trim(path, index)
    xml = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-bbox", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    out = []
    for x0, y0, x1, y1, text in WORD.findall(xml):
        out.append((SPACE.sub("", html.unescape(text)),
                    (float(x0) + media[0], media[3] - float(y1), float(x1) + media[0], media[3] - float(y0))))
    return out


def word(found, text):
    """The box of the one word that is ``text`` (spaces left out)."""
    text = SPACE.sub("", text)
    boxes = [box for w, box in found if w == text]
    assert len(boxes) == 1, f"{text}: {len(boxes)} times on the page"
    return boxes[0]


def tallest_white_band(path, index, dpi=100):
    """Height in pt of the tallest band of rows that is entirely white inside the trim of page ``index``."""
    media, box = trim(path, index)
    pdf = pdfium.PdfDocument(path)
    try:
        image = pdf[index].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        pdf.close()
    k = dpi / 72
    x0, x1 = round((box[0] - media[0]) * k), round((box[2] - media[0]) * k)
    top, bottom = round((media[3] - box[3]) * k), round((media[3] - box[1]) * k)
    px = image.load()
    best = run = 0
    for y in range(top, bottom):
        if all(px[x, y] >= 250 for x in range(x0, x1)):
            run += 1
            best = max(best, run)
        else:
            run = 0
    return best / k


def test_back_cover_has_no_empty_band_taller_than_a_tenth_of_the_page(brochure_pdf):
    _, box = trim(brochure_pdf, -1)
    height = box[3] - box[1]
    band = tallest_white_band(brochure_pdf, len(pdfium.PdfDocument(brochure_pdf)) - 1)
    assert band <= 0.10 * height, f"an empty band {band / MM:.1f} mm tall across the back cover"


def test_back_cover_reads_in_the_masthead_order_then_figures_call_and_publisher(brochure_pdf, content):
    found = chars(brochure_pdf, -1)
    slogan, title = find(found, content.masthead.slogan), find(found, content.masthead.title)
    assert slogan[0][1][1] > title[0][1][3], "the slogan stands above the title, as on the front page"
    order = [content.masthead.slogan, content.masthead.title, "数说十年",
             *(f"{f.value}{f.unit}{f.label}" for f in content.figures),
             content.document.call_to_action, content.document.online_url,
             content.document.publisher, content.document.date]
    joined = "".join(ch for ch, _, _ in found)
    at = [joined.find(SPACE.sub("", s)) for s in order]
    assert -1 not in at and at == sorted(at), list(zip(order, at))


def test_figures_have_large_numbers_and_half_size_units_on_one_line(brochure_pdf, content):
    found = chars(brochure_pdf, -1)
    boxes = words(brochure_pdf, -1)
    for fig in content.figures:
        run = find(found, f"{fig.value}{fig.unit}")
        n_size, u_size = run[0][2], run[len(fig.value)][2]
        assert n_size >= 3 * content.typography.body_size, fig.value
        assert 0.4 <= u_size / n_size <= 0.6, (fig.value, fig.unit, n_size, u_size)
        at = [w for w, _ in boxes].index(fig.value)
        (_, number), (unit_text, unit) = boxes[at], boxes[at + 1]
        assert unit_text == fig.unit, fig.value
        assert abs(unit[1] - number[1]) < 0.3 * n_size, fig.value    # on the number's line, directly after it
        assert 0 <= unit[0] - number[2] < u_size, fig.value


def test_figure_rows_are_centred_and_labels_sit_under_their_numbers(brochure_pdf, content):
    media, box = trim(brochure_pdf, -1)
    centre = (box[0] + box[2]) / 2
    found = words(brochure_pdf, -1)
    rows: dict[int, list[float]] = {}
    for fig in content.figures:
        at = [w for w, _ in found].index(fig.value)
        number, unit = found[at][1], found[at + 1][1]
        middle = (number[0] + unit[2]) / 2
        rows.setdefault(round(number[1] / 10), []).append(middle)
        label = word(found, fig.label)
        assert label[3] < number[1], f"the label of {fig.value} is under it"
        assert abs((label[0] + label[2]) / 2 - middle) < 3, f"the label of {fig.value} is centred under it"
    assert len(rows) == 2
    for middles in rows.values():
        assert abs(sum(middles) / len(middles) - centre) < 3, "each row, a short one too, is centred"


def test_qr_code_itself_is_at_least_30_mm_with_its_quiet_zone(brochure_pdf):
    dpi = 400
    pdf = pdfium.PdfDocument(brochure_pdf)
    image = pdf[len(pdf) - 1].render(scale=dpi / 72, grayscale=True).to_pil()
    pdf.close()
    (code,) = zxingcpp.read_barcodes(image)
    corners = [code.position.top_left, code.position.top_right, code.position.bottom_left, code.position.bottom_right]
    modules = 17 + 4 * int(code.extra["Version"])
    guess = (max(p.x for p in corners) - min(p.x for p in corners)) / modules     # pixels per module, roughly
    x0, x1 = min(p.x for p in corners) - 2 * guess, max(p.x for p in corners) + 2 * guess
    y0, y1 = min(p.y for p in corners) - 2 * guess, max(p.y for p in corners) + 2 * guess
    dark = image.crop((int(x0), int(y0), int(x1), int(y1))).point(lambda v: 255 if v < 128 else 0).getbbox()
    side = (dark[2] - dark[0]) / dpi * 25.4
    assert side >= 30 - 25.4 / dpi, f"the code is {side:.2f} mm"               # within one rendered pixel
    module = (dark[2] - dark[0]) / modules
    quiet = image.crop((int(x0 + dark[0] - 4 * module), int(y0 + dark[1] - 4 * module),
                        int(x0 + dark[2] + 4 * module), int(y0 + dark[3] + 4 * module)))
    ring = [quiet.crop(b) for b in ((0, 0, quiet.width, int(4 * module) - 1),
                                    (0, quiet.height - int(4 * module) + 1, quiet.width, quiet.height),
                                    (0, 0, int(4 * module) - 1, quiet.height),
                                    (quiet.width - int(4 * module) + 1, 0, quiet.width, quiet.height))]
    assert all(r.getextrema()[0] >= 250 for r in ring), "four modules of white all round"


def test_running_heads_and_folios_mirror_to_the_outer_edge(brochure_pdf, content):
    head = SPACE.sub("", f"{content.masthead.slogan}　{content.masthead.title}")
    outer = content.brochure.margins[1] * MM
    pages = len(pdfium.PdfDocument(brochure_pdf))
    for index in range(1, pages - 1):
        _, box = trim(brochure_pdf, index)
        found = words(brochure_pdf, index)
        run = word(found, head)
        (folio,) = [b for w, b in found if w == str(index + 1) and b[3] < box[1] + content.brochure.margins[2] * MM]
        if (index + 1) % 2 == 0:      # a left-hand page: both at the left margin
            assert abs(run[0] - (box[0] + outer)) < 1, (index + 1, run)
            assert abs(folio[0] - (box[0] + outer)) < 1, (index + 1, folio)
        else:                         # a right-hand page: both end at the right margin
            assert abs(run[2] - (box[2] - outer)) < 1, (index + 1, run)
            assert abs(folio[2] - (box[2] - outer)) < 1, (index + 1, folio)


def test_publisher_block_prints_address_and_contact_when_given(tmp_path):
    def imprint(tree):
        tree["document"]["address"] = "株洲市天元区长江北路1号"
        tree["document"]["contact"] = "电话 0731-22000000"

    path = copy_project(tmp_path, data=imprint)
    loaded = load(path)
    assert loaded.document.address == "株洲市天元区长江北路1号" and loaded.document.address.where is not None
    assert loaded.document.contact == "电话 0731-22000000"
    assert load(ROOT / "content.yaml").document.address is None
    run = build_project(path, "--only", "brochure")
    assert run.returncode == 0, run.stderr
    out = tmp_path / "out" / "brochure.pdf"
    found = chars(out, -1)
    publisher = find(found, loaded.document.publisher)
    for text in (loaded.document.date, loaded.document.address, loaded.document.contact):
        assert find(found, text)[0][1][3] < publisher[0][1][1], f"{text} is under the publisher"
    assert tallest_white_band(out, len(pdfium.PdfDocument(out)) - 1) <= 0.10 * 297 * MM


def test_balanced_label_leaves_no_lone_word(tmp_path_factory):
    label = "市二中附三（南洲）小学学位"
    face = FontLibrary(ROOT, tmp_path_factory.mktemp("font-cache")).face("Noto Sans CJK SC", "Regular", label)
    style = TextStyle(face, 10.0, 15.0, align="center")
    lone = 0
    for chars_wide in range(5, 13):
        width = (chars_wide + 0.2) * style.size
        plain = layout_lines(label, style, width)
        lone += len(plain[-1].glyphs) <= 2     # e.g. 学位 alone under eleven characters
        lines = layout_lines(label, style, balanced_width(label, style, width))
        counts = [len(l.glyphs) for l in lines]
        assert len(lines) == len(plain) and max(counts) - min(counts) <= 2, (chars_wide, counts)
    assert lone, "some width leaves a lone word when the label is not balanced"
