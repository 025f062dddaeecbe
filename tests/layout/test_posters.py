"""Posters from the same content: preset sizes, text, copy-fit errors, the roll-up's foot, QR at distance."""
from __future__ import annotations

import math
import re

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from PIL import Image
import pytest

from brochure.content import PAGE_SIZES, load
from conftest import build_project, copy_project
from variants import PRESETS

MM = 72 / 25.4
SPACE = re.compile(r"\s+")
@pytest.fixture(scope="module")
def presets(every_preset_built):
    return every_preset_built


def page_chars(page):
    """(character, size in pt, bottom, top) of every visible character, from PDFium's text page."""
    tp = page.get_textpage()
    out = []
    for i in range(tp.count_chars()):
        ch = tp.get_text_range(i, 1)
        if ch.strip():
            _, b, _, t = tp.get_charbox(i)
            out.append((ch, pdfium_raw.FPDFText_GetFontSize(tp.raw, i), b, t))
    return out


def text_lines(page):
    """The page's text as lines: (baseline-ish y, size, text), characters grouped by PDFium's text rectangles."""
    tp = page.get_textpage()
    lines = []
    for k in range(tp.count_rects()):
        l, b, r, t = tp.get_rect(k)
        lines.append((b, t, SPACE.sub("", tp.get_text_bounded(l, b, r, t))))
    return lines


def qr_box(page):
    """Bounds of the QR code's white square (quiet zone included): the largest square path on the page."""
    boxes = [o.get_bounds() for o in page.get_objects(max_depth=4) if o.type == pdfium_raw.FPDF_PAGEOBJ_PATH]
    return max((b for b in boxes if abs((b[2] - b[0]) - (b[3] - b[1])) < 1), key=lambda b: b[2] - b[0])


def expected_mm(size):
    base = size.removesuffix("-landscape")
    w, h = PAGE_SIZES[base]
    return (h, w) if size.endswith("-landscape") else (w, h)


@pytest.mark.parametrize("size", PRESETS)
def test_trim_box_is_the_exact_preset_size(presets, size):
    _, out = presets
    with pikepdf.open(out / f"poster-{size.lower()}.pdf") as pdf:
        (page,) = pdf.pages
        x0, y0, x1, y1 = (float(v) for v in page.TrimBox)
        w, h = expected_mm(size)
        assert abs((x1 - x0) / MM - w) < 0.01 and abs((y1 - y0) / MM - h) < 0.01
        bx0, by0, bx1, by1 = (float(v) for v in page.BleedBox)
        assert x0 - bx0 >= 3 * MM - 0.01


def test_poster_text_comes_from_content(presets):
    content, out = presets
    for size in PRESETS:
        pdf = pdfium.PdfDocument(out / f"poster-{size.lower()}.pdf")
        text = SPACE.sub("", pdf[0].get_textpage().get_text_range())
        pdf.close()
        expected = [content.masthead.title, content.masthead.slogan, content.document.call_to_action]
        expected += [f"{f.value}{f.unit}" for f in content.figures[:6]] + [f.label for f in content.figures[:6]]
        expected += [s.summary or s.paragraphs[0] for s in content.sections] + list(content.honours.items)
        for s in expected:
            assert SPACE.sub("", s) in text, (size, s)


def test_rollup_foot_is_free_of_content_and_its_qr_is_at_chest_height(tmp_path):
    path = copy_project(tmp_path)
    content = load(path)
    (rollup,) = [p for p in content.posters if p.name == "rollup"]
    assert rollup.foot == 150
    run = build_project(path, "--only", "rollup")
    assert run.returncode == 0, run.stderr
    pdf = pdfium.PdfDocument(tmp_path / "out" / "poster-rollup.pdf")
    page = pdf[0]
    trim_y0, trim_y1 = page.get_trimbox()[1], page.get_trimbox()[3]
    foot_top = trim_y0 + rollup.foot * MM
    chars = page_chars(page)
    objects = [o.get_bounds()[1] for o in page.get_objects(max_depth=4)]
    x0, y0, x1, y1 = qr_box(page)
    pdf.close()
    # nothing at all in the stand's foot but the closing band that runs into the bleed; in the lowest
    # 300 mm only what the visible foot carries: the publisher (and date) and the URL, just above the stand
    assert min(objects) > foot_top or min(objects) < trim_y0
    assert min(b for _, _, b, _ in chars) > foot_top
    low = SPACE.sub("", "".join(ch for ch, _, b, _ in chars if b - trim_y0 < 300 * MM))
    foot = SPACE.sub("", f"{content.document.publisher}{content.document.date}{content.document.online_url}")
    assert low and set(low) <= set(foot), low
    centre = ((y0 + y1) / 2 - trim_y0) / MM
    assert 1200 <= centre <= 1300, centre
    assert x1 - x0 >= 150 * MM - 0.5
    text = "".join(ch for ch, _, _, _ in chars)
    at = text.index(SPACE.sub("", content.masthead.title))
    assert chars[at][2] > trim_y0 + (trim_y1 - trim_y0) * 2 / 3      # the headline in the top third


def test_copy_fit_overflow_names_poster_area_and_cut(tmp_path):
    def long_summary(tree):
        tree["sections"][0]["summary"] = tree["sections"][0]["paragraphs"][0] * 12
        tree["posters"] = [p for p in tree["posters"] if p["name"] == "a1"]

    path = copy_project(tmp_path, data=long_summary)
    (tmp_path / "out").mkdir()
    before = tmp_path / "out" / "poster-a1.pdf"
    before.write_bytes(b"%PDF-previous good file")
    run = build_project(path, "--only", "a1")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "“a1”" in run.stderr and "summaries" in run.stderr
    cut = int(re.search(r"Cut about (\d+) characters", run.stderr).group(1))
    assert 300 < cut < len(load(path).sections[0].summary)
    assert re.search(r"content\.yaml:\d+:\d+:", run.stderr)
    assert before.read_bytes() == b"%PDF-previous good file"


def test_only_builds_one_output(tmp_path):
    path = copy_project(tmp_path)
    run = build_project(path, "--only", "a1")
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["poster-a1.pdf"]
    bad = build_project(path, "--only", "nope")
    assert bad.returncode == 2 and "nope" in bad.stderr


def test_qr_decodes_as_a_phone_sees_it_from_the_scanning_distance(presets):
    """A phone camera (1080 px across a 65° field) at the poster's scan distance, downscaled accordingly."""
    import zxingcpp

    content, out = presets
    for poster in content.posters:
        view_mm = 2 * poster.scan_distance * 1000 * math.tan(math.radians(65 / 2))
        px_per_mm = 1080 / view_mm
        pdf = pdfium.PdfDocument(out / f"poster-{poster.name}.pdf")
        image = pdf[0].render(scale=px_per_mm * 25.4 / 72, grayscale=True).to_pil()
        pdf.close()
        found = [r.text for r in zxingcpp.read_barcodes(image)]
        assert found == [content.document.online_url], (poster.name, image.size)


def test_a_poster_with_no_room_left_for_an_area_says_so_in_plain_words(tmp_path):
    """Reading distance 10 m on A3: the type is so large the title has no room at all (once '-3213% too long')."""
    def crowded(tree):
        tree["posters"] = [dict(name="tiny", size="A3", shows=["title", "hero", "figures", "honours", "summaries", "qr"],
                                hero="lily", distance=10)]

    path = copy_project(tmp_path, data=crowded)
    run = build_project(path, "--only", "tiny")
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert "没有留给" in run.stderr and "no room left" in run.stderr and "shows" in run.stderr
    assert "%" not in run.stderr
    line = path.read_text(encoding="utf-8").splitlines().index("- name: tiny") + 1
    assert f"content.yaml:{line}:" in run.stderr


def test_the_presets_rollup_puts_its_qr_code_at_chest_height(presets):
    _, out = presets
    pdf = pdfium.PdfDocument(out / "poster-rollup.pdf")
    page = pdf[0]
    trim_y0 = page.get_trimbox()[1]
    x0, y0, x1, y1 = qr_box(page)
    low = min(b for _, _, b, _ in page_chars(page)) - trim_y0
    pdf.close()
    assert 1200 * MM <= (y0 + y1) / 2 - trim_y0 <= 1300 * MM and x1 - x0 >= 150 * MM - 0.5
    assert low > 150 * MM


@pytest.mark.parametrize("size", PRESETS)
def test_no_text_is_smaller_than_fine_print_and_the_hierarchy_holds(presets, size):
    content, out = presets
    pdf = pdfium.PdfDocument(out / f"poster-{size.lower()}.pdf")
    chars = page_chars(pdf[0])
    pdf.close()
    assert min(s for _, s, _, _ in chars) >= 14 - 0.05
    text = "".join(ch for ch, _, _, _ in chars)

    def size_of(s):
        s = SPACE.sub("", s)
        at = text.index(s)
        return max(chars[at + k][1] for k in range(len(s)))

    title = size_of(content.masthead.title)
    numbers = min(size_of(f"{f.value}{f.unit}") for f in content.figures[:6])
    summaries = min(size_of((s.summary or s.paragraphs[0])[:6]) for s in content.sections)
    honours = max(size_of(i) for i in content.honours.items)
    assert title > numbers > summaries >= honours, (title, numbers, summaries, honours)
    # fine print read up close: caption, URL, publisher sized for the scanning distance
    for fine in (content.document.online_url, content.document.publisher):
        assert size_of(fine) >= 14


@pytest.mark.parametrize("size", PRESETS)
def test_the_hero_frame_keeps_two_thirds_of_the_photo(presets, size):
    content, out = presets
    photo = content.photos[content.posters[PRESETS.index(size)].hero]
    with Image.open(photo.file) as im:
        aspect = im.size[0] / im.size[1]
    pdf = pdfium.PdfDocument(out / f"poster-{size.lower()}.pdf")
    (frame,) = [o.get_bounds() for o in pdf[0].get_objects(max_depth=4) if o.type == pdfium_raw.FPDF_PAGEOBJ_IMAGE]
    pdf.close()
    l, b, r, t = frame
    kept = min((r - l) / (t - b) / aspect, aspect / ((r - l) / (t - b)))
    assert kept >= 2 / 3 - 0.005, kept


def empty_bands(page):
    """Heights of the horizontal bands of the trim in which nothing is drawn (a full-page background aside)."""
    tx0, ty0, tx1, ty1 = page.get_trimbox()
    spans = []
    for o in page.get_objects(max_depth=4):
        l, b, r, t = o.get_bounds()
        b, t = max(b, ty0), min(t, ty1)
        if t > b and r > tx0 and l < tx1 and not (t - b > 0.9 * (ty1 - ty0)):
            spans.append((b, t))
    bands, reached = [], ty0
    for b, t in sorted(spans):
        if b > reached:
            bands.append(b - reached)
        reached = max(reached, t)
    return bands + [ty1 - reached], ty1 - ty0


@pytest.mark.parametrize("size", PRESETS)
def test_no_empty_band_across_the_poster(presets, size):
    _, out = presets
    pdf = pdfium.PdfDocument(out / f"poster-{size.lower()}.pdf")
    bands, height = empty_bands(pdf[0])
    pdf.close()
    assert max(bands) <= 0.1 * height, max(bands) / MM


@pytest.mark.parametrize("size", PRESETS)
def test_figures_rows_are_centred_and_keep_numbers_and_labels_whole(presets, size):
    content, out = presets
    pdf = pdfium.PdfDocument(out / f"poster-{size.lower()}.pdf")
    page = pdf[0]
    tp = page.get_textpage()
    x0, _, x1, _ = page.get_trimbox()
    lines = []
    for k in range(tp.count_rects()):
        l, b, r, t = tp.get_rect(k)
        lines.append((l, b, r, t, SPACE.sub("", tp.get_text_bounded(l, b, r, t))))
    pdf.close()
    figs = content.figures[:6]
    def whole(f):
        """The number with its unit (set at half size on the same baseline): one line, never apart."""
        joined = [ln for ln in lines if ln[4] == SPACE.sub("", f"{f.value}{f.unit}")]
        if joined:
            return joined
        found = []
        for n in (ln for ln in lines if ln[4] == SPACE.sub("", f.value)):
            height = n[3] - n[1]
            for u in (ln for ln in lines if ln[4] == SPACE.sub("", f.unit)):
                if 0 <= u[0] - n[2] < 0.3 * height and abs(u[1] - n[1]) < 0.25 * height:
                    found.append((n[0], min(n[1], u[1]), u[2], n[3], n[4] + u[4]))
        return found

    numbers = [whole(f) for f in figs]
    assert all(len(n) == 1 for n in numbers), [f.value for f, n in zip(figs, numbers) if len(n) != 1]
    numbers = [n[0] for n in numbers]
    blocks = []                   # each figure's ink: its number with unit, and its label beneath if wider
    for f, (l, b, r, t, _) in zip(figs, numbers):
        label = [ln for ln in lines if ln[4] == SPACE.sub("", f.label) and ln[3] <= b + 1 and b - ln[3] < 40 * MM]
        if label:
            l, r = min(l, label[0][0]), max(r, label[0][2])
        blocks.append((l, b, r))
    rows = []                     # numbers whose baselines are within a centimetre share a row
    for l, b, r in sorted(blocks, key=lambda n: -n[1]):
        if rows and abs(rows[-1][0][1] - b) < 10 * MM:
            rows[-1].append((l, b, r))
        else:
            rows.append([(l, b, r)])
    rows = [[(l, r) for l, _, r in row] for row in rows]
    # every row centred on one axis (the page's, or its area's on a landscape poster): as much
    # room before its first figure as after its last
    centres = [(min(l for l, _ in row) + max(r for _, r in row)) / 2 for row in rows]
    assert max(centres) - min(centres) < 5 * MM, (size, [c / MM for c in centres])
    if not size.endswith("landscape") and size != "board":         # landscape: figures in their own column
        assert all(abs(c - (x0 + x1) / 2) < 5 * MM for c in centres), (size, [c / MM for c in centres])
    for row in rows:
        row.sort()
        assert all(b[0] - a[1] >= 3 * MM for a, b in zip(row, row[1:])), row
    labels = {SPACE.sub("", f.label) for f in figs}
    for l, b, r, t, text in lines:
        if any(text in label and text != label for label in labels):
            assert len(text) >= 3, (size, text)


@pytest.mark.parametrize("size", PRESETS)
def test_honour_items_keep_a_bracket_group_with_its_word(presets, size):
    content, out = presets
    pdf = pdfium.PdfDocument(out / f"poster-{size.lower()}.pdf")
    tp = pdf[0].get_textpage()
    lines = [SPACE.sub("", tp.get_text_bounded(*tp.get_rect(k))) for k in range(tp.count_rects())]
    pdf.close()
    items = [SPACE.sub("", i) for i in content.honours.items]
    for text in lines:
        if any(text in i and text != i for i in items):
            assert not text.startswith("（"), (size, text)


def test_the_composition_audit_finds_nothing_on_any_preset(presets):
    """Every preset, portrait and landscape, roll-up and board, as a designer's checklist reads it."""
    from conftest import composition_audit

    _, out = presets
    audit = composition_audit().audit
    found = {p.name: audit(p)["findings"] for p in sorted(out.glob("poster-*.pdf"))}
    assert len(found) == len(PRESETS)
    assert not any(found.values()), {k: v for k, v in found.items() if v}
