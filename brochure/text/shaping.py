"""Give atoms their widths and the spacing between them, from the face's metrics.

Produces ``Piece``s (atoms with advances and trimmable punctuation space) and
``Gap``s (what lies between two pieces: CJK–Latin spacing, a word space, how
far it may stretch or shrink, and whether a line may break there).

Punctuation compression (标点挤压) is decided here where it does not depend on
line breaks: of two adjacent marks the inner empty half goes (``。」`` ``，“``
``）（`` become 1.5 em).  The trims that do depend on breaks (closing mark at a
line end, opening bracket at a line start) are left to ``linebreak``/``line``
through ``start_cut``/``end_cut``.

A Western run (or ``——``/``……``) wider than the measure cannot be set whole,
so ``allow_emergency_breaks`` cuts it into characters joined by *emergency*
gaps, where ``linebreak`` may break only at a high cost (TeX's emergency pass,
CSS ``overflow-wrap: anywhere``).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from brochure.text.classes import (
    BRACKETS, COMMAS, CONNECTORS, INTERPUNCTS, OPENING, SOLIDI,
)
from brochure.text.prepare import DASH, HAN, PUNCT, WORD, Atom, atoms

# Shrink priorities (clreq/RULES.md §2 "Reduce first, in this order")
SHRINK_WORD_SPACE, SHRINK_INTERPUNCT, SHRINK_BRACKET, SHRINK_COMMA, SHRINK_CJK_LATIN, SHRINK_STOP = range(6)
# Stretch priorities ("Then expand: word spaces, then CJK–Latin spacing, then all gaps evenly")
STRETCH_WORD_SPACE, STRETCH_CJK_LATIN = range(2)

EVEN_STRETCH_EM = 0.08   # per gap: the scale of "acceptable" letter-spacing for line breaking
WORD_SPACE_MIN_EM, WORD_SPACE_MAX_EM = 0.25, 0.5
CJK_LATIN_MIN_FACTOR = 0.5     # ¼ em may shrink to ⅛ em
CJK_LATIN_MAX_FACTOR = 2.0     # ... and grow to ½ em


@dataclass
class Piece:
    atom: Atom
    chars: str                  # characters to draw (vertical forms not applied here)
    advances: list[float]       # pt, one per character
    width: float                # pt, sum of advances (natural, uncut)
    cut_left: float = 0.0       # pt removed for good (adjacent-mark compression)
    cut_right: float = 0.0
    spare_left: float = 0.0     # pt that may still be trimmed (shrink / line start)
    spare_right: float = 0.0    # pt that may still be trimmed (shrink / line end)
    shrink_class: int = SHRINK_STOP
    upright_pair: bool = False  # vertical setting: 1–2 Western characters set across the column

    @property
    def set_width(self) -> float:
        """Width after the fixed cuts (before any line-dependent trimming)."""
        return self.width - self.cut_left - self.cut_right

    @property
    def shrink(self) -> float:
        return self.spare_left + self.spare_right

    def start_cut(self) -> float:
        """What this piece loses when it begins a line (an opening bracket goes half width)."""
        return self.spare_left if self.atom.kind == PUNCT and self.chars[0] in OPENING else 0.0

    def end_cut(self) -> float:
        """What this piece loses when it ends a line (a full-width mark goes half width)."""
        return self.spare_right if self.atom.kind == PUNCT else 0.0


@dataclass
class Gap:
    width: float = 0.0          # pt, natural spacing between the two pieces
    space: bool = False         # the text has whitespace here (drawn as one U+0020)
    stretch: float = 0.0        # pt, capped stretch of the spacing
    stretch_class: int = STRETCH_WORD_SPACE
    shrink: float = 0.0         # pt
    shrink_class: int = SHRINK_WORD_SPACE
    even: bool = True           # takes part in spreading a justified line evenly
    allowed: bool = True        # a line may break here (kinsoku)
    emergency: bool = False     # inside a run too wide for the measure: a break here is a last resort


@dataclass
class Shaped:
    pieces: list[Piece]
    gaps: list[Gap]             # gaps[i] lies between pieces[i] and pieces[i+1]
    size: float
    space_advance: float        # pt, the face's U+0020


def _shrink_class(ch: str) -> int:
    if ch in INTERPUNCTS:
        return SHRINK_INTERPUNCT
    if ch in BRACKETS:
        return SHRINK_BRACKET
    if ch in COMMAS:
        return SHRINK_COMMA
    return SHRINK_STOP        # full stops, ？！ and anything else squeeze last


# a gap next to one of these does not take part in spreading a line evenly
_UNEVEN_EDGE = CONNECTORS | SOLIDI


def _advance(face, ch: str) -> float:
    return face.advance(ch) if face.has(ch) else 1.0


class _Advances(dict):
    """Advances in pt, by character, for one face and size: each character is looked up once.

    A paragraph repeats many of its characters; shaping it asks the face only
    about the ones it has not seen yet.
    """

    def __init__(self, face, size: float):
        super().__init__()
        self.face, self.size = face, size

    def __missing__(self, ch: str) -> float:
        adv = self[ch] = _advance(self.face, ch) * self.size
        return adv


def _piece(atom: Atom, advances: _Advances, face, size: float, vertical: bool) -> Piece:
    adv = [advances[c] for c in atom.text]
    piece = Piece(atom, atom.text, adv, sum(adv))
    if atom.kind == PUNCT:
        left, right = face.halt(atom.text)
        piece.spare_left, piece.spare_right = left * size, right * size
        piece.shrink_class = _shrink_class(atom.text)
    if vertical and atom.kind == WORD and len(atom.text) <= 2:
        piece.upright_pair = True
        piece.width = size       # 縦中横: the pair takes one em of the column
    return piece


def shape(text: str, style, vertical: bool = False) -> Shaped:
    """Pieces and gaps for ``text`` set in ``style`` (face, size, cjk_latin_space)."""
    face, size = style.face, style.size
    advances = _Advances(face, size)
    pieces = [_piece(a, advances, face, size, vertical) for a in atoms(text)]
    space_adv = advances[" "]
    cjk_latin = style.cjk_latin_space * size
    gaps: list[Gap] = []
    for left, right in zip(pieces, pieces[1:]):
        a, b = left.atom, right.atom
        gap = Gap(space=b.space_before)
        han_latin = ((a.kind == HAN and b.western_start and not right.upright_pair)
                     or (a.western_end and not left.upright_pair and b.kind == HAN))
        if han_latin:
            # ¼ em whether or not the text has a space there: never doubled
            gap.width = cjk_latin
            gap.stretch = cjk_latin * (CJK_LATIN_MAX_FACTOR - 1)
            gap.stretch_class = STRETCH_CJK_LATIN
            gap.shrink = cjk_latin * (1 - CJK_LATIN_MIN_FACTOR)
            gap.shrink_class = SHRINK_CJK_LATIN
        elif gap.space and a.kind == WORD and b.kind == WORD:
            gap.width = max(space_adv, WORD_SPACE_MIN_EM * size)
            gap.stretch = max(0.0, WORD_SPACE_MAX_EM * size - gap.width)
            gap.shrink = max(0.0, gap.width - WORD_SPACE_MIN_EM * size)
        elif gap.space and PUNCT not in (a.kind, b.kind):
            gap.width = WORD_SPACE_MIN_EM * size     # e.g. 中 。。。 or a dash next to a word
        # (a space next to a full-width mark adds nothing: the mark has its own)

        # adjacent marks: the inner empty half goes (not where the writer put a space
        # between them, as between the two halves of a headline: ”　“ keeps its em)
        if a.kind == PUNCT and b.kind == PUNCT and not gap.space:
            if left.spare_right > 0:
                left.cut_right += left.spare_right
                left.spare_right = 0.0
            elif right.spare_left > 0:
                right.cut_left += right.spare_left
                right.spare_left = 0.0

        gap.allowed = not (b.no_start or a.no_end)
        gap.even = not (a.text[-1] in _UNEVEN_EDGE or b.text[0] in _UNEVEN_EDGE
                        or (a.kind == DASH and b.kind == DASH))
        gaps.append(gap)
    return Shaped(pieces, gaps, size, space_adv)


def _clusters(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that may not be split: a character with its combining marks."""
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if spans and (unicodedata.combining(ch) or ch in "\u200d\ufe0e\ufe0f"):
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans


def _fragments(piece: Piece) -> tuple[list[Piece], list[Gap]]:
    """``piece`` cut into one piece per character, joined by emergency gaps."""
    atom = piece.atom
    spans = _clusters(piece.chars)
    out: list[Piece] = []
    for k, (i, j) in enumerate(spans):
        part = Atom(atom.text[i:j], atom.kind, atom.start + i, atom.start + j,
                    atom.space_before if k == 0 else False)
        adv = piece.advances[i:j]
        out.append(Piece(part, piece.chars[i:j], adv, sum(adv)))
    out[0].cut_left, out[0].spare_left = piece.cut_left, piece.spare_left
    out[-1].cut_right, out[-1].spare_right = piece.cut_right, piece.spare_right
    gaps = [Gap(allowed=not (b.atom.no_start or a.atom.no_end), emergency=True,
                even=not (a.atom.kind == DASH or b.chars[0] in _UNEVEN_EDGE
                          or a.chars[-1] in _UNEVEN_EDGE))
            for a, b in zip(out, out[1:])]
    return out, gaps


def allow_emergency_breaks(shaped: Shaped, measure: float) -> Shaped:
    """``shaped`` with every unbreakable run wider than ``measure`` pt cut into characters.

    The cuts are emergency gaps: ``linebreak`` breaks there only when the run
    cannot be set otherwise, so normal text is unchanged.
    """
    wide = [i for i, p in enumerate(shaped.pieces)
            if p.atom.kind in (WORD, DASH) and not p.upright_pair and len(p.chars) > 1
            and p.set_width > measure + 1e-6]
    if not wide:
        return shaped
    pieces: list[Piece] = []
    gaps: list[Gap] = []
    wide_set = set(wide)
    for i, p in enumerate(shaped.pieces):
        if i > 0:
            gaps.append(shaped.gaps[i - 1])
        if i in wide_set:
            parts, inner = _fragments(p)
            pieces.extend(parts)
            gaps.extend(inner)
        else:
            pieces.append(p)
    return replace(shaped, pieces=pieces, gaps=gaps)
