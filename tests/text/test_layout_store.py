"""Set paragraphs are kept on disk between runs: a later build re-sets only what changed, and
its PDFs are the bytes a build from scratch makes."""
from __future__ import annotations

import pytest

import brochure.pipeline as pipeline
from brochure.pipeline import Session
from brochure.runtime.store import Store
from brochure.text import layout, store
from conftest import TWO_PARAGRAPHS, two_paragraph_project, env as build_env

TEXT = TWO_PARAGRAPHS
assert "园区内" in TEXT


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A private cache and a counter of paragraphs actually set (not found in memory or on disk)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    calls = []
    real = layout.set_lines

    def counting(text, style, width, vertical):
        calls.append(text)
        return real(text, style, width, vertical)

    monkeypatch.setattr(layout, "set_lines", counting)

    def new_process():                 # what a new `brochure build` starts with: nothing in memory
        calls.clear()

    new_process()
    yield calls, new_process
    new_process()


project = two_paragraph_project


def pdfs(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


def test_a_second_run_sets_nothing_again_and_writes_the_same_bytes(tmp_path, fresh):
    calls, new_process = fresh
    path = project(tmp_path / "p")
    pipeline.build(path, tmp_path / "one", jobs=1, env=build_env())
    assert calls, "the first build sets its paragraphs"
    assert list((tmp_path / "cache" / "brochure" / "layout").glob("*.entry"))

    new_process()
    pipeline.build(path, tmp_path / "two", jobs=1, env=build_env())
    assert calls == []                                   # every paragraph came from the disk
    assert pdfs(tmp_path / "one") == pdfs(tmp_path / "two")

    new_process()
    path.write_text(TEXT.replace("其中高新技术企业9家", "其中高新技术企业10家"), encoding="utf-8")
    pipeline.build(path, tmp_path / "three", jobs=1, env=build_env())
    # only the edited paragraph, and the pull quote the layout takes from it (at the sizes it tries)
    assert "园区内共有规模企业27家，其中高新技术企业10家。" in calls
    assert all("其中高新技术企业10家" in text for text in calls), calls


def test_a_damaged_store_is_ignored(tmp_path, fresh):
    calls, new_process = fresh
    path = project(tmp_path / "p")
    pipeline.build(path, tmp_path / "one", jobs=1, env=build_env())
    for f in (tmp_path / "cache" / "brochure" / "layout").glob("*.entry"):
        f.write_bytes(f.read_bytes()[:-7] + b"damaged")
    new_process()
    pipeline.build(path, tmp_path / "two", jobs=1, env=build_env())
    assert calls                                          # set again from scratch
    assert pdfs(tmp_path / "one") == pdfs(tmp_path / "two")


def test_lines_written_by_other_code_are_not_read(tmp_path, fresh, monkeypatch):
    calls, new_process = fresh
    path = project(tmp_path / "p")
    pipeline.build(path, tmp_path / "one", jobs=1, env=build_env())
    new_process()
    changed = Session(store=Store(tmp_path / "cache" / "brochure", code={"layout": "changed-code"}), env=build_env())
    pipeline.build(path, tmp_path / "two", jobs=1, session=changed)
    assert calls                                          # the text code changed: everything is set again


def test_encoding_round_trips_lines(tmp_path):
    from brochure.fonts import FontLibrary
    from brochure.text import TextStyle

    face = FontLibrary(tmp_path, tmp_path / "fonts").face("Noto Serif CJK SC", "Regular", "渌口区高分子新材料PVDF，。")
    lines = layout.set_lines("渌口区高分子新材料PVDF，渌口区高分子新材料。", TextStyle(face=face, size=10, leading=14, indent=2), 60, False)
    assert store.decode(store.encode(lines)) == lines


def test_one_session_sets_a_paragraph_once(tmp_path, fresh):
    """``brochure watch``: the second build of a session finds every paragraph in its memory."""
    calls, new_process = fresh
    path = project(tmp_path / "p")
    session = Session.in_memory(build_env())
    pipeline.build(path, tmp_path / "one", jobs=1, session=session)
    assert calls and session.memo("lines")
    new_process()
    pipeline.build(path, tmp_path / "two", jobs=1, session=session)
    assert calls == []
    assert pdfs(tmp_path / "one") == pdfs(tmp_path / "two")
