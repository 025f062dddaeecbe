"""The page model: what layout hands the renderer, pages of placed Flowables with their page boxes."""
from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.platypus.flowables import Flowable

from brochure.ground.boxes import PageBoxes


@dataclass
class Placed:
    """A Flowable already wrapped to ``w`` x ``h``, its lower-left at (x, y) in trim coordinates."""

    flowable: Flowable
    x: float
    y: float
    w: float
    h: float
    kind: str = "block"   # text | photo | box | heading | rule | qr | decoration
    where: object = None  # the place in content.yaml it came from (a Location), where there is one

    @property
    def top(self) -> float:
        return self.y + self.h


@dataclass
class Page:
    boxes: PageBoxes
    items: list[Placed] = field(default_factory=list)
    label: str = ""        # e.g. "front", "inner", "back"

    def add(self, flowable: Flowable, x: float, y: float, w: float, h: float, kind: str = "block") -> Placed:
        placed = Placed(flowable, x, y, w, h, kind, getattr(flowable, "where", None))
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


#: Kinds of block that may run to the trim and into the bleed (bands, backgrounds).
BLEEDING_KINDS = {"decoration"}


#: What each kind of block is called in a message to staff.
KIND_ZH = {"furniture": "页眉页码", "text": "文字", "photo": "照片", "heading": "标题", "box": "方框", "qr": "二维码", "rule": "线条"}
