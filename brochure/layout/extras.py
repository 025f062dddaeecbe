"""What a designer adds to fill a page on purpose: pull quotes, and sections opened on a page of their own.

A pull quote (引语) repeats a short sentence of the section in large type between
two rules.  It is placed like a photo, across one or more columns beside the
opening text, above it or at the section's foot, and its frame is as many
grid lines tall as the layout needs, the type sized to fill it.  The layout
search decides which sections get one, where and how tall, and which sections
open on a new page, by the same rules as everything else: no leg shallower
than five lines, no band of white at a page's foot, columns level where a
section ends.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from brochure.layout.blocks import Rule, Spacer, Stack

#: A quote is one sentence, short enough to read at a glance, long enough to say something.
QUOTE_CHARS = (10, 36)
#: The heights a quote's frame may take, in grid lines.
QUOTE_LINES = (4, 13)
_SENTENCE = re.compile(r"[^。！？]+[。！？]")
#: The plan's keys for these choices (followed by the section's index).
QUOTE, BREAK = "(quote)", "(break)"


@dataclass(frozen=True)
class Quote:
    """A pull quote of a section: placed like a photo, under the plan key ``id``."""

    id: str
    text: str


def quote_of(paragraph: str) -> str | None:
    """The paragraph's first sentence of quotable length, without its closing stop; None if none is."""
    for sentence in _SENTENCE.findall(paragraph):
        sentence = sentence.strip().lstrip("—").strip()
        if QUOTE_CHARS[0] <= len(sentence) - 1 <= QUOTE_CHARS[1]:
            return sentence[:-1] if sentence[-1] == "。" else sentence
    return None


class Extras:
    """Pull quotes for a composer (styles, ``para``, ``plan``, ``L``)."""

    def quote(self, index: int, paragraphs) -> Quote | None:
        """Section ``index``'s pull quote: a sentence from the middle of its text, if it has one."""
        found = [q for p in paragraphs if (q := quote_of(str(p)))]
        return Quote(f"{QUOTE}{index}", found[len(found) // 2]) if found else None

    def quote_words(self, quote: Quote, width: float, lines: int):
        """The quote's words as large as fit ``lines`` grid lines between the rules, and the air left around them.

        The type stays below the section headline in size and weight: it is the body face in the accent,
        at most ``rules.quote_rank`` of the headline's size."""
        s, L, accent = self.s, self.L, self.c.palette.accent
        room = lines * L - 1.6 * L
        size = min(s.body.size * 3.0, s.section.size * self.rules.quote_rank)
        while True:
            style = replace(s.body, size=size, leading=size * 1.35, color=accent, indent=0, align="left",
                            overprint=False, display=True)        # a display line: broken between words
            words = self.para("“" + quote.text.replace("“", "‘").replace("”", "’") + "”", style)
            _, h = words.wrap(width, 1e6)
            if h <= room or size <= s.body.size * 1.2:
                break
            size -= s.body.size * 0.1
        return words, max(0.0, (room - h) / 2)

    def quote_heights(self, quote: Quote, width: float) -> list[int]:
        """The frame heights (grid lines) that hold the quote snugly at its largest and a smaller size."""
        s, L = self.s, self.L
        found = []
        for rank in (self.rules.quote_rank, self.rules.quote_small):
            size = max(s.body.size * 1.2, s.section.size * rank)
            style = replace(s.body, size=size, leading=size * 1.35, indent=0, align="left", display=True)
            _, h = self.para("“" + quote.text + "”", style).wrap(width, 1e6)
            lines = max(QUOTE_LINES[0], math.ceil((h + 1.6 * L) / L - 1e-6))
            if lines < QUOTE_LINES[1] and lines not in found:
                found.append(lines)
        return found

    def quote_air(self, quote: Quote, width: float, lines: int) -> float:
        """Lines of white inside the quote's frame: air in a frame reads as white, as a hole would."""
        return 2 * self.quote_words(quote, width, lines)[1] / self.L

    def quote_block(self, quote: Quote, width: float, lines: int, *, under_rule: bool = False) -> Stack:
        """The quote between two rules, exactly ``lines`` grid lines tall, its type as large as fits; directly
        under a headline's rule (``under_rule``) its own top rule is left out, so no rule is doubled."""
        L, accent = self.L, self.c.palette.accent
        words, air = self.quote_words(quote, width, lines)
        top = Rule(width, 0, accent, 1.2, overprint=False) if not under_rule else Spacer(width, 0)
        block = Stack(width, [top, Spacer(width, 0.8 * L + air), words,
                              Spacer(width, 0.8 * L + air), Rule(width, 0, accent, 0.6, overprint=False)],
                      min_height=lines * L, leading=L)
        block.wrap(width, 1e6)
        return block
