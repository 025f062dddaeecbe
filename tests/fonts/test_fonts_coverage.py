"""A face is checked against every character it may set: a Latin font on Chinese text is refused, not printed blank."""
from __future__ import annotations

import pytest

from conftest import MINIMAL, build_project, make_print_project


@pytest.mark.parametrize("role", ["body", "heading"])
def test_a_font_without_chinese_is_refused_before_anything_is_written(tmp_path, role):
    path = make_print_project(tmp_path, MINIMAL + f"settings:\n  fonts:\n    {role}: {{family: DejaVu Sans, style: Book}}\n")
    run = build_project(path, "-o", str(tmp_path / "out"))
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    first = next(line for line in run.stderr.splitlines() if line.startswith("错误 error:"))
    assert "字体 DejaVu Sans Book 缺少" in first and "空白方框" in first
    assert "font DejaVu Sans Book lacks" in run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.pdf"))
