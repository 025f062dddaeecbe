"""Set text in real PDFs and read it back with PDFium and poppler, not with our own objects."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame

from brochure.text import CJKParagraph, TextStyle, VerticalText
from brochure.text.classes import NO_END, NO_START

ROOT = Path(__file__).resolve().parents[2]
MM = 72 / 25.4
SIZE, LEADING = 9.5, 15.0
MEASURE = 58 * MM

PARAS = [
    "渌口区以“非凡10年”为主题，回顾了高分子新材料产业链的发展历程。2020年，全区共有32家企业入驻园区，"
    "其中PVDF项目投资达5G级别……园区产值增长100%，成为湖南省重点园区——这是“十三五”期间的重要成果。",
    "经过多年努力,渌口区(株洲市)的经济总量实现了翻番! 新材料、新能源、新基建《三新》齐头并进；"
    "“产业链”“创新链”深度融合：全年完成投资12.5亿元，同比增长18.6%。Hello world 测试句子。",
]


@pytest.fixture(scope="module")
def face(tmp_path_factory):
    from brochure.fonts import FontLibrary
    lib = FontLibrary(ROOT, tmp_path_factory.mktemp("font-cache"))
    return lib.face("Noto Serif CJK SC", "Regular", "".join(PARAS) + "荣誉榜摘选全国文明城市示范区")


def _frame(x, y_top, height, width=MEASURE):
    return Frame(x, y_top - height, width, height, leftPadding=0, rightPadding=0,
                 topPadding=0, bottomPadding=0)


def _render(path, face, paras, actual_text=True, columns=1, **style_kw):
    st = TextStyle(face, SIZE, LEADING, indent=2, **style_kw)
    c = Canvas(str(path), pagesize=(600, 800))
    story = [CJKParagraph(p, st, actual_text=actual_text) for p in paras]
    for i in range(columns):
        frame = _frame(40 + i * (MEASURE + 14), 760, 700)
        frame.addFromList(story, c)
    c.save()
    return st


def _chars(path):
    """(char, origin x, origin y, loose right edge) for every real character PDFium finds."""
    pdf = pdfium.PdfDocument(str(path))
    page = pdf[0]
    tp = page.get_textpage()
    out = []
    for i in range(tp.count_chars()):
        ch = tp.get_text_range(i, 1)
        if not ch.strip():
            continue
        x, y = _origin(tp, i)
        left, bottom, right, top = tp.get_charbox(i, loose=True)
        out.append((ch, x, y, right))
    return out


def _origin(tp, i):
    import ctypes
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium.raw.FPDFText_GetCharOrigin(tp, i, ctypes.byref(x), ctypes.byref(y))
    return x.value, y.value


def _lines(chars):
    rows: dict[float, list] = {}
    for ch, x, y, right in chars:
        rows.setdefault(round(y, 2), []).append((x, ch, right))
    return [sorted(rows[y]) for y in sorted(rows, reverse=True)]


def test_extracted_text_reads_exactly_as_input_pdfium(face, tmp_path):
    path = tmp_path / "p.pdf"
    _render(path, face, PARAS)
    text = pdfium.PdfDocument(str(path))[0].get_textpage().get_text_range()
    assert text.replace("\r\n", "") == "".join(PARAS)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_extracted_text_reads_exactly_as_input_poppler(face, tmp_path):
    path = tmp_path / "p.pdf"
    _render(path, face, PARAS)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert text.replace("\n", "").replace("\f", "") == "".join(PARAS)


def test_glyph_positions_keep_kinsoku_and_a_straight_right_edge(face, tmp_path):
    path = tmp_path / "pos.pdf"
    # without ActualText PDFium reports each glyph where it really is
    _render(path, face, PARAS, actual_text=False)
    lines = _lines(_chars(path))
    assert len(lines) >= 12
    paragraph_ends = []
    for row in lines:
        assert row[0][1] not in NO_START, "".join(c for _, c, _ in row)
        assert row[-1][1] not in NO_END, "".join(c for _, c, _ in row)
    left = 40
    edges = []
    for row in lines:
        x, ch, right = row[-1]
        trim = face.halt(ch)[1] * SIZE          # a closing mark at the line end is set half width
        edges.append(right - trim - left)
        paragraph_ends.append(ch == "。")
    full = [e for e, last in zip(edges, paragraph_ends) if abs(e - MEASURE) < 3]
    assert len(full) >= len(lines) - 2          # all but the two paragraphs' last lines are full
    for e in full:
        assert e == pytest.approx(MEASURE, abs=0.05)


def test_cjk_latin_gap_present_in_positions(face, tmp_path):
    path = tmp_path / "gap.pdf"
    _render(path, face, ["中文PVDF中文"], actual_text=False, align="left")
    chars = _chars(path)
    wen = [c for c in chars if c[0] == "文"][0]
    p = [c for c in chars if c[0] == "P"][0]
    assert p[1] - wen[3] == pytest.approx(0.25 * SIZE, abs=0.02)
    # ... and with the default drawing, absent from the extracted text
    path2 = tmp_path / "gap2.pdf"
    _render(path2, face, ["中文PVDF中文"], align="left")
    assert pdfium.PdfDocument(str(path2))[0].get_textpage().get_text_range() == "中文PVDF中文"


def test_baselines_share_the_grid_across_columns(face, tmp_path):
    path = tmp_path / "grid.pdf"
    st = TextStyle(face, SIZE, LEADING, indent=2)
    c = Canvas(str(path), pagesize=(600, 800))
    _frame(40, 760, 700).addFromList([CJKParagraph(PARAS[0], st)], c)
    big = TextStyle(face, 12, LEADING * 2)
    _frame(40 + MEASURE + 14, 760, 700).addFromList(
        [CJKParagraph("小标题", big), CJKParagraph(PARAS[1], st)], c)
    c.save()
    heading = round(760 - big.baseline_offset, 3)       # the heading sits centred in its two lines
    ys = {round(y, 3) for _, _, y, _ in _chars(path)} - {heading}
    first = 760 - st.baseline_offset
    assert len(ys) >= 6
    for y in ys:
        steps = (first - y) / LEADING
        assert steps == pytest.approx(round(steps), abs=1e-3), y
    left = {round(y, 3) for _, x, y, _ in _chars(path) if x < 40 + MEASURE}
    right = {round(y, 3) for _, x, y, _ in _chars(path) if x > 40 + MEASURE + 10}
    assert len(left & right) >= 3


def test_text_is_cmyk_and_can_overprint(face, tmp_path):
    path = tmp_path / "ink.pdf"
    _render(path, face, PARAS[:1], overprint=True, color=(0, 0, 0, 100))
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        ops = [op for _, op in pikepdf.parse_content_stream(page)]
        names = {str(o) for o in ops}
        assert "k" in names and "rg" not in names and "g" not in names
        assert "TJ" in names and "Tj" not in names
        gs = page.Resources.ExtGState
        assert any(bool(gs[k].get("/op", False)) for k in gs.keys())
        fill = [operands for operands, op in pikepdf.parse_content_stream(page) if str(op) == "k"]
        assert [float(v) for v in fill[0]] == [0, 0, 0, 1]


def test_one_text_object_per_line(face, tmp_path):
    path = tmp_path / "bt.pdf"
    _render(path, face, PARAS[:1])
    with pikepdf.open(path) as pdf:
        ops = [str(op) for _, op in pikepdf.parse_content_stream(pdf.pages[0])]
    n_lines = len(pdfium.PdfDocument(str(path))[0].get_textpage().get_text_range().split("\r\n"))
    assert ops.count("BT") - 1 == n_lines          # ReportLab opens one empty BT per page


def test_vertical_text_uses_vertical_forms_and_reads_back(face, tmp_path):
    path = tmp_path / "v.pdf"
    st = TextStyle(face, 14, 20, align="left")
    v = VerticalText("荣誉榜（摘选）\n全国文明城市，示范区PVDF", st, 200)
    w, h = v.wrap(500, 500)
    assert w == pytest.approx(2 * 20) and h == 200
    c = Canvas(str(path), pagesize=(300, 300))
    v.drawOn(c, 100, 50)
    c.save()
    tp = pdfium.PdfDocument(str(path))[0].get_textpage()
    text = tp.get_text_range()
    assert "（" in text and "，" in text
    assert not any(0xE000 <= ord(ch) <= 0xF8FF for ch in text)
    # the first column is on the right, read top to bottom
    chars = _chars(path)
    rong = [c for c in chars if c[0] == "荣"][0]
    quan = [c for c in chars if c[0] == "全"][0]
    bang = [c for c in chars if c[0] == "榜"][0]
    assert rong[1] > quan[1] and rong[2] > bang[2] and rong[1] == pytest.approx(bang[1])
