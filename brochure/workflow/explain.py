"""``brochure check --explain``: which composition rule cost what, on which page, in the layout chosen."""
from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

from brochure.content import load
from brochure.ground.layout_rules import MEANING
from brochure.layout.brochure import explain
from brochure.layout.styles import brochure_styles
from brochure.pipeline.inputs import boxes_for, load_faces
from brochure.pipeline.stage import line_setter
from brochure.runtime.session import Session


def explanation(path: Path, session: Session | None = None) -> list[str]:
    """The lines ``check --explain`` prints: one per rule that cost something, then the total."""
    session = session or Session()
    content = load(path, checked_photos=session.memo("photos"))
    faces = load_faces(content, session)
    setter = line_setter(content, ["brochure"], session)
    styles = brochure_styles(content, faces)
    styles = replace(styles, **{f.name: replace(getattr(styles, f.name), setter=setter) for f in fields(styles)})
    b = content.brochure
    rows = explain(content, styles, boxes_for(b.page.width, b.page.height, b.press))
    setter.save()
    lines = ["版面评分（越低越好）/ layout score, lower is better:"]
    for part, first, last, rule, cost in rows:
        zh, en = MEANING.get(rule, (rule, rule))
        where_zh = {"front": "头版", "pages": "全册", "end": "正文末页"}.get(part, f"{part} 节")
        where_en = {"front": "front page", "pages": "whole brochure", "end": "last text page"}.get(part, f"section {part}")
        pages = f"{first}" if first == last else f"{first}–{last}"
        lines.append(f"  {where_zh} 第 {pages} 页 / {where_en}, p. {pages}: {zh} / {en} ({rule}): {cost:,.0f}")
    lines.append(f"  合计 total: {sum(r[4] for r in rows):,.0f}")
    return lines
