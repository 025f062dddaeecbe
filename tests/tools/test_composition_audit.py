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


def rollup(path: Path, qr_centre_m: float) -> Path:
    """An 800 x 2000 mm roll-up: title, photo, a 160 mm QR code centred ``qr_centre_m`` above the floor."""
    w, h = 800 * MM, 2000 * MM
    c = Canvas(str(path), pagesize=(w, h))
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
