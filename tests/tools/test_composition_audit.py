"""The composition audit (tools/composition_audit.py) on pages built here with ReportLab alone.

Each page is clean but for one fault put there on purpose, and the audit must find exactly
that fault; the clean page must pass, so no test passes because the audit finds nothing.
The last test runs the audit on the default build and prints what it finds (the layout
has known faults, so it does not ask for a clean report).
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from conftest import tool as load_tool

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "composition_audit.py"
MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
MARGIN = 15 * MM
BODY, LEADING = 9.5, 15.0
COLUMN = (A4[0] - 2 * MARGIN - 2 * 5 * MM) / 3

pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))     # ships with ReportLab: has — and …


tool = load_tool("composition_audit")
PHOTO = ImageReader(Image.new("RGB", (60, 40), (120, 140, 90)))
OTHER_PHOTO = ImageReader(Image.new("RGB", (60, 40), (90, 100, 160)))      # a second photo, not the first again


def column_x(k: int) -> float:
    return MARGIN + k * (COLUMN + 5 * MM)


def body_lines(c: Canvas, k: int, top: float, n: int, dash_gap: float | None = None) -> None:
    """``n`` body lines in column ``k``, the first baseline at ``top``; one holds —— if ``dash_gap`` is given."""
    for i in range(n):
        t = c.beginText(column_x(k) + (2 * BODY if k == 0 and i == 0 else 0), top - i * LEADING)  # a paragraph opens
        t.setFont("Vera", BODY)
        if i == 1 and dash_gap is not None:
            t.textOut("word word ")
            t.setCharSpace(dash_gap)
            t.textOut("—")
            t.setCharSpace(0)
            t.textOut("— word word word")
        elif k == 0 and i == 0:
            t.textOut("word word word word word")
        else:
            t.textOut("word word word word word word")
        c.drawText(t)


def text(c: Canvas, x: float, y: float, s: str, size: float) -> None:
    c.setFont("Vera", size)
    c.drawString(x, y, s)


def brochure_page(path: Path, leg: int = 10, short_column: int = 10, band: bool = False,
                  box_lines: int = 12, dash_gap: float = 0.0) -> Path:
    """One A4 page: headline, photo, a story in three columns, a fitted box, a second story.

    Clean with the defaults; each argument puts one fault in."""
    c = Canvas(str(path), pagesize=A4)
    text(c, MARGIN, 775, "Headline of the page", 20)
    c.drawImage(PHOTO, MARGIN, 600, A4[0] - 2 * MARGIN, 165)
    for k in range(3):
        body_lines(c, k, 585, short_column if k == 2 else 10, dash_gap if k == 0 else None)
    # the box: its text at 9 pt on 13 pt, the box as tall as the clean text needs
    lines = 4 if band else box_lines
    bottom = 370 if band else 265
    c.setFillColorCMYK(0, 0.08, 0.15, 0)
    c.rect(MARGIN, bottom, A4[0] - 2 * MARGIN, 435 - bottom, stroke=0, fill=1)
    c.setFillColorCMYK(0, 0, 0, 1)
    for i in range(lines):
        text(c, MARGIN + 10, 420 - i * 13, "a box line of honours", 9)
    text(c, MARGIN, 230, "Second story", 16)
    for k in range(3):
        body_lines(c, k, 205, leg if k == 2 else 10)
    if leg < 10:    # a photo under the short leg, ending level with the other columns
        foot = 205 - 9 * LEADING - 2
        c.drawImage(OTHER_PHOTO, column_x(2), foot, COLUMN, 205 - leg * LEADING - foot)
    c.showPage()
    c.save()
    return path


def poster(path: Path, caption_size: float = 20) -> Path:
    """An A1 poster: title, a large photo, its caption and the publisher line."""
    w, h = 594 * MM, 841 * MM
    c = Canvas(str(path), pagesize=(w, h))
    text(c, 40 * MM, h - 90 * MM, "Poster title", 120)
    c.drawImage(PHOTO, 40 * MM, 90 * MM, w - 80 * MM, h - 200 * MM)
    text(c, 40 * MM, 75 * MM, "A caption under the photo", caption_size)
    text(c, 40 * MM, 45 * MM, "Publisher and date", 28)
    c.showPage()
    c.save()
    return path


def rollup(path: Path, qr_centre_m: float, caption_pt: float | None = None, foot_band_mm: float = 0) -> Path:
    """An 800 x 2000 mm roll-up: title, photo, a 160 mm QR code centred ``qr_centre_m`` above the floor;
    a caption of ``caption_pt`` under the code, a colour band ``foot_band_mm`` tall across its foot."""
    w, h = 800 * MM, 2000 * MM
    c = Canvas(str(path), pagesize=(w, h))
    if foot_band_mm:
        c.setFillColorCMYK(0, 1, 1, 0.1)
        c.rect(-5 * MM, -5 * MM, w + 10 * MM, (foot_band_mm + 5) * MM, stroke=0, fill=1)
        c.setFillColorCMYK(0, 0, 0, 1)
    text(c, 50 * MM, h - 120 * MM, "Roll-up title", 200)
    qr_y = qr_centre_m * 1000 * MM - 80 * MM
    c.drawImage(PHOTO, 50 * MM, 100 * MM, w - 100 * MM, max(10 * MM, qr_y - 180 * MM))
    c.drawImage(OTHER_PHOTO, 50 * MM, qr_y + 180 * MM, w - 100 * MM, h - 200 * MM - qr_y - 180 * MM)
    m, rng = 160 * MM / 25, random.Random(7)
    p = c.beginPath()
    for i in range(25):
        for j in range(25):
            if i in (0, 24) or j in (0, 24) or rng.random() < 0.5:
                p.rect(50 * MM + i * m, qr_y + j * m, m, m)       # on the left margin, the poster's axis
    c.setFillColorCMYK(0, 0, 0, 1)
    c.drawPath(p, stroke=0, fill=1)
    text(c, 50 * MM, qr_y - 60 * MM, "Scan to read", 80)
    if caption_pt:
        text(c, 50 * MM, qr_y - 90 * MM, "https://example.org/", caption_pt)
    text(c, 50 * MM, 60 * MM, "Publisher", 80)
    c.showPage()
    c.save()
    return path


def rules(report: dict) -> list[str]:
    return [f["rule"] for f in report["findings"]]


# --------------------------------------------------------------------------------------------
def test_the_clean_page_passes(tmp_path):
    report = tool.audit(brochure_page(tmp_path / "clean.pdf"))
    assert report["kind"] == "brochure" and report["body"] == {"font": "BitstreamVeraSans-Roman", "size": BODY}
    assert report["findings"] == [] and report["summary"] == {}


def test_a_three_line_leg(tmp_path):
    report = tool.audit(brochure_page(tmp_path / "leg.pdf", leg=3))
    assert rules(report) == ["leg-shallow"]
    f = report["findings"][0]
    assert "3 lines in column 3" in f["detail"]
    assert f["x_mm"] == pytest.approx(column_x(2) / MM, abs=0.1)
    assert f["y_mm"] == pytest.approx(297 - 205 / MM, abs=0.1)


def test_an_unbalanced_column_end(tmp_path):
    report = tool.audit(brochure_page(tmp_path / "balance.pdf", short_column=7))
    assert rules(report) == ["balance"]
    assert "3.0 lines apart (column 3 is short)" in report["findings"][0]["detail"]


def test_an_empty_band(tmp_path):
    report = tool.audit(brochure_page(tmp_path / "band.pdf", band=True))
    assert rules(report) == ["empty-band", "hole"]           # a band across the type area is a hole as well
    height = float(report["findings"][0]["detail"].split()[3])
    assert 40 <= height <= 50


def test_a_box_taller_than_its_text(tmp_path):
    report = tool.audit(brochure_page(tmp_path / "box.pdf", box_lines=7))
    assert rules(report) == ["box-fit"]
    assert "(5.8 lines, 44%)" in report["findings"][0]["detail"]      # the box is 7 lines of 12


def test_a_dash_drawn_as_two_glyphs_with_a_gap(tmp_path):
    report = tool.audit(brochure_page(tmp_path / "dash.pdf", dash_gap=2.0))
    assert rules(report) == ["dash"]
    assert "2.00 pt apart" in report["findings"][0]["detail"]


def test_a_small_caption_on_a_poster(tmp_path):
    assert rules(tool.audit(poster(tmp_path / "clean-a1.pdf"))) == []
    report = tool.audit(poster(tmp_path / "a1.pdf", caption_size=10))
    assert report["kind"] == "poster" and rules(report) == ["poster-text"]
    assert report["findings"][0]["detail"].startswith("10.0 pt text")


def test_a_rollup_with_its_qr_code_at_the_feet(tmp_path):
    assert rules(tool.audit(rollup(tmp_path / "high.pdf", 1.25))) == []
    report = tool.audit(rollup(tmp_path / "low.pdf", 0.3))
    assert report["kind"] == "rollup" and rules(report) == ["qr-height"]
    assert "0.30 m above the floor" in report["findings"][0]["detail"]


def test_the_command_prints_findings_and_fails_on_them(tmp_path):
    clean, leg = brochure_page(tmp_path / "clean.pdf"), brochure_page(tmp_path / "leg.pdf", leg=3)
    ok = subprocess.run([sys.executable, str(TOOL), str(clean)], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and ok.stdout.strip().endswith("-> OK")
    bad = subprocess.run([sys.executable, str(TOOL), str(clean), str(leg)], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 1
    first, *_, last = bad.stdout.strip().splitlines()
    assert first.startswith(f"{leg}: p1 at") and "leg-shallow" in first
    assert last == "summary: 2 files, 2 pages: leg-shallow 1 -> FAIL"
    as_json = subprocess.run([sys.executable, str(TOOL), str(leg), "--json"], capture_output=True, text=True,
                             timeout=60)
    assert as_json.returncode == 1 and json.loads(as_json.stdout)[0]["summary"] == {"leg-shallow": 1}
    missing = subprocess.run([sys.executable, str(TOOL), str(tmp_path / "none.pdf")], capture_output=True,
                             text=True, timeout=60)
    assert missing.returncode == 2


def test_the_default_build(built):
    """The audit reads every output of the default build; its findings are printed, not judged here."""
    pdfs = sorted(built.glob("*.pdf"))
    assert {p.name for p in pdfs} >= {"brochure.pdf", "poster-a1.pdf", "poster-rollup.pdf"}
    for pdf in pdfs:
        report = tool.audit(pdf)
        assert report["pages"] >= 1 and report["body"] is not None
        assert report["kind"] == {"brochure.pdf": "brochure", "poster-rollup.pdf": "rollup"}.get(pdf.name, "poster")
        for f in report["findings"]:
            assert set(f) == {"rule", "page", "x_mm", "y_mm", "detail"}
            print(f"{pdf.name}: p{f['page']} at {f['x_mm']:.0f},{f['y_mm']:.0f} mm  {f['rule']}: {f['detail']}")
        assert report["summary"] == dict(Counter(rules(report)))


# --------------------------------------------------------------------------------------------
# The rules of the composition issue: a Chinese story page set here, clean or with one fault
# --------------------------------------------------------------------------------------------
with open(ROOT / "content.yaml", encoding="utf-8") as _f:          # the project's own words, none repeated
    TEXT = "".join(ch for ch in _f.read().split("\nsections:", 1)[1].split("\nphotos:", 1)[0]
                   if "\u4e00" <= ch <= "\u9fff")[:4000]
HEAD = "锚定“高分子” 迈向“高精尖”"
HEAD_E = "民生应“民声” “优资”给人民"
CHARS = 16                                     # a column is 16 body characters wide
LINES = 44
BIG_PHOTO = ImageReader(Image.new("RGB", (3000, 2000), (150, 120, 90)))     # pixels enough for a fifth of A1


@pytest.fixture(scope="module")
def faces(tmp_path_factory):
    """The project's own CJK faces (Noto converted to TrueType), registered with ReportLab."""
    from brochure.fonts import FontLibrary

    library = FontLibrary(ROOT, tmp_path_factory.mktemp("font-cache"))
    chars = TEXT + HEAD + HEAD_E + "“”‘’■新画卷济的转变篇章绘就整合好资源乡村高富美前言时序更替万物维新国家级产粮大县（区）"
    return (library.face("Noto Serif CJK SC", "Regular", chars).name,
            library.face("Noto Sans CJK SC", "Bold", chars).name)


def story(path: Path, faces, *, first_indent=True, gap=None, gutter_em=1.5, quote=None, heads=(HEAD,),
          head_lines=None, preface=0, pages=1, photos=("a", "b"), same_head=False) -> Path:
    """A4 pages of one section (or two, ``heads``): headline, rule, three columns of 16-character
    body lines.  ``gap``: "photo" (cols 2-3, lines 15-34 a photo), "empty" (the same lines left
    white), "photo-top" (cols 1-2, lines 0-19 a photo; column 3's top mid-paragraph).  ``quote``:
    a pull quote across cols 2-3 under the (last) headline: "ok", "big" (larger than the
    headline), "doubled" (its top rule on the headline's rule), "foreign" (quoting the first
    section's text under the second's headline).  ``head_lines``: the headline set on these lines
    instead.  ``preface``: a two-line preface of that many characters a line under the headline.
    ``pages``: that many pages, the second headed HEAD_E (HEAD again if ``same_head``), with the
    photos ``photos`` names ("a", "b": two different images)."""
    body, heading = faces
    c = Canvas(str(path), pagesize=A4)
    width = 3 * CHARS * BODY + 2 * gutter_em * BODY
    left = (A4[0] - width) / 2
    col = lambda k: left + k * (CHARS * BODY + gutter_em * BODY)  # noqa: E731
    for page in range(pages):
        pos, y = 0, A4[1] - 36 * MM
        split = LINES // 2 if len(heads) > 1 else None          # the second section opens at this line
        top = y - 30
        printed: dict[tuple[int, int], str] = {}
        photo = PHOTO if photos[page % len(photos)] == "a" else OTHER_PHOTO

        def headline(text_lines, baseline):
            c.setFont(heading, 18)
            for i, s in enumerate(text_lines):
                c.drawString(left, baseline - i * 23, s)
            rule = baseline - (len(text_lines) - 1) * 23 - 7
            c.setLineWidth(1.2)
            c.line(left, rule, left + width, rule)
            return rule

        first = HEAD_E if page == 1 and not same_head else heads[0]
        rule = headline(head_lines or [first], y)
        if head_lines:
            top -= 23 * (len(head_lines) - 1)
        if preface:
            c.setFont(heading, BODY)
            for i in range(2):
                c.drawString(left, top - i * LEADING, TEXT[500 + i * preface: 500 + (i + 1) * preface])
            top -= 3 * LEADING
        skip = set()
        if gap in ("photo", "empty"):
            skip = {(k, i) for k in (1, 2) for i in range(15, 35)}
        elif gap == "photo-top":
            skip = {(k, i) for k in (0, 1) for i in range(20)}
        second = split is not None
        if second:
            skip |= {(k, i) for k in range(3) for i in range(split, split + 3)}
        q0 = split + 3 if second else 0
        if quote:
            skip |= {(k, i) for k in (1, 2) for i in range(q0, q0 + 5)}
        for k in range(3):
            for i in range(LINES):
                if (k, i) in skip:
                    continue
                opens = i == 0 and k == 0 and first_indent or gap == "photo-top" and (k, i) == (0, 20) \
                    or second and (k, i) == (0, split + 3)
                n = CHARS - 2 if opens else CHARS
                s = TEXT[pos + page * 7: pos + page * 7 + n]
                pos += n
                printed[(k, i)] = s
                c.setFont(body, BODY)
                c.drawString(col(k) + (2 * BODY if opens else 0), top - i * LEADING, s)
        if second:
            rule = headline([heads[1]], top - (split + 1) * LEADING)
        if gap in ("photo", "photo-top"):
            k0, i0, i1 = (1, 15, 34) if gap == "photo" else (0, 0, 19)
            c.drawImage(photo, col(k0), top - i1 * LEADING - 3, 2 * CHARS * BODY + gutter_em * BODY,
                        (i1 - i0) * LEADING + 3 + 0.88 * BODY)
        if quote:
            size = 22 if quote == "big" else 14
            source = printed[(0, 5)] if quote == "foreign" or not second else printed[(0, q0 + 5)]
            x0, x1 = col(1), col(2) + CHARS * BODY
            qtop = top - q0 * LEADING + 0.88 * BODY
            above = rule - 0.8 * MM if quote == "doubled" else qtop
            c.setStrokeColorCMYK(0, 1, 1, 0.1)
            c.setLineWidth(1.2)
            c.line(x0, above, x1, above)
            c.setFillColorCMYK(0, 1, 1, 0.1)
            c.setFont(heading, size)
            c.drawString(x0, qtop - 12 - size, "“" + source[:10 if quote == "big" else 14] + "”")
            c.setLineWidth(0.6)
            low = top - (q0 + 4) * LEADING
            c.line(x0, low, x1, low)
            c.setFillColorCMYK(0, 0, 0, 1)
            c.setStrokeColorCMYK(0, 0, 0, 1)
        c.showPage()
    c.save()
    return path


def test_the_clean_story_page_passes(tmp_path, faces):
    for name, kwargs in {"plain": {}, "photo": {"gap": "photo"}, "quote": {"quote": "ok"},
                         "two-sections": {"heads": (HEAD, HEAD_E), "quote": "ok"},
                         "preface": {"preface": 36}, "head": {"head_lines": ["整合好资源 乡村“高富美”", "绘就新画卷"]},
                         "two-pages": {"pages": 2, "gap": "photo"}}.items():
        report = tool.audit(story(tmp_path / f"{name}.pdf", faces, **kwargs))
        assert report["findings"] == [], (name, report["findings"])


def test_a_hole_beside_a_column(tmp_path, faces):
    report = tool.audit(story(tmp_path / "hole.pdf", faces, gap="empty"))
    assert rules(report) == ["hole"]
    w, _, h = report["findings"][0]["detail"].split()[:3]
    assert int(w) >= 110 and int(h) >= 100             # columns 2-3 of 20 lines: 112 x 106 mm


def test_a_section_opening_mid_paragraph(tmp_path, faces):
    report = tool.audit(story(tmp_path / "noindent.pdf", faces, first_indent=False))
    assert rules(report) == ["reading-order"]


def test_a_photo_under_the_headline_and_column_3_mid_paragraph(tmp_path, faces):
    """The issue's fourth section: the photo across columns 1-2 under the head, the first paragraph at
    the foot of column 1, and the top of column 3, right under the head, mid-sentence."""
    report = tool.audit(story(tmp_path / "phototop.pdf", faces, gap="photo-top"))
    assert rules(report) == ["reading-order"]
    assert report["findings"][0]["x_mm"] > 130               # column 3 is where readers start


def test_a_pull_quote_larger_than_its_headline(tmp_path, faces):
    report = tool.audit(story(tmp_path / "big.pdf", faces, quote="big"))
    assert rules(report) == ["quote-rank"]
    assert "22.0 pt, its headline 18.0 pt" in report["findings"][0]["detail"]


def test_a_pull_quote_whose_rule_doubles_the_headline_rule(tmp_path, faces):
    report = tool.audit(story(tmp_path / "doubled.pdf", faces, quote="doubled"))
    assert rules(report) == ["double-rule"]
    assert "0.8 mm apart" in report["findings"][0]["detail"]


def test_a_pull_quote_under_another_sections_headline(tmp_path, faces):
    report = tool.audit(story(tmp_path / "foreign.pdf", faces, heads=(HEAD, HEAD_E), quote="foreign"))
    assert rules(report) == ["quote-owner"]
    assert "锚定" in report["findings"][0]["detail"] and "民生应" in report["findings"][0]["detail"]


def test_gutters_of_three_ems(tmp_path, faces):
    report = tool.audit(story(tmp_path / "gutter.pdf", faces, gutter_em=3.0))
    assert rules(report) == ["gutter"]
    assert "3.0 em" in report["findings"][0]["detail"]


def test_a_preface_fifty_characters_wide(tmp_path, faces):
    report = tool.audit(story(tmp_path / "measure.pdf", faces, preface=50))
    assert rules(report) == ["measure"]
    assert report["findings"][0]["detail"].startswith("50 characters a line")


def test_a_headline_ending_on_three_characters(tmp_path, faces):
    report = tool.audit(story(tmp_path / "tail.pdf", faces, head_lines=["整合好资源 乡村“高富美”", "新画卷"]))
    assert rules(report) == ["display-tail"]


def test_a_headline_splitting_a_word(tmp_path, faces):
    report = tool.audit(story(tmp_path / "split.pdf", faces, head_lines=["促成美丽乡村向美丽经", "济的转变新篇章"]))
    assert rules(report) == ["word-split"]
    assert "'经济'" in report["findings"][0]["detail"]


def test_the_same_headline_on_two_pages(tmp_path, faces):
    report = tool.audit(story(tmp_path / "same-head.pdf", faces, pages=2, gap="photo", same_head=True))
    assert rules(report) == ["repeat-text"]
    assert "printed again (first on page 1)" in report["findings"][0]["detail"]


def test_the_same_photo_on_two_pages(tmp_path, faces):
    report = tool.audit(story(tmp_path / "same-photo.pdf", faces, pages=2, gap="photo", photos=("a",)))
    assert rules(report) == ["repeat-photo"]
    assert report["findings"][0]["page"] == 2 and "60x40" in report["findings"][0]["detail"]


# --------------------------------------------------------------------------------------------
# Posters on a grid, and the roll-up's foot
# --------------------------------------------------------------------------------------------
def qr_modules(c: Canvas, x: float, y: float, size: float) -> None:
    """A QR-like square of 25 x 25 modules (the audit knows a code by its modules)."""
    m, rng = size / 25, random.Random(3)
    p = c.beginPath()
    for i in range(25):
        for j in range(25):
            if i in (0, 24) or j in (0, 24) or rng.random() < 0.5:
                p.rect(x + i * m, y + j * m, m, m)
    c.setFillColorCMYK(0, 0, 0, 1)
    c.drawPath(p, stroke=0, fill=1)


def grid_poster(path: Path, qr_shift_mm: float = 0, photo: tuple[float, float] | None = None,
                centred: bool = False) -> Path:
    """An A1 poster on one axis: title, hero photo (``photo`` = its width and height in mm, else
    across the margins and 400 mm tall), summary lines, a box and a QR code side by side
    (``qr_shift_mm`` moves the code up), the publisher.  ``centred``: the photo (and its caption) centred."""
    w, h = 594 * MM, 841 * MM
    x0, x1 = 40 * MM, w - 40 * MM
    c = Canvas(str(path), pagesize=(w, h))
    text(c, x0, h - 90 * MM, "Poster title", 100)
    pw, ph = (photo[0] * MM, photo[1] * MM) if photo else (x1 - x0, 400 * MM)
    px = (w - pw) / 2 if centred else x0
    c.drawImage(BIG_PHOTO, px, h - 120 * MM - ph, pw, ph)
    text(c, px, h - 135 * MM - ph, "A caption under the photo", 20)
    for i in range(int((520 * MM - ph - 150 * MM) / (24 * MM))):       # summaries fill what the photo leaves
        text(c, x0, h - 170 * MM - ph - i * 24 * MM, "A summary line of one section", 40)
    c.setFillColorCMYK(0, 0.08, 0.15, 0)
    c.rect(x0, 80 * MM, 300 * MM, 200 * MM, stroke=0, fill=1)
    c.setFillColorCMYK(0, 0, 0, 1)
    for i in range(8):
        text(c, x0 + 10 * MM, 260 * MM - i * 22 * MM, "An honour of the district", 28)
    qr_modules(c, x1 - 200 * MM, (80 + qr_shift_mm) * MM, 200 * MM)
    text(c, x0, 45 * MM, "Publisher and date", 28)
    c.showPage()
    c.save()
    return path


def centred_poster(path: Path, panel_shift_mm: float = 0, row_shift_mm: float = 0) -> Path:
    """An A1 poster centred on one axis: title, hero photo, a row of three cells (a word over its label), centred heads
    over full-measure summaries, and at the foot the honour box beside a tinted panel holding the QR
    code (the panel shares the box's top and foot; ``panel_shift_mm`` moves the panel up), the code
    lower in the panel than the box's top.  ``row_shift_mm`` moves the row of cells off the axis."""
    w, h = 594 * MM, 841 * MM
    x0, x1 = 40 * MM, w - 40 * MM
    c = Canvas(str(path), pagesize=(w, h))
    title = "Poster title"
    tw = c.stringWidth(title, "Vera", 100)
    text(c, (w - tw) / 2, h - 90 * MM, title, 100)
    c.drawImage(BIG_PHOTO, x0, h - 470 * MM, x1 - x0, 350 * MM)
    cells = ["North", "South", "East"]
    widths = [c.stringWidth(t, "Vera", 60) for t in cells]
    gap = 40 * MM
    left = (w - sum(widths) - 2 * gap) / 2 + row_shift_mm * MM
    for t, cw in zip(cells, widths):
        text(c, left, h - 510 * MM, t, 60)
        lw = c.stringWidth("label", "Vera", 24)
        text(c, left + (cw - lw) / 2, h - 522 * MM, "label", 24)
        left += cw + gap
    for i in range(3):
        y = h - 560 * MM - i * 50 * MM
        head = f"Section head {'ABC'[i]}"
        hw = c.stringWidth(head, "Vera", 40)
        text(c, (w - hw) / 2, y, head, 40)
        line = "A summary set edge to edge"                       # sized to run the full measure
        text(c, x0, y - 16 * MM, line, 28 * (x1 - x0) / c.stringWidth(line, "Vera", 28))
    c.setFillColorCMYK(0, 0.08, 0.15, 0)
    c.rect(x0, 40 * MM, 250 * MM, 170 * MM, stroke=0, fill=1)
    c.rect(x0 + 260 * MM, (40 + panel_shift_mm) * MM, x1 - x0 - 260 * MM, 170 * MM, stroke=0, fill=1)
    c.setFillColorCMYK(0, 0, 0, 1)
    for i in range(6):
        text(c, x0 + 10 * MM, 190 * MM - i * 22 * MM, "An honour of the district", 28)
    qr_modules(c, x0 + 260 * MM + (x1 - x0 - 260 * MM - 120 * MM) / 2, (70 + panel_shift_mm) * MM, 120 * MM)
    c.showPage()
    c.save()
    return path


def landscape_poster(path: Path, drop_mm: float = 0) -> Path:
    """An A1-landscape poster: the title across, then a text column on the left (``drop_mm`` lower than
    it should be) and the hero photo with its caption on the right."""
    w, h = 841 * MM, 594 * MM
    x0, x1 = 40 * MM, w - 40 * MM
    c = Canvas(str(path), pagesize=(w, h))
    text(c, x0, h - 90 * MM, "Poster title", 100)
    top = h - 130 * MM
    for i in range(12):
        text(c, x0, top - 12 * MM - drop_mm * MM - i * 30 * MM, "A summary line", 40)
    c.drawImage(BIG_PHOTO, 400 * MM, top - 360 * MM, x1 - 400 * MM, 360 * MM)
    text(c, 400 * MM, top - 380 * MM, "A caption under the photo", 24)
    text(c, x0, 45 * MM, "Publisher and date", 28)
    c.showPage()
    c.save()
    return path


def test_a_clean_poster_grid_passes(tmp_path):
    assert tool.audit(grid_poster(tmp_path / "grid.pdf"))["findings"] == []
    assert tool.audit(landscape_poster(tmp_path / "landscape.pdf"))["findings"] == []


def test_a_box_and_a_qr_code_not_sharing_their_top(tmp_path):
    report = tool.audit(grid_poster(tmp_path / "side.pdf", qr_shift_mm=18))
    assert rules(report) == ["side-by-side"]
    assert "tops 18 mm and bottoms 18 mm apart" in report["findings"][0]["detail"]


def test_a_photo_centred_on_a_flush_left_poster(tmp_path):
    report = tool.audit(grid_poster(tmp_path / "axis.pdf", photo=(400, 400), centred=True))
    assert rules(report) == ["axis"]
    assert "photo" in report["findings"][0]["detail"]


def test_a_small_hero(tmp_path):
    report = tool.audit(grid_poster(tmp_path / "hero.pdf", photo=(514, 150)))
    assert rules(report) == ["hero-size"]
    assert report["findings"][0]["detail"].startswith("hero photo 15% of the poster")


def test_a_column_starting_lower_than_its_neighbour(tmp_path):
    report = tool.audit(landscape_poster(tmp_path / "drop.pdf", drop_mm=30))
    assert rules(report) == ["column-start"]
    assert "30 mm apart" in report["findings"][0]["detail"]


def test_a_rollup_caption_too_small_for_its_distance(tmp_path):
    report = tool.audit(rollup(tmp_path / "small.pdf", 1.25, caption_pt=14))
    assert rules(report) == ["rollup-type"]
    assert "under 8 mm type at 2 m, smallest 14 pt" in report["findings"][0]["detail"]


def test_a_rollup_foot_band_taller_than_the_stand(tmp_path):
    assert rules(tool.audit(rollup(tmp_path / "foot.pdf", 1.25, foot_band_mm=150))) == []
    report = tool.audit(rollup(tmp_path / "tall.pdf", 1.25, foot_band_mm=290))
    assert rules(report) == ["foot-band"]
    assert report["findings"][0]["detail"].startswith("foot band 290 mm tall")


def test_a_centred_poster_with_its_code_in_a_panel_passes(tmp_path):
    assert tool.audit(centred_poster(tmp_path / "centred.pdf"))["findings"] == []


def test_a_qr_panel_not_sharing_the_honour_box_top(tmp_path):
    report = tool.audit(centred_poster(tmp_path / "panel.pdf", panel_shift_mm=15))
    assert rules(report) == ["side-by-side"]
    assert "box and box side by side: tops 15 mm and bottoms 15 mm apart" in report["findings"][0]["detail"]


def test_a_figure_row_off_the_axis_of_a_centred_poster(tmp_path):
    report = tool.audit(centred_poster(tmp_path / "row.pdf", row_shift_mm=30))
    assert rules(report) == ["axis"]
    assert "text 'North So' at 204 mm" in report["findings"][0]["detail"]


def figure_row_poster(path: Path, by_first_line: bool = False) -> Path:
    """An A1 poster with a row of three figures, each value over its label, the last label of two lines,
    its second the wider; the row centred on the page by each figure's ink (``by_first_line``: by the
    value and the label's first line only, so the wide second line pushes the row off the centre)."""
    w, h = 594 * MM, 841 * MM
    c = Canvas(str(path), pagesize=(w, h))
    cells = [("12", ["towns"]), ("345", ["homes"]), ("6", ["new", "schools and places"])]

    def ink(value):                      # the value and its unit at half size on its baseline
        return c.stringWidth(value, "Vera", 80) + c.stringWidth("km", "Vera", 40)

    def width(value, label):
        lines = label[:1] if by_first_line else label
        return max([ink(value)] + [c.stringWidth(t, "Vera", 24) for t in lines])

    widths = [width(v, l) for v, l in cells]
    gap = 100 * MM
    left = (w - sum(widths) - gap * (len(cells) - 1)) / 2
    for (value, label), cw in zip(cells, widths):
        mid = left + cw / 2
        text(c, mid - ink(value) / 2, 500 * MM, value, 80)
        text(c, mid - ink(value) / 2 + c.stringWidth(value, "Vera", 80), 500 * MM, "km", 40)
        for i, t in enumerate(label):
            text(c, mid - c.stringWidth(t, "Vera", 24) / 2, 485 * MM - i * 11 * MM, t, 24)
        left += cw + gap
    c.showPage()
    c.save()
    return path


def test_a_figure_row_centred_by_its_widest_label_line_passes(tmp_path):
    assert "figures-centre" not in rules(tool.audit(figure_row_poster(tmp_path / "row.pdf")))


def test_a_figure_row_off_centre_by_a_labels_second_line(tmp_path):
    report = tool.audit(figure_row_poster(tmp_path / "off.pdf", by_first_line=True))
    assert "figures-centre" in rules(report)
    assert "off the page centre: 12km 345km 6km" in next(f["detail"] for f in report["findings"]
                                                   if f["rule"] == "figures-centre")


def figure_grid_poster(path: Path, faces, short_label: bool = False) -> Path:
    """An A1 poster with two rows of figures, each value centred over its label, the second row's
    values right under the first's labels (``short_label``: one label runs on to a second line of two
    characters)."""
    serif, _ = faces
    w, h = 594 * MM, 841 * MM
    c = Canvas(str(path), pagesize=(w, h))
    values = [["32", "736"], ["38", "1890"]]
    for r, row in enumerate(values):
        for k, value in enumerate(row):
            mid = w * (k + 1) / 3
            y = h - 300 * MM - r * 45 * MM
            c.setFont(serif, 100)
            c.drawString(mid - c.stringWidth(value, serif, 100) / 2, y, value)
            label = TEXT[10 * (2 * r + k):10 * (2 * r + k) + 8]
            if short_label and r == 1 and k == 1:
                label = "锚定高分子"
            c.setFont(serif, 28)
            c.drawString(mid - c.stringWidth(label, serif, 28) / 2, y - 14 * MM, label)
            if short_label and r == 1 and k == 1:
                tail = "迈向"                       # 锚定高分子/迈向: broken between words, a short last line
                c.drawString(mid - c.stringWidth(tail, serif, 28) / 2, y - 26 * MM, tail)
    c.showPage()
    c.save()
    return path


def test_figure_values_over_each_others_labels_are_not_one_display_line(tmp_path, faces):
    report = tool.audit(figure_grid_poster(tmp_path / "grid.pdf", faces))
    assert not {"display-tail", "word-split"} & set(rules(report)), report["findings"]


def test_a_poster_label_ending_on_two_characters(tmp_path, faces):
    report = tool.audit(figure_grid_poster(tmp_path / "tail.pdf", faces, short_label=True))
    assert [r for r in rules(report) if r in ("display-tail", "word-split")] == ["display-tail"]
    assert "last line of 2 characters" in next(f["detail"] for f in report["findings"] if f["rule"] == "display-tail")
