"""The cache store: verified entries, private folders, no pickles, nothing trusted that others could write."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import brochure.pipeline as pipeline
from brochure.pipeline import Session
from brochure.runtime.store import Store
from conftest import MINIMAL, POSTER, make_print_project, env as build_env


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return tmp_path / "xdg" / "brochure"


def pdfs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


def entries(root: Path) -> list[Path]:
    return sorted(root.rglob("*.entry"))


def test_get_returns_what_was_put_and_none_for_the_rest(tmp_path):
    for store in (Store(tmp_path / "c"), Store(None)):
        assert store.get("layout", "ab") is None
        store.put("layout", "ab", b"lines")
        assert store.get("layout", "ab") == b"lines"
        assert store.get("images", "ab") is None             # kinds are apart


def test_other_code_does_not_read_an_entry(tmp_path):
    Store(tmp_path, code={"layout": "one"}).put("layout", "k", b"v")
    assert Store(tmp_path, code={"layout": "two"}).get("layout", "k") is None
    assert Store(tmp_path, code={"layout": "one"}).get("layout", "k") == b"v"


@pytest.mark.parametrize("damage", ["tampered", "truncated"])
def test_a_bad_entry_is_dropped_and_rebuilt_with_the_same_pdfs(tmp_path, cache, damage):
    path = make_print_project(tmp_path / "p", MINIMAL + POSTER)
    pipeline.build(path, tmp_path / "one", jobs=1, env=build_env())
    before = pdfs(tmp_path / "one")
    for p in (tmp_path / "one").iterdir():
        p.unlink()
    found = entries(cache)
    assert found
    for entry in found:
        data = entry.read_bytes()
        entry.write_bytes(data[:-1] + bytes([data[-1] ^ 1]) if damage == "tampered" else data[: len(data) // 2])
    pipeline.build(path, tmp_path / "one", jobs=1, env=build_env())
    assert pdfs(tmp_path / "one") == before
    assert entries(cache)
    puts = []                                                 # the bad ones went; good ones came back:

    class Counting(Store):                                    # a third build finds everything it needs
        def put(self, kind, key, data):
            puts.append(kind)
            super().put(kind, key, data)

    for p in (tmp_path / "one").iterdir():
        p.unlink()
    pipeline.build(path, tmp_path / "one", jobs=1, session=pipeline.Session(store=Counting(cache), env=build_env()))
    assert set(puts) <= {"finish"} and pdfs(tmp_path / "one") == before    # "finish" records what out/ now holds


def test_folders_are_private_files_0600_and_nothing_is_a_pickle(tmp_path, cache):
    path = make_print_project(tmp_path / "p", MINIMAL + POSTER)
    pipeline.build(path, tmp_path / "out", jobs=1, env=build_env())
    assert cache.stat().st_mode & 0o777 == 0o700
    for p in cache.rglob("*"):
        mode = p.stat().st_mode & 0o777
        assert mode == (0o700 if p.is_dir() else 0o600), p
        if p.is_file():
            data = p.read_bytes()
            assert b"\x80\x04" not in data[:2] and b"\x80\x05" not in data[:2], p
            assert not (p.suffix == ".entry" and data[36:38] in (b"\x80\x04", b"\x80\x05")), p


@pytest.mark.parametrize("how", ["other owner", "mode 0777"])
def test_a_cache_folder_others_could_write_is_not_used(tmp_path, cache, how):
    cache.mkdir(parents=True)
    if how == "other owner":
        os.chown(cache, 65534, 65534)
    else:
        cache.chmod(0o777)
    store = Store()
    assert store.root is None and store.folder("layout", scratch=False) is None
    store.put("layout", "k", b"v")
    assert store.get("layout", "k") == b"v"                   # in memory only
    assert list(cache.iterdir()) == []
    path = make_print_project(tmp_path / "p", MINIMAL)
    outputs = pipeline.build(path, tmp_path / "out", jobs=1, env=build_env())  # the build still works
    assert [o.name for o in outputs] == ["brochure"] and list(cache.iterdir()) == []


def test_a_missing_or_read_only_home_never_fails(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/nonexistent")
    store = Store()
    store.put("layout", "k", b"v")
    assert store.get("layout", "k") == b"v"
    ro = tmp_path / "ro"
    ro.mkdir()
    Store(ro / "brochure")
    (ro / "brochure").chmod(0o500)
    try:
        Store(ro / "brochure").put("layout", "k", b"v")       # root may write anyway; it must not raise
    finally:
        (ro / "brochure").chmod(0o700)


def test_an_unchanged_output_in_out_is_left_as_it_is(tmp_path, cache):
    path = make_print_project(tmp_path / "p", MINIMAL)
    first = pipeline.build(path, tmp_path / "out", jobs=1, env=build_env())
    assert not first[0].unchanged
    stamp = (tmp_path / "out" / "brochure.pdf").stat().st_mtime_ns
    again = pipeline.build(path, tmp_path / "out", jobs=1, session=Session(env=build_env()))
    assert again[0].unchanged and again[0].preflight.ok
    assert (tmp_path / "out" / "brochure.pdf").stat().st_mtime_ns == stamp
    (tmp_path / "out" / "brochure.pdf").write_bytes(b"%PDF-1.4 changed by hand\n")
    third = pipeline.build(path, tmp_path / "out", jobs=1, env=build_env())
    assert not third[0].unchanged and (tmp_path / "out" / "brochure.pdf").read_bytes().startswith(b"%PDF-1.")
    assert (tmp_path / "out" / "brochure.pdf").stat().st_size > 1000


def test_the_same_content_gives_the_same_bytes_from_any_cache_folder(tmp_path, monkeypatch):
    """Names in the PDF come from content alone: no cache path, user or machine can be read from it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = make_print_project(tmp_path / "p", MINIMAL + POSTER)
    got = []
    for n, root in enumerate([tmp_path / "alice-cache", tmp_path / "bob" / "x" / "cache"]):
        out = tmp_path / f"out{n}"
        pipeline.build(path, out, jobs=1, session=Session(store=Store(root), env=build_env()))
        got.append(pdfs(out))
        for pdf in out.glob("*.pdf"):
            data = pdf.read_bytes()
            assert b"alice" not in data and b"bob" not in data and str(tmp_path).encode() not in data
        for report in out.glob("*.json"):
            assert str(tmp_path) not in report.read_text(encoding="utf-8"), report
    assert got[0] == got[1]


@pytest.mark.parametrize("damage", ["truncated", "swapped"])
def test_a_cached_photo_is_verified_before_it_is_used(tmp_path, cache, damage):
    from PIL import Image

    path = make_print_project(tmp_path / "p", MINIMAL)
    pipeline.build(path, tmp_path / "one", jobs=1, env=build_env())
    before = pdfs(tmp_path / "one")
    photos = sorted((cache / "images").glob("*.jpg"))
    assert photos
    for photo in photos:
        if damage == "truncated":
            photo.write_bytes(photo.read_bytes()[:500])
        else:
            Image.new("CMYK", Image.open(photo).size, (0, 255, 0, 0)).save(photo, "JPEG")
    for p in (tmp_path / "one").iterdir():
        p.unlink()
    pipeline.build(path, tmp_path / "one", jobs=1, env=build_env())
    assert pdfs(tmp_path / "one") == before
