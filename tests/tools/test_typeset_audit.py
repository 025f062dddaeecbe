"""The typesetting audit (tools/typeset_audit.py) on real PDFs, the proof page, and engine regressions.

The audit reads glyph positions from the PDF's content streams (pikepdf + fontTools),
never from our layout objects; these tests check that it passes the default brochure,
that it does catch the faults of ReportLab's own wordWrap='CJK' setting of the same
text, and that its positions agree with PDFium's where PDFium's are exact.
"""
from __future__ import annotations

import ctypes
import json
import subprocess
import sys
from pathlib import Path

import pytest

from brochure.text import CJKParagraph, TextStyle, layout_lines
from conftest import tool as load_tool

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / "tools" / "typeset_audit.py"
MM = 72 / 25.4
BODY_SIZE, LEADING = 9.5, 15.0
# the brochure's column: A4, 15 mm margins, three columns of whole 9.5 pt characters with gutters of 1-2 em
MEASURE = ((210 - 30) * MM - 2 * BODY_SIZE) // (3 * BODY_SIZE) * BODY_SIZE
GUTTER = ((210 - 30) * MM - 3 * MEASURE) / 2


audit_tool = load_tool("typeset_audit")


def run_audit(pdf: Path, *args: str) -> tuple[int, dict, str]:
    """Run the audit as a command; (exit status, JSON report, summary line)."""
    proc = subprocess.run([sys.executable, str(AUDIT), str(pdf), "--json", *args],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, json.loads(proc.stdout), proc.stderr.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from brochure.fonts import FontLibrary
    return FontLibrary(ROOT, tmp_path_factory.mktemp("font-cache"))


@pytest.fixture(scope="module")
def body_face(library, brochure_paragraphs):
    return library.face("Noto Serif CJK SC", "Regular", "".join(brochure_paragraphs) + "达到Ⅱ类民声优资")


# --------------------------------------------------------------------------------------------
# The default brochure
# --------------------------------------------------------------------------------------------
def test_default_brochure_passes_the_audit(built):
    status, report, summary = run_audit(built / "brochure.pdf")
    s = report["summary"]
    assert status == 0, report["findings"][:10]
    assert summary.startswith("summary:") and summary.endswith("OK")
    assert s["body_size"] == pytest.approx(BODY_SIZE) and s["leading"] == pytest.approx(LEADING)
    assert s["body_lines"] > 150 and s["columns"] >= 6
    assert s["kinsoku"] == s["lone"] == s["not_justified"] == s["off_grid"] == 0
    # every column has the same measure, the brochure's
    assert {round(c["measure"], 1) for c in report["columns"]} == {round(MEASURE, 1)}
    # paragraphs were found (indented first lines, short last lines)
    assert s["paragraph_last_lines"] > 30


# --------------------------------------------------------------------------------------------
# The same text set by ReportLab's wordWrap='CJK': the audit must find its faults
# --------------------------------------------------------------------------------------------
def reportlab_cjk_pdf(path: Path, face, paragraphs: list[str], drop_second_column: float = 0.0) -> None:
    """The brochure's body text in three columns of its measure, set by ReportLab's own CJK wrap."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    style = ParagraphStyle("body", fontName=face.name, fontSize=BODY_SIZE, leading=LEADING,
                           firstLineIndent=2 * BODY_SIZE, alignment=TA_JUSTIFY, wordWrap="CJK")
    width, height = A4
    x0 = (width - 3 * MEASURE - 2 * GUTTER) / 2
    frames = [Frame(x0 + i * (MEASURE + GUTTER), 18 * MM, MEASURE,
                    height - 33 * MM - (drop_second_column if i == 1 else 0),
                    leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0) for i in range(3)]
    doc = BaseDocTemplate(str(path), pagesize=A4, pageTemplates=[PageTemplate(frames=frames)])
    doc.build([Paragraph(p, style) for p in paragraphs])


def test_audit_catches_reportlab_cjk_wrap(tmp_path, body_face, brochure_paragraphs):
    pdf = tmp_path / "reportlab-cjk.pdf"
    reportlab_cjk_pdf(pdf, body_face, brochure_paragraphs)
    status, report, summary = run_audit(pdf)
    s = report["summary"]
    assert status == 1 and summary.endswith("FAIL")
    assert s["columns"] >= 4 and s["body_lines"] > 150
    assert s["kinsoku_start"] >= 5           # ，” and —— starting lines
    assert s["kinsoku_end"] >= 1             # “ ending lines
    assert s["not_justified"] >= 20          # ragged lines
    kinds = {f["kind"] for f in report["findings"]}
    assert {"kinsoku-start", "kinsoku-end", "ragged-right"} <= kinds
    # against the true measure (the frame width) at least as many lines are short of it
    _, exact, _ = run_audit(pdf, "--measure", str(MEASURE))
    assert exact["summary"]["ragged_right"] >= s["ragged_right"] >= 20


def test_audit_catches_columns_off_the_grid(tmp_path, body_face, brochure_paragraphs):
    pdf = tmp_path / "off-grid.pdf"
    reportlab_cjk_pdf(pdf, body_face, brochure_paragraphs, drop_second_column=4.0)
    _, report, _ = run_audit(pdf)
    assert report["summary"]["off_grid"] >= 40
    assert all(f["column"] == 1 for f in report["findings"] if f["kind"] == "grid")


# --------------------------------------------------------------------------------------------
# The reader: positions from the content streams agree with PDFium's exact ones
# --------------------------------------------------------------------------------------------
def test_glyph_positions_agree_with_pdfium(tmp_path, body_face, brochure_paragraphs):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Frame

    pdf = tmp_path / "plain.pdf"
    style = TextStyle(body_face, BODY_SIZE, LEADING, indent=2)
    c = Canvas(str(pdf), pagesize=(600, 800))
    story = [CJKParagraph(p, style, actual_text=False) for p in brochure_paragraphs[:6]]
    Frame(40, 40, MEASURE, 720, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0).addFromList(story, c)
    c.save()

    pages, _ = audit_tool.read_glyphs(pdf)
    ours = [g for g in pages[0] if not g.char.isspace()]
    doc = pdfium.PdfDocument(str(pdf))
    tp = doc[0].get_textpage()
    theirs = []
    for i in range(tp.count_chars()):
        ch = tp.get_text_range(i, 1)
        if ch.strip():
            x, y = ctypes.c_double(), ctypes.c_double()
            raw.FPDFText_GetCharOrigin(tp.raw, i, ctypes.byref(x), ctypes.byref(y))
            theirs.append((ch, x.value, y.value))
    assert len(ours) == len(theirs) > 300
    for g, (ch, x, y) in zip(ours, theirs):
        assert g.char == ch
        assert g.x == pytest.approx(x, abs=0.01) and g.y == pytest.approx(y, abs=0.01)
    report = audit_tool.audit(pdf)
    assert report["summary"]["violations"] == 0


def test_punctuation_trims_come_from_the_glyph_ink(tmp_path, body_face):
    """The empty side the audit finds in each mark is what the font's 'halt' says."""
    from reportlab.pdfgen.canvas import Canvas

    marks = "，。、；：！？“”‘’（）《》—…·"
    pdf = tmp_path / "marks.pdf"
    c = Canvas(str(pdf))
    c.setFont(body_face.name, 10)
    c.drawString(10, 700, marks)
    c.save()
    pages, _ = audit_tool.read_glyphs(pdf)
    for g in pages[0]:
        left, right = body_face.halt(g.char)
        assert (g.trim_left / 10, g.trim_right / 10) == pytest.approx((left, right), abs=1e-3), g.char


# --------------------------------------------------------------------------------------------
# The proof page
# --------------------------------------------------------------------------------------------
def test_proof_page_sets_every_rule_before_and_after(tmp_path, library):
    import pypdfium2 as pdfium

    from brochure.workflow import typesetting_proof as proof

    faces = proof.load_faces(library)
    path = proof.write_proof(tmp_path / "proof-typesetting.pdf", faces=faces)
    doc = pdfium.PdfDocument(str(path))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    for sample in proof.SAMPLES:
        assert sample.zh.split(" ", 1)[1] in text
    # every "after" is clean; every ReportLab "before" shows the fault it is there for
    for sample in proof.SAMPLES:
        after = proof.after_box(sample, faces)
        assert not any(w in n for n in after.notes for w in ("处", "孤字", "不齐", "离格")), (sample.zh, after.notes)
        if sample.before == "reportlab":
            before = proof.before_box(sample, faces)
            assert before.notes != ["无违例 / no violations"], sample.zh


# --------------------------------------------------------------------------------------------
# Regressions for the engine faults the audit and the proof showed
# --------------------------------------------------------------------------------------------
def test_em_wide_roman_numeral_takes_no_cjk_latin_space(body_face):
    line = layout_lines("达到Ⅱ类", TextStyle(body_face, 10.0, 15.0), 200.0)[0]
    g = {gl.char: gl for gl in line.glyphs}
    assert g["类"].x - (g["Ⅱ"].x + g["Ⅱ"].advance) == pytest.approx(0.0, abs=1e-6)


def test_lone_character_beats_a_loose_line(library):
    face = library.face("Noto Serif CJK SC", "Regular", "渌PVDF—")
    lines = layout_lines("渌渌PVDF——渌渌PVDF渌", TextStyle(face, 10.0, 16.0), 120.0)
    assert len(lines) == 1 or len(lines[-1].text) >= 2, [l.text for l in lines]


def test_a_short_line_with_nothing_to_spread_is_avoided(body_face):
    text = "实现“100%园区事项在园区办”，芳纶成为两大国家级新材料。"
    lines = layout_lines(text, TextStyle(body_face, 10.0, 15.0, indent=2), 70.0)
    for line in lines[:-1]:
        assert line.width == pytest.approx(70.0, abs=0.05), [l.text for l in lines]


def test_a_space_between_two_marks_keeps_them_full_width(body_face):
    style = TextStyle(body_face, 10.0, 15.0, align="left")

    def gap(text):
        g = [gl for gl in layout_lines(text, style, 300.0)[0].glyphs if gl.char in "”“"]
        return g[1].x - g[0].x

    assert gap("民声”“优资") == pytest.approx(5.0, abs=0.01)       # compressed pair: 1.5 em together
    assert gap("民声” “优资") == pytest.approx(10.0, abs=0.01)      # the writer's space: each mark whole


def test_audit_finds_a_dash_with_a_gap_and_passes_one_drawn_whole(body_face, tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    text = "发展——这是成果……"
    plain, ours = tmp_path / "plain.pdf", tmp_path / "ours.pdf"
    c = Canvas(str(plain), pagesize=(300, 200))
    c.setFont(body_face.name, 20)
    c.drawString(20, 100, text)              # the font's own glyphs, side bearings and all
    c.save()
    c = Canvas(str(ours), pagesize=(300, 200))
    para = CJKParagraph(text, TextStyle(body_face, 20, 30, align="left"))
    para.wrap(260, 200)
    para.drawOn(c, 20, 100)
    c.save()
    for path, broken in ((plain, 1), (ours, 0)):
        bars: list = []
        pages, _ = audit_tool.read_glyphs(path, bars)
        count, findings = audit_tool.dash_findings(pages[0], bars[0], 1)
        assert (count, len(findings)) == (1, broken), (path.name, findings)
