"""Check, before layout, that the faces can draw every character of the content."""
from __future__ import annotations

from typing import Iterable

from brochure.ground.errors import FontError
from brochure.fonts.face import Face

_IGNORED = set("\n\r\t\u200b\u200c\u200d\ufeff")


def check_coverage(faces: Face | Iterable[Face], texts: Iterable[str]) -> None:
    """Raise FontError listing every character none of ``faces`` has.

    The message names each character with its code point and the content.yaml
    location (``Text.where``) of the first text that uses it; the error's own
    location is that of the first missing character.
    """
    faces = [faces] if isinstance(faces, Face) else list(faces)
    first: dict[str, object] = {}           # each character once, with the first text using it
    for text in texts:
        where = getattr(text, "where", None)
        for ch in dict.fromkeys(str(text)):
            if ch not in first:
                first[ch] = where
    missing = {ch: where for ch, where in first.items()
               if ch not in _IGNORED and not any(f.has(ch) for f in faces)}
    if not missing:
        return
    names = "、".join(f"{f.family} {f.style}" for f in faces)
    names_en = ", ".join(f"{f.family} {f.style}" for f in faces)
    zh_items = []
    en_items = []
    for ch, where in missing.items():
        place = f"（{where}）" if where else ""
        zh_items.append(f"“{ch}” U+{ord(ch):04X}{place}")
        en_items.append(f"'{ch}' U+{ord(ch):04X}" + (f" ({where})" if where else ""))
    first_where = next(iter(missing.values()))
    raise FontError(
        f"字体 {names} 缺少 {len(missing)} 个字符：{'；'.join(zh_items)}。"
        f"请换用包含这些字符的字体（放进 fonts/ 文件夹），或修改文字。",
        f"font {names_en} lacks {len(missing)} character(s): {'; '.join(en_items)}. "
        f"Use a font that has them (put it into fonts/) or change the text.",
        where=first_where,
    )
