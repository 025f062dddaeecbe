"""The composition rules tuned under ``layout:`` in content.yaml, checked and located like the rest,
and ``check --explain`` naming what each rule cost."""
from __future__ import annotations

import subprocess
import sys

import pytest

from brochure.content.loader import load
from brochure.ground.errors import ContentError
from brochure.ground.layout_rules import LIMITS, LayoutRules
from conftest import MINIMAL, ROOT, make_project


def test_the_defaults_are_the_shared_limits():
    rules = LayoutRules()
    assert rules.min_leg == LIMITS["leg_min_lines"] and rules.level == LIMITS["balance_lines"]


def test_layout_keys_tune_the_rules(tmp_path):
    path = make_project(tmp_path, MINIMAL + "layout:\n  min_leg: 6\n  foot: 200\n")
    rules = load(path).layout
    assert (rules.min_leg, rules.foot) == (6, 200.0)
    assert rules.opening == LayoutRules().opening              # what is not written keeps its default


@pytest.mark.parametrize("text, where, zh, en", [
    ("layout:\n  min_leg: 0.5\n", ":2:12:", "“min_leg”应", "'min_leg' must be"),
    ("layout:\n  min_lge: 5\n", ":2:3:", "“min_lge”", "Did you mean 'min_leg'?"),
    ("layout:\n  keep: 2\n", ":2:9:", "“keep”", "'keep'"),
])
def test_a_bad_rule_is_named_at_its_line(tmp_path, text, where, zh, en):
    path = make_project(tmp_path, MINIMAL + text)
    line = MINIMAL.count("\n")
    with pytest.raises(ContentError) as caught:
        load(path)
    message = str(caught.value)
    at = where.split(":")
    assert f":{line + int(at[1])}:{at[2]}:" in message, message
    assert zh in caught.value.zh and en in caught.value.en


def test_check_explain_names_each_rule_and_the_total():
    run = subprocess.run([sys.executable, "-m", "brochure", "check", "--explain", str(ROOT / "content.yaml")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("版面评分"))
    rows = lines[start + 1:]
    assert any("(pages)" in row and "100,000" in row for row in rows)         # four pages: one block of four
    assert rows[-1].strip().startswith("合计 total:")
    total = float(rows[-1].split(":")[-1].replace(",", ""))
    parts = [float(row.rsplit(":", 1)[-1].replace(",", "")) for row in rows[:-1]]
    assert total == pytest.approx(sum(parts))
