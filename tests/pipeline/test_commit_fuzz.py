"""Fuzzing the commit: random sequences of builds, posters added and removed, some SIGKILLed mid-commit.

Whatever the sequence, after each step (and the next build's settling of a
killed one) out/ holds the whole of one build: the one before or the one just
made, every PDF of a single title, exactly the outputs its content names (stale
ones removed, and named), the record matching the files, no hidden file left.

``FUZZ_EXAMPLES=N`` runs N sequences with a fresh seed (default 6, derandomised, a quarter of a minute).
"""
from __future__ import annotations

import json
import os
import shutil

import pikepdf
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import brochure.pipeline as pipeline
from brochure.pipeline.commit import RECORD, OutFolder
from conftest import MINIMAL, listing, temps
from conftest import make_print_project as project
from test_commit_journal import killed_at, record_matches

EXAMPLES = max(1, int(os.environ.get("FUZZ_EXAMPLES", "6")))
RANDOM = "FUZZ_EXAMPLES" in os.environ
POSTERS = ["a3", "a4", "a5"]
TITLES = ["测试手册", "另一本手册"]


def text(posters: list[str], title: str) -> str:
    body = MINIMAL.replace("测试手册", title)
    if posters:
        body += "posters:\n" + "".join(f"  - name: {p}\n    size: {p.upper()}\n    shows: [title, summaries]\n"
                                       for p in posters)
    return body


def names(posters: list[str]) -> list[str]:
    stems = ["brochure"] + [f"poster-{p}" for p in posters]
    return sorted([f"{s}.pdf" for s in stems] + [f"{s}.preflight.json" for s in stems])


def state(out) -> tuple[set[str], list[str]]:
    titles = set()
    for pdf in out.glob("*.pdf"):
        with pikepdf.open(pdf) as doc:
            titles.add(str(doc.docinfo.get("/Title")).split("（")[0])
    return titles, listing(out)


steps = st.lists(st.tuples(st.lists(st.sampled_from(POSTERS), unique=True, max_size=2), st.sampled_from(TITLES),
                           st.one_of(st.none(), st.integers(0, 14))), min_size=2, max_size=3)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
          suppress_health_check=list(HealthCheck))
@given(steps)
def test_any_sequence_of_builds_and_kills_leaves_one_whole_build(tmp_path_factory, sequence):
    folder = tmp_path_factory.mktemp("seq")
    path = project(folder, text([], TITLES[0]))
    out = folder / "out"
    pipeline.build(path, out, jobs=1, say=lambda line: None)
    now = ({TITLES[0]}, names([]))
    for posters, title, kill in sequence:
        before_record = json.loads((out / RECORD).read_text(encoding="utf-8"))["files"]
        path.write_text(text(posters, title), encoding="utf-8")
        new = ({title}, names(posters))
        if kill is not None and killed_at(kill, path, out):
            folder_ = OutFolder(out, lambda line: None)
            folder_.open()                                # what the next build does first
            folder_.close()
            assert state(out) in (now, new), (posters, title, kill)
            event("killed: " + ("unchanged" if now == new else "new" if state(out) == new else "old"))
        else:
            outputs = pipeline.build(path, out, jobs=1, say=lambda line: None)
            assert state(out) == new
            gone = sorted(set(before_record) - set(new[1]))
            assert sorted(p.name for p in outputs.removed) == gone
            event("built, stale removed" if gone else "built")
        record_matches(out)
        assert temps(out) == []
        now = state(out)
    shutil.rmtree(folder)
