"""Pack TrueType contours as a ``glyf`` entry, byte for byte as fontTools' ``Glyph.compile`` does.

This runs once per point of every converted glyph (a few hundred thousand
points for a brochure's characters), so it is written for speed: each axis is
one pass over its coordinates (``_axis``, for x and then for y), rounding,
taking deltas and choosing their flags as it goes.
"""
from __future__ import annotations

import math
import struct

_HEADER = struct.Struct(">hhhhh")

# The flag bits of one axis: (delta is zero or same as before, short delta, short and positive).
_X_BITS = (0x10, 0x02, 0x12)
_Y_BITS = (0x20, 0x04, 0x24)


def _axis(coords, flags: list[int], bits: tuple[int, int, int]) -> tuple[list[int], bytearray]:
    """``flags`` with this axis' bits added, and the axis' packed deltas.

    Coordinates are rounded as fontTools' otRound does: half up.
    """
    same, short, positive = bits
    out_flags: list[int] = []
    data = bytearray()
    flag_of, byte = out_flags.append, data.append
    floor = math.floor
    prev = 0
    for c, flag in zip(coords, flags):
        v = floor(c + 0.5)
        d = v - prev
        prev = v
        if 0 < d <= 255:
            flag_of(flag | positive)
            byte(d)
        elif -255 <= d < 0:
            flag_of(flag | short)
            byte(-d)
        elif d:
            flag_of(flag)
            data += d.to_bytes(2, "big", signed=True)
        else:
            flag_of(flag | same)
    return out_flags, data


def _packed_flags(flags: list[int]) -> bytearray:
    """The flags with runs written as (flag | REPEAT, count), as fontTools packs them."""
    out = bytearray()
    append = out.append
    last_flag = None
    repeat = 0
    for flag in flags:
        if flag == last_flag and repeat != 255:
            repeat += 1
            if repeat == 1:
                append(flag)
            else:
                out[-2] = flag | 0x08
                out[-1] = repeat
        else:
            repeat = 0
            append(flag)
            last_flag = flag
    return out


def encode_glyph(contours: list) -> bytes:
    """Pack TrueType contours ``[([(x, y)...], [on...])...]`` as a ``glyf`` entry."""
    if not contours:
        return b""
    ends = []
    last = -1
    for pts, _ in contours:
        last += len(pts)
        ends.append(last)
    xs, ys = zip(*[p for pts, _ in contours for p in pts])
    on_curve = [f for _, on in contours for f in on]
    floor = math.floor                   # rounding keeps order, so the box can be taken before it
    out = bytearray(_HEADER.pack(len(contours), floor(min(xs) + 0.5), floor(min(ys) + 0.5),
                                 floor(max(xs) + 0.5), floor(max(ys) + 0.5)))
    out += struct.pack(f">{len(ends)}H", *ends)
    out += b"\x00\x00"                                   # no instructions
    flags, x_data = _axis(xs, on_curve, _X_BITS)
    flags, y_data = _axis(ys, flags, _Y_BITS)
    out += _packed_flags(flags)
    out += x_data
    out += y_data
    return bytes(out)
