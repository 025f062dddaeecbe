"""Fonts: discovery, CFF -> TrueType conversion, cache, metrics, embedding, coverage."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from array import array
from pathlib import Path

import pikepdf
import pytest
from fontTools.misc.roundTools import otRound
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import ttProgram
from fontTools.ttLib.tables._g_l_y_f import Glyph, GlyphCoordinates
from reportlab.pdfgen.canvas import Canvas

from brochure.content.model import Text
from brochure.ground.errors import FontError, Location
from brochure.fonts import FontLibrary, check_coverage
from brochure.fonts.discover import find_in_system
from brochure.fonts.glyf import encode_glyph
from brochure.draw.text import draw_run

FAMILY = "Noto Serif CJK SC"
SAMPLE = "中奋进新征程 建功新时代 非凡10年·渌口篇——高分子新材料……“荣誉榜”（摘选）"
NOTO = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not NOTO.exists(), reason="fonts-noto-cjk is not installed")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("font-cache")


@pytest.fixture(scope="module")
def face(cache_dir):
    lib = FontLibrary(ROOT, cache_dir)
    return lib.face(FAMILY, "Regular", SAMPLE)


def test_converted_face_has_truetype_outlines(face):
    font = TTFont(str(face.path))
    assert "glyf" in font and "loca" in font
    assert "CFF " not in font and "CFF2" not in font
    assert font.sfntVersion == "\x00\x01\x00\x00"
    cmap = font.getBestCmap()
    for ch in SAMPLE.replace(" ", ""):
        assert ord(ch) in cmap, ch
        glyph = font["glyf"][cmap[ord(ch)]]
        assert glyph.numberOfContours != 0, f"{ch} lost its outline"


def test_face_picked_from_the_collection_is_the_sc_one(face):
    assert face.family == FAMILY and face.style == "Regular"
    name = TTFont(str(face.path))["name"]
    assert name.getDebugName(1) == FAMILY


def test_metrics_in_em(face):
    assert face.advance("中") == pytest.approx(1.0)
    assert 0.2 < face.advance("0") < 0.7          # proportional digits
    assert face.ascent == pytest.approx(0.88) and face.descent == pytest.approx(0.12)
    assert face.has("渌") and not face.has("\U0001F600")


def test_middle_dot_and_dash_are_full_width(face):
    source = TTFont(str(NOTO), fontNumber=2, lazy=True)
    cmap = source.getBestCmap()
    # the source font's default glyphs are proportional ...
    assert source["hmtx"][cmap[0xB7]][0] < 500
    assert source["hmtx"][cmap[0x2014]][0] < 950
    # ... but Chinese text gets the full-width forms
    assert face.advance("·") == pytest.approx(1.0)
    assert face.advance("—") == pytest.approx(1.0)
    assert face.halt("·") == pytest.approx((0.25, 0.25))


def test_halt_trims_come_from_gpos(face):
    assert face.halt("，") == pytest.approx((0.0, 0.5))
    assert face.halt("。") == pytest.approx((0.0, 0.5))
    assert face.halt("”") == pytest.approx((0.0, 0.5))
    assert face.halt("“") == pytest.approx((0.5, 0.0))
    assert face.halt("（") == pytest.approx((0.5, 0.0))
    assert face.halt("中") == (0.0, 0.0)


def test_vertical_forms_are_distinct_glyphs(face):
    font = TTFont(str(face.path))
    cmap = font.getBestCmap()
    for ch in "，。（“…—":
        v = face.vert(ch)
        assert v is not None and 0xE000 <= ord(v) <= 0xF8FF, ch
        assert cmap[ord(v)] != cmap[ord(ch)]
    assert face.vert("中") is None


def _pdf_with(face, text, path):
    c = Canvas(str(path))
    draw_run(c, face, 12, 72, 700, [(ch, i * 12.0) for i, ch in enumerate(text)])
    c.save()


def test_embedded_as_truetype_subset(face, tmp_path):
    pdf_path = tmp_path / "embed.pdf"
    _pdf_with(face, "非凡10年·渌口篇", pdf_path)
    with pikepdf.open(pdf_path) as pdf:
        fonts = pdf.pages[0].Resources.Font
        found = [fonts[k] for k in fonts.keys() if "Noto" in str(fonts[k].BaseFont)]
        assert found
        for f in found:
            assert f.Subtype == "/TrueType"
            assert re.fullmatch(r"/[A-Z]{6}\+NotoSerifCJK.*", str(f.BaseFont))
            descriptor = f.FontDescriptor
            assert "/FontFile2" in descriptor
            program = descriptor.FontFile2.read_bytes()
            assert 0 < len(program) < 200_000          # a subset, not the 20 MB collection


def test_second_library_hits_the_cache(cache_dir, face):
    lib = FontLibrary(ROOT, cache_dir)
    start = time.perf_counter()
    again = lib.face(FAMILY, "Regular", SAMPLE)
    elapsed = time.perf_counter() - start
    assert lib.conversions == 0
    assert again.path == face.path
    assert elapsed < 0.5


def test_cache_hit_in_a_fresh_process_does_no_font_work(cache_dir, face):
    code = (
        "import sys, time; from pathlib import Path; t=time.perf_counter();"
        "from brochure.fonts import FontLibrary;"
        f"lib=FontLibrary(Path({str(ROOT)!r}), Path({str(cache_dir)!r}));"
        f"lib.face({FAMILY!r}, 'Regular', {SAMPLE!r});"
        "print(lib.conversions, 'fontTools' in sys.modules, time.perf_counter()-t)"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    conversions, imported, _seconds = out.stdout.split()
    assert conversions == "0" and imported == "False"
    assert "正在准备字体" not in out.stderr


def test_other_characters_make_another_cache_entry(cache_dir, face):
    lib = FontLibrary(ROOT, cache_dir)
    other = lib.face(FAMILY, "Regular", "株洲市渌口区")
    assert lib.conversions == 1
    assert other.path != face.path and other.name != face.name


def test_missing_font_is_a_bilingual_font_error(tmp_path):
    lib = FontLibrary(tmp_path, tmp_path / "cache")
    with pytest.raises(FontError) as err:
        lib.face("No Such Family Serif", "Regular", "中")
    msg = str(err.value)
    assert "No Such Family Serif" in msg and "Regular" in msg
    assert "fonts-noto-cjk" in msg and "fonts/" in msg
    assert "找不到字体" in err.value.zh


def test_fontconfig_substitution_is_not_accepted():
    # fc-match would happily return DejaVu for this; we must not
    assert find_in_system("Definitely Not A Font", "Regular") is None
    assert find_in_system(FAMILY, "Regular").path == NOTO


def test_project_fonts_folder_wins(tmp_path):
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not dejavu.exists():
        pytest.skip("DejaVu not installed")
    (tmp_path / "fonts").mkdir()
    shutil.copy(dejavu, tmp_path / "fonts" / "Mine.ttf")
    lib = FontLibrary(tmp_path, tmp_path / "cache")
    assert lib.source("DejaVu Sans", "Book").path == tmp_path / "fonts" / "Mine.ttf"
    face = lib.face("DejaVu Sans", "Book", "Hello")
    assert face.advance("H") > 0.5


def test_coverage_names_character_code_point_and_location(face):
    texts = [
        Text("非凡10年", Location("content.yaml", 3, 10)),
        Text("渌口篇😀好\U0002B73A", Location("content.yaml", 12, 5)),
        Text("新时代😀", Location("content.yaml", 20, 1)),
    ]
    with pytest.raises(FontError) as err:
        check_coverage(face, texts)
    e = err.value
    assert e.where == Location("content.yaml", 12, 5)
    assert "U+1F600" in str(e) and "content.yaml:12:5" in str(e)
    assert "好" in str(e) or "U+597D" in str(e)      # 好 was not in the charset given to the face
    assert "content.yaml:20:1" not in str(e)         # each character named once, at its first use


def test_coverage_passes_when_everything_is_there(face):
    check_coverage([face], [Text("非凡10年·渌口篇")])


def test_two_charsets_of_one_face_draw_their_own_glyphs_under_the_font_s_own_name(cache_dir, tmp_path):
    """A second charset of the same face (a rebuild after an edit) embeds its own glyphs, and the
    PDF names the font as the font names itself, whatever the process built before."""
    lib = FontLibrary(ROOT, cache_dir)
    first = lib.face(FAMILY, "Regular", "甲乙")
    second = lib.face(FAMILY, "Regular", "丙丁")
    assert first.name != second.name
    assert first.pdf_font is not second.pdf_font
    assert first.pdf_font.postscript_name == second.pdf_font.postscript_name      # the font's own, unchanged
    for face, text in ((first, "甲乙"), (second, "丙丁")):
        out = tmp_path / f"{face.name}.pdf"
        c = Canvas(str(out))
        draw_run(c, face, 20, 72, 700, [(ch, 20.0 * i) for i, ch in enumerate(text)], text)
        c.showPage()
        c.save()
        with pikepdf.open(out) as pdf:
            fonts = pdf.pages[0].Resources.Font
            base = {str(fonts[k].BaseFont).split("+", 1)[1] for k in fonts.keys() if "+" in str(fonts[k].BaseFont)}
            assert base == {first.pdf_font.postscript_name.decode()}
        extracted = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
        assert text in extracted.replace(" ", "")


def test_glyf_packing_equals_fonttools_on_every_kind_of_delta():
    """Zero, short (both signs), long (both signs) deltas on each axis, half-way rounding,
    and runs of equal flags longer than one repeat byte can count."""
    square = ([(0, 0), (0, 700), (300.5, 700), (-40.5, 699.5), (1000, 0)], [1, 1, 0, 1, 1])
    steps = ([(10 * i, -3 * i) for i in range(1, 600)], [1] * 599)      # 599 equal flags in a row
    wide = ([(-2000, 5), (2000, -1500), (2000, 1500), (2255, 1500), (2000, 1245)], [1, 0, 1, 1, 0])
    for contours in ([square], [steps], [square, wide, steps], [wide]):
        glyph = Glyph()
        glyph.numberOfContours = len(contours)
        glyph.coordinates = GlyphCoordinates([(otRound(x), otRound(y)) for pts, _ in contours for x, y in pts])
        glyph.flags = array("B", [f for _, on in contours for f in on])
        ends, last = [], -1
        for pts, _ in contours:
            last += len(pts)
            ends.append(last)
        glyph.endPtsOfContours = ends
        glyph.program = ttProgram.Program()
        glyph.program.fromBytecode(b"")
        assert encode_glyph(contours) == glyph.compile(None)
    assert encode_glyph([]) == b""


def test_subset_programs_are_made_once_per_build_and_kept_by_its_library(cache_dir, tmp_path, monkeypatch):
    """The memo of subsets made belongs to the build's font library, not to ReportLab's registry."""
    lib = FontLibrary(ROOT, cache_dir)
    face = lib.face(FAMILY, "Regular", SAMPLE)
    made = []
    real = type(face.pdf_font.face).makeSubset
    monkeypatch.setattr(type(face.pdf_font.face), "makeSubset", lambda self, subset: made.append(1) or real(self, subset))

    def programs(path):
        with pikepdf.open(path) as pdf:
            fonts = pdf.pages[0].Resources.Font
            return [fonts[k].FontDescriptor.FontFile2.read_bytes() for k in fonts.keys() if "+" in str(fonts[k].BaseFont)]
    _pdf_with(face, "非凡10年", tmp_path / "a.pdf")
    assert made and lib.subsets.programs
    made.clear()
    _pdf_with(face, "非凡10年", tmp_path / "b.pdf")
    assert not made                                    # from this build's memo
    assert programs(tmp_path / "b.pdf") == programs(tmp_path / "a.pdf")

    other = FontLibrary(ROOT, cache_dir)               # another build: a memo of its own, empty
    again = other.face(FAMILY, "Regular", SAMPLE)
    assert not other.subsets.programs
    _pdf_with(again, "非凡10年", tmp_path / "c.pdf")
    assert made and other.subsets.programs
    assert programs(tmp_path / "c.pdf") == programs(tmp_path / "a.pdf")


def test_fonts_reach_no_private_name_of_reportlab():
    for path in (ROOT / "brochure" / "fonts").glob("*.py"):
        assert not re.search(r"\b(pdfmetrics|ttfonts|pdfdoc)\._[a-zA-Z]", path.read_text(encoding="utf-8")), path
