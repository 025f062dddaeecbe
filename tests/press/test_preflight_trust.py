"""Standalone ``brochure preflight`` tells the truth: a draft stays a draft, a figure shown over the
limit is never a pass, nonsense settings and paths that are not PDF files are refused (exit 2)
before anything is written, and its notes never end in empty brackets."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.lib.colors import CMYKColor
from reportlab.pdfgen.canvas import Canvas

from brochure.ground import rules
from brochure.ground.boxes import MM, PageBoxes
from brochure.press.pdfx import finish
from brochure.press.preflight import FAIL, PASS, preflight
from conftest import ROOT, build_project, make_print_project
from press_support import EPOCH, press_values


def brochure(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BROCHURE_JOBS": "1"}
    return subprocess.run([sys.executable, "-m", "brochure", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def copy(project: Path, folder: Path, outputs: str) -> None:
    """The project's content.yaml and photos, and its ``outputs`` folder, into ``folder``."""
    shutil.copytree(project / outputs, folder / outputs)
    shutil.copytree(project / "images", folder / "images")
    shutil.copy(project / "content.yaml", folder / "content.yaml")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A small project built twice: finished into out/, as a draft into draft/."""
    folder = tmp_path_factory.mktemp("trust")
    path = make_print_project(folder)
    for args in (("-o", str(folder / "out")), ("--draft", "-o", str(folder / "draft"))):
        run = build_project(path, *args)
        assert run.returncode == 0, run.stderr
    return folder


def test_a_watermarked_draft_fails_and_stays_a_draft(project, tmp_path):
    copy(project, tmp_path, "draft")
    built = json.loads((tmp_path / "draft" / "brochure.preflight.json").read_text(encoding="utf-8"))
    assert built["settings"]["draft"] is True and built["ok"] is True       # the build knew it was a draft
    pdf_before = (tmp_path / "draft" / "brochure.pdf").read_bytes()

    run = brochure("preflight", "draft/brochure.pdf", cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "✗ draft: 这是样稿" in run.stdout and "not for press" in run.stdout
    assert "without --draft" in run.stdout
    assert "（）" not in run.stdout and "()" not in run.stdout
    again = json.loads((tmp_path / "draft" / "brochure.preflight.json").read_text(encoding="utf-8"))
    assert again["settings"]["draft"] is True and again["ok"] is False
    assert again["checks"][0]["name"] == "draft" and again["checks"][0]["status"] == FAIL
    assert (tmp_path / "draft" / "brochure.pdf").read_bytes() == pdf_before       # only the report is rewritten


def test_the_draft_marker_is_in_every_page_and_only_in_drafts(project):
    """The watermark is a marked-content artifact of subtype /Watermark, which any reader can find."""
    import pikepdf

    def marked(pdf: Path) -> list[bool]:
        with pikepdf.open(pdf) as doc:
            return [any(str(op) == "BDC" and len(ops) == 2 and isinstance(ops[1], pikepdf.Dictionary)
                        and ops[1].get("/Subtype") == pikepdf.Name.Watermark
                        for ops, op in pikepdf.parse_content_stream(page)) for page in doc.pages]

    assert all(marked(project / "draft" / "brochure.pdf"))
    assert not any(marked(project / "out" / "brochure.pdf"))
    report = preflight(project / "out" / "brochure.pdf", thorough=False)
    assert "draft" not in report.settings and all(c.name != "draft" for c in report.checks)


def test_a_finished_file_passes_and_a_changed_setting_is_named(project, tmp_path):
    copy(project, tmp_path, "out")
    run = brochure("preflight", "out/brochure.pdf", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "draft" not in run.stdout and "注意" not in run.stdout

    # a report that claims to be a draft's, beside a finished file: the note names what went
    report = tmp_path / "out" / "brochure.preflight.json"
    data = json.loads(report.read_text(encoding="utf-8"))
    data["settings"]["draft"] = True
    report.write_text(json.dumps(data), encoding="utf-8")
    run = brochure("preflight", "out/brochure.pdf", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "draft: True -> None" in run.stdout
    assert "（）" not in run.stdout and "()" not in run.stdout
    assert "draft" not in json.loads(report.read_text(encoding="utf-8"))["settings"]


def _solid(tmp_path: Path, cmyk: tuple[float, float, float, float], name: str) -> Path:
    """A finished one-page PDF/X file, 100 mm square, most of it one CMYK colour (0..1 each)."""
    boxes = PageBoxes.from_mm(100, 100, slug_mm=0)
    raw = tmp_path / f"{name}.raw.pdf"
    c = Canvas(str(raw), pagesize=boxes.media_size)
    c.translate(*boxes.trim_origin)
    c.setFillColor(CMYKColor(*cmyk))
    c.rect(10 * MM, 10 * MM, 80 * MM, 80 * MM, stroke=0, fill=1)
    c.showPage()
    c.save()
    out = tmp_path / f"{name}.pdf"
    finish(raw, out, boxes=boxes, **press_values(), title="t", author="a", source_date_epoch=EPOCH)
    return out


def _shown(text: str) -> int:
    import re

    return max(int(v) for v in re.findall(r"(\d+)%", text.split("≤")[0]))


@pytest.mark.parametrize("thorough", [True, False])
def test_a_figure_shown_over_the_limit_is_never_a_pass(tmp_path, thorough):
    """The reported case: a 302 % area read "max total ink 302% ≤ 300%", a pass."""
    for total in (296, 300, 301, 302, 304):
        quarter = total / 400
        check = preflight(_solid(tmp_path, (quarter,) * 4, f"tac{total}"), thorough=thorough).by_name("ink")
        if check.status == PASS:
            assert _shown(check.en) <= rules.INK_LIMIT, (total, check.en)
        if total >= 302:
            assert check.status == FAIL, (total, check.en, check.details)
            assert abs(_shown(check.en) - total) <= 1, check.en        # a render rounds each ink once
        if total <= 300:
            assert check.status == PASS, (total, check.en, check.details)


@pytest.mark.parametrize("option, value", [("--max-ink", "nan"), ("--max-ink", "inf"), ("--max-ink", "-1"),
                                           ("--max-ink", "5000"), ("--min-ppi", "-5"), ("--min-ppi", "nan"),
                                           ("--min-ppi", "0")])
def test_nonsense_settings_are_refused(project, tmp_path, option, value):
    copy(project, tmp_path, "out")
    before = snapshot(tmp_path / "out")
    run = brochure("preflight", "out/brochure.pdf", option, value, cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert f"{option} 的值" in lines[0] and "请写" in lines[0]            # Chinese first, then English
    assert lines[1].startswith(f"   {option} {value}") and "give a number from" in lines[1]   # indented
    assert snapshot(tmp_path / "out") == before                        # the report is not rewritten


def test_a_fifo_a_device_and_a_folder_are_named_for_what_they_are(project, tmp_path):
    copy(project, tmp_path, "out")
    before = snapshot(tmp_path / "out")
    os.mkfifo(tmp_path / "pipe.pdf")
    (tmp_path / "loop.pdf").symlink_to("loop.pdf")
    cases = {"pipe.pdf": ("命名管道（FIFO）", "a named pipe (FIFO)"),
             "loop.pdf": ("循环的符号链接", "a loop of symbolic links"),
             "/dev/null": ("字符设备", "a character device"),
             "out": ("文件夹", "a folder"),
             "missing.pdf": ("找不到这个文件", "file not found")}
    for name, (zh, en) in cases.items():
        run = brochure("preflight", name, cwd=tmp_path)             # a FIFO without a writer: must not block
        assert run.returncode == 2, (name, run.stdout + run.stderr)
        assert "Traceback" not in run.stderr
        assert f"{name}: " in run.stderr and zh in run.stderr and en in run.stderr, run.stderr
        if name != "missing.pdf":
            assert "file not found" not in run.stderr
    assert snapshot(tmp_path / "out") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content.yaml", "images", "loop.pdf", "out", "pipe.pdf"]


def test_the_defaults_are_the_rules():
    """Preflight's defaults are the press rules, stated once (brochure.ground.rules)."""
    import inspect

    from brochure.press.preflight import main_preflight

    for function in (preflight, main_preflight):
        params = inspect.signature(function).parameters
        assert params["min_ppi"].default == rules.MIN_PPI and params["ink_limit"].default == rules.INK_LIMIT
    source = "".join(inspect.getsource(m) for m in (sys.modules[preflight.__module__],
                                                     sys.modules[main_preflight.__module__]))
    assert "= 300" not in source


def test_a_report_name_taken_by_a_fifo_is_not_written_into(project, tmp_path):
    shutil.copy(project / "out" / "brochure.pdf", tmp_path / "brochure.pdf")
    os.mkfifo(tmp_path / "brochure.preflight.json")
    run = brochure("preflight", "brochure.pdf", "--content", str(project / "content.yaml"), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "命名管道" in run.stdout and "the report was not written" in run.stdout


def test_where_the_settings_came_from_is_said_in_each_language(project, tmp_path):
    shutil.copy(project / "out" / "brochure.pdf", tmp_path / "lone.pdf")       # no content.yaml near it
    run = brochure("preflight", "lone.pdf", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    zh, en = run.stdout.splitlines()[:2]                 # the one layout: Chinese, then the English indented
    assert zh.startswith("检查设置：") and "（来自默认设置）" in zh and "defaults" not in zh
    assert en.startswith("   settings: ") and "(from the defaults)" in en and "默认" not in en
    run = brochure("preflight", "lone.pdf", "--max-ink", "280", cwd=tmp_path)
    zh, en = run.stdout.splitlines()[:2]
    assert "（来自命令行选项）" in zh and "(from the command's options)" in en and "命令" not in en


def test_a_content_file_named_that_is_not_there_is_refused(project, tmp_path):
    copy(project, tmp_path, "out")
    before = snapshot(tmp_path / "out")
    run = brochure("preflight", "out/brochure.pdf", "--content", "missing.yaml", cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "missing.yaml: 找不到这个内容文件" in run.stderr and "does not exist" in run.stderr
    assert snapshot(tmp_path / "out") == before                        # never checked under the defaults instead


def test_a_report_that_cannot_be_written_whole_leaves_the_old_one(project, tmp_path, monkeypatch, capsys):
    """ENOSPC while the JSON is written: the report that was there stays, whole; no temporary file."""
    import errno

    from brochure.press.preflight import main_preflight

    copy(project, tmp_path, "out")
    before = snapshot(tmp_path / "out")
    real = os.fdopen

    class Full:
        def __init__(self, fd):
            self.fd = fd

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            os.close(self.fd)

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fdopen", lambda fd, mode="r", *a, **k: Full(fd) if "w" in mode else real(fd, mode, *a, **k))
    assert main_preflight(tmp_path / "out" / "brochure.pdf", min_ppi=200) == 0
    monkeypatch.undo()
    assert "cannot write the report: No space left on device" in capsys.readouterr().out
    assert snapshot(tmp_path / "out") == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(before)


def test_a_setting_that_is_not_a_number_is_said_in_both_languages(project, tmp_path):
    copy(project, tmp_path, "out")
    before = snapshot(tmp_path / "out")
    run = brochure("preflight", "out/brochure.pdf", "--max-ink", "abc", cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "--max-ink 的值“abc”不是数字" in run.stderr and "--max-ink 'abc' is not a number" in run.stderr
    assert "invalid float value" not in run.stderr and snapshot(tmp_path / "out") == before
    run = brochure("preflight", "out/brochure.pdf", "--max-ink", "280%", cwd=tmp_path)     # as a print shop writes it
    assert run.returncode == 0, run.stdout + run.stderr
    assert "total ink at most 280%" in run.stdout
