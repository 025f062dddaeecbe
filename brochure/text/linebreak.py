"""Choose where lines break: Knuth–Plass total fit over the whole paragraph.

Every legal break sequence is scored, and the cheapest one wins.
* Kinsoku (禁则) makes breaks illegal, not merely costly.  Only if no legal
  sequence exists (e.g. a run of marks longer than a line) does a second pass
  admit them, at a price.
* Badness grows with the cube of how far a line stretches or shrinks relative
  to what it can.  Shrinking (squeezing punctuation, 先挤进) counts less than
  stretching (推出), so compression is preferred.
* Neighbouring lines whose tightness classes differ by more than one pay extra.
  This keeps a loose line from sitting next to a tight one.
* A last line holding one character, or one character and its punctuation
  (孤字), pays enough that it happens only when nothing else is possible.
* A Western run (or ``——``/``……``) wider than the measure has been cut into
  characters (``shaping.allow_emergency_breaks``).  A break inside it costs more
  than anything but an overfull line, so a run is split only when it cannot be set
  whole, and into as few lines as possible.  No line is ever wider than the measure
  unless a single character is.
* Display lines (``break_lines(..., words=...)``: headlines, summaries, labels,
  honour items) are broken by sense as well.  ``words`` maps each position where a
  word begins (``brochure.text.words``) to how freely a line may break there: a
  break inside a word costs ``WORD_SPLIT``, between two single-character words
  ``LOOSE_BREAK``; a last line of ``SHORT_LAST_CHARS`` characters or fewer costs
  ``SHORT_LAST``; and a ragged (not justified) display text scores its last line
  like the others, so its lines come out about equally long (balanced).  All three
  rank below a lone character and far above any spacing, so a word is split only
  where no line could otherwise be set.
"""
from __future__ import annotations

from dataclasses import dataclass

from brochure.text.prepare import DASH, HAN, WORD
from brochure.text.shaping import EVEN_STRETCH_EM, Shaped

LINE_PENALTY = 10.0
FITNESS_MISMATCH = 3000.0
# The penalties rank the faults: a line spread as far as badness goes ((10 + 1e7)² ≈ 1e14)
# is still better than a lone last character, which is better than breaking kinsoku
# (only in the fallback pass), which is better than breaking inside a word (only where it
# is wider than the measure), which is better than a line sticking out of the measure.
LONE_CHARACTER = 1e15
KINSOKU_VIOLATION = 1e16
EMERGENCY_BREAK = 1e17
OVERFULL = 1e18
WORD_SPLIT = 1e10            # display lines: a break inside a word (美丽经/济)
SHORT_LAST = 1e9             # display lines: a last line of a few characters (格局。)
LOOSE_BREAK = 3e5            # display lines: between two one-character words, or before a bracket group
SHORT_LAST_CHARS = 4
SHRINK_WEIGHT = 0.5          # squeezing is cheaper than spreading
RAGGED_STRETCH_EM = 3.0      # for left/centre/right aligned text


@dataclass
class LineSpec:
    start: int                 # first piece
    end: int                   # one past the last piece
    natural: float             # pt, with line-edge trims and indent
    stretch: float
    shrink: float


class _Sums:
    """Prefix sums so that any candidate line is measured in O(1).

    Besides the running totals, the line-edge trims of each piece (``start_cut``,
    ``end_cut``) and what it can give up when it sits alone on a line are kept in
    plain lists: ``_total_fit`` reads them for every candidate line.
    """

    def __init__(self, shaped: Shaped):
        p, g, size = shaped.pieces, shaped.gaps, shaped.size
        self.pieces = p
        self.width = [0.0]
        self.shrink = [0.0]
        for piece in p:
            self.width.append(self.width[-1] + piece.set_width)
            self.shrink.append(self.shrink[-1] + piece.shrink)
        self.gap_width = [0.0]
        self.gap_stretch = [0.0]
        self.gap_shrink = [0.0]
        for gap in g:
            self.gap_width.append(self.gap_width[-1] + gap.width)
            self.gap_stretch.append(self.gap_stretch[-1] + gap.stretch + (EVEN_STRETCH_EM * size if gap.even else 0.0))
            self.gap_shrink.append(self.gap_shrink[-1] + gap.shrink)
        self.start_cut = [piece.start_cut() for piece in p]
        self.end_cut = [piece.end_cut() for piece in p]
        self.spare_left = [piece.spare_left for piece in p]
        self.spare_right = [piece.spare_right for piece in p]
        # a piece alone on a line: only its own spare space can go
        self.lone_shrink = [max(0.0, piece.shrink - piece.spare_left - piece.spare_right) for piece in p]

    def line(self, a: int, b: int, indent: float) -> LineSpec:
        first, last = self.pieces[a], self.pieces[b - 1]
        natural = (self.width[b] - self.width[a] + self.gap_width[b - 1] - self.gap_width[a]
                   - first.start_cut() - last.end_cut() + (indent if a == 0 else 0.0))
        shrink = (self.shrink[b] - self.shrink[a] - first.spare_left - last.spare_right
                  + self.gap_shrink[b - 1] - self.gap_shrink[a])
        stretch = self.gap_stretch[b - 1] - self.gap_stretch[a]
        if a == b - 1:
            shrink = max(0.0, first.shrink - first.spare_left - first.spare_right)
        return LineSpec(a, b, natural, stretch, max(0.0, shrink))


def _fitness(r: float) -> int:
    if r < -0.5:
        return 0
    if r <= 0.5:
        return 1
    return 2 if r <= 1.0 else 3


# _FAR[fit][prev]: neighbouring lines' fitness classes differ by more than one
_FAR = tuple(tuple(abs(prev - fit) > 1 for prev in range(4)) for fit in range(4))
_NEAR = (False,) * 4           # the first line has no neighbour above


def _letters_from(pieces) -> list[int]:
    """letters[a]: how many pieces from ``a`` to the end are characters, not punctuation (for 孤字)."""
    letters = [0] * (len(pieces) + 1)
    for i in range(len(pieces) - 1, -1, -1):
        letters[i] = letters[i + 1] + (pieces[i].atom.kind in (HAN, WORD, DASH))
    return letters


def _characters_from(pieces) -> list[int]:
    """chars[a]: how many characters from piece ``a`` to the end are not punctuation (a short last line)."""
    chars = [0] * (len(pieces) + 1)
    for i in range(len(pieces) - 1, -1, -1):
        chars[i] = chars[i + 1] + (len(pieces[i].atom.text) if pieces[i].atom.kind in (HAN, WORD, DASH) else 0)
    return chars


def _display_costs(pieces, words: dict[int, int]) -> list[float]:
    """cost[a]: what breaking before piece ``a`` costs in a display line, from the word boundaries."""
    from brochure.text.words import LOOSE, WORD as BETWEEN_WORDS
    cost = [0.0] * len(pieces)
    for a in range(1, len(pieces)):
        strength = words.get(pieces[a].atom.start)
        if pieces[a].atom.space_before or strength == BETWEEN_WORDS:
            continue
        cost[a] = LOOSE_BREAK if strength == LOOSE else WORD_SPLIT
    return cost


def break_lines(shaped: Shaped, measure: float, indent: float = 0.0, justify: bool = True,
                words: dict[int, int] | None = None) -> list[LineSpec]:
    """The best sequence of lines for the paragraph (one LineSpec per line); ``words`` (the word
    boundaries, ``brochure.text.words``) sets it as a display line: by sense, balanced when ragged."""
    n = len(shaped.pieces)
    if n == 0:
        return []
    result = _total_fit(shaped, measure, indent, justify, strict=True, words=words)
    if result is None:
        result = _total_fit(shaped, measure, indent, justify, strict=False, words=words)
    return result


def single_line(shaped: Shaped, indent: float = 0.0) -> LineSpec:
    """The whole paragraph as one line (for headings and copy-fitting)."""
    return _Sums(shaped).line(0, len(shaped.pieces), indent)


def _total_fit(shaped: Shaped, measure: float, indent: float, justify: bool, strict: bool, words=None):
    """The cheapest break sequence as LineSpecs, or None if no sequence is possible.

    This is the inner loop of all text setting: every (start, end) pair of pieces
    that could form a line is measured and scored.  So the candidates are not
    built as LineSpecs -- their width, shrink and stretch live in local variables,
    the scoring of ``_line_demerits`` is written out in place, and only the lines
    of the winning sequence become LineSpecs (through ``_Sums.line``, at the end).
    Every sum is formed in the same order as in ``_Sums.line`` and
    ``_line_demerits``, so each comparison sees exactly the same floating-point
    values and the same breaks win.

    Active breakpoints are kept per position: ``nodes[b]`` maps a fitness class
    to the least total demerits of a sequence ending there, in the order the
    classes were first reached (ties go to the earlier one), and ``links[b]``
    maps it to where that sequence's last line starts and the class before it.
    """
    pieces, gaps, size = shaped.pieces, shaped.gaps, shaped.size
    n = len(pieces)
    sums = _Sums(shaped)
    width, gap_width = sums.width, sums.gap_width
    shrinks, gap_shrink, gap_stretch = sums.shrink, sums.gap_shrink, sums.gap_stretch
    start_cut, end_cut = sums.start_cut, sums.end_cut
    spare_left, spare_right, lone_shrink = sums.spare_left, sums.spare_right, sums.lone_shrink
    lead = [indent] + [0.0] * n      # the indent belongs to the first line only
    ragged = RAGGED_STRETCH_EM * size
    slack = 2 * size                 # line-edge trims make widths only nearly monotonic
    too_wide = measure + slack
    shrink_scale = SHRINK_WEIGHT * 100
    last_demerits = LINE_PENALTY ** 2
    # what breaking before piece a costs on top of the line itself
    kinsoku = [False] + [not g.allowed for g in gaps]
    emergency = [False] + [g.emergency for g in gaps]
    letters = _letters_from(pieces)
    display = words is not None
    if display:
        inside = _display_costs(pieces, words)
        chars = _characters_from(pieces)
        balance = not justify            # a ragged display text: the last line is scored as the others

    nodes: list[dict[int, float] | None] = [None] * (n + 1)
    links: list[dict[int, tuple[int, int]] | None] = [None] * (n + 1)
    nodes[0] = {1: 0.0}
    for b in range(1, n + 1):
        if b < n and strict and not gaps[b - 1].allowed:
            continue
        last = b == n
        here: dict[int, float] = {}
        link: dict[int, tuple[int, int]] = {}
        # the parts of every candidate's sums that depend only on where it ends
        width_b, gap_width_b, end_cut_b = width[b], gap_width[b - 1], end_cut[b - 1]
        shrink_b, spare_right_b, gap_shrink_b = shrinks[b], spare_right[b - 1], gap_shrink[b - 1]
        gap_stretch_b = gap_stretch[b - 1]
        lone = b - 1                 # a line of one piece is always a candidate
        for a in range(lone, -1, -1):
            natural = (width_b - width[a] + gap_width_b - gap_width[a]
                       - start_cut[a] - end_cut_b + lead[a])
            if a == lone:
                shrink = lone_shrink[a]
            else:
                shrink = (shrink_b - shrinks[a] - spare_left[a] - spare_right_b
                          + gap_shrink_b - gap_shrink[a])
                if not shrink > 0.0:
                    shrink = 0.0
                if natural - shrink > too_wide:
                    break
            starts = nodes[a]
            if starts is None:
                continue

            # the line's demerits and fitness class (as _line_demerits)
            diff = measure - natural
            if diff < -1e-6:
                if diff < -shrink - 1e-6:
                    if a < lone and strict:
                        continue
                    demerits = OVERFULL * (1 + natural - shrink - measure)
                    fit = 1
                else:
                    r = diff / shrink
                    badness = shrink_scale * abs(r) ** 3
                    demerits = (LINE_PENALTY + badness) ** 2
                    # r < 0 here, so the class is tight (0) or decent (1)
                    fit = 1 if last or r >= -0.5 else 0
            elif last and not (display and balance and a > 0):
                demerits = last_demerits
                fit = 1
            else:
                stretch = gap_stretch_b - gap_stretch[a] if justify else ragged
                # a line with nothing to spread (one unbreakable unit) and room left stays ragged: worst case
                r = diff / stretch if stretch > 0 else (0.0 if diff < 1e-6 else 1e3)
                badness = 100 * r ** 3
                if badness > 1e7:
                    badness = 1e7
                demerits = (LINE_PENALTY + badness) ** 2
                fit = 0 if r < -0.5 else 1 if r <= 0.5 else 2 if r <= 1.0 else 3

            if kinsoku[a]:
                demerits += KINSOKU_VIOLATION
            if emergency[a]:
                demerits += EMERGENCY_BREAK
            if last and a > 0 and letters[a] <= 1:
                demerits += LONE_CHARACTER
            if display:
                demerits += inside[a]
                if last and a > 0 and chars[a] <= SHORT_LAST_CHARS:
                    demerits += SHORT_LAST
            far = _FAR[fit] if a > 0 else _NEAR
            best = here.get(fit)
            best_from = None
            for prev_fit, prev_total in starts.items():
                total = prev_total + demerits
                if far[prev_fit]:
                    total += FITNESS_MISMATCH
                if best is None or total < best:
                    best, best_from = total, prev_fit
            if best_from is not None:
                here[fit] = best
                link[fit] = (a, best_from)
        if here:
            nodes[b], links[b] = here, link
    finals = nodes[n]
    if not finals:
        return None
    fit = min(finals, key=finals.__getitem__)
    lines = []
    b = n
    while b > 0:
        a, prev_fit = links[b][fit]
        lines.append(sums.line(a, b, indent))
        b, fit = a, prev_fit
    return lines[::-1]


def _line_demerits(spec: LineSpec, measure: float, last: bool, justify: bool, ragged: float):
    """(demerits, fitness class) of one line, or (None, 1) if it cannot be made to fit.

    ``_total_fit`` scores its candidates with this same arithmetic, written out in place.
    """
    diff = measure - spec.natural
    if diff < -1e-6:
        if diff < -spec.shrink - 1e-6:
            return None, 1
        r = diff / spec.shrink
        badness = SHRINK_WEIGHT * 100 * abs(r) ** 3
    elif last:
        return LINE_PENALTY ** 2, 1
    else:
        stretch = spec.stretch if justify else ragged
        # a line with nothing to spread (one unbreakable unit) and room left stays ragged: worst case
        r = diff / stretch if stretch > 0 else (0.0 if diff < 1e-6 else 1e3)
        badness = min(100 * r ** 3, 1e7)
    return (LINE_PENALTY + badness) ** 2, (1 if last else _fitness(r))
