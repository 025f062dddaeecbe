"""Where the words of a display line begin: a dictionary segmenter (jieba) for Chinese.

Display lines (headlines, summaries, labels, honour items) are broken by sense, never
inside a word (美丽经/济, 禁/捕).  Body text does not need this -- a justified column
breaks between any two characters, as clreq allows -- so the segmenter is asked only
when a display line is set, and its dictionary (about half a second to read) is loaded
only then.

``Words.boundaries(text)`` gives, for every position of ``text`` where a word begins, a
strength: ``WORD`` where the dictionary ends a word of two or more characters, ``LOOSE``
between two single-character words (产粮大/县: the dictionary has no 大县, but the two
hold together), and nothing inside a word -- nor before a bracket group that follows a word
(附三（南洲）), which stays with it.  Results are kept per text in memory and in
the cache store (kind ``layout``, one entry per ``Words`` key), so a rebuild of the same
words neither segments them nor loads the dictionary again; the dictionary itself is kept
in the store too (sealed, as every entry), not in jieba's own unchecked file in /tmp.
"""
from __future__ import annotations

import hashlib
import logging
import marshal

from brochure.text.classes import is_han

OPENING_BRACKETS = "（([〔【《〈「『"

#: The jieba release pyproject.toml pins: part of every cache key (importing jieba to ask costs 0.2 s).
JIEBA = "0.42.1"
#: A one-character word the dictionary has seen alone fewer times than this is taken as part of a name.
RARE_ALONE = 1000
#: How many texts' boundaries the store's entry keeps.
KEEP_LIMIT = 5000
#: A break between two words.
WORD = 2
#: A break between two single-character words: allowed, but dearer than between words.
LOOSE = 1


class Words:
    """Word boundaries of display texts; ``store`` follows ``brochure.runtime.store.Store`` (None: memory)."""

    def __init__(self, store=None, key: str = "words"):
        self.store, self.key = store, key
        self.memo: dict[str, tuple] = {}
        self.kept: dict[str, tuple] | None = None     # the store's entry, read when first needed
        self.tokenizer = None
        self.changed = False

    def boundaries(self, text: str) -> dict[int, int]:
        """{position: strength} for every position of ``text`` where a line may break between words."""
        found = self.memo.get(text)
        if found is None:
            found = self.stored().get(self.digest(text))
            if found is None:
                found = tuple(self.segment(text))
                self.kept[self.digest(text)] = found
                self.changed = True
            self.memo[text] = found
        return dict(found)

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def stored(self) -> dict:
        if self.kept is None:
            self.kept = {}
            data = self.store.get("layout", self.entry_key()) if self.store is not None else None
            try:
                kept = marshal.loads(data) if data is not None else {}
            except (ValueError, EOFError, TypeError):
                kept = {}
            self.kept = kept if isinstance(kept, dict) else {}
        return self.kept

    def entry_key(self) -> str:
        return f"{self.key}:jieba-{JIEBA}"

    def segment(self, text: str) -> list[tuple[int, int]]:
        """The boundaries as (position, strength) pairs, from the dictionary."""
        tokenizer = self.load()
        tokens = [(start, end) for _, start, end in tokenizer.tokenize(text)]

        def rare(start, end):
            """A character the dictionary hardly knows alone: part of a name it lacks (渌 of 渌口区)."""
            return end - start == 1 and is_han(text[start]) and tokenizer.FREQ.get(text[start], 0) < RARE_ALONE

        out = []
        for (s0, e0), (s1, e1) in zip(tokens, tokens[1:]):
            if rare(s0, e0) and is_han(text[s1]):
                continue                      # the name goes on into the next word
            if text[s1] in OPENING_BRACKETS and is_han(text[e0 - 1]):
                continue                      # a bracket group stays with the word before it: 附三（南洲）, 大县（区）
            single = e0 - s0 == 1 and e1 - s1 == 1 and is_han(text[s0]) and is_han(text[s1])
            out.append((s1, LOOSE if single or (rare(s1, e1) and is_han(text[e0 - 1])) else WORD))
        return out

    def load(self):
        """jieba's tokenizer with its dictionary, read from the store when a build kept it before."""
        if self.tokenizer is not None:
            return self.tokenizer
        import jieba
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        key = f"dictionary:jieba-{JIEBA}"
        data = self.store.get("layout", key) if self.store is not None else None
        freq = None
        if data is not None:
            try:
                freq, total = marshal.loads(data)
            except (ValueError, EOFError, TypeError):
                freq = None
        if not isinstance(freq, dict):
            with tokenizer.get_dict_file() as f:
                freq, total = tokenizer.gen_pfdict(f)
            if self.store is not None:
                self.store.put("layout", key, marshal.dumps((freq, total)))
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, total, True
        self.tokenizer = tokenizer
        return tokenizer

    def save(self) -> None:
        """Keep the boundaries found for the next run, when any were new (never raises)."""
        if self.store is None or not self.changed or self.kept is None:
            return
        if len(self.kept) > KEEP_LIMIT:            # one document's worth: what this session asked for
            self.kept = {self.digest(text): found for text, found in self.memo.items()}
        self.store.put("layout", self.entry_key(), marshal.dumps(self.kept))
        self.changed = False
