"""Chinese text setting by clreq rules, as data (lines) and as ReportLab Flowables.

Stages, one module each, in order:
``classes`` (character classes) -> ``prepare`` (atoms; ASCII marks next to Han
become full-width) -> ``shaping`` (widths, compression, CJK–Latin spacing)
-> ``linebreak`` (Knuth–Plass total fit with kinsoku) -> ``line`` (justify
and place glyphs) -> ``layout`` (the whole paragraph) -> ``flowable`` /
``vertical`` (ReportLab Flowables).
"""
from brochure.text.flowable import CJKParagraph
from brochure.text.layout import layout_lines, natural_width
from brochure.text.line import Glyph, Line
from brochure.text.style import TextStyle
from brochure.text.vertical import VerticalText

__all__ = ["TextStyle", "CJKParagraph", "VerticalText", "layout_lines", "natural_width", "Line", "Glyph"]
