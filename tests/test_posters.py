"""Posters from the same content: preset sizes, text, copy-fit errors, the roll-up's foot, QR at distance."""
from __future__ import annotations

import math
import re

import pikepdf
import pypdfium2 as pdfium
import pytest

from brochure.content import PAGE_SIZES, load
from conftest import build_project, copy_project

MM = 72 / 25.4
SPACE = re.compile(r"\s+")
PRESETS = ["A0", "A1", "A2", "A3", "A0-landscape", "A1-landscape", "A2-landscape", "A3-landscape", "rollup", "board"]


def all_presets(tree):
    base = dict(tree["posters"][0])
    tree["posters"] = []
    for size in PRESETS:
        poster = dict(base, name=size.lower(), size=size)
        for key in ("foot", "distance", "scan_distance"):
            poster.pop(key, None)
        tree["posters"].append(poster)


@pytest.fixture(scope="module")
def presets(tmp_path_factory):
    folder = tmp_path_factory.mktemp("presets")
    path = copy_project(folder, data=all_presets)
    run = build_project(path)
    assert run.returncode == 0, run.stderr
    return load(path), folder / "out"


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


def test_rollup_foot_is_free_of_content(tmp_path):
    path = copy_project(tmp_path)
    content = load(path)
    (rollup,) = [p for p in content.posters if p.name == "rollup"]
    assert rollup.foot == 150
    run = build_project(path, "--only", "rollup")
    assert run.returncode == 0, run.stderr
    pdf = pdfium.PdfDocument(tmp_path / "out" / "poster-rollup.pdf")
    page = pdf[0]
    trim_y0 = page.get_trimbox()[1]
    foot_top = trim_y0 + rollup.foot * MM
    tp = page.get_textpage()
    lowest = min(tp.get_charbox(i)[1] for i in range(tp.count_chars()) if tp.get_text_range(i, 1).strip())
    objects = [o.get_bounds()[1] for o in page.get_objects(max_depth=4)]
    pdf.close()
    assert lowest > foot_top
    assert min(objects) > foot_top or min(objects) < trim_y0  # only the bleed-crossing band, nothing else
    # the QR code and its words sit just above the foot: no empty band between them and the stand
    margin = max(15 * MM, 0.03 * (page_h := rollup.page.height * MM))
    assert lowest - foot_top < margin + 0.05 * page_h, (lowest - foot_top) / MM


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
    assert 500 < cut < len(load(path).sections[0].summary)
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
