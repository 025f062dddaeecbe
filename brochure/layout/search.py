"""The brochure's layout, searched by dynamic programming over sections (optimal pagination).

Plass (*Optimal Pagination Techniques for Automatic Typesetting Systems*, 1981)
finds the best way to put the first i lines and figures on the first k pages.
Here the unit is a section: the state between two sections is a ``Start``
(the page, whether it is the front page, and the grid row the next section
starts on), each section has a list of choices (where its photos and pull quote
go and how tall they are, whether it opens on a page of its own), and the cost
of a section laid out from a state with a choice depends on nothing else.  So
the best layout of sections 1..i ending in each state is found from the best
of sections 1..i-1, and the best final state, with the page count's cost, is
the optimum under the rules: deterministic, with no trial budget.

Each (section, start, choice) is laid out once on line counts
(``sectionflow.compose_section``) and kept in ``memo``: a build keeps it in its
``Session`` (``watch`` keeps it between saves) and in the cache store, keyed by
a digest of exactly what the flow reads of the section, so an edit lays out
again only the edited section and the states a moved section start reaches.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from itertools import permutations

from brochure.ground.errors import LayoutError
from brochure.layout.plan import Rules
from brochure.layout.sectionflow import Facts, Geometry, Item, SectionModel, Start, compose_section, with_fills


@dataclass(frozen=True)
class Choice:
    """One choice for a section: its photos and pull quote as placed, and whether it opens a page."""

    items: tuple[Item, ...]
    brk: bool
    once: frozenset = frozenset()        # blocks printed once only that this choice places (honours, figures)

    def key(self) -> str:
        return ";".join(f"{i.key}:{i.place}:{i.span}:{i.lines}{'f' if i.fill else ''}" for i in self.items) + (
            "|b" if self.brk else "")


def section_cost(facts: Facts, rules: Rules) -> float:
    """The rules' cost of one section's facts (lower is better)."""
    return sum(rules.breakdown_of(facts).values())


@dataclass
class SectionTask:
    """A section ready for the search: its numbers, its choices, and the digest of both."""

    model: SectionModel
    choices: list[Choice]
    fills: tuple[Item, ...] = ()     # blocks printed once only that may follow the section, filling a page

    def digest(self, geo: Geometry, rules: Rules) -> str:
        return hashlib.sha256(repr((self.model, geo, rules)).encode()).hexdigest()[:32]


class Memo:
    """(section digest, start front, start row, choice) -> (pages moved, end front, end row, cost).

    ``entries`` per section digest are plain JSON-able lists so the cache store can keep them."""

    def __init__(self):
        self.entries: dict[str, dict[str, list]] = {}
        self.changed: set[str] = set()
        self.trials = 0
        self.tasks: dict[str, object] = {}      # section inputs digest -> SectionTask (in memory only)
        self.leads: dict[str, list] = {}        # front page inputs digest -> its designs tried
        self.plans: dict[str, tuple] = {}       # the whole brochure's inputs digest -> (plan, pages)

    def get(self, digest: str, loader=None) -> dict[str, list]:
        found = self.entries.get(digest)
        if found is None:
            found = loader(digest) if loader is not None else None
            found = found if isinstance(found, dict) else {}
            self.entries[digest] = found
        return found


def final_cost(end: Start, geo: Geometry, rules: Rules) -> float:
    """What the page count and the white at the foot of the last text page cost."""
    pages = end.page + 1                       # text pages, the front page included
    total = -(-(pages + 1) // 4) * 4           # with the back cover, a multiple of four
    white = max(0, geo.rows(end.front) - max(0, end.row - 1))
    cost = rules.page * total / 4 + rules.filler * (total - pages - 1)
    if white > rules.free_foot:
        cost += rules.foot * (white - rules.free_foot)
    if white > rules.band:
        cost += rules.banded * (white - rules.band)
    return cost


def run(geo: Geometry, rules: Rules, leads: list[tuple[object, Start, float]], tasks: list[SectionTask],
        memo: Memo, loader=None, required: frozenset = frozenset()) -> tuple[object, list[Choice], float]:
    """The best (lead choice, section choices, cost). ``leads``: (choice, where section 1 starts, its cost);
    ``required``: the blocks that must be placed once by the end (the honour list, when the front may leave it).

    States are (page, front, row, placed).  A state whose page already forces more pages than a layout
    found with each section's first choice needs is not followed: the page count outweighs every other
    rule, so no such state can lead to the optimum."""
    most = bound(geo, rules, leads, tasks, required)
    best: dict[tuple, tuple[float, object, tuple]] = {}
    for lead, start, cost in leads:
        state = (start.page, start.front, start.row, start.placed)
        if state not in best or cost < best[state][0]:
            best[state] = (cost, lead, ())
    for task in tasks:
        digest = task.digest(geo, rules)
        table = memo.get(digest, loader)
        keys = [choice.key() for choice in task.choices]
        base: dict[tuple, tuple[float, object, tuple]] = {}
        for state in sorted(best, key=order_of):
            cost0, lead, chosen = best[state]
            page, front, row, placed = state
            if most is not None and pages_for(page) > most:
                continue
            prefix = f"{int(front)}:{row}:"
            for choice, ckey in zip(task.choices, keys):
                key = prefix + ckey
                got = table.get(key)
                if got is None:
                    memo.trials += 1
                    try:
                        out = compose_section(geo, Start(0, front, row), task.model, choice.items, choice.brk,
                                              record=False)
                        got = [out.end.page, int(out.end.front), out.end.row, section_cost(out.facts, rules)]
                    except LayoutError:
                        got = [0, 0, 0, -1.0]
                    table[key] = got
                    memo.changed.add(digest)
                if got[3] < 0:
                    continue
                target = (page + got[0], bool(got[1]), got[2], placed)
                cost = cost0 + got[3]
                if target not in base or cost < base[target][0]:
                    base[target] = (cost, lead, chosen + (choice,))
        nxt: dict[tuple, tuple[float, object, tuple]] = {}
        for state in sorted(base, key=order_of):          # then the blocks that may fill the rest of a page
            cost0, lead, chosen = base[state]
            page, front, row, placed = state
            free = [f for f in task.fills if f.key not in placed]
            for order in [()] + [o for k in range(1, len(free) + 1) for o in permutations(free, k)]:
                if order:
                    end, feet = with_fills(Start(page, front, row), geo, order)
                    cost = cost0 + sum(rules.foot * (w - rules.free_foot) for w in feet if w > rules.free_foot) + sum(
                        rules.banded * (w - rules.band) for w in feet if w > rules.band)
                    target = (end.page, end.front, end.row, placed | {f.key for f in order})
                    last = chosen[-1]
                    picked = chosen[:-1] + (Choice(last.items + order, last.brk, frozenset(f.key for f in order)),)
                else:
                    cost, target, picked = cost0, state, chosen
                if target not in nxt or cost < nxt[target][0]:
                    nxt[target] = (cost, lead, picked)
        if not nxt:
            raise LayoutError("版面排不下这些内容：请删减文字或照片。",
                              "the content does not fit any layout: shorten the text or remove photos.")
        best = nxt
    final = {s: v[0] + final_cost(Start(s[0], s[1], s[2]), geo, rules) for s, v in best.items() if required <= s[3]}
    if not final:
        raise LayoutError("版面排不下这些内容：请删减文字或照片。",
                          "the content does not fit any layout: shorten the text or remove photos.")
    end = min(sorted(final, key=order_of), key=final.get)
    cost, lead, chosen = best[end]
    return lead, list(chosen), final[end], end


def order_of(state: tuple):
    """States in a fixed order, so that ties always resolve the same way."""
    return state[0], not state[1], state[2], sorted(state[3])


def pages_for(page: int) -> int:
    """The fewest pages (a multiple of four, the back cover included) once text runs on to page index ``page``."""
    return -(-(page + 2) // 4) * 4


def bound(geo: Geometry, rules: Rules, leads, tasks: list[SectionTask], required: frozenset) -> int | None:
    """The page count of one layout (every section's first choice, the blocks printed once following the
    last section): the optimum needs no more pages than this."""
    if not leads:
        return None
    lead = min(leads, key=lambda t: (t[1].page, t[1].row))
    state = lead[1]
    try:
        for task in tasks:
            choice = task.choices[0]
            out = compose_section(geo, Start(0, state.front, state.row), task.model, choice.items, choice.brk,
                                  record=False)
            state = Start(state.page + out.end.page, out.end.front, out.end.row, state.placed)
        fills = tuple(f for f in (tasks[-1].fills if tasks else ()) if f.key in required - state.placed)
        if fills:
            state, _ = with_fills(state, geo, fills)
    except LayoutError:
        return None
    return pages_for(state.page)


def dump(table: dict) -> bytes:
    return json.dumps(table, separators=(",", ":"), sort_keys=True).encode()


def load(data: bytes | None) -> dict | None:
    if data is None:
        return None
    try:
        table = json.loads(data)
    except ValueError:
        return None
    if not isinstance(table, dict):
        return None
    ok = all(isinstance(v, list) and len(v) == 4 and all(isinstance(x, (int, float)) for x in v)
             for v in table.values())
    return table if ok else None
