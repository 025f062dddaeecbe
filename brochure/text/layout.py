"""Run the stages for one paragraph: atoms -> shaped pieces -> breaks -> set lines."""
from __future__ import annotations

from brochure.text.line import Line, set_line
from brochure.text.linebreak import break_lines, single_line
from brochure.text.shaping import allow_emergency_breaks, shape
from brochure.text.words import Words


def layout_lines(text: str, style, width: float, *, vertical: bool = False) -> list[Line]:
    """Break ``text`` into lines ``width`` pt long and place every glyph (x offsets in pt).

    With a ``style.setter`` (``brochure.text.store.LineSetter``, given by the build) a paragraph
    set before in the session, or kept by an earlier run, is not set again.
    """
    if getattr(style, "setter", None) is not None:
        return style.setter.lines(text, style, width, vertical, set_lines)
    return set_lines(text, style, width, vertical)


def set_lines(text: str, style, width: float, vertical: bool) -> list[Line]:
    shaped = shape(text, style, vertical=vertical)
    if not shaped.pieces:
        return []
    indent = style.indent * style.size
    justify = style.align == "justify"
    # a run too wide for the line may be broken between characters, as a last resort
    shaped = allow_emergency_breaks(shaped, width - indent)
    words = None
    if getattr(style, "display", False) and len(shaped.pieces) > 1:
        # a display line is broken by sense: the word boundaries, from the session's segmenter
        setter = getattr(style, "setter", None)
        # (a style without a setter loads the dictionary for this line alone: slow, for experiments only)
        segmenter = getattr(setter, "words", None) or Words()
        words = segmenter.boundaries(text)
    specs = break_lines(shaped, width, indent, justify, words)
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
