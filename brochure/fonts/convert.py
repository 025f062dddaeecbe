"""Convert glyphs of a CFF (or TrueType) face to TrueType outlines, and assemble fonts from them.

ReportLab embeds only ``glyf`` fonts; Noto CJK ships CFF outlines in TTC
collections.  The work is split so that each part is done once per font:

* ``build_info`` reads, once per source face (with fontTools), what layout
  needs and a converted font cannot carry (it has no GSUB/GPOS): the ``halt``
  trims of punctuation, the vertical forms (``vert``) and the full-width forms
  (``locl``/``fwid``) of marks Chinese sets on a full em, plus the header
  tables a new font copies (head, hhea, OS/2, post, names).
* ``resolve`` decides, per character, which glyph draws it (and which draws its
  vertical form); ``convert_glyphs`` turns those glyphs into TrueType ``glyf``
  entries (``outlines.CFFReader``: CFF cubics through cu2qu, reversed).  Both
  are cheap per character, so a character never seen before costs
  milliseconds, not a whole conversion.
* ``assemble`` builds the TrueType font for one character set from converted
  glyphs with plain ``struct`` packing (no fontTools): glyph order by source
  glyph ID, vertical forms at Private Use code points (so they can be drawn
  like characters), and the layout ``Metrics``.  The result depends only on the
  source face and the character set, never on what was converted before.

Chinese text wants some marks full width that Noto CJK SC maps to
proportional glyphs (``·`` U+00B7 and ``—`` U+2014): the new cmap points those
code points at the font's full-width forms (from ``locl``/``fwid``).
"""
from __future__ import annotations

import math
import os
import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path

from brochure.fonts.discover import FontSource
from brochure.fonts.opentype import substitute
from brochure.fonts.sfnt import FontFile, FormatError, write_font

# Marks that Chinese typesetting sets on a full em even where the cmap glyph is narrower.
FULL_WIDTH_IN_CHINESE = frozenset("·—―‘’“”…⸺")


# Punctuation whose empty side may be trimmed; used when the font has no 'halt' data.
def _is_cjk_punct(ch: str) -> bool:
    cp = ord(ch)
    return (0x3000 < cp <= 0x303F or 0xFF01 <= cp <= 0xFF0F or 0xFF1A <= cp <= 0xFF20
            or 0xFF3B <= cp <= 0xFF40 or 0xFF5B <= cp <= 0xFF65 or ch in FULL_WIDTH_IN_CHINESE)


PUA_START = 0xE000
PUA_END = 0xF8FF
MISSING = (-1, 0)           # a character record for "the font has no glyph for it"


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


# --- once per source face ---------------------------------------------------------------------------
def _open_fonttools(path: Path, index: int):
    from fontTools.ttLib import TTFont

    if path.suffix.lower() in (".ttc", ".otc"):
        return TTFont(str(path), fontNumber=index, lazy=True)
    return TTFont(str(path), lazy=True)


_OS2 = struct.Struct(">HhHHHhhhhhhhhhhh10sIIII4sHHHhhhHHIIhhHHH")


def _name_table(names: dict[int, str]) -> bytes:
    """A format-0 'name' table with Windows Unicode English records."""
    records, strings = [], b""
    for name_id in sorted(names):
        data = names[name_id].encode("utf-16-be")
        records.append(struct.pack(">HHHHHH", 3, 1, 0x409, name_id, len(data), len(strings)))
        strings += data
    return struct.pack(">HHH", 0, len(records), 6 + 12 * len(records)) + b"".join(records) + strings


def build_info(source: FontSource, ff: FontFile) -> dict:
    """What every conversion of this face needs, read once with fontTools (a plain dict, for the store)."""
    from brochure.fonts.opentype import feature_lookups, single_adjustments, single_substitutions

    font = _open_fonttools(source.path, source.index)
    upm = font["head"].unitsPerEm
    hhea = font["hhea"]
    # Layout tables name glyphs through the glyph order; numbering them ourselves spares
    # reading the CFF charset (65,535 names in a Noto CJK face) and maps names straight to IDs.
    font.setGlyphOrder([f"g{i}" for i in range(ff.num_glyphs)])

    def gid(name: str) -> int:
        return int(name[1:])
    gsub = font["GSUB"].table if "GSUB" in font else None
    gpos = font["GPOS"].table if "GPOS" in font else None

    def by_id(mappings):
        return [{gid(k): gid(v) for k, v in m.items()} for m in mappings]

    widen = by_id(single_substitutions(gsub, feature_lookups(gsub, "locl"))
                  + single_substitutions(gsub, feature_lookups(gsub, "fwid"))) if gsub else []
    vert = by_id(single_substitutions(gsub, feature_lookups(gsub, "vert"))) if gsub else []
    halt = ({gid(k): v for k, v in single_adjustments(gpos, feature_lookups(gpos, "halt")).items()}
            if gpos else {})

    name = font["name"]
    names = {
        0: name.getDebugName(0) or "",
        1: name.getDebugName(1) or source.family,
        2: name.getDebugName(2) or source.style,
        4: name.getDebugName(4) or f"{source.family} {source.style}",
        5: name.getDebugName(5) or "Version 1.0",
        6: name.getDebugName(6) or (source.family + "-" + source.style).replace(" ", ""),
        13: name.getDebugName(13) or "",
        14: name.getDebugName(14) or "",
        16: name.getDebugName(16) or source.family,
        17: name.getDebugName(17) or source.style,
    }
    names = {k: v for k, v in names.items() if v}

    os2 = ff.table("OS/2") if "OS/2" in ff else None
    if os2 is not None and len(os2) < 68:
        os2 = None
    if os2 is not None:
        typo_asc, typo_desc = struct.unpack_from(">hh", os2, 68) if len(os2) >= 72 else (0, 0)
    else:
        typo_asc = typo_desc = 0
        os2 = _OS2.pack(4, 0, 400, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b"\0" * 10, 0, 0, 0, 0, b"NONE",
                        0x40, 0, 0, hhea.ascent, hhea.descent, hhea.lineGap,
                        max(0, hhea.ascent), max(0, -hhea.descent), 1, 0, 0, 0, 0, 0x20, 1)
    if typo_asc:
        ascent, descent = typo_asc / upm, -typo_desc / upm
    else:
        ascent, descent = hhea.ascent / upm, -hhea.descent / upm
    post = ff.table("post") if "post" in ff else b""
    post = b"\x00\x03\x00\x00" + (post[4:16] if len(post) >= 16 else b"\0" * 12) + b"\0" * 16
    return {
        "upm": upm, "ascent": ascent, "descent": descent,
        "head": ff.table("head")[:54], "hhea": ff.table("hhea")[:36], "os2": os2, "post": post,
        "name": _name_table(names),
        "widen": widen, "vert": vert, "halt": halt,
    }


# --- per character -----------------------------------------------------------------------------------
class SourceFace:
    """A source face opened for converting glyphs: fast paths where possible, fontTools otherwise."""

    def __init__(self, source: FontSource):
        self.source = source
        self.ff = FontFile(source.path, source.index)
        self.upm = self.ff.units_per_em
        self.reader = None
        self._reader_errors: tuple = ()
        if "CFF " in self.ff:
            from brochure.fonts.outlines import CFFReader, Unsupported
            # what a malformed or unusual glyph makes the fast reader raise: fontTools then decides
            self._reader_errors = (Unsupported, IndexError, ValueError, TypeError, KeyError, ZeroDivisionError)
            try:
                self.reader = CFFReader(self.ff.buf, self.ff.tables["CFF "][0])
            except self._reader_errors:
                self.reader = None
        self._tt = None            # fontTools font, glyph order and glyph set, when needed
        self._cmap = None          # fontTools cmap, when the fast one cannot read the font's

    def _fonttools(self):
        if self._tt is None:
            font = _open_fonttools(self.source.path, self.source.index)
            self._tt = (font, font.getGlyphOrder(), font.getGlyphSet())
        return self._tt

    def glyph_id(self, cp: int) -> int:
        if self._cmap is None:
            try:
                return self.ff.glyph_id(cp)
            except FormatError:
                font, _, _ = self._fonttools()
                self._cmap = {c: font.getGlyphID(n) for c, n in font.getBestCmap().items()}
        return self._cmap.get(cp, 0)

    def advance(self, gid: int) -> int:
        return self.ff.advance(gid)

    def glyph_data(self, gid: int) -> bytes:
        """The TrueType ``glyf`` entry for source glyph ``gid``."""
        if self.reader is not None:
            try:
                return self.reader.glyph_data(gid, self.upm / 1000)
            except self._reader_errors:
                pass
        return self._fonttools_glyph(gid)

    def _fonttools_glyph(self, gid: int) -> bytes:
        from fontTools.pens.cu2quPen import Cu2QuPen
        from fontTools.pens.recordingPen import DecomposingRecordingPen
        from fontTools.pens.ttGlyphPen import TTGlyphPen

        font, order, glyph_set = self._fonttools()
        name = order[gid]
        pen = TTGlyphPen(None)
        if "CFF " in font or "CFF2" in font:
            glyph_set[name].draw(Cu2QuPen(pen, max_err=self.upm / 1000, reverse_direction=True))
        else:   # TrueType already: flatten composites, since only listed glyphs are kept
            recording = DecomposingRecordingPen(glyph_set)
            glyph_set[name].draw(recording)
            recording.replay(pen)
        return pen.glyph().compile(None)


def resolve(face: SourceFace, info: dict, cps) -> dict[int, tuple[int, int]]:
    """For each code point: (glyph that draws it, glyph of its vertical form or 0); MISSING if none."""
    upm = info["upm"]
    widen, vert = info["widen"], info["vert"]
    out = {}
    for cp in cps:
        base = face.glyph_id(cp)
        if not base:
            out[cp] = MISSING
            continue
        glyph = base
        if chr(cp) in FULL_WIDTH_IN_CHINESE and face.advance(glyph) < 0.9 * upm:
            for mapping in widen:
                alt = mapping.get(glyph)
                if alt and face.advance(alt) >= 0.9 * upm:
                    glyph = alt
                    break
        alt = substitute(glyph, vert)
        if alt == glyph:
            alt = substitute(base, vert)
        out[cp] = (glyph, 0 if alt in (glyph, base) else alt)
    return out


def needed_glyphs(resolved: dict) -> set[int]:
    """The glyph ids a font for ``resolved`` characters (``resolve``) is made of, .notdef included."""
    return {0} | {g for rec in resolved.values() if rec[0] >= 0 for g in rec if g}


def convert_glyphs(face: SourceFace, gids) -> dict[int, tuple[int, bytes]]:
    """(advance, glyf entry) of each glyph."""
    return {g: (face.advance(g), face.glyph_data(g)) for g in gids}


# --- in parallel -------------------------------------------------------------------------------------
#: Below this many glyphs a second process costs more than it saves.
PARALLEL_MIN_GLYPHS = 300


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class ChildConversion:
    """A forked child converting some glyphs; ``finish`` collects them, ``abort`` ends it."""

    def __init__(self, pid: int, read_fd: int, gids: list[int]):
        self.pid, self.read_fd, self.gids = pid, read_fd, gids
        self._reaped = False

    def _close(self) -> None:
        if self.read_fd >= 0:
            fd, self.read_fd = self.read_fd, -1
            os.close(fd)

    def _reap(self) -> int:
        if self._reaped:
            return -1
        _, status = os.waitpid(self.pid, 0)
        self._reaped = True               # from here on the pid may belong to another process
        return status

    def finish(self, face: SourceFace) -> dict[int, tuple[int, bytes]]:
        """The child's glyphs; whatever it failed to deliver is converted here."""
        import marshal

        chunks = []
        try:
            while True:
                chunk = os.read(self.read_fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            self._close()
            status = self._reap()
        result = None
        if status == 0:
            try:
                result = marshal.loads(b"".join(chunks))
            except (ValueError, EOFError, TypeError):
                result = None
        if not isinstance(result, dict) or set(result) != set(self.gids):
            result = convert_glyphs(face, self.gids)
        return result

    def abort(self) -> None:
        """Stop the child (its work is no longer wanted) and reap it."""
        import signal

        if not self._reaped:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self._close()
        except OSError:
            pass
        try:
            self._reap()
        except OSError:
            pass


def start_parallel(face: SourceFace, gids: list[int]) -> ChildConversion | None:
    """Convert ``gids`` in a forked child while the caller goes on.

    Returns None (the caller converts them itself) where forking is not safe or
    not worth it: other threads running, one CPU, no ``os.fork``.
    """
    if (len(gids) < PARALLEL_MIN_GLYPHS // 2 or not hasattr(os, "fork") or _cpus() < 2
            or threading.active_count() > 1):
        return None
    import marshal

    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:                                       # the child: convert, send, leave at once
        status = 1
        try:
            os.close(read_fd)
            data = marshal.dumps(convert_glyphs(face, gids))
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
            status = 0
        except BaseException:
            pass
        finally:
            os._exit(status)
    os.close(write_fd)
    return ChildConversion(pid, read_fd, list(gids))


# --- assembling a font ----------------------------------------------------------------------------------
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

