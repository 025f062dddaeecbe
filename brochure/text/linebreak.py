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
    """Prefix sums so that any candidate line is measured in O(1)."""

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


def _lone_character(pieces, a: int, b: int) -> bool:
    """A last line of one character, or one character plus punctuation (孤字)."""
    letters = sum(1 for p in pieces[a:b] if p.atom.kind in (HAN, WORD, DASH))
    return letters <= 1


def break_lines(shaped: Shaped, measure: float, indent: float = 0.0, justify: bool = True) -> list[LineSpec]:
    """The best sequence of lines for the paragraph (one LineSpec per line)."""
    n = len(shaped.pieces)
    if n == 0:
        return []
    result = _total_fit(shaped, measure, indent, justify, strict=True)
    if result is None:
        result = _total_fit(shaped, measure, indent, justify, strict=False)
    return result


def single_line(shaped: Shaped, indent: float = 0.0) -> LineSpec:
    """The whole paragraph as one line (for headings and copy-fitting)."""
    return _Sums(shaped).line(0, len(shaped.pieces), indent)


def _total_fit(shaped: Shaped, measure: float, indent: float, justify: bool, strict: bool):
    pieces, gaps, size = shaped.pieces, shaped.gaps, shaped.size
    n = len(pieces)
    sums = _Sums(shaped)
    ragged = RAGGED_STRETCH_EM * size
    slack = 2 * size                 # line-edge trims make widths only nearly monotonic

    # best[(b, fitness)] = (demerits, previous key, LineSpec)
    best: dict[tuple[int, int], tuple[float, tuple | None, LineSpec | None]] = {(0, 1): (0.0, None, None)}
    ends_at: dict[int, list[tuple[int, int]]] = {0: [(0, 1)]}
    for b in range(1, n + 1):
        if b < n and not gaps[b - 1].allowed and strict:
            continue
        last = b == n
        for a in range(b - 1, -1, -1):
            spec = sums.line(a, b, indent)
            if spec.natural - spec.shrink > measure + slack and a < b - 1:
                break
            starts = ends_at.get(a)
            if not starts:
                continue
            demerits, fit = _line_demerits(spec, measure, last, justify, ragged)
            if demerits is None:
                if a < b - 1 and strict:
                    continue
                demerits = OVERFULL * (1 + spec.natural - spec.shrink - measure)
            if a > 0 and not gaps[a - 1].allowed:
                demerits += KINSOKU_VIOLATION
            if a > 0 and gaps[a - 1].emergency:
                demerits += EMERGENCY_BREAK
            if last and a > 0 and _lone_character(pieces, a, b):
                demerits += LONE_CHARACTER
            for key in starts:
                prev_total, _, _ = best[key]
                total = prev_total + demerits
                if abs(key[1] - fit) > 1 and key[0] > 0:
                    total += FITNESS_MISMATCH
                k = (b, fit)
                if k not in best or total < best[k][0]:
                    if k not in best:
                        ends_at.setdefault(b, []).append(k)
                    best[k] = (total, key, spec)
    finals = ends_at.get(n)
    if not finals:
        return None
    key = min(finals, key=lambda k: best[k][0])
    lines = []
    while key is not None and best[key][2] is not None:
        _, prev, spec = best[key]
        lines.append(spec)
        key = prev
    return lines[::-1]


def _line_demerits(spec: LineSpec, measure: float, last: bool, justify: bool, ragged: float):
    """(demerits, fitness class) of one line, or (None, 1) if it cannot be made to fit."""
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
