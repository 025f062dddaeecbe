"""brochure check: each lint rule at its place, exit statuses, and --fix writing a copy (never the original).

The crafted files reuse MINIMAL's Chinese characters and only add ASCII and
punctuation, so the glyph check hits the font cache and stays fast.
"""
from __future__ import annotations

import pytest
from PIL import Image

from brochure.cli import main
from brochure.content import load
from brochure.ground.errors import ContentError
from brochure.workflow.check import check
from brochure.workflow.lint import Source, fix_halfwidth, halfwidth_issues, lint
from conftest import MINIMAL, ROOT, make_project

PREFACE = "    - 时序更替，万物维新。"          # line 19 of MINIMAL; the value starts in column 7
PARAGRAPH = "      - 该基地一期于2020年4月投产，具备年产5万吨改性工程塑料的生产能力。"   # line 25


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)      # places print as content.yaml:LINE:COL


def findings(tmp_path, text):
    path = make_project(tmp_path, text)
    return lint(load(path), Source.read(path))


def places(found, rule):
    return [(f.where.line, f.where.column) for f in found if f.rule == rule]


def test_minimal_project_is_clean(tmp_path, capsys):
    make_project(tmp_path)
    assert main(["check"]) == 0
    assert "检查通过" in capsys.readouterr().out


def test_the_project_content_yaml_is_clean():
    report = check(ROOT / "content.yaml")
    assert report.errors == [] and report.findings == [], [str(f) for f in report.findings]


def test_halfwidth_punctuation_next_to_han_at_its_column(tmp_path):
    found = findings(tmp_path, MINIMAL.replace(PREFACE, "    - 时序更替,万物维新.约3.5亿"))
    assert places(found, "halfwidth") == [(19, 11), (19, 16)]
    assert all(f.fixable for f in found)
    assert str(found[0]).startswith("警告 warning: content.yaml:19:11: 中文里用了半角“,”，请改为全角“，”")
    assert "\n   half-width ','" in str(found[0])


def test_column_in_a_quoted_scalar_counts_the_quote(tmp_path):
    found = findings(tmp_path, MINIMAL.replace(PREFACE, '    - "时序更替;万物维新!"'))
    assert places(found, "halfwidth") == [(19, 12), (19, 17)]


def test_parentheses_convert_as_a_pair():
    assert fix_halfwidth("大县(区)") == "大县（区）"
    assert fix_halfwidth("PVDF(其中石墨烯)成为") == "PVDF（其中石墨烯）成为"
    assert fix_halfwidth("(2022)年") == "（2022）年"
    assert fix_halfwidth("约3.5亿元 see (A), 1.国家级") == "约3.5亿元 see (A), 1.国家级"
    assert [i.offset for i in halfwidth_issues("等等...")] == [2] and fix_halfwidth("等等...") == "等等..."


def test_mixed_quote_styles(tmp_path):
    text = MINIMAL.replace(PREFACE, "    - 时序更替，\"万物\"维新。").replace("  headline: 锚定“高分子”", "  headline: 锚定「高分子」")
    found = findings(tmp_path, text)
    # “” is used twice (lead headline), "" twice, 「」 twice: a tie goes to “”
    assert places(found, "quotes") == [(19, 12), (19, 15), (22, 17), (22, 21)]


def test_no_quote_finding_when_one_style_is_used(tmp_path):
    assert places(findings(tmp_path, MINIMAL), "quotes") == []


def test_space_between_han_in_running_text_but_not_in_headlines(tmp_path):
    text = MINIMAL.replace(PREFACE, "    - 时序 更替，万物维新。").replace("  headline: 锚定“高分子”", "  headline: 锚定 高分子")
    found = findings(tmp_path, text)
    assert places(found, "space") == [(19, 9)]


def test_repeated_paragraph_is_named_at_the_second_copy(tmp_path):
    text = MINIMAL.replace(PARAGRAPH, PARAGRAPH + "\n" + PARAGRAPH.replace("，", ","))
    found = [f for f in findings(tmp_path, text) if f.rule == "repeat"]
    assert [(f.where.line, f.where.column) for f in found] == [(26, 9)]
    assert "第 25 行" in found[0].zh and "line 25" in found[0].en


def test_unbalanced_quotes_and_brackets(tmp_path):
    text = (MINIMAL.replace("  headline: 新城正“青春”", "  headline: 新城正“青春")
            .replace(PREFACE, "    - 时序更替）万物维新。"))
    found = findings(tmp_path, text)
    assert places(found, "balance") == [(15, 16), (19, 11)]
    unclosed = next(f for f in found if f.where.line == 15)
    assert "“ 没有对应的 ”" in unclosed.zh and "never closed" in unclosed.en


def test_exit_status_1_for_findings_only(tmp_path, capsys):
    make_project(tmp_path, MINIMAL.replace(PREFACE, "    - 时序更替,万物维新。"))
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "content.yaml:19:11:" in out and "--fix" in out


def test_exit_status_2_for_a_damaged_photo(tmp_path, capsys):
    make_project(tmp_path)
    data = (tmp_path / "images" / "p1.jpg").read_bytes()
    (tmp_path / "images" / "p1.jpg").write_bytes(data[: len(data) // 3])   # truncated JPEG
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "content.yaml:28:11" in err and "images/p1.jpg" in err and "损坏" in err and "damaged" in err


def test_load_warnings_are_shown_but_do_not_fail(tmp_path, capsys):
    make_project(tmp_path)
    Image.new("RGB", (600, 400), (180, 120, 90)).save(tmp_path / "images" / "p1.jpg", format="PNG")  # PNG named .jpg
    assert main(["check"]) == 0
    captured = capsys.readouterr()
    assert "警告" in captured.err and "warning" in captured.err and "检查通过" in captured.out


def test_exit_status_2_for_a_character_no_font_has(tmp_path, capsys):
    make_project(tmp_path, MINIMAL.replace(PREFACE, "    - 时序更替，万物维新\U00013000。"))
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "U+13000" in err and "content.yaml:19:7" in err and "fonts/" in err
    assert not (tmp_path / "out").exists()                 # check never writes PDFs


def test_exit_status_2_for_a_schema_error(tmp_path, capsys):
    make_project(tmp_path, MINIMAL.replace("  publisher:", "  publsher:"))
    assert main(["check"]) == 2
    assert "content.yaml:4:3" in capsys.readouterr().err


def test_fix_writes_a_copy_and_keeps_comments(tmp_path, capsys):
    text = ("# 说明 a comment\n" + MINIMAL
            .replace(PREFACE, "    # 前言的注释 a note on the preface\n    - 时序 更替,万物维新.")
            .replace("  headline: 锚定“高分子”", "  headline: 锚定 “高分子”"))
    path = make_project(tmp_path, text)
    original = path.read_bytes()
    assert main(["check", "--fix"]) == 0                  # nothing is left to fix by hand (the original is untouched)
    fixed = tmp_path / "content.fixed.yaml"
    assert path.read_bytes() == original
    copy = fixed.read_text(encoding="utf-8")
    assert copy == text.replace("时序 更替,万物维新.", "时序更替，万物维新。")   # only those characters changed
    assert "锚定 “高分子”" in copy and "    # 前言的注释 a note on the preface\n" in copy
    assert "自动修复 3 处" in capsys.readouterr().out
    assert main(["check", "content.fixed.yaml"]) == 0


def test_fix_refuses_to_overwrite_without_force(tmp_path, capsys):
    make_project(tmp_path, MINIMAL.replace(PREFACE, "    - 时序更替,万物维新。"))
    (tmp_path / "content.fixed.yaml").write_text("mine", encoding="utf-8")
    assert main(["check", "--fix"]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "content.fixed.yaml").read_text(encoding="utf-8") == "mine"
    assert main(["check", "--fix", "--force"]) == 0
    assert "时序更替，万物维新。" in (tmp_path / "content.fixed.yaml").read_text(encoding="utf-8")
    assert main(["check", "-o", "other.yaml"]) == 0
    assert (tmp_path / "other.yaml").is_file()


def test_fix_never_writes_the_original(tmp_path):
    path = make_project(tmp_path, MINIMAL.replace(PREFACE, "    - 时序更替,万物维新。"))
    with pytest.raises(ContentError):
        check(path, fix=True, fix_path=path, force=True)
    assert "时序更替,万物维新。" in path.read_text(encoding="utf-8")


def test_fix_leaves_escaped_double_quoted_values_alone(tmp_path):
    path = make_project(tmp_path, MINIMAL.replace(PREFACE, '    - "时序更替,万物\\u7ef4新。"'))
    report = check(path, fix=True)
    assert [f.fixable for f in report.findings] == [False]
    assert report.fix.fixed == 0 and report.fix.remaining == 1
