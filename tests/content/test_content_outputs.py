"""Output names are unique and safe as file names, refused at their line before anything is written."""
from __future__ import annotations

import subprocess
import sys

import pytest

from brochure.content import load
from brochure.ground.errors import ContentError
from conftest import MINIMAL, POSTER, make_print_project


def poster(name: str, size: str = "A3") -> str:
    return f"  - name: {name}\n    size: {size}\n    shows: [title, summaries]\n    distance: 2\n"


@pytest.mark.parametrize("names, bad", [
    (["brochure"], "brochure"),
    (["Brochure"], "Brochure"),
    (["poster-a3"], "poster-a3"),
    (["a3", "A3"], "A3"),
    (["x" * 300], "x" * 300),
])
def test_bad_output_names_are_refused_at_their_line(tmp_path, names, bad):
    text = MINIMAL + "posters:\n" + "".join(poster(n) for n in names)
    path = make_print_project(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        load(path)
    line = text.splitlines().index(f"  - name: {bad}") + 1
    assert (caught.value.where.line, caught.value.where.column) == (line, 11)


def test_a_poster_named_brochure_leaves_out_as_it_was(tmp_path):
    path = make_print_project(tmp_path, MINIMAL + POSTER)
    out = tmp_path / "out"
    first = subprocess.run([sys.executable, "-m", "brochure", "build", str(path), "-o", str(out)],
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    path.write_text(MINIMAL.replace("测试手册", "测试手册二") + "posters:\n" + poster("brochure"), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "brochure", "build", str(path), "-o", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "brochure" in run.stderr and "poster-" in run.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
