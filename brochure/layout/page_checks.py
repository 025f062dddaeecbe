"""Layout's own check of a finished composition: every block inside the page, and clear of the trim."""
from __future__ import annotations

from brochure.ground.boxes import MM
from brochure.ground.errors import BuildWarning, LayoutError
from brochure.ground.page import BLEEDING_KINDS, KIND_ZH, Composition


def _edges(comp: Composition):
    """(page number, block, its smallest distance to the trim; negative when it reaches past it)."""
    for number, page in enumerate(comp.pages, 1):
        W, H = page.boxes.trim_w, page.boxes.trim_h
        for item in page.items:
            if item.kind not in BLEEDING_KINDS:
                yield number, item, min(item.x, item.y, W - (item.x + item.w), H - (item.y + item.h))


def check_on_page(comp: Composition) -> None:
    """Refuse a composition with a block reaching past the trim: it would be cut off, i.e. words lost."""
    for number, item, gap in _edges(comp):
        if -gap > 1.0:        # pt; rounding is not overflow
            raise LayoutError(
                f"{comp.name}.pdf 第 {number} 页的{KIND_ZH.get(item.kind, '内容')}超出页面 {-gap / MM:.0f} 毫米，"
                "超出的部分会被裁掉。请删减这一部分的文字或图片。",
                f"{comp.name}.pdf page {number}: a {item.kind} block runs {-gap / MM:.0f} mm past the edge of the page "
                "and would be cut off. Shorten the words or photos there.",
                item.where,
            )


#: What to do about a block too close to the trim, unless the caller knows better (a poster's ``margin``).
WIDER_MARGINS = ("请加大 content.yaml 中 settings → brochure → margins 的页边距",
                 "Increase the margins under settings → brochure → margins in content.yaml")


def safety_warnings(comp: Composition, safety: float, action: tuple[str, str] = WIDER_MARGINS) -> list:
    """A warning for each block (not a bleeding background) closer than ``safety`` pt to the trim,
    saying what to do (``action``: Chinese, English)."""
    warnings = []
    for number, item, gap in _edges(comp):
        if gap < safety - 0.01:
            warnings.append(BuildWarning(
                f"{comp.name}.pdf 第 {number} 页有{KIND_ZH.get(item.kind, '内容')}距裁切线仅 {max(gap, 0) / MM:.1f} 毫米"
                f"（安全距离 {safety / MM:.0f} 毫米），裁切时可能被切掉。{action[0]}。",
                f"{comp.name}.pdf page {number}: a {item.kind} block is {max(gap, 0) / MM:.1f} mm from the trim "
                f"(safety margin {safety / MM:.0f} mm) and may be cut off. {action[1]}.",
            ))
    return warnings
