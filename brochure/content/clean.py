"""Cleaning a text value as it is read: invisible characters out, control characters refused.

Text pasted from Word, WeChat or web pages carries zero-width spaces, joiners,
soft hyphens, direction marks and emoji presentation selectors that would print
as nothing but break searching and line breaking: they are removed.  A tab
(legal inside quoted or block text) becomes a space.  Control characters
(other than line breaks, which YAML folds) cannot be printed and are refused
with their place, as is U+FFFD, the mark a wrong encoding leaves behind.
"""
from __future__ import annotations

import re

from brochure.ground.errors import ContentError, Location

#: Invisible format characters that are removed: zero-width space/non-joiner/joiner,
#: word joiner and invisible operators, BOM, soft hyphen, Mongolian vowel separator,
#: left-to-right/right-to-left marks and embeddings/isolates, text/emoji presentation selectors.
INVISIBLE = (
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\ufe0e\ufe0f"
)
ZERO_WIDTH = dict.fromkeys(map(ord, INVISIBLE), None)
ZERO_WIDTH[ord("\t")] = " "


#: What cannot be printed: control characters (category Cc; line breaks excepted), the line and
#: paragraph separators, U+FFFD, and lone surrogates (a quoted "\\ud800" escape is no character at all).
#: Found with one regular expression, not a test per character.
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffd\ud800-\udfff]")


def clean_text(value: str, where: Location, name: str) -> str:
    value = value.translate(ZERO_WIDTH)
    bad = _UNPRINTABLE.search(value)
    if bad is not None:
        ch, offset = bad.group(), bad.start()
        code = f"U+{ord(ch):04X}"
        if ch == "\ufffd":
            raise ContentError(
                f"“{name}”中有乱码替换符“\ufffd”{code}（第 {offset + 1} 个字符）：文字曾被用错误的编码打开过。"
                "请从原稿重新复制这段文字。",
                f"'{name}' contains the replacement character {code} (character {offset + 1}): the text was once "
                "opened with the wrong encoding. Copy this text again from the original.",
                where,
            )
        if "\ud800" <= ch <= "\udfff":
            raise ContentError(
                f"“{name}”中有无效的字符编码 {code}（第 {offset + 1} 个字符）：单独的代理码位不是一个字符，印不出来。"
                f"请删除引号中的“\\u{ord(ch):04x}”写法，直接写出要印的字。",
                f"'{name}' contains the invalid code {code} (character {offset + 1}): a lone surrogate is not a "
                f"character and cannot be printed. Delete the \\u{ord(ch):04x} escape and type the character itself.",
                where,
            )
        raise ContentError(
            f"“{name}”中有不可打印的控制字符 {code}（第 {offset + 1} 个字符）。请删除它后重新保存。",
            f"'{name}' contains the control character {code} (character {offset + 1}). Delete it and save again.",
            where,
        )
    return value.strip()
