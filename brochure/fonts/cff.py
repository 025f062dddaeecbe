"""The structures of a CFF table, read straight from a font file's bytes, each when asked for.

fontTools reads a CFF table as a whole (charset and FDSelect of all 65,535
glyphs of a Noto CJK face); ``CFFTable`` reads only the CharStrings, the global
and local subroutine INDEXes and the FDSelect (CID-keyed fonts or not), and
looks up an INDEX item when it is asked for.  Whatever it does not handle
(CFF2, another charstring type, a non-default FontMatrix) raises
``Unsupported``: the caller then reads the font with fontTools.
"""
from __future__ import annotations

from bisect import bisect_right


class Unsupported(Exception):
    """This glyph or table needs fontTools' general machinery."""


class Malformed(Exception):
    """A charstring no font may hold (a reserved operator, no endchar): the font file is damaged."""


class Index:
    """A CFF INDEX: ``len()`` and ``[i]`` -> bytes, read from ``buf`` on demand."""

    __slots__ = ("buf", "count", "off_size", "offsets_at", "data_at", "end", "_cache")

    def __init__(self, buf, pos: int):
        self.buf = buf
        self.count = count = int.from_bytes(buf[pos:pos + 2], "big")
        self._cache: dict[int, bytes] = {}
        if count == 0:
            self.off_size = self.offsets_at = self.data_at = 0
            self.end = pos + 2
            return
        self.off_size = off_size = buf[pos + 2]
        if not 1 <= off_size <= 4:
            raise Unsupported(f"bad INDEX offset size {off_size}")
        self.offsets_at = pos + 3
        self.data_at = pos + 3 + (count + 1) * off_size - 1
        self.end = self.data_at + self._offset(count)

    def _offset(self, i: int) -> int:
        at = self.offsets_at + i * self.off_size
        return int.from_bytes(self.buf[at:at + self.off_size], "big")

    def __len__(self) -> int:
        return self.count

    def bounds(self, i: int) -> tuple[int, int]:
        """Where item ``i`` lies in ``buf``: (start, end)."""
        if not 0 <= i < self.count:
            raise Unsupported(f"INDEX item {i} out of range")
        return self.data_at + self._offset(i), self.data_at + self._offset(i + 1)

    def __getitem__(self, i: int) -> bytes:
        data = self._cache.get(i)
        if data is None:
            start, end = self.bounds(i)
            data = self._cache[i] = bytes(self.buf[start:end])
        return data


_REAL = "0123456789.E?-?"


def parse_dict(data: bytes) -> dict:
    """A CFF DICT as {operator: [operands]}; two-byte operators are (12, b)."""
    out: dict = {}
    operands: list = []
    i, n = 0, len(data)
    while i < n:
        b0 = data[i]
        if b0 <= 21:
            if b0 == 12:
                op = (12, data[i + 1])
                i += 2
            else:
                op = b0
                i += 1
            out[op] = operands
            operands = []
        elif b0 == 28:
            operands.append(int.from_bytes(data[i + 1:i + 3], "big", signed=True))
            i += 3
        elif b0 == 29:
            operands.append(int.from_bytes(data[i + 1:i + 5], "big", signed=True))
            i += 5
        elif b0 == 30:
            text = ""
            i += 1
            done = False
            while not done:
                b = data[i]
                i += 1
                for nib in (b >> 4, b & 15):
                    if nib == 15:
                        done = True
                        break
                    text += {12: "E-", 14: "-"}.get(nib, _REAL[nib])
            operands.append(float(text) if text not in ("", "-") else 0.0)
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[i + 1] + 108)
            i += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            raise Unsupported(f"bad DICT byte {b0}")
    return out


def subr_bias(n: int) -> int:
    """What a charstring adds to a subroutine number to index an INDEX of ``n`` subroutines."""
    return 107 if n < 1240 else 1131 if n < 33900 else 32768


class CFFTable:
    """Charstrings and subroutines of one CFF table, found by glyph ID."""

    def __init__(self, buf, offset: int):
        if buf[offset] != 1:
            raise Unsupported("not a CFF version 1 table")
        pos = offset + buf[offset + 2]                  # hdrSize
        names = Index(buf, pos)
        top_index = Index(buf, names.end)
        strings = Index(buf, top_index.end)
        self.global_subrs = Index(buf, strings.end)
        top = parse_dict(top_index[0])
        if top.get((12, 6), [2])[0] != 2:
            raise Unsupported("charstring type is not 2")
        matrix = top.get((12, 7))
        if matrix is not None and [round(v, 9) for v in matrix] != [0.001, 0, 0, 0.001, 0, 0]:
            raise Unsupported("non-default FontMatrix")
        self.charstrings = Index(buf, offset + top[17][0])
        self.buf, self.offset = buf, offset
        self._fd_subrs: list[Index] = []
        self._fdselect = None
        if (12, 36) in top:                               # CID-keyed: one Private DICT per font DICT
            fd_array = Index(buf, offset + top[(12, 36)][0])
            self._fd_subrs = [self._local_subrs(parse_dict(fd_array[i]).get(18)) for i in range(len(fd_array))]
            self._read_fdselect(offset + top[(12, 37)][0])
        else:
            self._fd_subrs = [self._local_subrs(top.get(18))]

    def _local_subrs(self, private) -> Index:
        if not private:
            return Index(b"\x00\x00", 0)
        size, at = private[0], self.offset + private[1]
        subrs = parse_dict(bytes(self.buf[at:at + size])).get(19)
        return Index(self.buf, at + subrs[0]) if subrs else Index(b"\x00\x00", 0)

    def _read_fdselect(self, pos: int) -> None:
        buf = self.buf
        fmt = buf[pos]
        if fmt == 0:
            n = len(self.charstrings)
            self._fdselect = ("array", bytes(buf[pos + 1:pos + 1 + n]))
        elif fmt == 3:
            n = int.from_bytes(buf[pos + 1:pos + 3], "big")
            raw = bytes(buf[pos + 3:pos + 3 + n * 3 + 2])
            firsts = [int.from_bytes(raw[i * 3:i * 3 + 2], "big") for i in range(n + 1)]
            fds = [raw[i * 3 + 2] for i in range(n)]
            self._fdselect = ("ranges", firsts, fds)
        else:
            raise Unsupported(f"FDSelect format {fmt}")

    def fd(self, gid: int) -> int:
        sel = self._fdselect
        if sel is None:
            return 0
        if sel[0] == "array":
            return sel[1][gid]
        i = bisect_right(sel[1], gid) - 1
        if i < 0 or i >= len(sel[2]):
            raise Unsupported(f"glyph {gid} not in FDSelect")
        return sel[2][i]

    def local_subrs(self, gid: int) -> Index:
        """The local subroutines glyph ``gid``'s charstring calls (its font DICT's, when CID-keyed)."""
        return self._fd_subrs[self.fd(gid)]
