"""Property test: random mixes of Han, punctuation, Latin and digits obey the rules."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brochure.text import TextStyle, layout_lines
from brochure.text.classes import NO_END, NO_START

ROOT = Path(__file__).resolve().parents[2]
SIZE = 10.0
HAN = "渌口区高分子新材料产业链发展历程全区共有家企业园成为湖南省重点"
OPENERS = "“（《"
CLOSERS = "”）》"
STOPS = "，。、；：！？"
WORDS = ["PVDF", "2020", "5G", "100%", "Hello", "12.5"]


@pytest.fixture(scope="module")
def face(tmp_path_factory):
    from brochure.fonts import FontLibrary
    lib = FontLibrary(ROOT, tmp_path_factory.mktemp("font-cache"))
    return lib.face("Noto Serif CJK SC", "Regular", HAN + OPENERS + CLOSERS + STOPS + "".join(WORDS) + "—…")


# a token is what a writer produces: a character, a word, or a mark after some text
token = st.one_of(
    st.sampled_from(HAN),
    st.sampled_from(HAN),
    st.tuples(st.sampled_from(HAN), st.sampled_from(WORDS)).map("".join),
    st.tuples(st.sampled_from(HAN), st.sampled_from(STOPS)).map("".join),
    st.tuples(st.sampled_from(OPENERS), st.sampled_from(HAN), st.sampled_from(HAN)).map(
        lambda t: t[0] + t[1] + t[2] + CLOSERS[OPENERS.index(t[0])]),
    st.tuples(st.sampled_from(["——", "……"]), st.sampled_from(HAN)).map("".join),
)

paragraphs = st.lists(token, min_size=3, max_size=60).map("".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=paragraphs, em=st.integers(min_value=12, max_value=24))
def test_random_paragraphs_obey_the_rules(face, text, em):
    style = TextStyle(face, SIZE, 16.0)
    measure = em * SIZE
    lines = layout_lines(text, style, measure)
    set_text = "".join(l.text for l in lines)
    # nothing lost, nothing reordered (ASCII marks are not generated here, so no mapping happens)
    assert set_text == text
    # line spans partition the input
    assert lines[0].start == 0 and lines[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(lines, lines[1:]))
    for a, b in zip(lines, lines[1:]):
        assert b.text[0] not in NO_START, [l.text for l in lines]
        assert a.text[-1] not in NO_END, [l.text for l in lines]
    # an unbreakable unit (word, number with unit, ——, ……) never straddles a break
    breaks = [l.end for l in lines[:-1]]
    for unit in WORDS + ["——", "……"]:
        start = text.find(unit)
        while start != -1:
            assert not any(start < b < start + len(unit) for b in breaks), (unit, [l.text for l in lines])
            start = text.find(unit, start + 1)
    for line in lines[:-1]:
        if len({g.piece for g in line.glyphs}) == 1:
            continue          # one unbreakable unit (a word, ——) has no gap to spread
        assert line.width == pytest.approx(measure, abs=0.05), line.text
    assert lines[-1].width <= measure + 0.05
    if len(lines) > 1:
        letters = [c for c in lines[-1].text if c not in STOPS + OPENERS + CLOSERS]
        assert len(letters) >= 2 or len(lines[-1].text) == len(text), [l.text for l in lines]
