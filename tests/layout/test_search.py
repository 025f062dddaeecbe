"""The layout search: dynamic programming over sections finds what exhaustive search finds, lays each
(section, start, choice) out once, and keeps the blocks printed once only in its state."""
from __future__ import annotations

from itertools import permutations, product

import pytest

from brochure.ground.layout_rules import LayoutRules
from brochure.layout.search import Choice, Memo, SectionTask, final_cost, run, section_cost
from brochure.layout.sectionflow import (Geometry, Item, SectionModel, Start, balance, compose_section, fill,
                                         fits, with_fills)

GEO = Geometry(rows_front=30, rows_inner=28, cols_front=3, cols_inner=3, min_leg=5)
RULES = LayoutRules()


def photo(key, lines, place="right", span=2, crop=0.1):
    return Item(key, place, span, lines, crop=crop)


def tasks_for(paragraphs: list[tuple[int, ...]], photos: dict[int, list[int]], fills=()):
    tasks = []
    for index, lines in enumerate(paragraphs):
        model = SectionModel(3, lines, lines)
        options = [[]] + [[photo(f"p{index}", h)] for h in photos.get(index, [])]
        choices = [Choice(tuple(items), brk) for items in options for brk in ((False, True) if index else (False,))]
        tasks.append(SectionTask(model, choices, tuple(fills)))
    return tasks


def exhaustive(leads, tasks, required=frozenset()):
    """Every combination of every section's choices and fills, laid out in turn: the best total cost."""
    best = float("inf")
    for lead, start, lead_cost in leads:
        def walk(index, state, cost):
            nonlocal best
            if index == len(tasks):
                if required <= state.placed:
                    best = min(best, cost + final_cost(state, GEO, RULES))
                return
            task = tasks[index]
            free = [f for f in task.fills if f.key not in state.placed]
            for choice in task.choices:
                out = compose_section(GEO, Start(0, state.front, state.row), task.model, choice.items, choice.brk,
                                      record=False)
                base = Start(state.page + out.end.page, out.end.front, out.end.row, state.placed)
                c = cost + section_cost(out.facts, RULES)
                for order in [()] + [o for k in range(1, len(free) + 1) for o in permutations(free, k)]:
                    end, feet = with_fills(base, GEO, order) if order else (base, [])
                    extra = sum(RULES.foot * (w - RULES.free_foot) for w in feet if w > RULES.free_foot)
                    extra += sum(RULES.banded * (w - RULES.band) for w in feet if w > RULES.band)
                    walk(index + 1, Start(end.page, end.front, end.row, base.placed | {f.key for f in order}),
                         c + extra)
        walk(0, start, lead_cost)
    return best


@pytest.mark.parametrize("paragraphs,photos", [
    ([(6, 7, 9), (5, 8, 4, 12)], {1: [6, 8, 10]}),
    ([(12, 3, 9, 14), (5, 8), (20, 2, 7)], {0: [7, 9], 2: [6, 11, 13]}),
    ([(30, 30, 30), (40, 9), (3, 3)], {1: [8, 12]}),
])
def test_the_search_finds_the_exhaustive_optimum(paragraphs, photos):
    leads = [("low", Start(0, True, 12), 0.0), ("high", Start(0, True, 20), 40.0)]
    tasks = tasks_for(paragraphs, photos)
    _, choices, cost, _ = run(GEO, RULES, leads, tasks, Memo())
    assert cost == pytest.approx(exhaustive(leads, tasks))
    assert len(choices) == len(tasks)


def test_a_block_printed_once_is_placed_exactly_once_when_required():
    honours = Item("(honours)", "foot", 3, 12, fill=True)
    leads = [("with", Start(0, True, 18, frozenset({"(honours)"})), 500.0), ("without", Start(0, True, 8), 0.0)]
    tasks = tasks_for([(9, 9, 9), (14, 4, 6)], {0: [6, 9]}, fills=[honours])
    lead, choices, cost, end = run(GEO, RULES, leads, tasks, Memo(), required=frozenset({"(honours)"}))
    placed_inside = sum(1 for c in choices if "(honours)" in c.once)
    assert placed_inside == (0 if lead == "with" else 1)
    assert "(honours)" in end[3]
    assert cost == pytest.approx(exhaustive(leads, tasks, frozenset({"(honours)"})))


def test_each_section_start_and_choice_is_laid_out_once():
    leads = [("a", Start(0, True, 12), 0.0)]
    tasks = tasks_for([(6, 7, 9), (5, 8, 4, 12), (9, 9)], {1: [6, 8, 10]})
    memo = Memo()
    run(GEO, RULES, leads, tasks, memo)
    first = memo.trials
    assert first > 0
    memo.trials = 0
    run(GEO, RULES, leads, tasks, memo)
    assert memo.trials == 0                      # nothing changed: nothing laid out again
    edited = tasks_for([(6, 7, 9), (5, 8, 4, 12), (9, 10)], {1: [6, 8, 10]})
    run(GEO, RULES, leads, edited, memo)
    assert 0 < memo.trials < first               # only the edited (last) section is laid out again


def test_the_search_is_deterministic():
    leads = [("a", Start(0, True, 12), 0.0), ("b", Start(0, True, 12), 0.0)]
    tasks = tasks_for([(6, 7, 9), (5, 8, 4, 12)], {1: [6, 8]})
    assert run(GEO, RULES, leads, tasks, Memo())[:3] == run(GEO, RULES, leads, tasks, Memo())[:3]


def test_paragraphs_split_as_the_flowable_splits_them():
    # a paragraph keeps two lines on either side of a split, and moves whole when it cannot
    placed, rest = fill([0, 0], [5, 5], [[0, 0, 6], [1, 0, 4]])
    assert placed[0] == (0, 0, 0, 0, 4) and placed[1] == (1, 0, 0, 4, 2)
    assert placed[2] == (1, 2, 1, 0, 2) and rest == [[1, 2, 2]]
    placed, rest = fill([0], [5], [[0, 0, 3], [1, 0, 3]])
    assert placed == [(0, 0, 0, 0, 3)] and rest == [[1, 0, 3]]      # 2 lines left: no split of 3
    assert not fits([0, 0], 5, [6, 4]) and fits([0, 0], 6, [6, 4])
    placed, rest, bottom = balance([0, 0, 0], 28, [[0, 0, 9], [1, 0, 9]])
    assert not rest and bottom == 6              # 18 lines in three columns end level at row 6
    ends = {}
    for col, row, _, _, lines in placed:
        ends[col] = max(ends.get(col, 0), row + lines)
    assert max(ends.values()) - min(ends.values()) <= 1


def test_a_section_opens_under_its_headline_beside_a_photo():
    model = SectionModel(3, (10, 10, 10), (10, 10, 10))
    out = compose_section(GEO, Start(0, False, 0), model, (photo("p", 8),), False)
    texts = [p for p in out.pieces if p.kind == "text"]
    assert out.facts.opening
    assert (texts[0].col, texts[0].row, texts[0].para, texts[0].first) == (0, 3, 0, 0)
    items = [p for p in out.pieces if p.kind == "item"]
    assert items[0].col == 1 and items[0].row == 3       # across the later columns, under the headline
