"""The brochure of each staff change (tests/variants.py) as a designer signs it off: no composition finding.

Every variant is built once for the module (``--only brochure``) and read by
tools/composition_audit.py.  A variant whose layout still has findings is marked
``xfail(strict=True)`` with the rules it fails today; once the layout passes it, the test
XPASSes, fails as strict, and the mark is taken off.  docs/composition.md holds the table
of findings these marks come from.
"""
from __future__ import annotations

import pytest

from conftest import composition_audit
from variants import build_variant, write_variant


def failing(*rules: str):
    # only the audit's assertion is expected to fail: a build that breaks, or a rule not named here,
    # is reported as a failure
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason="composition audit: " + ", ".join(rules))


def named(mark) -> set[str]:
    return set(mark.kwargs["reason"].split(": ", 1)[1].split(", ")) if mark is not None else set()


CASES = {                     # variant: the rules it fails today (None once it passes)
    "default": None,
    "e-photo": failing("hole", "display-tail", "word-split"),
    "no-photos": None,
    "fourth": failing("balance", "empty-band", "hole", "display-tail"),
    "honours-12": failing("hole", "display-tail"),
    "reorder": None,
}


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """{variant: its brochure's audit report, or the exception its build raised}."""
    root, tool, out = tmp_path_factory.mktemp("variants"), composition_audit(), {}
    for name in CASES:
        try:
            pdf = build_variant(write_variant(name, root), "--only", "brochure") / "brochure.pdf"
            out[name] = tool.audit(pdf)
        except RuntimeError as exc:
            out[name] = exc
    return out


@pytest.mark.parametrize("name", [pytest.param(name, marks=[mark] if mark else []) for name, mark in CASES.items()])
def test_the_variant_has_no_composition_finding(audited, name):
    report = audited[name]
    if isinstance(report, Exception):
        pytest.fail(str(report))          # a build that fails is not an expected composition finding
    found = {}
    for f in report["findings"]:
        found.setdefault(f["rule"], f"p{f['page']} at {f['x_mm']:.0f},{f['y_mm']:.0f} mm: {f['detail']}")
    new = {rule: example for rule, example in found.items() if rule not in named(CASES[name])}
    if new:
        pytest.fail(f"findings of rules the mark does not name: {new}")
    assert not found, found
