"""Just enough of the OpenType file format to read a face quickly and write a TrueType font.

Reading (``FontFile``): the table directory of one face of a font file or
collection (TTC/OTC), a table's bytes, the cmap (formats 4 and 12) and the
advance widths, from a memory map, so that looking up a few glyphs does not
parse the whole font.  Writing (``write_font``): an sfnt from finished tables,
with checksums, so assembling a converted font takes milliseconds and no
fontTools.
"""
from __future__ import annotations

import mmap
import struct
import sys
from array import array
from bisect import bisect_left, bisect_right
from pathlib import Path


class FormatError(Exception):
    """The file is not a font this module can read."""


_CMAP_PREFERENCE = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def _u16(buf, at: int) -> int:
    return int.from_bytes(buf[at:at + 2], "big")


def _u32(buf, at: int) -> int:
    return int.from_bytes(buf[at:at + 4], "big")


def _array(kind: str, data: bytes) -> array:
    a = array(kind)
    a.frombytes(data)
    if sys.byteorder != "big":
        a.byteswap()
    return a


class FontFile:
    """One face of a font file (index ``index`` of a collection), memory-mapped read-only."""

    def __init__(self, path: Path, index: int = 0):
        self.path = Path(path)
        with open(self.path, "rb") as f:
            self.size = f.seek(0, 2)
            if self.size < 12:
                raise FormatError(f"{path}: too short for a font")
            self.buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        buf = self.buf
        start = 0
        if buf[0:4] == b"ttcf":
            count = _u32(buf, 8)
            if not 0 <= index < count:
                raise FormatError(f"{path}: no face {index} in the collection")
            start = _u32(buf, 12 + 4 * index)
        elif index != 0:
            raise FormatError(f"{path}: not a collection")
        if buf[start:start + 4] not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
            raise FormatError(f"{path}: not an OpenType/TrueType font")
        num = _u16(buf, start + 4)
        self.directory = bytes(buf[start:start + 12 + 16 * num])
        if len(self.directory) != 12 + 16 * num:
            raise FormatError(f"{path}: truncated table directory")
        self.tables: dict[str, tuple[int, int]] = {}
        self.checksums: dict[str, int] = {}
        for i in range(num):
            rec = start + 12 + 16 * i
            tag = bytes(buf[rec:rec + 4]).decode("latin-1")
            offset, length = _u32(buf, rec + 8), _u32(buf, rec + 12)
            if offset + length > self.size:
                raise FormatError(f"{path}: table {tag!r} runs past the end of the file")
            self.tables[tag] = (offset, length)
            self.checksums[tag] = _u32(buf, rec + 4)
        self._cmap = None
        self._hmtx = None

    def close(self) -> None:
        self.buf.close()

    def __contains__(self, tag: str) -> bool:
        return tag in self.tables

    def table(self, tag: str) -> bytes:
        offset, length = self.tables[tag]
        return bytes(self.buf[offset:offset + length])

    #: The tables a conversion reads whole (cmap, metrics, names, layout features).  The outlines
    #: (CFF, glyf: the bulk of a CJK font) are read glyph by glyph and checked as they are read;
    #: summing them whole would cost ~70 ms a face.  head's sum leaves out a field of its own.
    VERIFIED_TABLES = ("cmap", "hhea", "hmtx", "maxp", "OS/2", "post", "name", "GSUB", "GPOS")

    def verify(self) -> None:
        """Raise FormatError naming the first table a conversion reads whole whose bytes do not match
        the checksum in the table directory: a font damaged in transit or on disk."""
        for tag, (offset, length) in self.tables.items():
            if tag not in self.VERIFIED_TABLES:
                continue
            if _checksum(bytes(self.buf[offset:offset + length])) != self.checksums[tag]:
                raise FormatError(f"table {tag!r} does not match its checksum")

    # --- cmap ---------------------------------------------------------------------------------
    def _load_cmap(self):
        if "cmap" not in self.tables:
            raise FormatError("no cmap table")
        base, _length = self.tables["cmap"]
        buf = self.buf
        records = {}
        for i in range(_u16(buf, base + 2)):
            rec = base + 4 + 8 * i
            key = (_u16(buf, rec), _u16(buf, rec + 2))
            records.setdefault(key, base + _u32(buf, rec + 4))
        for key in _CMAP_PREFERENCE:
            if key in records:
                at = records[key]
                break
        else:
            raise FormatError("no Unicode cmap")
        fmt = _u16(buf, at)
        if fmt == 12:
            n = _u32(buf, at + 12)
            groups = _array("I", bytes(buf[at + 16:at + 16 + 12 * n]))
            self._cmap = (12, groups[0::3], groups[1::3], groups[2::3])
        elif fmt == 4:
            seg2 = _u16(buf, at + 6)
            ends = _array("H", bytes(buf[at + 14:at + 14 + seg2]))
            p = at + 16 + seg2
            starts = _array("H", bytes(buf[p:p + seg2]))
            deltas = _array("H", bytes(buf[p + seg2:p + 2 * seg2]))
            ro_at = p + 2 * seg2
            range_offsets = _array("H", bytes(buf[ro_at:ro_at + seg2]))
            self._cmap = (4, ends, starts, deltas, range_offsets, ro_at)
        else:
            raise FormatError(f"cmap format {fmt}")

    def glyph_id(self, cp: int) -> int:
        """The glyph the cmap maps ``cp`` to, 0 when none."""
        if self._cmap is None:
            self._load_cmap()
        c = self._cmap
        if c[0] == 12:
            _, starts, ends, gids = c
            i = bisect_right(starts, cp) - 1
            if i < 0 or cp > ends[i]:
                return 0
            return gids[i] + cp - starts[i]
        _, ends, starts, deltas, range_offsets, ro_at = c
        if cp > 0xFFFF:
            return 0
        i = bisect_left(ends, cp)
        if i >= len(ends) or cp < starts[i]:
            return 0
        if range_offsets[i] == 0:
            return (cp + deltas[i]) & 0xFFFF
        at = ro_at + 2 * i + range_offsets[i] + 2 * (cp - starts[i])
        g = _u16(self.buf, at)
        return (g + deltas[i]) & 0xFFFF if g else 0

    # --- metrics --------------------------------------------------------------------------------
    @property
    def units_per_em(self) -> int:
        return _u16(self.buf, self.tables["head"][0] + 18)

    @property
    def num_glyphs(self) -> int:
        return _u16(self.buf, self.tables["maxp"][0] + 4)

    def advance(self, gid: int) -> int:
        if self._hmtx is None:
            n = _u16(self.buf, self.tables["hhea"][0] + 34)
            if n == 0:
                raise FormatError("hhea numberOfHMetrics is 0")
            self._hmtx = (self.tables["hmtx"][0], n)
        at, n = self._hmtx
        return _u16(self.buf, at + 4 * min(gid, n - 1))


# --- writing ---------------------------------------------------------------------------------------
def _checksum(data: bytes) -> int:
    if len(data) % 4:
        data = data + b"\0" * (4 - len(data) % 4)
    return sum(_array("I", data)) & 0xFFFFFFFF


def write_font(tables: dict[str, bytes]) -> bytes:
    """An sfnt (TrueType outlines) from its tables, with the directory and checksums filled in.

    ``head`` must be present; its checkSumAdjustment is computed here.
    """
    tags = sorted(tables)
    num = len(tags)
    entry = 1
    while entry * 2 <= num:
        entry *= 2
    search = entry * 16
    header = struct.pack(">IHHHH", 0x00010000, num, search, entry.bit_length() - 1, num * 16 - search)
    head = bytearray(tables["head"])
    head[8:12] = b"\0\0\0\0"
    tables = {**tables, "head": bytes(head)}
    offset = 12 + 16 * num
    records = []
    body = []
    for tag in tags:
        data = tables[tag]
        records.append(struct.pack(">4sIII", tag.encode("latin-1"), _checksum(data), offset, len(data)))
        pad = (4 - len(data) % 4) % 4
        body.append(data + b"\0" * pad)
        offset += len(data) + pad
    font = bytearray(header + b"".join(records) + b"".join(body))
    adjust = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    head_at = 12 + 16 * num + sum(len(b) for b, t in zip(body, tags) if t < "head")
    font[head_at + 8:head_at + 12] = adjust.to_bytes(4, "big")
    return bytes(font)
