"""CFF glyph outlines to TrueType ``glyf`` data, one glyph at a time, without parsing the whole font.

fontTools reads a CFF table as a whole (charset and FDSelect of all 65,535
glyphs of a Noto CJK face) and draws through a chain of pens; for the few
hundred or thousand glyphs a document needs, that set-up and the pen chain
cost more than the drawing.  This module reads only what one glyph needs:

* ``CFFReader``: the CharStrings, global and local subroutine INDEXes and the
  FDSelect of a CFF table (CID-keyed or not), straight from the font file's
  bytes (a memory map), each looked up when asked for;
* ``glyph_data``: runs a Type 2 charstring, turns each cubic curve into
  quadratic ones with cu2qu, reverses the contours (TrueType winds the other
  way) and packs the result as a ``glyf`` entry.

The result is, byte for byte, what fontTools' ``Cu2QuPen(TTGlyphPen,
max_err, reverse_direction=True)`` and ``Glyph.compile`` make of the same
glyph (tests/test_fonts_cache.py compares the two).  Anything this reader does
not handle (CFF2, ``seac`` accents, the arithmetic operators) raises
``Unsupported`` and the caller draws that glyph with fontTools instead.
"""
from __future__ import annotations

import math
import struct
from bisect import bisect_right

from fontTools.cu2qu import curve_to_quadratic


class Unsupported(Exception):
    """This glyph or table needs fontTools' general machinery."""


# --- CFF structures ------------------------------------------------------------------------
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

    def __getitem__(self, i: int) -> bytes:
        if not 0 <= i < self.count:
            raise Unsupported(f"INDEX item {i} out of range")
        data = self._cache.get(i)
        if data is None:
            data = self._cache[i] = bytes(self.buf[self.data_at + self._offset(i):self.data_at + self._offset(i + 1)])
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


def _bias(n: int) -> int:
    return 107 if n < 1240 else 1131 if n < 33900 else 32768


class CFFReader:
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

    def glyph_data(self, gid: int, max_err: float) -> bytes:
        """The TrueType ``glyf`` entry for glyph ``gid``."""
        return encode_glyph(t2_contours(self.charstrings[gid], self._fd_subrs[self.fd(gid)],
                                        self.global_subrs, max_err))


# --- Type 2 charstrings -> TrueType contours -------------------------------------------------
def t2_contours(code: bytes, lsubrs, gsubrs, max_err: float) -> list:
    """Run a Type 2 charstring; return its contours as TrueType points ``([(x, y)...], [on...])``.

    Mirrors fontTools' T2OutlineExtractor -> Cu2QuPen(reverse_direction=True)
    -> TTGlyphPen: same points, same order, same duplicates dropped.
    """
    lbias, gbias = _bias(len(lsubrs)), _bias(len(gsubrs))
    stack: list = []
    calls: list = []
    hints = 0
    mask_bytes = 0
    have_width = False
    x = y = 0
    start = None          # first point of the open contour, None when none is open
    segs: list = []       # its segments: (end,) for lines, (off..., end) for quadratic runs
    contours: list = []
    to_quad = curve_to_quadratic

    def close():
        if not segs:
            return               # a lone moveto draws nothing
        p0 = start
        pts = [p0]
        on = [1]
        last = segs[-1][-1]
        if last != p0:
            pts.append(last)
            on.append(1)
        for i in range(len(segs) - 1, -1, -1):
            seg = segs[i]
            if len(seg) > 1:
                for k in range(len(seg) - 2, -1, -1):
                    pts.append(seg[k])
                    on.append(0)
            pts.append(segs[i - 1][-1] if i else p0)
            on.append(1)
        if pts[-1] == pts[0]:
            pts.pop()
            on.pop()
        contours.append((pts, on))

    def width_args(args, even_odd):
        nonlocal have_width
        if not have_width:
            have_width = True
            if even_odd ^ (len(args) % 2):
                return args[1:]
        return args

    pos, n = 0, len(code)
    while True:
        if pos >= n:
            if calls:
                code, pos = calls.pop()
                n = len(code)
                continue
            break
        b0 = code[pos]
        if b0 >= 32:
            if b0 <= 246:
                stack.append(b0 - 139)
                pos += 1
            elif b0 <= 250:
                stack.append((b0 - 247) * 256 + code[pos + 1] + 108)
                pos += 2
            elif b0 <= 254:
                stack.append(-(b0 - 251) * 256 - code[pos + 1] - 108)
                pos += 2
            else:
                stack.append(int.from_bytes(code[pos + 1:pos + 5], "big", signed=True) / 65536)
                pos += 5
            continue
        if b0 == 28:
            stack.append(int.from_bytes(code[pos + 1:pos + 3], "big", signed=True))
            pos += 3
            continue
        pos += 1
        curves = None           # list of relative (dx1, dy1, dx2, dy2, dx3, dy3)
        lines = None            # list of relative (dx, dy)
        lines_first = True      # only rcurveline draws its line after its curves
        if b0 == 8:                                   # rrcurveto
            a = stack
            curves = [a[i:i + 6] for i in range(0, len(a) - 5, 6)]
        elif b0 == 5:                                 # rlineto
            a = stack
            lines = [(a[i], a[i + 1]) for i in range(0, len(a) - 1, 2)]
        elif b0 == 6 or b0 == 7:                      # hlineto, vlineto
            horizontal = b0 == 6
            lines = []
            for v in stack:
                lines.append((v, 0) if horizontal else (0, v))
                horizontal = not horizontal
        elif b0 == 30 or b0 == 31:                    # vhcurveto, hvcurveto
            a = stack
            vertical = b0 == 30
            curves = []
            i = 0
            while i + 4 <= len(a):
                last = a[i + 4] if len(a) - (i + 4) == 1 else 0
                if vertical:
                    curves.append((0, a[i], a[i + 1], a[i + 2], a[i + 3], last))
                else:
                    curves.append((a[i], 0, a[i + 1], a[i + 2], last, a[i + 3]))
                i += 4 if len(a) - (i + 4) != 1 else 5
                vertical = not vertical
        elif b0 == 26 or b0 == 27:                    # vvcurveto, hhcurveto
            a = stack
            first = 0
            if len(a) % 2:
                first, a = a[0], a[1:]
            curves = []
            for i in range(0, len(a) - 3, 4):
                if b0 == 26:
                    curves.append((first, a[i], a[i + 1], a[i + 2], 0, a[i + 3]))
                else:
                    curves.append((a[i], first, a[i + 1], a[i + 2], a[i + 3], 0))
                first = 0
        elif b0 == 24:                                # rcurveline
            a = stack
            curves = [a[i:i + 6] for i in range(0, len(a) - 2, 6)]
            lines = [(a[-2], a[-1])]
            lines_first = False
        elif b0 == 25:                                # rlinecurve
            a = stack
            lines = [(a[i], a[i + 1]) for i in range(0, len(a) - 7, 2)]
            curves = [a[-6:]]
        elif b0 == 21 or b0 == 22 or b0 == 4:         # rmoveto, hmoveto, vmoveto
            if start is not None:
                close()
            args = width_args(stack, 0 if b0 == 21 else 1)
            if b0 == 21:
                x, y = x + args[0], y + args[1]
            elif b0 == 22:
                x = x + args[0]
            else:
                y = y + args[0]
            start = (x, y)
            segs = []
            stack = []
            continue
        elif b0 in (1, 3, 18, 23):                    # stem hints
            hints += len(width_args(stack, 0)) // 2
            stack = []
            continue
        elif b0 == 19 or b0 == 20:                    # hintmask, cntrmask
            if not mask_bytes:
                hints += len(width_args(stack, 0)) // 2
                stack = []
                mask_bytes = (hints + 7) // 8
            pos += mask_bytes
            continue
        elif b0 == 10:                                # callsubr
            i = stack.pop() + lbias
            calls.append((code, pos))
            code, pos = lsubrs[i], 0
            n = len(code)
            continue
        elif b0 == 29:                                # callgsubr
            i = stack.pop() + gbias
            calls.append((code, pos))
            code, pos = gsubrs[i], 0
            n = len(code)
            continue
        elif b0 == 11:                                # return
            if not calls:
                raise Unsupported("return outside a subroutine")
            code, pos = calls.pop()
            n = len(code)
            continue
        elif b0 == 14:                                # endchar
            if start is not None:
                close()
                start = None
            if width_args(stack, 0):
                raise Unsupported("endchar with seac arguments")
            return contours
        elif b0 == 12:
            b1 = code[pos]
            pos += 1
            a = stack
            if b1 == 35:                              # flex
                curves = [a[0:6], a[6:12]]
            elif b1 == 34:                            # hflex
                dx1, dx2, dy2, dx3, dx4, dx5, dx6 = a[:7]
                curves = [(dx1, 0, dx2, dy2, dx3, 0), (dx4, 0, dx5, -dy2, dx6, 0)]
            elif b1 == 36:                            # hflex1
                dx1, dy1, dx2, dy2, dx3, dx4, dx5, dy5, dx6 = a[:9]
                curves = [(dx1, dy1, dx2, dy2, dx3, 0), (dx4, 0, dx5, dy5, dx6, -(dy1 + dy2 + dy5))]
            elif b1 == 37:                            # flex1
                dx1, dy1, dx2, dy2, dx3, dy3, dx4, dy4, dx5, dy5, d6 = a[:11]
                dx = dx1 + dx2 + dx3 + dx4 + dx5
                dy = dy1 + dy2 + dy3 + dy4 + dy5
                dx6, dy6 = (d6, -dy) if abs(dx) > abs(dy) else (-dx, d6)
                curves = [(dx1, dy1, dx2, dy2, dx3, dy3), (dx4, dy4, dx5, dy5, dx6, dy6)]
            elif b1 == 12:                            # div
                num2, num1 = stack.pop(), stack.pop()
                d1, d2 = num1 // num2, num1 / num2
                stack.append(d1 if d1 == d2 else d2)
                continue
            else:
                raise Unsupported(f"charstring operator 12 {b1}")
        else:
            raise Unsupported(f"charstring operator {b0}")

        for kind in ((0, 1) if lines_first else (1, 0)):
            if kind == 0 and lines:
                for dx, dy in lines:
                    if start is None:
                        start = (x, y)
                        segs = []
                    x, y = x + dx, y + dy
                    segs.append(((x, y),))
            elif kind == 1 and curves:
                for c in curves:
                    if start is None:
                        start = (x, y)
                        segs = []
                    p = (x, y)
                    x1, y1 = x + c[0], y + c[1]
                    x2, y2 = x1 + c[2], y1 + c[3]
                    x, y = x2 + c[4], y2 + c[5]
                    segs.append(tuple(to_quad((p, (x1, y1), (x2, y2), (x, y)), max_err, True)[1:-1])
                                + ((x, y),))
        stack = []
    if start is not None:
        close()
    return contours


_HEADER = struct.Struct(">hhhhh")


def encode_glyph(contours: list) -> bytes:
    """Pack TrueType contours as a ``glyf`` entry (as fontTools' ``Glyph.compile`` does)."""
    if not contours:
        return b""
    xs: list[int] = []
    ys: list[int] = []
    flags_in: list[int] = []
    ends: list[int] = []
    floor = math.floor
    for pts, on in contours:           # rounding as fontTools' otRound: half up
        xs += [floor(px + 0.5) for px, _ in pts]
        ys += [floor(py + 0.5) for _, py in pts]
        flags_in += on
        ends.append(len(xs) - 1)
    out = bytearray(_HEADER.pack(len(contours), min(xs), min(ys), max(xs), max(ys)))
    out += struct.pack(f">{len(ends)}H", *ends)
    out += b"\x00\x00"                                   # no instructions
    flags = bytearray()
    bx = bytearray()
    by = bytearray()
    last_flag = None
    repeat = 0
    px = py = 0
    for flag, ax, ay in zip(flags_in, xs, ys):
        dx, dy = ax - px, ay - py
        px, py = ax, ay
        if dx == 0:
            flag |= 0x10
        elif -255 <= dx <= 255:
            if dx > 0:
                flag |= 0x12
            else:
                flag |= 0x02
                dx = -dx
            bx.append(dx)
        else:
            bx += dx.to_bytes(2, "big", signed=True)
        if dy == 0:
            flag |= 0x20
        elif -255 <= dy <= 255:
            if dy > 0:
                flag |= 0x24
            else:
                flag |= 0x04
                dy = -dy
            by.append(dy)
        else:
            by += dy.to_bytes(2, "big", signed=True)
        if flag == last_flag and repeat != 255:
            repeat += 1
            if repeat == 1:
                flags.append(flag)
            else:
                flags[-2] = flag | 0x08
                flags[-1] = repeat
        else:
            repeat = 0
            flags.append(flag)
        last_flag = flag
    out += flags
    out += bx
    out += by
    return bytes(out)
