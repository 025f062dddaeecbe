"""What layout hands the renderer: pages of placed Flowables, plus the page boxes."""
from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.platypus import Flowable

from brochure.press.geometry import PageBoxes


@dataclass
class Placed:
    """A Flowable already wrapped to ``w`` x ``h``, its lower-left at (x, y) in trim coordinates."""

    flowable: Flowable
    x: float
    y: float
    w: float
    h: float
    kind: str = "block"   # text | photo | box | heading | rule | qr | decoration

    @property
    def top(self) -> float:
        return self.y + self.h


@dataclass
class Page:
    boxes: PageBoxes
    items: list[Placed] = field(default_factory=list)
    label: str = ""        # e.g. "front", "inner", "back"

    def add(self, flowable: Flowable, x: float, y: float, w: float, h: float, kind: str = "block") -> Placed:
        placed = Placed(flowable, x, y, w, h, kind)
        self.items.append(placed)
        return placed


@dataclass
class Composition:
    """One output: a name (file stem), its pages, and what it wants checked."""

    name: str
    pages: list[Page]
    title: str
    qr_urls: list[str] = field(default_factory=list)
    warnings: list = field(default_factory=list)
