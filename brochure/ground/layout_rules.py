"""The rules a newspaper designer (美编) lays the brochure out by, as numbers a designer can tune.

One object holds them all: the limits (a leg's fewest lines, how much of a photo
a frame may crop) and the weights the layout search scores a design by.  The
defaults are here; content.yaml may change any of them under ``layout:``
(each key checked and located like the rest of the file), and ``brochure check
--explain`` shows which rule cost what on which page.  The composition audit
(tools/composition_audit.py) reads the same limits: both take them from
``limits.json`` beside this file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

#: The limits a page is held to, shared with tools/composition_audit.py (which reads the same file).
LIMITS: dict = json.loads((Path(__file__).with_name("limits.json")).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class LayoutRules:
    """What a designer checks, as numbers: depths in grid lines, weights as penalties (lower is better)."""

    min_leg: int = LIMITS["leg_min_lines"]      # a leg of type shallower than this reads as a leftover
    leg: float = 1000.0              # per line a leg is short of ``min_leg``; per line columns end apart
    level: int = LIMITS["balance_lines"]        # lines apart a section's columns may end and still read as level
    opening: float = 5000.0          # a section whose first words are not under its headline
    free_foot: int = 1               # lines of white at a page's foot that go unnoticed
    foot: float = 150.0              # per further line of white at the foot of a page or inside a frame
    band: int = 5                    # lines of white that read as an empty band (about a tenth of an A4 page)
    banded: float = 1000.0           # per line of white at a page's foot beyond ``band``
    page: float = 100_000.0          # per four pages: the page count is the first thing a layout must keep
    filler: float = 30_000.0         # per page padded to make up a multiple of four: sections are spread first
    crop: float = 30.0               # per tenth of a photo's height or width cropped away
    keep: float = 2 / 3              # the least fraction of a photo's height and width any frame keeps
    wish: float = 15.0               # a photo placed otherwise than content.yaml asks
    moved: float = 500.0             # the honour list moved off the front page, where a reader looks for it
    soft: float = 5000.0             # per tenth a photo's resolution falls short of the press's minimum
    quote_rank: float = 0.8          # a pull quote's largest type, as a fraction of the section headline's
    quote_small: float = 0.62        # the smaller size a pull quote is tried at, the same way
    least_room: int = 12             # the fewest lines a block of its own (honour list, key figures) takes
    most_choices: int = 600          # a section's choices tried; past it, photo heights every other line

    def breakdown_of(self, facts) -> dict[str, float]:
        """What each rule costs for one section's (or the front page's) ``facts``: rule name -> cost."""
        out = {
            "legs": sum(self.leg * (self.min_leg - n) for n in facts.legs if n < self.min_leg),
            "opening": 0.0 if facts.opening else self.opening,
            "foot": sum(self.foot * (w - self.free_foot) for w in facts.feet if w > self.free_foot),
            "band": sum(self.banded * (w - self.band) for w in facts.feet if w > self.band),
            "crop": sum(self.crop * c * 10 for c in facts.crops),
            "white": sum(self.foot * (w - self.free_foot) for w in facts.air if w > self.free_foot)
            + sum(self.banded * (w - self.band) for w in facts.air if w > self.band),
            "wish": self.wish * facts.wishes,
            "soft": sum(self.soft * short * 10 for short in facts.soft),
            "level": self.leg * (facts.uneven - self.level) if facts.uneven > self.level else 0.0,
        }
        return {k: v for k, v in out.items() if v}


#: What each rule means, for messages and ``check --explain``: name -> (Chinese, English).
MEANING: dict[str, tuple[str, str]] = {
    "legs": ("栏中文字太短", "a leg of type shorter than min_leg lines"),
    "opening": ("一节的开头不在标题下", "a section not opening under its headline"),
    "foot": ("页脚留白", "white at the foot of a page"),
    "band": ("页脚空白成带", "white at a page's foot wide enough to read as an empty band"),
    "crop": ("照片裁切", "a photo cropped by its frame"),
    "white": ("框内留白", "white inside a frame"),
    "moved": ("荣誉榜移出头版", "the honour list moved off the front page"),
    "wish": ("照片位置与 content.yaml 不同", "a photo placed otherwise than content.yaml asks"),
    "soft": ("照片分辨率不足", "a photo short of the press's resolution"),
    "level": ("栏尾不齐", "columns ending apart where a section ends"),
    "pages": ("页数（4 的倍数）", "the page count (a multiple of four)"),
    "filler": ("补页", "pages padded to make up a multiple of four"),
}

#: The rules content.yaml may set under ``layout:``: name -> (kind, least, most).
TUNABLE: dict[str, tuple[type, float, float]] = {
    f.name: ((int, 0, 100) if f.type in (int, "int") else (float, 0.0, 1e9)) for f in fields(LayoutRules)
}
TUNABLE.update({"keep": (float, 0.3, 1.0), "quote_rank": (float, 0.3, 1.0), "quote_small": (float, 0.3, 1.0),
                "most_choices": (int, 10, 100_000), "min_leg": (int, 1, 40), "least_room": (int, 1, 200)})
