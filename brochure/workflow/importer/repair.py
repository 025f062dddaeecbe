"""Repairs of a whole draft after recognition: OCR's repeated paragraphs."""
from __future__ import annotations

from brochure.workflow.importer.draft import Draft, Paragraph, Section
from brochure.workflow.lint import normalised


def remove_duplicates(d: Draft) -> None:
    """Drop every paragraph that repeats an earlier one (in reading order).

    If that empties a section (OCR sometimes repeats a column under the next
    heading), the section takes the paragraphs from the first repeated one's
    original onwards, and says so in a comment.
    """
    owners: list[tuple[list[Paragraph], Section | None]] = [(d.preface, None)] + [(s.paragraphs, s) for s in d.sections]
    everything = sorted(((p, lst, sec) for lst, sec in owners for p in lst), key=lambda t: t[0].order)
    first: dict[str, tuple[Paragraph, list[Paragraph], Section | None]] = {}
    repeats: dict[int, list[Paragraph]] = {}       # id(section) -> originals it repeated
    for p, lst, sec in everything:
        key = normalised(p.text)
        if key in first:
            lst.remove(p)
            d.duplicates += 1
            repeats.setdefault(id(sec), []).append(first[key][0])
        else:
            first[key] = (p, lst, sec)
    for sec in d.sections:
        if sec.paragraphs or id(sec) not in repeats:
            continue
        start = min(repeats[id(sec)], key=lambda p: p.order)
        _, lst, owner = first[normalised(start.text)]
        if owner is None or owner is sec:
            continue
        if start not in lst:         # an earlier section took these paragraphs already (the page pasted twice)
            holder = next(((l, o) for l, o in owners if start in l), None)
            if holder is None or holder[1] is None or holder[1] is sec:
                continue
            lst, owner = holder
        at = lst.index(start)
        moved = lst[at:]
        del lst[at:]
        sec.paragraphs = moved
        sec.notes.append((
            f"导入判断：原文本节标题下只有重复的段落（已删去）；上文 {owner.letter} 节自「{start.text[:10]}…」起的段落移入本节，请核对本节从哪一段开始。",
            f"Import judgement: under this heading the text only repeated earlier paragraphs (removed); section "
            f"{owner.letter}'s paragraphs from the first repeated one on were moved here. Check where this section starts."))
