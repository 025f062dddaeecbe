"""—— and …… are each one mark: set unbroken, drawn whole, read back as text.

The drawing is checked the way a reader sees it: the page is rendered with
PDFium and the pixels along the dash's row and the dots' row are looked at;
the text is extracted with PDFium and with poppler's pdftotext.
"""
from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from reportlab.pdfgen.canvas import Canvas

from brochure.draw.text import mark_shape
from brochure.text import CJKParagraph, TextStyle, VerticalText, layout_lines

ROOT = Path(__file__).resolve().parents[2]
SIZE = 40.0
SCALE = 2.0                        # pixels per pt when rendering
TEXT = "中——中……中"
PAGE = (400, 300)
X0, Y0 = 50.0, 150.0              # where the paragraph's box is drawn


@pytest.fixture(scope="module")
def face(tmp_path_factory):
    from brochure.fonts import FontLibrary
    lib = FontLibrary(ROOT, tmp_path_factory.mktemp("font-cache"))
    return lib.face("Noto Serif CJK SC", "Regular", TEXT + "破折号省略")


def _style(face, **kw):
    return TextStyle(face, SIZE, SIZE * 1.5, align="left", **kw)


def _render(path, face, text=TEXT, actual_text=True, **kw):
    c = Canvas(str(path), pagesize=PAGE)
    para = CJKParagraph(text, _style(face, **kw), actual_text=actual_text)
    para.wrap(PAGE[0] - 2 * X0, PAGE[1])
    para.drawOn(c, X0, Y0)
    c.save()


def _origins(path) -> list[tuple[str, float, float]]:
    """(character, origin x, origin y) in pt, as PDFium reads them."""
    tp = pdfium.PdfDocument(str(path))[0].get_textpage()
    out = []
    for i in range(tp.count_chars()):
        x, y = ctypes.c_double(), ctypes.c_double()
        pdfium.raw.FPDFText_GetCharOrigin(tp, i, ctypes.byref(x), ctypes.byref(y))
        out.append((tp.get_text_range(i, 1), x.value, y.value))
    return out


def _pixels(path):
    """The page as a grey image, with pixel (column, row) <-> (x * SCALE, (height - y) * SCALE)."""
    return pdfium.PdfDocument(str(path))[0].render(scale=SCALE).to_pil().convert("L")


def _ink_runs(img, row: int, x0: float, x1: float, dark: int = 128) -> list[tuple[int, int]]:
    """Runs [a, b) of dark pixels along ``row`` between page x0 and x1 (pt)."""
    runs, start = [], None
    for px in range(int(x0 * SCALE), int(x1 * SCALE)):
        ink = img.getpixel((px, row)) < dark
        if ink and start is None:
            start = px
        elif not ink and start is not None:
            runs.append((start, px))
            start = None
    if start is not None:
        runs.append((start, int(x1 * SCALE)))
    return runs


def _row(y_pt: float) -> int:
    return round((PAGE[1] - y_pt) * SCALE)


def test_the_line_breaker_never_splits_the_pairs(face):
    style = TextStyle(face, 10, 15)
    text = "破折号" * 3 + "——" + "省略号" * 3 + "……" + "破折号" * 4
    for chars in range(4, 20):
        for line in layout_lines(text, style, chars * 10.0):
            assert not line.text.startswith(("—", "…")) or line.text[:2] in ("——", "……")
            assert not (line.text.endswith("—") and not line.text.endswith("——"))
            assert not (line.text.endswith("…") and not line.text.endswith("……"))


def test_mark_shape_comes_from_the_fonts_own_glyphs(face):
    dash, dots = mark_shape(face, "—"), mark_shape(face, "…")
    # Noto Serif CJK SC: the dash is 0.04 em thick at 0.38 em, the dots 0.112 em across at 0.38 em
    assert dash.centre == pytest.approx(0.38, abs=0.01) and dash.thickness == pytest.approx(0.04, abs=0.005)
    assert dots.centre == pytest.approx(0.38, abs=0.01) and dots.thickness == pytest.approx(0.112, abs=0.005)


def test_two_em_dash_is_one_unbroken_bar(face, tmp_path):
    path = tmp_path / "dash.pdf"
    _render(path, face, actual_text=False)          # without ActualText PDFium gives each origin
    chars = _origins(path)
    assert [c for c, _, _ in chars] == list(TEXT)
    start, end = chars[1][1], chars[3][1]          # the dash runs from its origin to the next 中's
    assert end - start == pytest.approx(2 * SIZE, abs=0.01)
    img = _pixels(path)
    row = _row(chars[1][2] + mark_shape(face, "—").centre * SIZE)
    runs = _ink_runs(img, row, start - 1, end + 1)
    assert len(runs) == 1, runs                    # the font's two glyphs would leave a gap
    a, b = runs[0]
    assert a <= start * SCALE + 1 and b >= end * SCALE - 1


def test_ellipsis_is_six_evenly_spaced_dots(face, tmp_path):
    path = tmp_path / "dots.pdf"
    _render(path, face, actual_text=False)
    chars = _origins(path)
    start, end = chars[4][1], chars[6][1]
    img = _pixels(path)
    row = _row(chars[4][2] + mark_shape(face, "…").centre * SIZE)
    runs = _ink_runs(img, row, start, end)
    assert len(runs) == 6, runs
    centres = [(a + b) / 2 / SCALE for a, b in runs]
    pitch = (end - start) / 6
    for k, c in enumerate(centres):
        assert c == pytest.approx(start + (k + 0.5) * pitch, abs=0.75)


def test_marks_take_the_texts_colour(face, tmp_path):
    path = tmp_path / "ink.pdf"
    _render(path, face, color=(0, 0, 0, 100), overprint=True)
    with pikepdf.open(path) as pdf:
        ops = [(operands, str(op)) for operands, op in pikepdf.parse_content_stream(pdf.pages[0])]
    fill = None
    painted = []
    for operands, op in ops:
        if op == "k":
            fill = [float(v) for v in operands]
        elif op in ("f", "f*"):
            painted.append(fill)
    assert painted and all(p == [0, 0, 0, 1] for p in painted)
    assert any(op == "Tr" and int(o[0]) == 3 for o, op in ops)      # the glyphs stay, invisible


@pytest.mark.parametrize("actual_text", [True, False])
def test_marks_read_back_as_text_pdfium(face, tmp_path, actual_text):
    path = tmp_path / "read.pdf"
    _render(path, face, actual_text=actual_text)
    assert pdfium.PdfDocument(str(path))[0].get_textpage().get_text_range() == TEXT


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("actual_text", [True, False])
def test_marks_read_back_as_text_poppler(face, tmp_path, actual_text):
    path = tmp_path / "read.pdf"
    _render(path, face, actual_text=actual_text)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert text.strip("\n\f") == TEXT


def test_vertical_marks_run_down_the_column(face, tmp_path):
    path = tmp_path / "v.pdf"
    st = TextStyle(face, SIZE, SIZE * 1.5, align="left")
    v = VerticalText(TEXT, st, 7 * SIZE)
    w, h = v.wrap(PAGE[0], PAGE[1])
    c = Canvas(str(path), pagesize=(PAGE[0], 8 * SIZE))
    v.drawOn(c, X0, 0.5 * SIZE)
    c.save()
    page = pdfium.PdfDocument(str(path))[0]
    assert page.get_textpage().get_text_range() == TEXT
    img = page.render(scale=SCALE).to_pil().convert("L")
    top = 0.5 * SIZE + 7 * SIZE                    # the column's top, page space
    centre_px = round((X0 + w / 2) * SCALE)

    def down(y0, y1):                              # dark runs down the centre line, page y1 > y0
        runs, start = [], None
        for py in range(round((8 * SIZE - y1) * SCALE), round((8 * SIZE - y0) * SCALE)):
            ink = img.getpixel((centre_px, py)) < 128
            if ink and start is None:
                start = py
            elif not ink and start is not None:
                runs.append((start, py))
                start = None
        return runs + ([(start, None)] if start is not None else [])

    dash = down(top - 3 * SIZE + 1, top - SIZE - 1)    # cells 2 and 3 from the top
    assert len(dash) == 1, dash
    dots = down(top - 6 * SIZE, top - 4 * SIZE)        # cells 5 and 6
    assert len(dots) == 6, dots
    gaps = [b[0] - a[0] for a, b in zip(dots, dots[1:])]
    assert max(gaps) - min(gaps) <= 2
