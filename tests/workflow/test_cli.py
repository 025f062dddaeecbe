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
    (("build", "--only"), "选项 --only 后面要跟一个值", "the option --only needs a value after it"),
    (("build", "a", "b"), "无法识别的参数：b", "this command has no such option or argument: b"),
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


def test_standalone_preflight_applies_the_builds_settings_and_names_photos(built, tmp_path):
    """poster-a1 has min_ppi 150 in content.yaml: standalone preflight agrees with the build."""
    import json
    import shutil

    from conftest import ROOT

    pdf = tmp_path / "poster-a1.pdf"
    shutil.copy(built / "poster-a1.pdf", pdf)
    shutil.copy(built / "poster-a1.preflight.json", tmp_path / "poster-a1.preflight.json")
    built_report = json.loads((tmp_path / "poster-a1.preflight.json").read_text(encoding="utf-8"))
    r = run("preflight", str(pdf), "--content", str(ROOT / "content.yaml"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "150 ppi" in r.stdout and "FormXob" not in r.stdout and "注意" not in r.stdout
    again = json.loads((tmp_path / "poster-a1.preflight.json").read_text(encoding="utf-8"))
    # the same verdicts (the ink figure differs: standalone preflight measures a render of every page)
    assert [(c["name"], c["status"]) for c in again["checks"]] == [(c["name"], c["status"]) for c in built_report["checks"]]
    assert again["settings"] == built_report["settings"]

    stricter = run("preflight", str(pdf), "--content", str(ROOT / "content.yaml"), "--min-ppi", "300")
    assert "sanwang-lily.jpg" in stricter.stdout                      # the photo by its file, not a PDF object
    assert "注意" in stricter.stdout and "min_ppi: 150.0 -> 300.0" in stricter.stdout
