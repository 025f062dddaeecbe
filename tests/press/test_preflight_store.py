"""Preflight's reading of each page is kept in the cache store: an unchanged page is not read again,
in the same session or the next one-shot build, and the reports are the same.  A damaged entry is
read again, never trusted."""
from __future__ import annotations

import json
from collections import Counter

import brochure.pipeline as pipeline
from brochure.pipeline import Session
from brochure.runtime.store import Store
from conftest import two_paragraph_project as project, env as build_env


class CountingStore(Store):
    """The real store, counting what is read and written, by kind."""

    def __init__(self, root):
        super().__init__(root)
        self.gets: Counter = Counter()
        self.puts: Counter = Counter()

    def get(self, kind, key):
        self.gets[kind] += 1
        return super().get(kind, key)

    def put(self, kind, key, data):
        self.puts[kind] += 1
        super().put(kind, key, data)


def reports(out):
    return {p.name: json.loads(p.read_text(encoding="utf-8"))["checks"] for p in sorted(out.glob("*.preflight.json"))}


def test_unchanged_pages_are_not_read_again_between_builds(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path / "p")
    first = CountingStore(tmp_path / "cache")
    pipeline.build(path, tmp_path / "one", jobs=1, session=Session(store=first, env=build_env()))
    assert first.puts["preflight"] >= 2 and first.puts["ink"] >= 1      # every page read, every photo measured

    second = CountingStore(tmp_path / "cache")                           # the next one-shot build
    pipeline.build(path, tmp_path / "two", jobs=1, session=Session(store=second, env=build_env()))
    assert second.gets["preflight"] >= 2
    assert second.puts["preflight"] == 0 and second.puts["ink"] == 0   # nothing read again
    assert reports(tmp_path / "one") == reports(tmp_path / "two")


def test_damaged_page_readings_are_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path / "p")
    pipeline.build(path, tmp_path / "one", jobs=1, session=Session(store=Store(tmp_path / "cache"), env=build_env()))
    entries = sorted((tmp_path / "cache" / "preflight").glob("*.entry"))
    assert entries
    for entry in entries:                                # a flipped byte in each, and one truncated
        data = bytearray(entry.read_bytes())
        data[-3] ^= 0x55
        entry.write_bytes(bytes(data))
    entries[0].write_bytes(entries[0].read_bytes()[:20])
    again = CountingStore(tmp_path / "cache")
    pipeline.build(path, tmp_path / "two", jobs=1, session=Session(store=again, env=build_env()))
    assert again.puts["preflight"] >= len(entries)
    assert reports(tmp_path / "one") == reports(tmp_path / "two")
