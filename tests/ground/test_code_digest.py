"""Cache entries are keyed by a digest of the code that makes them, computed from the source: never typed by hand."""
from __future__ import annotations

from pathlib import Path

from brochure.runtime.store import Store, code_digest


def package(root: Path, files: dict[str, str]) -> Path:
    folder = root / "brochure"
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


FILES = {
    "__init__.py": "",
    "maker.py": "from brochure.helper import step\nfrom . import inner\n",
    "helper.py": "def step():\n    from .deep.core import (\n        go,\n        stop)\n",
    "inner.py": "X = 1\n",
    "deep/__init__.py": "",
    "deep/core.py": "import brochure.deep.far\n",
    "deep/far.py": "Y = 2\n",
    "other.py": "Z = 3\n",
}


def test_a_change_anywhere_in_what_a_module_imports_changes_its_digest(tmp_path):
    root = package(tmp_path, FILES)
    before = code_digest("brochure.maker", root)
    for name in ("maker.py", "helper.py", "inner.py", "deep/core.py", "deep/far.py"):   # every way of importing
        path = root / name
        kept = path.read_text(encoding="utf-8")
        path.write_text(kept + "# changed\n", encoding="utf-8")
        assert code_digest("brochure.maker", root) != before, name
        path.write_text(kept, encoding="utf-8")
    assert code_digest("brochure.maker", root) == before


def test_code_it_does_not_import_leaves_the_digest_alone(tmp_path):
    root = package(tmp_path, FILES)
    before = code_digest("brochure.maker", root)
    (root / "other.py").write_text("Z = 4\n", encoding="utf-8")
    assert code_digest("brochure.maker", root) == before
    assert code_digest("brochure.other", root) != code_digest("brochure.inner", root)


def test_entries_of_other_code_are_not_read(tmp_path):
    store = Store(tmp_path / "cache")
    store.coded("brochure.text.layout").put("layout", "k", b"lines")
    assert store.coded("brochure.text.layout").get("layout", "k") == b"lines"
    assert store.coded("brochure.layout.brochure").get("layout", "k") is None
    assert Store(tmp_path / "cache").coded("brochure.text.layout").get("layout", "k") == b"lines"   # a later run
