"""Character classes for Chinese line breaking and spacing (clreq, GB/T 15834, JLREQ).

The sets follow /work/shared/cjk/RULES.md §1 at the *strict* level: pause and
stop marks, closing brackets, connectors, interpuncts, solidi, postfix units,
small kana and their half-width forms may not start a line; opening brackets,
solidi and currency/number prefixes may not end one; ``——`` and ``……`` are
never split.
"""
from __future__ import annotations

import unicodedata

# --- may not start a line ----------------------------------------------------
PAUSE_STOP = set("、。，．：；！？‼⁇⁈⁉")
CLOSING = set("”’）》〉」』】〗〕］｝⦆〙〞»")
CONNECTORS = set("～〜-–—")               # a single — is a connector; —— is one unit
INTERPUNCTS = set("·・‧")
SOLIDI = set("/／")
POSTFIX_UNITS = set("%％‰℃°′″")
SMALL_KANA = set("々〻ーゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
HALF_WIDTH_NO_START = set(",.:;!?)]}")
ELLIPSIS = set("…⋯")
DASHES = set("—⸺")

NO_START = (PAUSE_STOP | CLOSING | CONNECTORS | INTERPUNCTS | SOLIDI | POSTFIX_UNITS
            | SMALL_KANA | HALF_WIDTH_NO_START | ELLIPSIS | {"⸺"})

# --- may not end a line -------------------------------------------------------
OPENING = set("“‘（《〈「『【〖〔［｛⦅〘〝«")
PREFIXES = set("$￥¥＄£￡€#＃@＠§№")
NO_END = OPENING | set("([{") | SOLIDI | PREFIXES

# --- compression classes (which punctuation a line may squeeze, in order) -----
COMMAS = set("、，；：")
FULL_STOPS = set("。．？！")
BRACKETS = OPENING | CLOSING

# --- layout preprocessing: ASCII marks next to Han become full-width -----------
ASCII_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}

# Characters that belong to a number as its unit, kept in a Western run.
NUMBER_UNITS = set("%‰℃°′″")


def is_han(ch: str) -> bool:
    """Han ideographs (and kana/hangul): the characters set on the em grid."""
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x3FFFF
            or 0xF900 <= cp <= 0xFAFF or 0x2E80 <= cp <= 0x2FDF or cp == 0x3007
            or 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xAC00 <= cp <= 0xD7AF)


def is_cjk_punct(ch: str) -> bool:
    """Full-width punctuation set on an em, compressible (incl. “”‘’·—… as used in Chinese)."""
    cp = ord(ch)
    if ch in "“”‘’·—…⸺⋯―":
        return True
    if 0x3000 <= cp <= 0x303F and ch not in "〇々〻":
        return True
    if 0xFF01 <= cp <= 0xFF0F or 0xFF1A <= cp <= 0xFF20 or 0xFF3B <= cp <= 0xFF40 or 0xFF5B <= cp <= 0xFF65:
        return True
    return 0xFE10 <= cp <= 0xFE4F


def is_em_wide_symbol(ch: str) -> bool:
    """Letters and numbers CJK fonts set on a full em (Ⅱ ① ㈠ ㎡, full-width Ａ and ０).

    They already sit on the ideographic grid, so they take no CJK–Latin spacing.
    """
    cp = ord(ch)
    return (0x2150 <= cp <= 0x218F or 0x2460 <= cp <= 0x24FF or 0x2776 <= cp <= 0x2793
            or 0x3200 <= cp <= 0x33FF or 0xFF10 <= cp <= 0xFF19 or 0xFF21 <= cp <= 0xFF3A
            or 0xFF41 <= cp <= 0xFF5A)


def is_western(ch: str) -> bool:
    """Letters and digits of Latin (and other alphabetic) scripts: get CJK–Latin spacing."""
    if ch.isascii():
        return ch.isalnum()
    if is_han(ch) or is_cjk_punct(ch) or is_em_wide_symbol(ch):
        return False
    return unicodedata.category(ch)[0] in "LN"


def is_space(ch: str) -> bool:
    return ch in " \t\n\r\u00a0\u2002\u2003\u2009"
