"""What is kept between builds, in $XDG_CACHE_HOME/brochure (or ~/.cache/brochure).

``Store`` holds entries of bytes by (kind, key).  The caller's key is a digest of
every input that affects the value; the store mixes in a digest of the source
files that produce that kind (``SOURCES``), so changed code never reads old
results and no version number needs bumping.  Each entry is written whole or
not at all, with a sha256 of its payload in front; a read checks it, and an
entry that does not match (truncated, damaged, tampered) is deleted and treated
as absent.  Nothing is pickled: callers hand over bytes (JSON, marshal of plain
data, file contents).

The folders are made 0700 and the files 0600.  A cache folder not owned by this
user, or writable by group or others, is not used: the store is then kept in
memory only, and the build works as it would from an empty cache.  A full,
read-only or missing disk never raises either.  ``Store(None)`` is memory-only.

Fonts keep their own folder of converted faces (``folder("fonts")``), made and
checked the same way.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path

from brochure.runtime.files import read_regular

#: The package folders (or modules) whose source produces each kind, relative to the package root.
#: A path may name a folder (every .py below it) or a module with or without ``.py``; missing ones count as empty.
SOURCES = {
    "layout": ("text",),
    "images": ("images",),
    "ink": ("press/preflight",),
    "preflight": ("press/preflight", "press/transparency.py"),
    "fonts": ("fonts",),
    "finish": ("press", "render", "draw"),
    "plan": ("layout", "text", "content"),
    "punctuation": ("workflow/lint.py", "content"),
}
PACKAGE = Path(__file__).resolve().parent.parent
MAGIC = b"BRS2"


def default_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "brochure"


def source_digest(parts, package: Path = PACKAGE) -> str:
    """A digest of the source files named by ``parts`` (read as files, nothing imported)."""
    h = hashlib.sha256()
    for part in parts:
        base = package / part
        files = sorted(base.rglob("*.py")) if base.is_dir() else [p for p in (base, base.with_suffix(".py"))
                                                                 if p.suffix == ".py" and p.is_file()]
        for path in files:
            with contextlib.suppress(OSError):
                h.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def trusted(folder: Path) -> bool:
    """Whether ``folder`` is a real folder of this user's that nobody else may write to."""
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return (stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()
            and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def private_folder(folder: Path) -> Path | None:
    """``folder``, created 0700 if missing; None if it cannot be made or is not to be trusted."""
    with contextlib.suppress(OSError):
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    return folder if trusted(folder) else None


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` as a 0600 file, via a temporary name, so no reader ever sees half of it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def locked(lock_path: Path):
    """An exclusive advisory lock (where the platform has one); never fails for want of it."""
    try:
        import fcntl
    except ImportError:          # pragma: no cover - not on POSIX
        yield
        return
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)             # closing releases the lock


def _seal(name: str, payload: bytes) -> bytes:
    """What an entry's header holds: a digest of its own name (kind, code and key) and its bytes.

    A truncated or altered payload fails it, and so does a whole entry copied
    over another's name: an entry is only ever read for the key it was written for.
    """
    return hashlib.sha256(name.encode() + b"\0" + payload).digest()


class Store:
    """Verified entries of bytes on disk under ``root`` (None: in this process's memory only)."""

    def __init__(self, root: Path | None = ..., *, code: dict[str, str] | None = None):
        if root is ...:
            root = default_root()
        self.root = private_folder(Path(root)) if root is not None else None
        self.code = dict(code or {})             # kind -> digest of its source, filled on first use
        self.memory: dict[tuple[str, str], bytes] = {}
        self._scratch: tempfile.TemporaryDirectory | None = None

    def _code(self, kind: str) -> str:
        if kind not in self.code:
            self.code[kind] = source_digest(SOURCES.get(kind, ()))
        return self.code[kind]

    def _path(self, kind: str, key: str) -> Path | None:
        folder = self.folder(kind, scratch=False)
        if folder is None:
            return None
        name = hashlib.sha256(f"{self._code(kind)}:{key}".encode()).hexdigest()
        return folder / f"{name}.entry"

    def folder(self, kind: str, *, scratch: bool = True) -> Path | None:
        """The private folder of ``kind``; for a memory-only store a temporary one (or None, ``scratch=False``)."""
        if self.root is not None:
            found = private_folder(self.root / kind)
            if found is not None:
                return found
        if not scratch:
            return None
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="brochure-cache-")
        return private_folder(Path(self._scratch.name) / kind)

    def get(self, kind: str, key: str) -> bytes | None:
        path = self._path(kind, key)
        if path is None:
            return self.memory.get((kind, key))
        try:
            data = read_regular(path)
        except OSError:
            return self.memory.get((kind, key))
        head, payload = data[:len(MAGIC) + 32], data[len(MAGIC) + 32:]
        if head != MAGIC + _seal(path.name, payload):
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return payload

    def put(self, kind: str, key: str, data: bytes) -> None:
        data = bytes(data)
        path = self._path(kind, key)
        if path is None:
            self.memory[(kind, key)] = data
            return
        try:
            write_atomic(path, MAGIC + _seal(path.name, data) + data)
        except OSError:                          # a full or read-only disk: kept for this build, in memory
            self.memory[(kind, key)] = data
