"""Cleaning a text value as it is read: invisible characters out, control characters refused.

Text pasted from Word or WeChat carries zero-width spaces and joiners that
would print as nothing but break searching and line breaking: they are removed.
Control characters (other than line breaks, which YAML folds) cannot be
printed and are refused with their place.
"""
from __future__ import annotations

import unicodedata

from brochure.errors import ContentError, Location

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def clean_text(value: str, where: Location, name: str) -> str:
    value = value.translate(ZERO_WIDTH)
    for offset, ch in enumerate(value):
        if ch in "\n":
            continue
        if unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029":
            code = f"U+{ord(ch):04X}"
            raise ContentError(
                f"“{name}”中有不可打印的控制字符 {code}（第 {offset + 1} 个字符）。请删除它后重新保存。",
                f"'{name}' contains the control character {code} (character {offset + 1}). Delete it and save again.",
                where,
            )
    return value.strip()
