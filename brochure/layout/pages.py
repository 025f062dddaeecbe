"""What layout hands the renderer: pages of placed Flowables, plus the page boxes."""
from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.platypus.flowables import Flowable

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


#: Kinds of block that may run to the trim and into the bleed (bands, backgrounds).
BLEEDING_KINDS = {"decoration"}


def safety_warnings(comp: Composition, safety: float) -> list:
    """A warning for each block (not a bleeding background) closer than ``safety`` pt to the trim."""
    from brochure.errors import BuildWarning

    warnings = []
    for number, page in enumerate(comp.pages, 1):
        W, H = page.boxes.trim_w, page.boxes.trim_h
        for item in page.items:
            if item.kind in BLEEDING_KINDS:
                continue
            gap = min(item.x, item.y, W - (item.x + item.w), H - (item.y + item.h))
            if gap < safety - 0.01:
                mm = 25.4 / 72
                warnings.append(BuildWarning(
                    f"{comp.name}.pdf 第 {number} 页有{KIND_ZH.get(item.kind, '内容')}距裁切线仅 {max(gap, 0) * mm:.1f} 毫米"
                    f"（安全距离 {safety * mm:.0f} 毫米），裁切时可能被切掉。请加大页边距。",
                    f"{comp.name}.pdf page {number}: a {item.kind} block is {max(gap, 0) * mm:.1f} mm from the trim "
                    f"(safety margin {safety * mm:.0f} mm) and may be cut off. Increase the margins.",
                ))
    return warnings


KIND_ZH = {"furniture": "页眉页码", "text": "文字", "photo": "照片", "heading": "标题", "box": "方框", "qr": "二维码", "rule": "线条"}
