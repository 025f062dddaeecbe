"""A designer's choices for the brochure, and the rules that judge them.

Automatic newspaper layout does not place blocks greedily: it makes candidate
layouts and keeps the best under the rules (template search, as in DeTreville's
*Computerized News Layout*).  Our problem is small (a few sections and photos
on a few pages), so every build lays out a handful of candidates in full and
scores each one from what it produced: the page count, the depth of every leg
of type, whether each section opens under its headline, the white left at the
foot of the pages, and how much of each photo a frame crops away.

The rules themselves are one object, ``brochure.ground.layout_rules.LayoutRules``
(here ``Rules``), data a designer tunes under ``layout:`` in content.yaml.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from brochure.ground.layout_rules import LayoutRules as Rules  # noqa: F401  (the layout's name for them)


@dataclass(frozen=True)
class PhotoChoice:
    """Where one photo of a section goes: columns spanned, ``right`` (across the later columns,
    the text opening in column 1 under the headline), ``left`` (across the first columns, the
    text beneath it), ``foot`` (across all columns under the section's text), and its height in lines."""

    span: int
    place: str
    lines: int


@dataclass
class Measure:
    """What the front page's design produced, as the rules count it (the sections' facts are counted by
    ``sectionflow``)."""

    crops: list[float] = field(default_factory=list)                      # fraction of each photo cropped away
    holes: list[float] = field(default_factory=list)                      # lines of white beside a shorter box
    soft: list[float] = field(default_factory=list)                       # how far each photo falls short of min ppi
