"""A designer's choices for the brochure, and the rules that judge them.

Automatic newspaper layout does not place blocks greedily: it makes candidate
layouts and keeps the best under the rules (template search, as in DeTreville's
*Computerized News Layout*).  Our problem is small (a few sections and photos
on a few pages), so every build lays out a handful of candidates in full and
scores each one from what it produced: the page count, the depth of every leg
of type, whether each section opens under its headline, the white left at the
foot of the pages, and how much of each photo a frame crops away.

``Rules`` holds the weights as data, so that a designer can tune them without
touching the code that lays out pages.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from brochure.ground.page import Page


@dataclass(frozen=True)
class Rules:
    """What a newspaper designer (美编) checks, as numbers: depths in grid lines, the rest as penalties."""

    min_leg: int = 5                 # a leg of type shallower than this reads as a leftover
    leg: float = 1000.0              # per line a leg is short of ``min_leg``
    opening: float = 5000.0          # a section whose first words are not under its headline
    free_foot: int = 1               # lines of white at a page's foot that go unnoticed
    foot: float = 150.0              # per further line of white at the foot of a page
    page: float = 100_000.0          # per four pages: the page count is the first thing a layout must keep
    filler: float = 30_000.0         # per page padded to make up a multiple of four: sections are spread first
    crop: float = 30.0               # per tenth of a photo's height or width cropped away
    wish: float = 15.0               # a photo placed otherwise than content.yaml asks
    soft: float = 5000.0             # per tenth a photo's resolution falls short of the press's minimum

    def breakdown_of(self, facts) -> dict[str, float]:
        """What each rule costs for one section's (or the front page's) ``facts``: rule name -> cost."""
        out = {
            "legs": sum(self.leg * (self.min_leg - n) for n in facts.legs if n < self.min_leg),
            "opening": 0.0 if facts.opening else self.opening,
            "foot": sum(self.foot * (w - self.free_foot) for w in facts.feet if w > self.free_foot),
            "crop": sum(self.crop * c * 10 for c in facts.crops),
            "white": sum(self.foot * (w - self.free_foot) for w in facts.air if w > self.free_foot),
            "wish": self.wish * facts.wishes,
            "soft": sum(self.soft * short * 10 for short in facts.soft),
            "level": self.leg * (facts.uneven - 1) if facts.uneven > 1 else 0.0,
        }
        return {k: v for k, v in out.items() if v}


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
    """What one candidate layout produced, as the rules count it."""

    pages: int = 0
    legs: list[tuple[int, float, int]] = field(default_factory=list)     # (page, x, lines)
    openings: list[bool] = field(default_factory=list)
    feet: list[tuple[int, float]] = field(default_factory=list)          # (page, lines of white at the foot)
    crops: list[float] = field(default_factory=list)                      # fraction of each photo cropped away
    holes: list[float] = field(default_factory=list)                      # lines of white beside a shorter box
    soft: list[float] = field(default_factory=list)                       # how far each photo falls short of min ppi
    uneven: list[float] = field(default_factory=list)                     # lines apart the columns end, per section
    wishes: int = 0

    def score(self, rules: Rules) -> float:
        """Lower is better; ``pages`` counts the front page and the text pages (the back cover is added)."""
        total = -(-(self.pages + 1) // 4) * 4
        s = rules.page * total / 4 + rules.filler * (total - self.pages - 1)
        s += sum(rules.leg * (rules.min_leg - lines) for _, _, lines in self.legs if lines < rules.min_leg)
        s += rules.opening * sum(1 for ok in self.openings if not ok)
        s += sum(rules.foot * (white - rules.free_foot) for _, white in self.feet if white > rules.free_foot)
        s += sum(rules.crop * crop * 10 for crop in self.crops)
        s += sum(rules.foot * (white - rules.free_foot) for white in self.holes if white > rules.free_foot)
        s += rules.wish * self.wishes
        s += sum(rules.soft * short * 10 for short in self.soft)
        s += sum(rules.leg * (lines - 1) for lines in self.uneven if lines > 1)
        return s


def legs(page: Page, number: int, column_width: float, leading: float) -> list[tuple[int, float, int]]:
    """Every leg of body type on ``page``: runs of text in one column, between obstacles."""
    runs: dict[float, list[tuple[float, float]]] = {}
    for item in page.items:
        if item.kind == "text" and item.w <= column_width + 1:
            runs.setdefault(round(item.x, 1), []).append((item.y + item.h, item.y))
    found = []
    for x, spans in runs.items():
        spans.sort(reverse=True)
        top, bottom = spans[0]
        for t, b in spans[1:]:
            if abs(t - bottom) <= leading * 0.5:
                bottom = b
                continue
            found.append((number, x, round((top - bottom) / leading)))
            top, bottom = t, b
        found.append((number, x, round((top - bottom) / leading)))
    return found


def foot_white(page: Page, bottom: float, leading: float) -> float:
    """Lines of white between the lowest block of ``page`` (running heads aside) and the type area's foot."""
    lowest = min((item.y for item in page.items if item.kind not in ("furniture", "decoration", "rule")),
                 default=bottom)
    return max(0.0, (lowest - bottom) / leading)
