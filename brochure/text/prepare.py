"""Split a paragraph into atoms: the units line breaking works with.

An atom is a Han character, one full-width punctuation mark, a pair of
``——``/``……`` (never split), or a Western run (a Latin word, a number with its
unit such as ``100%``, ``5G``, ``PVDF``), which is never split either -- unless
it is wider than the whole line (see ``shaping.allow_emergency_breaks``).
Whitespace between atoms is remembered as ``space_before``.

For layout only, ASCII ``, ; : ! ? ( )`` touching a Han character or a
full-width mark become ``，；：！？（）`` (RULES.md §1): the caller's text is
unchanged, but the page shows (and a PDF reader copies) the full-width marks.
"""
from __future__ import annotations

from dataclasses import dataclass

from brochure.text.classes import (
    ASCII_TO_FULL, NO_END, NO_START, is_cjk_punct, is_han, is_space, is_western,
)

HAN, PUNCT, DASH, WORD = "han", "punct", "dash", "word"


@dataclass
class Atom:
    text: str              # the characters as set (after layout mapping)
    kind: str              # HAN | PUNCT | DASH | WORD
    start: int             # span in the caller's text
    end: int
    space_before: bool = False   # whitespace separated it from the previous atom

    @property
    def no_start(self) -> bool:
        """May not begin a line (its first character is a no-start mark)."""
        return self.text[0] in NO_START

    @property
    def no_end(self) -> bool:
        """May not end a line (an opening bracket, a solidus, a currency prefix)."""
        return self.text[-1] in NO_END

    @property
    def western_start(self) -> bool:
        return self.kind == WORD and (is_western(self.text[0]) or self.text[0] in "%‰℃°$€£¥#@")

    @property
    def western_end(self) -> bool:
        return self.kind == WORD and (is_western(self.text[-1]) or self.text[-1] in "%‰℃°′″")


def _is_cjk(ch: str) -> bool:
    return is_han(ch) or is_cjk_punct(ch)


def layout_chars(text: str) -> str:
    """The text as it will be set: ASCII , ; : ! ? ( ) next to Han become full-width."""
    chars = list(text)
    for i, ch in enumerate(chars):
        full = ASCII_TO_FULL.get(ch)
        if full is None:
            continue
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if (before and _is_cjk(before)) or (after and _is_cjk(after)):
            chars[i] = full
    return "".join(chars)


def _is_dash_pair_char(ch: str) -> bool:
    return ch in "—…⋯"


def atoms(text: str) -> list[Atom]:
    """The paragraph as a list of atoms (whitespace folded into ``space_before``)."""
    s = layout_chars(text)
    out: list[Atom] = []
    i, n = 0, len(s)
    pending_space = False
    while i < n:
        ch = s[i]
        if is_space(ch):
            pending_space = bool(out)
            i += 1
            continue
        start = i
        if _is_dash_pair_char(ch) and i + 1 < n and s[i + 1] == ch:
            # —— / …… : pairs are unbreakable units; an odd one joins the last pair
            j = i
            while j < n and s[j] == ch:
                j += 1
            k = i
            while k < j:
                size = 3 if j - k == 3 else 2
                out.append(Atom(s[k:k + size], DASH, k, k + size, pending_space if k == i else False))
                k += size
            pending_space = False
            i = j
            continue
        if ch == "⸺":
            kind, i = DASH, i + 1
        elif is_han(ch):
            kind, i = HAN, i + 1
        elif is_cjk_punct(ch):
            kind, i = PUNCT, i + 1
        else:
            kind = WORD
            while i < n and not is_space(s[i]) and not _is_cjk(s[i]):
                i += 1
        out.append(Atom(s[start:i], kind, start, i, pending_space))
        pending_space = False
    return out
