"""The page-box contract: trim, bleed and slug sizes and the PDF boxes they imply.

Everything is in PDF points.  The media box holds the bleed plus a slug area
outside it (room for crop marks, colour bar and slug line).  Layout draws in
trim coordinates: the renderer translates the canvas origin to ``trim_origin``.
"""
from __future__ import annotations

import json
from pathlib import Path

from dataclasses import dataclass

MM = 72 / 25.4

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PageBoxes:
    trim_w: float          # pt
    trim_h: float          # pt
    bleed: float = 3 * MM  # pt beyond the trim on every side
    slug: float = 0.0      # pt outside the bleed for marks, colour bar, slug line

    def __post_init__(self):
        if self.trim_w <= 0 or self.trim_h <= 0:
            raise ValueError(f"trim size must be positive, got {self.trim_w} x {self.trim_h}")
        if self.bleed < 0 or self.slug < 0:
            raise ValueError("bleed and slug must not be negative")

    @classmethod
    def from_mm(cls, trim_w_mm: float, trim_h_mm: float, *, bleed_mm: float = 3.0,
                slug_mm: float = 0.0) -> "PageBoxes":
        return cls(trim_w_mm * MM, trim_h_mm * MM, bleed_mm * MM, slug_mm * MM)

    @property
    def margin(self) -> float:
        """Distance from a media edge to the trim line."""
        return self.bleed + self.slug

    @property
    def media_w(self) -> float:
        return self.trim_w + 2 * self.margin

    @property
    def media_h(self) -> float:
        return self.trim_h + 2 * self.margin

    @property
    def media_size(self) -> tuple[float, float]:
        return (self.media_w, self.media_h)

    @property
    def trim_origin(self) -> tuple[float, float]:
        return (self.margin, self.margin)

    @property
    def media_box(self) -> Box:
        return (0.0, 0.0, self.media_w, self.media_h)

    @property
    def bleed_box(self) -> Box:
        s = self.slug
        return (s, s, self.media_w - s, self.media_h - s)

    @property
    def trim_box(self) -> Box:
        m = self.margin
        return (m, m, m + self.trim_w, m + self.trim_h)


#: Gutters between columns of body type, in ems of the body size: newspapers set them 1–2 em apart
#: (limits.json's ``gutter_em``, which the composition audit holds pages to).
GUTTER_EMS = tuple(json.loads(Path(__file__).with_name("limits.json").read_text(encoding="utf-8"))["gutter_em"])


def column_grid(width: float, n: int, em: float, gutter: float) -> tuple[float, float, float]:
    """``n`` columns across ``width`` (any unit, ``em`` the body size in it): (column width, gutter, inset).

    Each column is a whole number of characters wide (clreq: all-Han lines then set solid), and the
    gutter between them stays within ``GUTTER_EMS``: of the character counts that allow that, the one
    whose gutter comes closest to ``gutter`` (content.yaml's) is taken.  When no count does (a narrow
    page), the widest columns with a gutter of at least one em are taken and what the gutter would take
    beyond two ems is left as ``inset`` on each side of the type area."""
    if n == 1:
        chars = max(1, int(width // em + 1e-9))
        return chars * em, 0.0, (width - chars * em) / 2
    lo, hi = GUTTER_EMS[0] * em, GUTTER_EMS[1] * em
    most = max(1, int((width - (n - 1) * lo) // (n * em) + 1e-9))
    fitting = [c for c in range(1, most + 1) if lo - 1e-6 <= (width - n * c * em) / (n - 1) <= hi + 1e-6]
    chars = min(fitting, key=lambda c: (abs((width - n * c * em) / (n - 1) - gutter), -c)) if fitting else most
    space = (width - n * chars * em) / (n - 1)
    inset = max(0.0, (space - hi) * (n - 1) / 2)
    return chars * em, min(space, hi) if not fitting else space, inset
