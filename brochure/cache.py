"""What is kept between builds, in $XDG_CACHE_HOME/brochure: where, and how it is written.

Converted fonts, print-ready photos, ink readings, set paragraphs and preflight's
page readings all live here.  Every file is written whole or not at all
(``write_atomic``), so a parallel build never reads half of one; ``Kept`` is a
table of values carried from one run to the next in one pickle file.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from pathlib import Path


def cache_dir(kind: str) -> Path:
    """The cache folder for ``kind`` ("fonts", "images", "ink", "layout", "preflight")."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "brochure" / kind


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder so a parallel process never reads half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
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
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)             # closing releases the lock


class Kept:
    """Values carried from one run to the next in one pickle file (or, without a path, in memory).

    What this run reads or sets is what the next run finds: the file holds the
    entries of the last run only, so it never grows beyond one document's worth.
    A missing or damaged file, or one written for another ``version`` (other
    code), counts as empty.
    """

    def __init__(self, path: Path | None, version: str = ""):
        self.path, self.version = path, version
        self.known: dict = {}
        self.used: dict = {}
        self.changed = False
        if path is not None:
            try:
                with open(path, "rb") as f:
                    stored_version, known = pickle.load(f)
                if stored_version == version and isinstance(known, dict):
                    self.known = known
            except Exception:
                pass

    def get(self, key, default=None):
        value = self.used.get(key)
        if value is None:
            value = self.known.get(key)
            if value is not None:
                self.used[key] = value
        return default if value is None else value

    def __setitem__(self, key, value) -> None:
        self.used[key] = value
        self.changed = True

    def __len__(self) -> int:
        return len(self.known.keys() | self.used.keys())

    def clear(self) -> None:
        self.known.clear()
        self.used.clear()

    def save(self) -> None:
        """Write what this run used, if anything is new or left out; failures are ignored."""
        if self.path is None or (not self.changed and self.used.keys() == self.known.keys()):
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, pickle.dumps((self.version, self.used), protocol=pickle.HIGHEST_PROTOCOL))
            self.known, self.changed = dict(self.used), False
