"""Every shared rule has one home: a second definition anywhere in the package fails here.

The rules live in ``brochure/ground/rules.py`` (QR code limits, press defaults, the
outputs' file names) or in the one module that owns them (``qr_size`` in
``brochure/draw/qr.py``).  The scan reads the package's source as text: a copy that
someone types again, under any name, by its tell-tale pattern.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "brochure"
RULES = "ground/rules.py"

#: Copies the scan knows of, each in a file whose owner moves it to its home: (pattern id, file).
#: An entry that no longer matches fails too, so the list only shrinks.
PENDING = {("def qr_size", "layout/back.py")}

#: (id, pattern, the one file allowed to match, or None: nowhere).
PATTERNS = [
    # the byte limit of a QR code URL, as a number beside the URL's length
    ("QR URL byte limit", r"encode\([\"']utf-?8[\"']\)\)\s*[<>]=?\s*\d", None),
    # the smallest printable QR module, as a number
    ("QR module size", r"^\s*(QR_)?MIN_MODULE_MM\s*=", RULES),
    ("QR URL limit", r"^\s*QR_URL_MAX_BYTES\s*=", RULES),
    # the printed size of a QR code: one function
    ("def qr_size", r"^\s*def qr_size\w*\(", "draw/qr.py"),
    # a poster's output name, poster-NAME
    ("poster file name", r"""f?["']poster-""", RULES),
    # press defaults typed as numbers in a signature
    ("press default", r"\b(min_ppi|ink_limit)\s*:\s*float\s*=\s*\d", None),
    # a cache's version typed by hand
    ("hand-typed version", r"^[A-Z_]*(VERSION|FORMAT)\w*\s*=\s*[\"']?\d", None),
    ("hand-kept code map", r"^SOURCES\s*=", None),
    # stages numbered in a docstring, unlike the README's floors
    ("numbered stage", r"\bStage \d", None),
]


def sources() -> dict[str, str]:
    return {str(p.relative_to(PACKAGE)): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def matches(pattern: str, files: dict[str, str], skip: tuple[str, ...] = ()) -> set[str]:
    rx = re.compile(pattern, re.M)
    return {name for name, text in files.items() if not name.startswith(skip) and rx.search(text)}


@pytest.mark.parametrize("rule, pattern, home", PATTERNS, ids=[p[0] for p in PATTERNS])
def test_a_rule_is_defined_in_its_home_only(rule, pattern, home):
    skip = ()
    found = matches(pattern, sources(), skip)
    pending = {f for r, f in PENDING if r == rule}
    assert pending <= found, f"{rule}: {sorted(pending - found)} moved home: take them out of PENDING"
    assert found - pending <= ({home} if home else set()), f"{rule} defined again in {sorted(found - pending - {home})}"
    if home is not None:
        assert home in found, f"{rule} is no longer in {home}"


def test_the_patterns_find_the_copies_they_are_for():
    """Each pattern finds a copy typed the way the old ones were (so none of them can pass by never matching)."""
    copies = {
        "QR URL byte limit": 'if len(url.encode("utf-8")) > 300:',
        "QR module size": "MIN_MODULE_MM = 0.4",
        "QR URL limit": "QR_URL_MAX_BYTES = 300",
        "def qr_size": "def qr_size(url: str) -> float:",
        "poster file name": 'name = f"poster-{p.name}"',
        "press default": "def preflight(pdf, *, min_ppi: float = 300,",
        "hand-typed version": 'PIPELINE_VERSION = "3"',
        "hand-kept code map": 'SOURCES = {"layout": ("text",)}',
        "numbered stage": '"""Stage 8: build the outputs"""',
    }
    assert set(copies) == {p[0] for p in PATTERNS}
    for rule, pattern, _ in PATTERNS:
        assert matches(pattern, {"probe.py": copies[rule]}) == {"probe.py"}, rule


def test_the_shared_rules_are_read_not_copied():
    """The loader and the QR drawing read the QR limits from the rules (by name, not by value)."""
    tree = {name: ast.parse(text) for name, text in sources().items()}

    def takes(name: str, module: str) -> set[str]:
        return {a.name for node in ast.walk(tree[name]) if isinstance(node, ast.ImportFrom) and node.module == module
                for a in node.names}

    assert "QR_URL_MAX_BYTES" in takes("content/loader.py", "brochure.ground.rules")
    assert "QR_MIN_MODULE_MM" in takes("draw/qr.py", "brochure.ground.rules")
    assert "QR_MIN_MODULE_MM" in takes("layout/content_checks.py", "brochure.ground.rules")
