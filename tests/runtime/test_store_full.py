"""A full or broken cache only makes the build slower: a disk that is full (ENOSPC on writing, or on
the rename that completes an entry) or a folder standing where an entry or a prepared photo goes never
fails a build, leaves no temporary file, and never changes a byte of what is built."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

import brochure.pipeline as pipeline
from brochure.pipeline import Session
from brochure.runtime.store import Store
from conftest import MINIMAL, POSTER, ROOT, listing, make_print_project

#: Python that, run before the command, makes every write under $FULL fail as a full disk does.
FULL_DISK = textwrap.dedent('''
    import errno, io, os
    FULL = os.environ["FULL"]

    def _under(path):
        try:
            return os.path.realpath(os.fspath(path)).startswith(FULL)
        except (TypeError, ValueError):
            return False

    def _full(path):
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(path))

    class _Full(io.RawIOBase):
        """A file on the full disk: it was created (an inode is cheap), but takes no bytes."""
        def __init__(self, fd, path):
            self.fd, self.path = fd, path
        def writable(self):
            return True
        def write(self, data):
            if len(data) == 0:
                return 0
            raise _full(self.path)
        def fileno(self):
            return self.fd
        def close(self):
            if not self.closed:
                os.close(self.fd)
            super().close()

    _fdopen, _replace, _open, _write = os.fdopen, os.replace, io.open, os.write

    def fdopen(fd, mode="r", *args, **kw):
        path = os.readlink(f"/proc/self/fd/{fd}")
        if any(c in mode for c in "wax+") and _under(path):
            return _Full(fd, path)
        return _fdopen(fd, mode, *args, **kw)

    def replace(src, dst, **kw):
        if _under(dst):
            raise _full(dst)
        return _replace(src, dst, **kw)

    def open_(file, mode="r", *args, **kw):
        if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+") and _under(file):
            raise _full(file)
        return _open(file, mode, *args, **kw)

    def write(fd, data):
        if _under(os.readlink(f"/proc/self/fd/{fd}")):
            raise _full(f"fd {fd}")
        return _write(fd, data)

    os.fdopen, os.replace, io.open, os.write = fdopen, replace, open_, write
    import builtins
    builtins.open = open_
''')


@pytest.fixture
def dated(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def pdfs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


def leftovers(root: Path) -> list[str]:
    """Temporary files a write left behind."""
    return sorted(str(p) for p in root.rglob("*") if p.name.endswith(".tmp") or ".tmp" in p.name)


@pytest.fixture
def full_disk(monkeypatch, tmp_path):
    """Every write under the returned folder fails with ENOSPC (as the subprocesses below do)."""
    import builtins
    import io

    folder = tmp_path / "full"
    folder.mkdir()
    monkeypatch.setenv("FULL", str(folder.resolve()))
    saved = {name: getattr(os, name) for name in ("fdopen", "replace", "write")}
    saved_open, saved_builtin = io.open, builtins.open
    exec(FULL_DISK, {})
    try:
        yield folder
    finally:
        for name, value in saved.items():
            setattr(os, name, value)
        io.open, builtins.open = saved_open, saved_builtin


def test_an_entry_that_cannot_be_written_is_kept_in_memory(full_disk):
    store = Store(full_disk / "brochure")
    assert store.root is not None                        # the folder is there and private: it is used
    store.put("layout", "k", b"lines")
    assert store.get("layout", "k") == b"lines"          # kept for this build
    assert list((full_disk / "brochure").rglob("*.entry")) == [] and leftovers(full_disk) == []


def test_a_folder_where_an_entry_goes_is_passed_by(tmp_path):
    Store(tmp_path / "c").put("layout", "k", b"first")
    (entry,) = (tmp_path / "c").rglob("*.entry")
    entry.unlink()
    entry.mkdir()                                        # a folder with the entry's name
    (entry / "inside").write_text("not ours to remove")
    store = Store(tmp_path / "c")
    assert store.get("layout", "k") is None
    store.put("layout", "k", b"second")                  # no IsADirectoryError
    assert store.get("layout", "k") == b"second"
    assert (entry / "inside").read_text() == "not ours to remove" and leftovers(tmp_path) == []


def test_a_full_cache_disk_builds_the_same_bytes(tmp_path, dated, monkeypatch, full_disk):
    """Cold and then again, every cache write failing: the same PDFs as a healthy cache gives."""
    path = make_print_project(tmp_path / "p", MINIMAL + POSTER)
    pipeline.build(path, tmp_path / "ref", jobs=1, session=Session(store=Store(tmp_path / "good")))
    reference = pdfs(tmp_path / "ref")
    assert sorted(reference) == ["brochure.pdf", "poster-a3.pdf"]

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))    # the spare folder for photos, of this test
    (tmp_path / "tmp").mkdir()
    for n in range(2):
        out = tmp_path / f"out{n}"
        outputs = pipeline.build(path, out, jobs=1, session=Session(store=Store(full_disk / "brochure")))
        assert [o.name for o in outputs] == ["brochure", "poster-a3"]
        assert pdfs(out) == reference, n
    assert not [p for p in full_disk.rglob("*") if p.is_file() and p.stat().st_size]      # nothing was written
    assert leftovers(full_disk) == [] and leftovers(tmp_path / "tmp") == []
    spare = list((tmp_path / "tmp").glob("brochure-*-photos-*/*.jpg"))
    assert spare                                         # the prepared photo waited in the spare folder


def run_full(args: list[str], cwd: Path, full: Path, tmp: Path) -> subprocess.CompletedProcess:
    """``brochure *args`` with every write under ``full`` failing as on a full disk."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BROCHURE_JOBS": "1", "FULL": str(full.resolve()),
           "XDG_CACHE_HOME": str(full), "TMPDIR": str(tmp), "SOURCE_DATE_EPOCH": "1700000000"}
    # tempfile would try $TMPDIR by writing into it, and on a full disk pass on to /tmp: it is to be tried itself
    code = FULL_DISK + ("\nimport sys, tempfile\ntempfile.tempdir = os.environ['TMPDIR']\n"
                        "from brochure.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def test_the_command_on_a_full_cache_disk_says_what_it_built(tmp_path):
    path = make_print_project(tmp_path / "p")
    ref = subprocess.run([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "ref"], cwd=path.parent,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "BROCHURE_JOBS": "1",
                              "SOURCE_DATE_EPOCH": "1700000000", "XDG_CACHE_HOME": str(tmp_path / "good")},
                         capture_output=True, text=True, timeout=600)
    assert ref.returncode == 0, ref.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "tmp").mkdir()
    run = run_full(["build", "content.yaml", "-o", "out"], path.parent, tmp_path / "full", tmp_path / "tmp")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "已生成 built out/brochure.pdf" in run.stdout
    assert pdfs(path.parent / "out") == pdfs(path.parent / "ref")
    assert listing(path.parent / "out") == ["brochure.pdf", "brochure.preflight.json"]     # and the tool's record


def test_when_no_folder_can_take_a_photo_the_build_says_so_and_out_is_kept(tmp_path):
    """The cache disk and the temporary folder both full: a clear error, exit 2, out/ as it was."""
    path = make_print_project(tmp_path / "p")
    out = path.parent / "out"
    out.mkdir()
    (out / "brochure.pdf").write_bytes(b"%PDF-1.3 the last good build\n")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    full = tmp_path / "full"
    (full / "tmp").mkdir(parents=True)
    run = run_full(["build", "content.yaml", "-o", "out"], path.parent, full, full / "tmp")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert "p1.jpg" in run.stderr and "磁盘空间" in run.stderr and "Free some disk space" in run.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert leftovers(full) == []


def test_folders_where_every_cache_file_goes_change_nothing(tmp_path, dated, monkeypatch):
    """A warm cache whose every file has been replaced by a folder of its name: the same bytes, again."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))    # the spare folder for photos, of this test
    (tmp_path / "tmp").mkdir()
    path = make_print_project(tmp_path / "p", MINIMAL + POSTER)
    cache = tmp_path / "cache"
    pipeline.build(path, tmp_path / "one", jobs=1, session=Session(store=Store(cache)))
    reference = pdfs(tmp_path / "one")
    planted = [p for p in cache.rglob("*") if p.is_file()]                  # locks too
    assert any(p.suffix == ".entry" for p in planted) and any(p.suffix == ".jpg" for p in planted)
    for p in planted:
        p.unlink()
        p.mkdir()
    for n in range(2):
        out = tmp_path / f"again{n}"
        pipeline.build(path, out, jobs=1, session=Session(store=Store(cache)))
        assert pdfs(out) == reference, n
    assert all(p.is_dir() for p in planted) and leftovers(cache) == [] and leftovers(tmp_path / "tmp") == []
    assert list((tmp_path / "tmp").glob("brochure-*-photos-*/*.jpg"))    # the photo waited beside the cache
