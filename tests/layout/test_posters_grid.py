"""Posters on a grid, measured from the PDF (PDFium): the hero at least a fifth of the poster where its
pixels allow, the honour box and QR panel sharing top and foot, landscape columns starting on one line,
the roll-up's code paired with its call to action on the axis and its closing band no taller than it needs,
and display lines broken by sense."""
from __future__ import annotations

import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from PIL import Image

from brochure.draw.qr import QUIET_MODULES, qr_modules
from variants import PRESETS

MM = 72 / 25.4
SPACE = re.compile(r"\s+")
# the words the designer found cut across lines; none may be again
WHOLE = ["经济", "南洲", "禁捕", "无差别", "格局", "转变", "称号", "发展", "示范县"]


@pytest.fixture(scope="module")
def built(every_preset_built):
    return every_preset_built


def open_page(out, size):
    pdf = pdfium.PdfDocument(out / f"poster-{size.lower()}.pdf")
    return pdf, pdf[0]


def objects(page, kind):
    return [o.get_bounds() for o in page.get_objects(max_depth=4) if o.type == kind]


def lines(page):
    tp = page.get_textpage()
    out = []
    for k in range(tp.count_rects()):
        l, b, r, t = tp.get_rect(k)
        out.append((l, b, r, t, SPACE.sub("", tp.get_text_bounded(l, b, r, t))))
    return out


def qr_square(page):
    squares = [b for b in objects(page, pdfium_raw.FPDF_PAGEOBJ_PATH) if abs((b[2] - b[0]) - (b[3] - b[1])) < 1]
    return max(squares, key=lambda b: b[2] - b[0])


@pytest.mark.parametrize("size", ["A0", "A1", "A2", "A3", "board"])
def test_the_hero_is_a_fifth_of_the_poster_or_as_large_as_its_pixels_print(built, size):
    content, out = built
    poster = content.posters[PRESETS.index(size)]
    with Image.open(content.photos[poster.hero].file) as im:
        px = im.size
    pdf, page = open_page(out, size)
    x0, y0, x1, y1 = page.get_trimbox()
    (l, b, r, t), = objects(page, pdfium_raw.FPDF_PAGEOBJ_IMAGE)
    pdf.close()
    share = (r - l) * (t - b) / ((x1 - x0) * (y1 - y0))
    ppi = min(px[0] / ((r - l) / 72), px[1] / ((t - b) / 72))
    assert share >= 0.2 or ppi < poster.press.min_ppi * 1.02, (size, share, ppi)


@pytest.mark.parametrize("size", PRESETS[:-2] + ["board"])
def test_the_honour_box_and_the_qr_panel_share_their_top_and_foot(built, size):
    _, out = built
    pdf, page = open_page(out, size)
    qx0, qy0, qx1, qy1 = qr_square(page)
    boxes = [bx for bx in objects(page, pdfium_raw.FPDF_PAGEOBJ_PATH)
             if bx[2] - bx[0] > 30 * MM and bx[3] - bx[1] > 30 * MM and bx[1] < qy1 and bx[3] > qy0
             and not (bx[0] <= qx0 and bx[2] >= qx1 and bx[2] - bx[0] > page.get_trimbox()[2] * 0.9)]
    pdf.close()
    panel = [bx for bx in boxes if bx[0] <= qx0 + 0.5 and bx[2] >= qx1 - 0.5 and bx[3] - bx[1] > qy1 - qy0 + 1]
    beside = [bx for bx in boxes if bx[2] <= qx0 and bx not in panel]
    assert panel and beside, (size, boxes)
    p, h = min(panel, key=lambda bx: bx[2] - bx[0]), max(beside, key=lambda bx: bx[3] - bx[1])
    assert abs(p[3] - h[3]) < 0.5 * MM and abs(p[1] - h[1]) < 0.5 * MM, (size, p, h)


@pytest.mark.parametrize("size", ["A0-landscape", "A1-landscape", "A2-landscape", "A3-landscape", "board"])
def test_landscape_columns_start_on_one_line(built, size):
    _, out = built
    pdf, page = open_page(out, size)
    x0, _, x1, _ = page.get_trimbox()
    (l, b, r, t), = objects(page, pdfium_raw.FPDF_PAGEOBJ_IMAGE)
    right = [ln for ln in lines(page) if ln[0] > r and ln[3] < t + 60 * MM and ln[4]]
    pdf.close()
    first = max(right, key=lambda ln: ln[3])
    # the photo's top and the right column's first head share a line (within a third of its height)
    assert abs(first[3] - t) < (first[3] - first[1]) * 0.35 + 1 * MM, (size, (first[3] - t) / MM, first[4])


def test_the_rollups_code_is_paired_with_its_call_to_action_on_the_axis(built):
    content, out = built
    pdf, page = open_page(out, "rollup")
    x0, y0, x1, y1 = page.get_trimbox()
    qx0, qy0, qx1, qy1 = qr_square(page)
    cta = [ln for ln in lines(page) if ln[4] and ln[4] in SPACE.sub("", content.document.call_to_action)
           and ln[1] < qy1 and ln[3] > qy0]
    pdf.close()
    assert cta and all(ln[0] > qx1 for ln in cta)          # beside the code, not under it
    # the pair is centred by what is printed: the code's modules (inside its white quiet zone) and the words
    n = qr_modules(content.document.online_url, "Q")
    left, right = qx0 + (qx1 - qx0) * QUIET_MODULES / (n + 2 * QUIET_MODULES), max(ln[2] for ln in cta)
    assert abs((left + right) / 2 - (x0 + x1) / 2) < 5 * MM
    assert 1200 * MM <= (qy0 + qy1) / 2 - y0 <= 1300 * MM


def test_the_rollups_foot_band_carries_publisher_and_url_and_is_no_taller_than_needed(built):
    content, out = built
    poster = content.posters[PRESETS.index("rollup")]
    pdf, page = open_page(out, "rollup")
    x0, y0, x1, y1 = page.get_trimbox()
    bands = [bx for bx in objects(page, pdfium_raw.FPDF_PAGEOBJ_PATH) if bx[1] < y0 and bx[2] - bx[0] >= x1 - x0 and bx[3] < y0 + 400 * MM]
    found = lines(page)
    pdf.close()
    band = max(bands, key=lambda bx: bx[3])     # the closing band (and the bleed box behind it)
    inside = [ln for ln in found if ln[1] >= y0 and ln[3] <= band[3] and ln[4]]
    text = "".join(ln[4] for ln in inside)
    assert SPACE.sub("", content.document.online_url) in text and content.document.publisher in text
    assert min(ln[1] for ln in inside) > y0 + poster.foot * MM             # the stand hides none of it
    words = max(ln[3] for ln in inside) - min(ln[1] for ln in inside)
    assert band[3] - (y0 + poster.foot * MM) < words + 2 * poster.distance * 4 * MM   # band = words + even padding


@pytest.mark.parametrize("size", PRESETS)
def test_display_lines_keep_their_words_and_no_summary_ends_on_a_few_characters(built, size):
    content, out = built
    pdf, page = open_page(out, size)
    found = sorted(lines(page), key=lambda ln: (-ln[3], ln[0]))
    pdf.close()
    texts = [ln[4] for ln in found if ln[4]]
    for a, b in zip(texts, texts[1:]):
        for w in WHOLE:
            assert not any(a.endswith(w[:k]) and b.startswith(w[k:]) for k in range(1, len(w))), (size, a, b)
    summaries = [SPACE.sub("", s.summary or s.paragraphs[0]) for s in content.sections]
    for text in texts:
        for s in summaries:
            if s.endswith(text) and text != s:
                assert sum(ch.isalnum() for ch in text) > 4, (size, text)
