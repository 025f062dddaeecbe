"""Set one chosen line: trim its edges, squeeze or spread it, place every glyph.

Justified lines reach the measure exactly.  Squeezing goes in clreq's order:
word spaces, interpuncts, brackets, commas, CJK–Latin spacing, full stops.
Spreading fills word spaces, then CJK–Latin spacing, then shares what is left
evenly between all the gaps that may widen.  A paragraph's last line (and any
line that is not justified) keeps its natural spacing and is aligned.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from brochure.text.linebreak import LineSpec
from brochure.text.shaping import STRETCH_CJK_LATIN, STRETCH_WORD_SPACE, Shaped


@dataclass
class Glyph:
    char: str          # the character drawn (after layout mapping)
    x: float           # pt from the line box's left edge to the glyph origin
    advance: float     # pt, the glyph's own advance
    piece: int         # index of the atom it belongs to (Western runs share one)
    kind: str          # han | punct | dash | word | space | upright (縦中横 in vertical text)


@dataclass
class Line:
    glyphs: list[Glyph]
    natural_width: float       # pt, before squeezing/spreading
    width: float               # pt, right edge of the set text from the line box's left edge
    measure: float             # pt, the line box width
    is_last: bool
    start: int = 0             # span of the caller's text this line sets
    end: int = 0
    left: float = 0.0          # pt, where the text starts (indent or alignment offset)

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)


@dataclass
class _Slots:
    """Amounts to take from (or add to) the pieces' sides and the gaps of one line."""

    piece_left: dict[int, float] = field(default_factory=dict)
    piece_right: dict[int, float] = field(default_factory=dict)
    gap: dict[int, float] = field(default_factory=dict)   # reduction of a gap (negative: widening)


def _share(slots: list[tuple[str, int, float]], amount: float, out: _Slots, sign: float) -> float:
    """Spread ``amount`` over slots in proportion to their capacity; return what is left."""
    cap = sum(c for _, _, c in slots)
    if cap <= 0 or amount <= 0:
        return amount
    take = min(amount, cap)
    for where, i, c in slots:
        part = c * take / cap
        target = {"l": out.piece_left, "r": out.piece_right, "g": out.gap}[where]
        target[i] = target.get(i, 0.0) + sign * part
    return amount - take


def _squeeze(shaped: Shaped, a: int, b: int, deficit: float, out: _Slots) -> None:
    by_class: dict[int, list] = {}
    for i in range(a, b - 1):
        g = shaped.gaps[i]
        if g.shrink > 0:
            by_class.setdefault(g.shrink_class, []).append(("g", i, g.shrink))
    for i in range(a, b):
        p = shaped.pieces[i]
        if i > a and p.spare_left > 0:
            by_class.setdefault(p.shrink_class, []).append(("l", i, p.spare_left))
        if i < b - 1 and p.spare_right > 0:
            by_class.setdefault(p.shrink_class, []).append(("r", i, p.spare_right))
    for cls in sorted(by_class):
        deficit = _share(by_class[cls], deficit, out, 1.0)
        if deficit <= 1e-9:
            return
    # anything left stays overfull (only for unbreakable material wider than the measure)


def _spread(shaped: Shaped, a: int, b: int, excess: float, out: _Slots) -> None:
    gaps = range(a, b - 1)
    for cls in (STRETCH_WORD_SPACE, STRETCH_CJK_LATIN):
        slots = [("g", i, shaped.gaps[i].stretch) for i in gaps
                 if shaped.gaps[i].stretch > 0 and shaped.gaps[i].stretch_class == cls]
        excess = _share(slots, excess, out, -1.0)
    if excess <= 1e-9 or not gaps:
        return
    even = [i for i in gaps if shaped.gaps[i].even] or list(gaps)
    each = excess / len(even)
    for i in even:
        out.gap[i] = out.gap.get(i, 0.0) - each


def set_line(shaped: Shaped, spec: LineSpec, measure: float, indent: float,
             align: str, is_last: bool) -> Line:
    """Place the glyphs of pieces spec.start..spec.end-1 in a line box ``measure`` wide."""
    a, b = spec.start, spec.end
    pieces, gaps = shaped.pieces, shaped.gaps
    lead = indent if a == 0 else 0.0
    cuts = _Slots()
    cuts.piece_left[a] = pieces[a].start_cut()
    cuts.piece_right[b - 1] = cuts.piece_right.get(b - 1, 0.0) + pieces[b - 1].end_cut()
    diff = measure - spec.natural
    justify = align == "justify" and not is_last
    if diff < -1e-9:
        _squeeze(shaped, a, b, -diff, cuts)
    elif diff > 1e-9 and justify:
        _spread(shaped, a, b, diff, cuts)

    glyphs: list[Glyph] = []
    pen = 0.0
    for i in range(a, b):
        p = pieces[i]
        lcut = p.cut_left + cuts.piece_left.get(i, 0.0)
        rcut = p.cut_right + cuts.piece_right.get(i, 0.0)
        x = pen - lcut
        if p.upright_pair:
            glyphs.extend(Glyph(c, pen, p.width, i, "upright") for c in p.chars)
        else:
            for ch, adv in zip(p.chars, p.advances):
                glyphs.append(Glyph(ch, x, adv, i, p.atom.kind))
                x += adv
        pen += p.width - lcut - rcut
        if i < b - 1:
            g = gaps[i]
            if g.space:
                glyphs.append(Glyph(" ", pen, shaped.space_advance, i, "space"))
            pen += g.width - cuts.gap.get(i, 0.0)
    width = pen
    if align in ("center", "right"):
        room = measure - lead - width
        lead += room / 2 if align == "center" else room
    for gl in glyphs:
        gl.x += lead
    return Line(glyphs, spec.natural, width + lead, measure, is_last,
                pieces[a].atom.start, pieces[b - 1].atom.end, lead)
