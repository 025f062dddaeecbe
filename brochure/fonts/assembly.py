"""Assemble the TrueType font for one character set from converted glyphs, and its layout metrics.

Plain ``struct`` packing, no fontTools: glyph order by source glyph ID,
vertical forms at Private Use code points (so they can be drawn like
characters), and the ``Metrics`` layout needs.  The result depends only on the
source face and the character set, never on what was converted before.
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

from brochure.fonts.sfnt import write_font

# Marks that Chinese typesetting sets on a full em even where the cmap glyph is narrower.
FULL_WIDTH_IN_CHINESE = frozenset("·—―‘’“”…⸺")


# Punctuation whose empty side may be trimmed; used when the font has no 'halt' data.
def _is_cjk_punct(ch: str) -> bool:
    cp = ord(ch)
    return (0x3000 < cp <= 0x303F or 0xFF01 <= cp <= 0xFF0F or 0xFF1A <= cp <= 0xFF20
            or 0xFF3B <= cp <= 0xFF40 or 0xFF5B <= cp <= 0xFF65 or ch in FULL_WIDTH_IN_CHINESE)


PUA_START = 0xE000
PUA_END = 0xF8FF


@dataclass
class Metrics:
    """Everything layout needs about one converted face, in em units."""

    family: str
    style: str
    ascent: float
    descent: float                       # positive: depth below the baseline
    advances: dict[str, float] = field(default_factory=dict)
    halts: dict[str, tuple[float, float]] = field(default_factory=dict)
    verts: dict[str, int] = field(default_factory=dict)   # char -> PUA code point of its vertical form

    def to_json(self) -> dict:
        return {
            "family": self.family, "style": self.style,
            "ascent": self.ascent, "descent": self.descent,
            "advances": self.advances,
            "halts": {k: list(v) for k, v in self.halts.items()},
            "verts": self.verts,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Metrics":
        return cls(
            family=data["family"], style=data["style"],
            ascent=data["ascent"], descent=data["descent"],
            advances=data["advances"],
            halts={k: (v[0], v[1]) for k, v in data["halts"].items()},
            verts={k: int(v) for k, v in data["verts"].items()},
        )


def _glyph_box(data: bytes):
    """(numberOfContours, xMin, yMin, xMax, yMax, points) of a glyf entry; None when empty."""
    if len(data) < 10:
        return None
    n, x0, y0, x1, y1 = struct.unpack_from(">hhhhh", data)
    points = 0
    if n > 0:
        points = struct.unpack_from(">H", data, 10 + 2 * (n - 1))[0] + 1
    return n, x0, y0, x1, y1, points


def _ink_trims(box, advance: int, upm: int) -> tuple[float, float]:
    """Fallback trims from the glyph's ink: empty quarter-ems on each side, at most half an em."""
    if box is None or box[0] == 0:
        return (0.0, 0.0)
    quarter = upm / 4
    left = min(2, int(max(0, box[1]) // quarter)) * 0.25
    right = min(2, int(max(0, advance - box[3]) // quarter)) * 0.25
    if left + right > 0.5:       # never trim more than half the box in all
        left, right = (0.5, 0.0) if left >= right else (0.0, 0.5)
    return (left, right)


def _cmap_table(mapping: dict[int, int]) -> bytes:
    """cmap with a format 4 (BMP) subtable, and a format 12 one when there are characters beyond it."""
    cps = sorted(mapping)
    bmp = [c for c in cps if c <= 0xFFFF]
    segs = []                                    # (start, end, delta)
    for c in bmp:
        g = mapping[c]
        if segs and segs[-1][1] == c - 1 and segs[-1][2] == (g - c) & 0xFFFF and c != 0xFFFF:
            segs[-1][1] = c
        else:
            segs.append([c, c, (g - c) & 0xFFFF])
    segs = [s for s in segs if s[0] != 0xFFFF]
    segs.append([0xFFFF, 0xFFFF, 1])
    n = len(segs)
    entry = 1
    while entry * 2 <= n:
        entry *= 2
    fmt4 = struct.pack(f">HHHH{n}HH{n}H{n}H{n}H",
                       n * 2, entry * 2, entry.bit_length() - 1, 2 * n - entry * 2,
                       *[s[1] for s in segs], 0, *[s[0] for s in segs], *[s[2] for s in segs], *([0] * n))
    fmt4 = struct.pack(">HHH", 4, 6 + len(fmt4), 0) + fmt4
    subtables = [((3, 1), fmt4)]
    if cps and cps[-1] > 0xFFFF:
        groups = []
        for c in cps:
            g = mapping[c]
            if groups and groups[-1][1] == c - 1 and groups[-1][2] + (c - groups[-1][0]) == g:
                groups[-1][1] = c
            else:
                groups.append([c, c, g])
        body = b"".join(struct.pack(">III", *grp) for grp in groups)
        subtables.append(((3, 10), struct.pack(">HHIII", 12, 0, 16 + len(body), 0, len(groups)) + body))
    header = struct.pack(">HH", 0, len(subtables))
    offset = 4 + 8 * len(subtables)
    records, data = b"", b""
    for (pid, eid), sub in subtables:
        records += struct.pack(">HHI", pid, eid, offset + len(data))
        data += sub
    return header + records + data


def assemble(info: dict, chars: dict[int, tuple[int, int]], glyphs: dict[int, tuple[int, bytes]],
             charset, family: str, style: str) -> tuple[bytes, Metrics]:
    """The TrueType font and the metrics for ``charset``, from resolved characters and converted glyphs."""
    upm = info["upm"]
    drawn: dict[str, int] = {}
    for ch in sorted(charset):
        rec = chars[ord(ch)]
        if rec[0] >= 0:
            drawn[ch] = rec[0]

    # vertical forms, each at a Private Use code point not otherwise in use
    verts: dict[str, int] = {}
    vert_glyph: dict[int, int] = {}
    next_pua = PUA_START
    for ch in drawn:
        alt = chars[ord(ch)][1]
        if not alt:
            continue
        while next_pua <= PUA_END and chr(next_pua) in drawn:
            next_pua += 1
        if next_pua > PUA_END:
            break
        verts[ch] = next_pua
        vert_glyph[next_pua] = alt
        next_pua += 1

    order = sorted({0, *drawn.values(), *vert_glyph.values()})
    new_id = {g: i for i, g in enumerate(order)}
    glyf = bytearray()
    loca = [0]
    hmtx = []
    boxes = {}
    x_min = y_min = 32767
    x_max = y_max = -32768
    max_points = max_contours = 0
    adv_max = 0
    min_lsb = min_rsb = 32767
    max_extent = -32768
    for g in order:
        advance, data = glyphs[g]
        glyf += data
        if len(glyf) % 4:
            glyf += b"\0" * (4 - len(glyf) % 4)
        loca.append(len(glyf))
        box = boxes[g] = _glyph_box(data)
        lsb = 0
        adv_max = max(adv_max, advance)
        if box is not None and box[0] != 0:
            _, gx0, gy0, gx1, gy1, points = box
            lsb = gx0
            x_min, y_min, x_max, y_max = min(x_min, gx0), min(y_min, gy0), max(x_max, gx1), max(y_max, gy1)
            max_points, max_contours = max(max_points, points), max(max_contours, box[0])
            min_lsb = min(min_lsb, gx0)
            min_rsb = min(min_rsb, advance - gx1)
            max_extent = max(max_extent, gx1)
        hmtx.append((advance, lsb))
    if x_min > x_max:                        # nothing has ink
        x_min = y_min = x_max = y_max = min_lsb = min_rsb = max_extent = 0

    head = bytearray(info["head"])
    struct.pack_into(">hhhh", head, 36, x_min, y_min, x_max, y_max)
    struct.pack_into(">hhh", head, 48, 2, 1, 0)      # fontDirectionHint, long loca, glyphDataFormat
    hhea = bytearray(info["hhea"])
    struct.pack_into(">Hhhh", hhea, 10, adv_max, min_lsb, min_rsb, max_extent)
    struct.pack_into(">hH", hhea, 32, 0, len(order))
    maxp = struct.pack(">IHHHHHHHHHHHHHH", 0x00010000, len(order), max_points, max_contours,
                       0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0)
    cmap_map = {ord(ch): new_id[g] for ch, g in drawn.items()}
    cmap_map.update({pua: new_id[g] for pua, g in vert_glyph.items()})
    os2 = bytearray(info["os2"])
    widths = [a for a, _ in hmtx if a]
    if widths:                               # as fontTools recalculates it: mean of non-zero advances
        struct.pack_into(">h", os2, 2, int(math.floor(sum(widths) / len(widths) + 0.5)))
    if cmap_map:
        struct.pack_into(">HH", os2, 64, min(min(cmap_map), 0xFFFF), min(max(cmap_map), 0xFFFF))
    tables = {
        "head": bytes(head), "hhea": bytes(hhea), "maxp": maxp, "OS/2": bytes(os2),
        "hmtx": b"".join(struct.pack(">Hh", a, lsb) for a, lsb in hmtx),
        "cmap": _cmap_table(cmap_map),
        "loca": struct.pack(f">{len(loca)}I", *loca), "glyf": bytes(glyf),
        "name": info["name"], "post": info["post"],
    }
    data = write_font(tables)

    # metrics for layout
    metrics = Metrics(family, style, info["ascent"], info["descent"])
    halt = info["halt"]
    for ch, glyph in drawn.items():
        advance = glyphs[glyph][0]
        metrics.advances[ch] = advance / upm
        if glyph in halt:
            dx, da = halt[glyph]
            metrics.halts[ch] = (max(0.0, -dx / upm), max(0.0, (-da + dx) / upm))
        elif _is_cjk_punct(ch) and advance >= 0.9 * upm:
            trims = _ink_trims(boxes[glyph], advance, upm)
            if trims != (0.0, 0.0):
                metrics.halts[ch] = trims
    metrics.verts = verts
    return data, metrics
