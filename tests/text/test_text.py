"""Chinese line breaking and justification: one small named example per rule."""
from __future__ import annotations

from pathlib import Path

import pytest

from brochure.text import CJKParagraph, TextStyle, layout_lines, natural_width
from brochure.text.classes import NO_END, NO_START
from brochure.text.prepare import layout_chars

ROOT = Path(__file__).resolve().parents[2]
SIZE = 10.0
HAN = "渌口区高分子新材料产业链发展历程全区共有家企业入驻园成为湖南省重点这是十三五期间的重要成果经过多年努力株洲市济总量实现了翻番测试"
PUNCT = "，。、；：！？“”‘’（）《》「」——……·"
LATIN = "PVDFHelloworld2020 5G100%"


@pytest.fixture(scope="module")
def face(tmp_path_factory):
    from brochure.fonts import FontLibrary
    lib = FontLibrary(ROOT, tmp_path_factory.mktemp("font-cache"))
    return lib.face("Noto Serif CJK SC", "Regular", HAN + PUNCT + LATIN + "中文字一二三四五六七八九十")


def style(face, **kw):
    kw.setdefault("leading", 16.0)
    return TextStyle(face, SIZE, **kw)


def lines_of(face, text, em, **kw):
    return layout_lines(text, style(face, **kw), em * SIZE)


def texts(lines):
    return [l.text.strip() for l in lines]


def han(n, offset=0):
    return "".join(HAN[(offset + i) % len(HAN)] for i in range(n))


# --- kinsoku ------------------------------------------------------------------------

def test_comma_never_starts_a_line(face):
    # ten characters fill a 10 em line exactly; greedy breaking would start line 2 with "，"
    text = han(10) + "，" + han(12, 10)
    out = texts(lines_of(face, text, 10))
    assert all(t[0] not in NO_START for t in out), out
    assert "".join(out) == text


def test_full_stop_may_squeeze_in(face):
    # 先挤进: the stop fits at the end of line 1 by compression, rather than pushing a character down
    # line 1 is 10 em before the stop; its two commas can give up half an em each
    text = han(3) + "，" + han(3, 3) + "，" + han(2, 6) + "。" + han(12, 10)
    out = lines_of(face, text, 10)
    assert out[0].text == text[:11]
    assert out[0].width == pytest.approx(10 * SIZE, abs=0.05)
    commas = [g for g in out[0].glyphs if g.char == "，"]
    following = [out[0].glyphs[out[0].glyphs.index(c) + 1] for c in commas]
    assert all(f.x - c.x < SIZE for c, f in zip(commas, following))      # squeezed


def test_opening_quote_never_ends_a_line(face):
    text = han(9) + "“" + han(6, 9) + "”" + han(10, 3)
    out = texts(lines_of(face, text, 10))
    assert all(t[-1] not in NO_END for t in out), out


@pytest.mark.parametrize("mark", ["——", "……"])
def test_two_em_dash_and_ellipsis_never_split(face, mark):
    for pos in range(7, 12):
        text = han(pos) + mark + han(14, pos)
        out = texts(lines_of(face, text, 10))
        for a, b in zip(out, out[1:]):
            assert not (a.endswith(mark[0]) and b.startswith(mark[0])), (pos, out)
            assert not b.startswith(mark[0]), (pos, out)      # strict: they do not start a line


@pytest.mark.parametrize("token", ["2020", "5G", "100%", "PVDF"])
def test_numbers_and_words_never_split(face, token):
    for pos in range(6, 11):
        text = han(pos) + token + han(14, pos)
        out = texts(lines_of(face, text, 10))
        assert any(token in t for t in out), (token, pos, out)


def test_a_word_wider_than_the_measure_is_broken_as_a_last_resort(face):
    word = "a" * 200
    out = lines_of(face, word, 10)
    assert len(out) > 1
    assert all(l.width <= 10 * SIZE + 1e-6 for l in out), [l.width for l in out]
    assert "".join(l.text for l in out) == word


# --- lone character (孤字) --------------------------------------------------------------

@pytest.mark.parametrize("tail", ["", "。"])
def test_last_line_never_holds_a_single_character(face, tail):
    text = han(21) + tail      # 10 + 10 + 1 would leave one character (plus its stop) alone
    out = lines_of(face, text, 10)
    last = out[-1].text
    letters = [c for c in last if c not in PUNCT]
    assert len(letters) >= 2, texts(out)
    assert all(l.width == pytest.approx(10 * SIZE, abs=0.05) for l in out[:-1])


# --- spacing and compression -------------------------------------------------------------

def _x(line, ch, nth=0):
    return [g for g in line.glyphs if g.char == ch][nth]


def test_cjk_latin_quarter_em(face):
    (line,) = lines_of(face, "中文PVDF中文", 30, align="left")
    wen = _x(line, "文")
    p = _x(line, "P")
    assert p.x - (wen.x + wen.advance) == pytest.approx(0.25 * SIZE, abs=1e-6)
    f = _x(line, "F")
    zhong = _x(line, "中", 1)
    assert zhong.x - (f.x + f.advance) == pytest.approx(0.25 * SIZE, abs=1e-6)


def test_cjk_latin_space_not_doubled_where_a_space_is(face):
    (a,) = lines_of(face, "中文 PVDF 中文", 30, align="left")
    (b,) = lines_of(face, "中文PVDF中文", 30, align="left")
    assert _x(a, "P").x == pytest.approx(_x(b, "P").x)
    assert a.width == pytest.approx(b.width)


def test_cjk_latin_spacing_is_configurable(face):
    (line,) = lines_of(face, "中文5G", 30, align="left", cjk_latin_space=0.125)
    assert _x(line, "5").x - SIZE * 2 == pytest.approx(0.125 * SIZE)


@pytest.mark.parametrize("pair", ["。」", "，“", "）（", "”，"])
def test_adjacent_punctuation_pairs_take_one_and_a_half_em(face, pair):
    (line,) = lines_of(face, "中" + pair + "文", 30, align="left")
    wen = _x(line, "文")
    assert wen.x - SIZE == pytest.approx(1.5 * SIZE, abs=1e-6)


def test_closing_mark_at_line_end_is_half_width(face):
    text = han(9) + "，" + han(12, 9)
    out = lines_of(face, text, 9.5)
    first = out[0]
    assert first.text.endswith("，")
    comma = first.glyphs[-1]
    assert comma.x + comma.advance / 2 == pytest.approx(9.5 * SIZE, abs=0.05)


def test_opening_bracket_at_line_start_is_half_width(face):
    (line,) = lines_of(face, "（中文）", 30, align="left")
    assert line.glyphs[0].x == pytest.approx(-0.5 * SIZE)


def test_ascii_marks_touching_han_become_full_width():
    assert layout_chars("经过多年努力,渌口区(株洲市)的经济!") == "经过多年努力，渌口区（株洲市）的经济！"
    assert layout_chars("Hello, world (test)") == "Hello, world (test)"


def test_first_line_indent(face):
    out = lines_of(face, han(30), 10, indent=2)
    assert out[0].glyphs[0].x == pytest.approx(2 * SIZE)
    assert out[1].glyphs[0].x == pytest.approx(0.0)


# --- justification ----------------------------------------------------------------------

def test_justified_right_edges_agree(face):
    text = ("渌口区以“非凡10年”为主题，回顾了高分子新材料产业链的发展历程。2020年，全区共有32家企业"
            "入驻园区，其中PVDF项目投资达5G级别……园区产值增长100%，成为湖南省重点园区——这是“十三五”"
            "期间的重要成果。经过多年努力,渌口区(株洲市)的经济总量实现了翻番! Hello world 测试")
    measure = 58 / 25.4 * 72
    out = layout_lines(text, style(face, indent=2), measure)
    assert len(out) > 5
    for line in out[:-1]:
        assert line.width == pytest.approx(measure, abs=0.05), line.text
    assert out[-1].width < measure
    # the extra space is spread evenly: gaps between Han characters on one line are equal
    for line in out[:-1]:
        gaps = [b.x - (a.x + a.advance) for a, b in zip(line.glyphs, line.glyphs[1:])
                if a.kind == b.kind == "han"]
        if len(gaps) > 2:
            assert max(gaps) - min(gaps) < 1e-6, line.text


def test_last_line_flush_left_and_alignment(face):
    out = lines_of(face, han(25), 10)
    assert out[-1].glyphs[0].x == 0 and out[-1].width < 10 * SIZE
    (c,) = lines_of(face, "中文", 10, align="center")
    assert c.glyphs[0].x == pytest.approx(4 * SIZE)
    (r,) = lines_of(face, "中文", 10, align="right")
    assert r.width == pytest.approx(10 * SIZE)


def test_natural_width(face):
    st = style(face)
    assert natural_width("中文字", st) == pytest.approx(3 * SIZE)
    assert natural_width("中文。", st) == pytest.approx(2.5 * SIZE)    # end mark half width
    assert natural_width("中文PVDF", st) > natural_width("中文", st) + 0.25 * SIZE


# --- the Flowable: grid, widows, orphans --------------------------------------------------

def test_height_is_whole_lines(face):
    st = style(face, leading=15.0)
    p = CJKParagraph(han(35), st)
    w, h = p.wrap(10 * SIZE, 1000)
    assert h == pytest.approx(4 * 15.0)
    assert (p.getSpaceBefore(), p.getSpaceAfter()) == (0, 0)     # whole lines only: no space outside them


@pytest.mark.parametrize("avail_lines,expect", [(1, None), (2, (2, 3)), (3, (3, 2)), (4, (3, 2))])
def test_split_avoids_widows_and_orphans(face, avail_lines, expect):
    st = style(face, leading=15.0)
    p = CJKParagraph(han(45), st)      # five lines at 10 em
    p.wrap(10 * SIZE, 1000)
    parts = p.split(10 * SIZE, avail_lines * 15.0 + 3)
    if expect is None:
        assert parts == []
        return
    head, tail = parts
    assert head.wrap(10 * SIZE, 1000)[1] == expect[0] * 15.0
    assert tail.wrap(10 * SIZE, 1000)[1] == expect[1] * 15.0
    assert head.text + tail.text == p.text
    # the head's last line is justified (the paragraph goes on), the tail is not indented again
    assert head.lines(10 * SIZE)[-1].width == pytest.approx(10 * SIZE, abs=0.05)


def test_single_line_paragraph_may_stand_alone(face):
    p = CJKParagraph(han(5), style(face, leading=15.0))
    p.wrap(10 * SIZE, 1000)
    assert p.split(10 * SIZE, 14) == []      # does not fit at all
    assert p.split(10 * SIZE, 15) == [p]
