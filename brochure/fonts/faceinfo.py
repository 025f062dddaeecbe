"""What every conversion of one source face needs, read once per face (with fontTools).

A converted font has no GSUB/GPOS, so layout's needs are read here: the
``halt`` trims of punctuation, the vertical forms (``vert``) and the full-width
forms (``locl``/``fwid``) of marks Chinese sets on a full em; and the header
tables a new font copies (head, hhea, OS/2, post, names).  The result is a
plain dict, kept in the face's glyph store.
"""
from __future__ import annotations

import struct
from pathlib import Path

from brochure.fonts.discover import FontSource
from brochure.fonts.opentype import feature_lookups, single_adjustments, single_substitutions
from brochure.fonts.sfnt import FontFile


def open_fonttools(path: Path, index: int):
    """The face at ``index`` of ``path`` opened lazily with fontTools."""
    from fontTools.ttLib import TTFont   # fontTools loads only when a face must be converted

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
    font = open_fonttools(source.path, source.index)
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
