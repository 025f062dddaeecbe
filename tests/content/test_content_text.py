"""Printed words are never silently cut or garbled: a `` #`` YAML would take as a comment, a lone surrogate."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from brochure.content import load
from brochure.ground.errors import ContentError
from conftest import MINIMAL, make_project

PARAGRAPH = "      - 该基地一期于2020年4月投产，具备年产5万吨改性工程塑料的生产能力。\n"


def with_paragraph(line: str) -> str:
    assert PARAGRAPH in MINIMAL
    return MINIMAL.replace(PARAGRAPH, PARAGRAPH + line)


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(s for s in text.splitlines() if needle in s)) + 1


@pytest.mark.parametrize("line, needle", [
    ("      - 新增测试段落 #1：今年秋季，园区新签约项目3个。\n", "新增测试段落"),
    ("      - 新增测试段落 #话题# 今年秋季。\n", "新增测试段落"),
])
def test_a_comment_beside_words_is_refused_at_its_place(tmp_path, line, needle):
    column = line.index("#") + 1
    text = with_paragraph(line)
    path = make_project(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        load(path)
    err = caught.value
    assert (err.where.line, err.where.column) == (line_of(text, needle), column)
    assert "引号" in err.zh and "quotes" in err.en


def test_a_comment_line_continuing_a_paragraph_is_refused(tmp_path):
    text = with_paragraph("      - 新增测试段落\n        #1：今年秋季，园区新签约项目3个。\n")
    with pytest.raises(ContentError) as caught:
        load(make_project(tmp_path, text))
    assert caught.value.where.line == line_of(text, "#1：今年秋季")


def test_quoted_words_keep_their_hash(tmp_path):
    text = with_paragraph('      - "新增测试段落 #1：今年秋季，园区新签约项目3个。"\n')
    content = load(make_project(tmp_path, text))
    assert any("#1：今年秋季" in t for t in content.texts())


def test_notes_on_their_own_lines_and_beside_settings_are_kept(tmp_path):
    text = MINIMAL.replace("      title: 测试手册\n", "      # 书名 the title\n      title: 测试手册\n")
    text += "settings:\n  brochure:\n    press:\n      pdfx: PDF/X-1a:2001   # 或 or PDF/X-4\n"
    content = load(make_project(tmp_path, text))
    assert content.document.title == "测试手册"


def test_check_refuses_it_too(tmp_path):
    path = make_project(tmp_path, with_paragraph("      - 新增测试段落 #1：今年秋季。\n"))
    run = subprocess.run([sys.executable, "-m", "brochure", "check", str(path)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert f"content.yaml:{line_of(path.read_text(encoding='utf-8'), '新增测试段落')}:16:" in run.stderr


def test_a_lone_surrogate_is_refused_at_its_place(tmp_path):
    text = with_paragraph('      - "\\ud800坏"\n')
    with pytest.raises(ContentError) as caught:
        load(make_project(tmp_path, text))
    assert caught.value.where.line == line_of(text, "ud800")
    assert "U+D800" in caught.value.zh and "\\ud800" in caught.value.en


@pytest.mark.parametrize("kind", ["fifo", "loop", "device"])
def test_a_content_file_that_is_not_a_regular_file_is_refused_without_waiting(tmp_path, kind):
    import os

    path = tmp_path / "content.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        path.symlink_to(path)
    else:
        path = Path("/dev/null")
    run = subprocess.run([sys.executable, "-m", "brochure", "check", str(path)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60)          # a FIFO used to hang here
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert ("不是一个普通文件" if kind != "loop" else "无法读取内容文件") in run.stderr


def test_alias_amplification_is_refused_small_and_fast(tmp_path):
    """One long honour item referenced 20 000 times: a 0.5 MB file that once asked for gigabytes."""
    item = "    - 国家级产粮大县（区）"
    assert item in MINIMAL
    text = MINIMAL.replace(item, "    - &big " + "长" * 100_000 + "\n" + "    - *big\n" * 20_000)
    with pytest.raises(ContentError) as caught:
        load(make_project(tmp_path, text))
    assert caught.value.where.line == line_of(text, "&big")
    assert "引用" in caught.value.zh and "aliases" in caught.value.en


def test_a_few_aliases_are_fine(tmp_path):
    item = "    - 国家级产粮大县（区）"
    text = MINIMAL.replace(item, "    - &one 国家级产粮大县（区）\n    - *one")
    content = load(make_project(tmp_path, text))
    assert list(content.honours.items).count(content.honours.items[0]) == 2


def test_a_half_width_colon_in_a_paragraph_is_named(tmp_path):
    text = with_paragraph("      - 段落: 今年秋季，园区新签约项目3个。\n")
    with pytest.raises(ContentError) as caught:
        load(make_project(tmp_path, text))
    err = caught.value
    line = line_of(text, "段落: 今年")
    assert (err.where.line, err.where.column) == (line, text.splitlines()[line - 1].index(":") + 1)
    assert "全角“：”" in err.zh and "quotes" in err.en


@pytest.mark.parametrize("second", ["新签约项目3个。", "  新签约项目3个。", "新签约项目：3个。"])
def test_a_paragraph_broken_across_two_lines_is_named_at_the_break(tmp_path, second):
    text = with_paragraph(f"      - 今年秋季，园区\n{second}\n")
    with pytest.raises(ContentError) as caught:
        load(make_project(tmp_path, text))
    err = caught.value
    line = line_of(text, "新签约项目")
    assert err.where.line == line
    assert f"请把第 {line} 行接到第 {line - 1} 行的末尾" in err.zh and f"Join line {line} to the end of line {line - 1}" in err.en
