"""Display lines (headlines, summaries, labels, honour items): broken between words, balanced,
never with a last line of a few characters; body text keeps its breaks; the segmenter's
results come from the cache store, so a rebuild does not load its dictionary."""
from __future__ import annotations

from pathlib import Path

import pytest

from brochure.runtime.store import Store
from brochure.text import TextStyle, layout_lines
from brochure.text.store import LineSetter
from brochure.text.words import Words

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = "渌口区立足自然禀赋，深度挖掘潜力，积极链接平台，整合相关资源，促成“美丽乡村”向“美丽经济”的转变。"
LABELS = ["市二中附三（南洲）小学学位", "全省长江流域重点水域禁捕退捕工作优秀县（市区）", "事项实现无差别综合受理",
          "省级农村一二三产业融合发展示范县（市区）", "国家级产粮大县（区）"]
# words that must never be cut, each with the text it comes from
WHOLE = ["经济", "南洲", "禁捕", "无差别", "渌口区", "融合", "产粮"]


@pytest.fixture(scope="module")
def face(tmp_path_factory):
    from brochure.fonts import FontLibrary
    lib = FontLibrary(ROOT, tmp_path_factory.mktemp("font-cache"))
    return lib.face("Noto Serif CJK SC", "Regular", SUMMARY + "".join(LABELS))


@pytest.fixture(scope="module")
def setter(tmp_path_factory):
    return LineSetter({}, Store(tmp_path_factory.mktemp("store")), "display")


def lines_of(text, face, setter, width, display=True, align="left"):
    style = TextStyle(face, 10.0, 15.0, align=align, display=display, setter=setter)
    return [text[line.start:line.end] for line in layout_lines(text, style, width)]


def cut_words(lines):
    """The words of WHOLE that a break falls inside."""
    return [w for w in WHOLE for a, b in zip(lines, lines[1:])
            if any(a.endswith(w[:k]) and b.startswith(w[k:]) for k in range(1, len(w)))]


@pytest.mark.parametrize("chars", range(9, 26))
def test_display_lines_never_split_a_word_nor_end_on_a_few_characters(face, setter, chars):
    for text, align in [(SUMMARY, "justify"), *((t, "left") for t in LABELS)]:
        lines = lines_of(text, face, setter, chars * 10.0, align=align)
        assert not cut_words(lines), (chars, lines)
        if len(lines) > 1:
            tail = sum(ch.isalnum() for ch in lines[-1])
            assert tail > 4, (chars, lines)


def test_plain_setting_of_the_same_words_does_split_them(face, setter):
    """The check above can fail: without the display flag the same texts break inside words."""
    found = [cut_words(lines_of(t, face, setter, c * 10.0, display=False)) for t in (SUMMARY, *LABELS) for c in range(7, 26)]
    assert any(found)


def test_ragged_display_lines_are_balanced(face, setter):
    for text in LABELS:
        for chars in range(7, 14):
            lines = lines_of(text, face, setter, chars * 10.0)
            if len(lines) == 2:
                a, b = (sum(ch.isalnum() for ch in s) for s in lines)
                # about even, unless evening them would leave a last line of a few characters
                assert abs(a - b) <= max(a, b) * 0.6 or (a <= 4 < b), lines


def test_body_text_is_set_as_before(face, tmp_path):
    """A justified body paragraph without the flag: the same breaks with or without a segmenter around."""
    plain = lines_of(SUMMARY * 3, face, None, 150.0, display=False, align="justify")
    with_setter = lines_of(SUMMARY * 3, face, LineSetter({}, Store(tmp_path), "x"), 150.0, display=False,
                           align="justify")
    assert plain == with_setter


def test_word_boundaries_are_kept_in_the_store_and_the_dictionary_is_not_loaded_again(tmp_path):
    store = Store(tmp_path)
    first = Words(store)
    found = first.boundaries(SUMMARY)
    assert first.tokenizer is not None
    first.save()
    again = Words(store)
    assert again.boundaries(SUMMARY) == found
    assert again.tokenizer is None            # read from the store: no dictionary loaded
    # the dictionary itself comes from the store (sealed), not from jieba's file in the temp folder
    third = Words(store)
    third.boundaries("一个新的句子")
    assert third.tokenizer is not None and third.tokenizer.FREQ == first.tokenizer.FREQ


def test_a_warm_rebuild_does_not_load_the_segmenter(tmp_path):
    """The first build segments the poster's display lines (jieba imported); the next one, of the same
    words, finds lines and boundaries in the cache store and never imports jieba."""
    import os
    import subprocess
    import sys

    from conftest import copy_project

    path = copy_project(tmp_path)
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), BROCHURE_JOBS="1")

    def build():
        run = subprocess.run([sys.executable, "-X", "importtime", "-m", "brochure", "build", str(path),
                              "--only", "a1"], capture_output=True, text=True, env=env, timeout=600)
        assert run.returncode == 0, run.stderr[-2000:]
        return {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if "|" in line}

    assert "jieba" in build()
    assert "jieba" not in build()
