"""Long work shows a progress line on a terminal, rewritten in place, and nothing where output is captured:
preparing the fonts of a cold build, the pages of a proof, the placeholders of an import (test_workflow_import)."""
from __future__ import annotations

import io
import os
import subprocess
import sys

from brochure.runtime.progress import Progress
from conftest import MINIMAL, ROOT, make_print_project, on_terminal

FONTS = "\r正在准备字体 {n}/4 / preparing fonts {n}/4"


def cold_env(cache) -> dict:
    return {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT)}


def test_a_cold_build_counts_the_fonts_on_a_terminal_only(tmp_path):
    path = make_print_project(tmp_path / "p", MINIMAL)
    captured = subprocess.run([sys.executable, "-m", "brochure", "build", str(path), "-o", str(tmp_path / "a")],
                              env=cold_env(tmp_path / "cache-a"), capture_output=True, text=True, timeout=600)
    assert captured.returncode == 0, captured.stderr
    assert "正在准备字体" not in captured.stderr + captured.stdout and "\r" not in captured.stderr + captured.stdout

    seen = on_terminal(["build", str(path), "-o", str(tmp_path / "b")], tmp_path, env=cold_env(tmp_path / "cache-b"))
    assert FONTS.format(n=1) in seen and FONTS.format(n=4) in seen
    # the line is cleared before the result is printed on a line of its own
    assert "\r已生成 built" in seen or "\n已生成 built" in seen


def test_proof_counts_the_pages_on_a_terminal(tmp_path):
    path = make_print_project(tmp_path, MINIMAL)
    seen = on_terminal(["proof", str(path)], tmp_path)
    assert "\r页 1/4 / page 1/4" in seen and "\r页 4/4 / page 4/4" in seen
    captured = subprocess.run([sys.executable, "-m", "brochure", "proof", str(path)], env=cold_env(
        os.environ["XDG_CACHE_HOME"]), capture_output=True, text=True, timeout=600)
    assert captured.returncode == 0, captured.stderr
    assert "页 1/4" not in captured.stderr + captured.stdout


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_is_rewritten_in_place_and_cleared():
    stream = Terminal()
    with Progress("页", "page", 3, stream) as p:
        p.show(1)
        p.show(2)
    text = stream.getvalue()
    assert text.startswith("\r页 1/3 / page 1/3\r页 2/3 / page 2/3") and text.endswith("\r")
    assert "\n" not in text
    quiet = io.StringIO()
    with Progress("页", "page", 3, quiet) as p:
        p.show(1)
    assert quiet.getvalue() == ""
