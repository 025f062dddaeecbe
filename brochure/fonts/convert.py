"""Build a small TrueType-outline font that ReportLab can embed, plus its metrics.

ReportLab embeds only ``glyf`` fonts; Noto CJK ships CFF outlines in TTC
collections.  For just the characters a document needs, this module draws each
glyph of the source face through cu2qu into a TrueType glyph and assembles a
new font with fontTools' FontBuilder (no subsetter, no layout closure: about a
second per face instead of many).

While the source is open it also records what layout needs and the new font
cannot carry (it has no GSUB/GPOS): advance widths, the ``halt`` trims of
punctuation, and the vertical forms.  Vertical-form glyphs are given Private
Use code points in the new font's cmap so they can be drawn like characters.

Chinese text wants some marks full width that Noto CJK SC maps to
proportional glyphs (``·`` U+00B7 and ``—`` U+2014): the new cmap points those
code points at the font's full-width forms (from ``locl``/``fwid``).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from brochure.fonts.discover import FontSource
from brochure.fonts.opentype import (
    feature_lookups, single_adjustments, single_substitutions, substitute,
)

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


def _open(source: FontSource):
    from fontTools.ttLib import TTFont

    suffix = source.path.suffix.lower()
    if suffix in (".ttc", ".otc"):
        return TTFont(str(source.path), fontNumber=source.index, lazy=True)
    return TTFont(str(source.path), lazy=True)


def _ink_trims(glyph, advance: int, upm: int) -> tuple[float, float]:
    """Fallback trims from the glyph's ink: empty quarter-ems on each side, at most half an em."""
    if not hasattr(glyph, "xMin") or glyph.numberOfContours == 0:
        return (0.0, 0.0)
    quarter = upm / 4
    left = min(2, int(max(0, glyph.xMin) // quarter)) * 0.25
    right = min(2, int(max(0, advance - glyph.xMax) // quarter)) * 0.25
    if left + right > 0.5:       # never trim more than half the box in all
        left, right = (0.5, 0.0) if left >= right else (0.0, 0.5)
    return (left, right)


def build_ttf(source: FontSource, chars: set[str]) -> tuple[bytes, Metrics]:
    """Convert the needed part of ``source`` to a TrueType font; return its bytes and metrics."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    font = _open(source)
    upm = font["head"].unitsPerEm
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    gsub = font["GSUB"].table if "GSUB" in font else None
    gpos = font["GPOS"].table if "GPOS" in font else None

    widen = (single_substitutions(gsub, feature_lookups(gsub, "locl"))
             + single_substitutions(gsub, feature_lookups(gsub, "fwid"))) if gsub else []
    vert = single_substitutions(gsub, feature_lookups(gsub, "vert")) if gsub else []

    # 1. which glyph draws each character
    drawn: dict[str, str] = {}
    for ch in sorted(chars):
        glyph = cmap.get(ord(ch))
        if glyph is None:
            continue
        if ch in FULL_WIDTH_IN_CHINESE and hmtx[glyph][0] < 0.9 * upm:
            for mapping in widen:
                alt = mapping.get(glyph)
                if alt and hmtx[alt][0] >= 0.9 * upm:
                    glyph = alt
                    break
        drawn[ch] = glyph

    # 2. vertical forms, each at a Private Use code point not otherwise in use
    verts: dict[str, int] = {}
    vert_glyph: dict[int, str] = {}
    next_pua = PUA_START
    for ch, glyph in drawn.items():
        alt = substitute(glyph, vert)
        if alt == glyph:
            alt = substitute(cmap[ord(ch)], vert)
        if alt in (glyph, cmap[ord(ch)]):
            continue
        while next_pua <= PUA_END and chr(next_pua) in drawn:
            next_pua += 1
        if next_pua > PUA_END:
            break
        verts[ch] = next_pua
        vert_glyph[next_pua] = alt
        next_pua += 1

    # 3. outlines: CFF cubics -> TrueType quadratics
    order = sorted({".notdef", *drawn.values(), *vert_glyph.values()}, key=font.getGlyphID)
    glyph_set = font.getGlyphSet()
    is_cff = "CFF " in font or "CFF2" in font
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        if is_cff:
            glyph_set[name].draw(Cu2QuPen(pen, max_err=upm / 1000, reverse_direction=True))
        else:   # TrueType already: flatten composites, since only listed glyphs are kept
            recording = DecomposingRecordingPen(glyph_set)
            glyph_set[name].draw(recording)
            recording.replay(pen)
        glyphs[name] = pen.glyph()

    # 4. assemble the new font
    fb = FontBuilder(upm, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({**{ord(c): g for c, g in drawn.items()}, **vert_glyph})
    fb.setupGlyf(glyphs)
    glyf = fb.font["glyf"]
    fb.setupHorizontalMetrics({n: (hmtx[n][0], getattr(glyf[n], "xMin", 0)) for n in order})
    hhea = font["hhea"]
    fb.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
    name = font["name"]
    ps_name = name.getDebugName(6) or (source.family + "-" + source.style).replace(" ", "")
    fb.setupNameTable({
        "familyName": name.getDebugName(1) or source.family,
        "styleName": name.getDebugName(2) or source.style,
        "typographicFamily": name.getDebugName(16) or source.family,
        "typographicSubfamily": name.getDebugName(17) or source.style,
        "fullName": name.getDebugName(4) or f"{source.family} {source.style}",
        "psName": ps_name,
        "version": name.getDebugName(5) or "Version 1.0",
        "copyright": name.getDebugName(0) or "",
        "licenseDescription": name.getDebugName(13) or "",
        "licenseInfoURL": name.getDebugName(14) or "",
    }, mac=False)
    os2 = font["OS/2"] if "OS/2" in font else None
    if os2 is not None:
        keep = ("usWeightClass", "usWidthClass", "fsType", "panose", "sTypoAscender",
                "sTypoDescender", "sTypoLineGap", "usWinAscent", "usWinDescent", "fsSelection",
                "achVendID", "ulCodePageRange1", "ulCodePageRange2", "sxHeight", "sCapHeight",
                "ySubscriptXSize", "ySubscriptYSize", "ySuperscriptXSize", "ySuperscriptYSize",
                "yStrikeoutSize", "yStrikeoutPosition", "sFamilyClass")
        fb.setupOS2(**{k: getattr(os2, k) for k in keep if hasattr(os2, k)})
    else:
        fb.setupOS2(sTypoAscender=hhea.ascent, sTypoDescender=hhea.descent,
                    usWinAscent=hhea.ascent, usWinDescent=-hhea.descent)
    fb.setupPost(keepGlyphNames=False)
    head = font["head"]
    fb.font["head"].fontRevision = head.fontRevision
    fb.font["head"].macStyle = head.macStyle
    out = io.BytesIO()
    fb.save(out)

    # 5. metrics for layout
    if os2 is not None and os2.sTypoAscender:
        ascent, descent = os2.sTypoAscender / upm, -os2.sTypoDescender / upm
    else:
        ascent, descent = hhea.ascent / upm, -hhea.descent / upm
    halt = single_adjustments(gpos, feature_lookups(gpos, "halt"), set(drawn.values())) if gpos else {}
    metrics = Metrics(source.family, source.style, ascent, descent)
    for ch, glyph in drawn.items():
        advance = hmtx[glyph][0]
        metrics.advances[ch] = advance / upm
        if glyph in halt:
            dx, da = halt[glyph]
            left = max(0.0, -dx / upm)
            right = max(0.0, (-da + dx) / upm)
            metrics.halts[ch] = (left, right)
        elif _is_cjk_punct(ch) and advance >= 0.9 * upm:
            trims = _ink_trims(glyf[glyph], advance, upm)
            if trims != (0.0, 0.0):
                metrics.halts[ch] = trims
    metrics.verts = verts
    return out.getvalue(), metrics
