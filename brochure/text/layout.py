"""Run the stages for one paragraph: atoms -> shaped pieces -> breaks -> set lines."""
from __future__ import annotations

from brochure.text.line import Line, set_line
from brochure.text.linebreak import break_lines, single_line
from brochure.text.shaping import allow_emergency_breaks, shape


#: Paragraphs already set, by text, style and measure: a rebuild after a one-character
#: edit (``brochure watch``) re-breaks only the paragraph that changed.  Lines are never
#: modified after they are set, so sharing them is safe.
_MEMO: dict[tuple, list[Line]] = {}
_MEMO_LIMIT = 20_000
#: The paragraphs kept on disk between runs (see ``brochure.text.store``), when a build opened them.
_STORE = None


def use_store(store) -> None:
    """Read set paragraphs from ``store`` and note those used in it (None: this process only)."""
    global _STORE
    _STORE = store


def save_store() -> None:
    """Write the paragraphs set so far to the store in use, if any (failures are ignored)."""
    if _STORE is not None:
        _STORE.save()


def layout_lines(text: str, style, width: float, *, vertical: bool = False) -> list[Line]:
    """Break ``text`` into lines ``width`` pt long and place every glyph (x offsets in pt)."""
    key = (text, id(style.face), style.face.name, style.size, style.align, style.indent, style.cjk_latin_space,
           round(width, 4), vertical)
    lines = _MEMO.get(key)
    store = _STORE
    disk_key = None if store is None else store.key(
        text, style.face.metrics_key, style.size, style.align, style.indent, style.cjk_latin_space,
        round(width, 4), vertical)
    if lines is not None:
        if store is not None:
            store.note(disk_key, lines)
        return lines
    if store is not None:
        lines = store.get(disk_key)
    if lines is None:
        lines = _layout_lines(text, style, width, vertical)
        if store is not None:
            store.put(disk_key, lines)
    if len(_MEMO) >= _MEMO_LIMIT:
        _MEMO.clear()
    _MEMO[key] = lines
    return lines


def _layout_lines(text: str, style, width: float, vertical: bool) -> list[Line]:
    shaped = shape(text, style, vertical=vertical)
    if not shaped.pieces:
        return []
    indent = style.indent * style.size
    justify = style.align == "justify"
    # a run too wide for the line may be broken between characters, as a last resort
    shaped = allow_emergency_breaks(shaped, width - indent)
    specs = break_lines(shaped, width, indent, justify)
    lines = [set_line(shaped, spec, width, indent, style.align, i == len(specs) - 1)
             for i, spec in enumerate(specs)]
    # spans partition the text: whitespace at a break belongs to the line before it
    lines[0].start = 0
    for line, following in zip(lines, lines[1:]):
        line.end = following.start
    lines[-1].end = len(text)
    return lines


def natural_width(text: str, style) -> float:
    """Width in pt of ``text`` set on one line (line-edge punctuation trimmed, indent included)."""
    shaped = shape(text, style)
    if not shaped.pieces:
        return 0.0
    return single_line(shaped, style.indent * style.size).natural
