"""What the font caches are keyed by: a font file's bytes and the code that converts it.

``file_digest`` is a sha256 of every byte of a font file.  Hashing the four Noto
CJK collections a brochure uses (93 MB) takes about 60 ms, so the digest is
remembered in the cache folder (``<sha of the path>.sum``) beside the file's
signature: device, inode, size, modification and change times.  The change time
(ctime) moves whenever the file's bytes are written and cannot be set back by a
user, so a file changed in place, even with its modification time restored, is
hashed again: a damaged font never passes for the font it was.

``code_digest`` is a digest of the source of this package's ``fonts/`` folder
and of the fontTools release installed, read as files (nothing is imported), so
changed code never reads what older code cached and no version is bumped by hand.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
from pathlib import Path

from brochure.runtime.files import open_regular, read_regular
from brochure.runtime.store import source_digest, write_atomic

#: A .sum file larger than this is not ours.
MAX_SUM_BYTES = 4096


def code_digest(parts=("fonts",)) -> str:
    """A digest of the package source named by ``parts`` and of fontTools' release (its ``__init__``)."""
    h = hashlib.sha256(source_digest(parts).encode())
    spec = importlib.util.find_spec("fontTools")      # finds the package without importing it
    if spec is not None and spec.origin:
        h.update(source_digest(("__init__.py",), Path(spec.origin).parent).encode())
    return h.hexdigest()


def signature(st: os.stat_result) -> list[int]:
    """What changes whenever a file's bytes do: device, inode, size, modification and change times."""
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _sum_path(cache_dir: Path, path: Path) -> Path:
    return cache_dir / (hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".sum")


def file_digest(path: Path, cache_dir: Path | None = None, code: str = "") -> str:
    """The sha256 of the bytes of ``path``, remembered in ``cache_dir`` while its signature holds
    (and ``code``, the digest of the code that remembers it, is the same).

    Raises OSError when the file cannot be read.
    """
    before = signature(os.stat(path))
    memo = _sum_path(cache_dir, path) if cache_dir is not None else None
    if memo is not None:
        with contextlib.suppress(OSError, ValueError, RecursionError):
            entry = json.loads(read_regular(memo, MAX_SUM_BYTES))
            if (isinstance(entry, list) and len(entry) == 3 and entry[0] == code and entry[1] == before
                    and isinstance(entry[2], str) and len(entry[2]) == 64):
                return entry[2]
    with open_regular(path) as f:       # a pipe or device is refused, not waited on
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    if memo is not None and signature(os.stat(path)) == before:     # unchanged while it was read
        with contextlib.suppress(OSError):
            cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomic(memo, json.dumps([code, before, digest]).encode())
    return digest
