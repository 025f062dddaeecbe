"""The per-face glyph store: every glyph of one source face converted so far, on disk.

One file per source face, ``<identity>.glyphs``, holds what ``convert`` made
of that face: the face's ``info`` (read once), a record per character asked
for (which glyph draws it and its vertical form, or "missing"), and the
converted ``glyf`` entry and advance of each glyph.  A request for a
character set converts only the characters the store has never seen.

File layout: magic, the key it belongs to (a digest of the face's identity and
of the converting code, so no format number is kept by hand), payload length,
BLAKE2b digest of the payload, then the payload (``marshal``: plain dicts,
tuples, ints, bytes).  A file that is truncated, damaged, written by other code
or of another face fails these checks and is ignored (then rebuilt); it is never
half-read.  Writers take an advisory lock, merge with what is on disk (a
parallel build may have added glyphs) and replace the file atomically, so a
reader sees the old store or the new one, never a mixture.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import struct
from pathlib import Path

from brochure.runtime.files import read_regular
from brochure.runtime.store import locked, write_atomic

MAGIC = b"BROCHURE-GLYPHS\n"
_HEADER = struct.Struct(">16s64sQ16s")


class GlyphStore:
    """Converted glyphs of one source face (``identity``: the face's identity and the code, hashed)."""

    def __init__(self, identity: str, info: dict | None = None,
                 chars: dict | None = None, glyphs: dict | None = None):
        self.identity = identity
        self.info = info
        self.chars: dict[int, tuple[int, int]] = chars if chars is not None else {}
        self.glyphs: dict[int, tuple[int, bytes]] = glyphs if glyphs is not None else {}
        self.sig: tuple | None = None        # the file's (size, mtime, inode) when last read or written

    # --- file format ------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        payload = marshal.dumps({"info": self.info, "chars": self.chars, "glyphs": self.glyphs})
        digest = hashlib.blake2b(payload, digest_size=16).digest()
        return _HEADER.pack(MAGIC, self.identity.encode("ascii"), len(payload), digest) + payload

    @classmethod
    def from_bytes(cls, data: bytes, identity: str) -> "GlyphStore | None":
        """The store in ``data`` if it is whole, of this format and of this face; else None."""
        if len(data) < _HEADER.size:
            return None
        magic, ident, length, digest = _HEADER.unpack_from(data)
        payload = data[_HEADER.size:]
        if (magic != MAGIC or ident != identity.encode("ascii")
                or length != len(payload) or hashlib.blake2b(payload, digest_size=16).digest() != digest):
            return None
        try:
            obj = marshal.loads(payload)
            info, chars, glyphs = obj["info"], obj["chars"], obj["glyphs"]
        except (ValueError, EOFError, TypeError, KeyError):
            return None
        if not (isinstance(info, dict) and isinstance(chars, dict) and isinstance(glyphs, dict)):
            return None
        return cls(identity, info, chars, glyphs)

    @classmethod
    def load(cls, path: Path, identity: str) -> "GlyphStore | None":
        try:
            sig = _sig(path)
            data = read_regular(path)
        except OSError:
            return None
        store = cls.from_bytes(data, identity)
        if store is not None:
            store.sig = sig
        return store

    def refresh(self, path: Path) -> None:
        """Merge in what another process has saved since this store was read or written."""
        try:
            sig = _sig(path)
        except OSError:
            return
        if sig != self.sig:
            on_disk = GlyphStore.load(path, self.identity)
            if on_disk is not None:
                self.merge(on_disk)

    def merge(self, other: "GlyphStore") -> None:
        """Take whatever ``other`` (of the same face) has that this store lacks."""
        if other.identity != self.identity:
            return
        if self.info is None:
            self.info = other.info
        for cp, rec in other.chars.items():
            self.chars.setdefault(cp, rec)
        for gid, rec in other.glyphs.items():
            self.glyphs.setdefault(gid, rec)

    def save(self, path: Path) -> None:
        """Merge with the file on disk (under a lock) and replace it atomically."""
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with locked(path.with_name(path.name + ".lock")):
            self.refresh(path)
            write_atomic(path, self.to_bytes())
            try:
                self.sig = _sig(path)
            except OSError:
                self.sig = None


def _sig(path: Path) -> tuple:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ino)
