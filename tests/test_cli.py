"""The command line speaks both languages, names its versions, counts in good English, and says once what --fix did."""
from __future__ import annotations

import subprocess
import sys

import pytest

from brochure.cli import main
from brochure.press.preflight import WARN, Report
from conftest import MINIMAL, make_project


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "brochure", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("args, zh, en", [
    ((), "请写出要做的事", "say what to do"),
    (("buidl",), "您是不是想写“build”", "did you mean 'build'?"),
    (("build", "--only"), "这个选项后面要跟一个值", "expected one argument"),
    (("build", "a", "b"), "无法识别的参数：b", "unrecognized arguments: b"),
])
def test_usage_errors_are_bilingual(tmp_path, args, zh, en):
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    first, second = r.stderr.strip().splitlines()
    assert first.startswith("错误 error: ") and zh in first and "--help" in first
    assert en in second and "--help" in second


def test_version_names_the_libraries_and_fonts():
    r = run("--version")
    assert r.returncode == 0
    for name in ("brochure ", "reportlab ", "fonttools ", "pikepdf "):
        assert name in r.stdout
    assert "font body: Noto Serif CJK SC Regular (/" in r.stdout


def test_english_counts_agree_with_their_nouns():
    report = Report("x.pdf")
    report.add("ink", WARN, "甲", "a")
    assert "with 1 warning" in report.summary() and "1 warnings" not in report.summary()
    report.add("ink", WARN, "乙", "b")
    assert "with 2 warnings" in report.summary()


def test_fix_says_once_what_it_fixed_and_lists_only_what_is_left(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = MINIMAL.replace("    - 时序更替，万物维新。", "    - 时序更替,万物维新.").replace("锚定“高分子”", '锚定"高分子"')
    make_project(tmp_path, text)
    main(["check"])
    before = capsys.readouterr().out
    assert "--fix" in before
    main(["check", "--fix"])
    out = capsys.readouterr().out
    assert "--fix 可自动修复" not in out and "--fix repairs it" not in out
    assert "content.fixed.yaml" in out and out.count("已自动修复") == 1
    assert "请逐处修改" not in out
