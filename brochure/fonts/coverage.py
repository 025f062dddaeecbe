"""Check, before layout, that the faces can draw every character of the content."""
from __future__ import annotations

from typing import Iterable

from brochure.ground.errors import FontError
from brochure.fonts.face import Face

_IGNORED = set("\n\r\t\u200b\u200c\u200d\ufeff")


def check_coverage(faces: Face | Iterable[Face], texts: Iterable[str]) -> None:
    """Raise FontError listing every character that one of ``faces`` lacks.

    Each face must draw every character on its own: a face that sets a text and
    lacks a character prints a blank box (.notdef) there, whatever the other
    faces have.  The message names the face, each missing character with its
    code point and the content.yaml location (``Text.where``) of the first text
    that uses it; the error's own location is that of the first missing character.
    """
    faces = [faces] if isinstance(faces, Face) else list(faces)
    first: dict[str, object] = {}           # each character once, with the first text using it
    for text in texts:
        where = getattr(text, "where", None)
        for ch in dict.fromkeys(str(text)):
            if ch not in first:
                first[ch] = where
    for face in dict.fromkeys(faces):
        missing = {ch: where for ch, where in first.items() if ch not in _IGNORED and not face.has(ch)}
        if missing:
            raise _lacks(face, missing)


def _lacks(face: Face, missing: dict) -> FontError:
    name = f"{face.family} {face.style}"
    shown = list(missing.items())[:20]
    more_zh = f"等（共 {len(missing)} 个）" if len(missing) > len(shown) else ""
    more_en = f" and {len(missing) - len(shown)} more" if len(missing) > len(shown) else ""
    zh_items = "；".join(f"“{ch}” U+{ord(ch):04X}" + (f"（{where}）" if where else "") for ch, where in shown)
    en_items = "; ".join(f"'{ch}' U+{ord(ch):04X}" + (f" ({where})" if where else "") for ch, where in shown)
    return FontError(
        f"字体 {name} 缺少 {len(missing)} 个字符：{zh_items}{more_zh}。这些字会印成空白方框。"
        f"请换用包含这些字符的字体（放进 fonts/ 文件夹），或修改文字。",
        f"font {name} lacks {len(missing)} character(s): {en_items}{more_en}. They would print as blank boxes. "
        f"Use a font that has them (put it into fonts/) or change the text.",
        where=next(iter(missing.values())),
    )
