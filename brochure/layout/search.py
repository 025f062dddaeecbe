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

from brochure.ground.errors import LayoutError
from brochure.layout.plan import Rules
from brochure.layout.sectionflow import Facts, Geometry, Item, SectionModel, Start, compose_section


@dataclass(frozen=True)
class Choice:
    """One choice for a section: its photos and pull quote as placed, and whether it opens a page."""

    items: tuple[Item, ...]
    brk: bool

    def key(self) -> str:
        return ";".join(f"{i.key}:{i.place}:{i.span}:{i.lines}" for i in self.items) + ("|b" if self.brk else "")


def section_cost(facts: Facts, rules: Rules) -> float:
    """The rules' cost of one section's facts (lower is better)."""
    return sum(rules.breakdown_of(facts).values())


@dataclass
class SectionTask:
    """A section ready for the search: its numbers, its choices, and the digest of both."""

    model: SectionModel
    choices: list[Choice]

    def digest(self, geo: Geometry, rules: Rules) -> str:
        return hashlib.sha256(repr((self.model, geo, rules)).encode()).hexdigest()[:32]


class Memo:
    """(section digest, start front, start row, choice) -> (pages moved, end front, end row, cost).

    ``entries`` per section digest are plain JSON-able lists so the cache store can keep them."""

    def __init__(self):
        self.entries: dict[str, dict[str, list]] = {}
        self.changed: set[str] = set()
        self.trials = 0

    def get(self, digest: str, loader=None) -> dict[str, list]:
        found = self.entries.get(digest)
        if found is None:
            found = loader(digest) if loader is not None else None
            found = found if isinstance(found, dict) else {}
            self.entries[digest] = found
        return found


def lead_cost(facts: Facts, rules: Rules) -> float:
    return section_cost(facts, rules)


def final_cost(end: Start, geo: Geometry, rules: Rules) -> float:
    """What the page count and the white at the foot of the last text page cost."""
    pages = end.page + 1                       # text pages, the front page included
    total = -(-(pages + 1) // 4) * 4           # with the back cover, a multiple of four
    white = max(0, geo.rows(end.front) - max(0, end.row - 1))
    cost = rules.page * total / 4 + rules.filler * (total - pages - 1)
    if white > rules.free_foot:
        cost += rules.foot * (white - rules.free_foot)
    return cost


def run(geo: Geometry, rules: Rules, leads: list[tuple[object, Start, float]], tasks: list[SectionTask],
        memo: Memo, loader=None) -> tuple[object, list[Choice], float]:
    """The best (lead choice, section choices, cost). ``leads``: (choice, where section 1 starts, its cost)."""
    # best[state] = (cost so far, lead, choices so far)
    best: dict[Start, tuple[float, object, tuple]] = {}
    for lead, start, cost in leads:
        if start not in best or cost < best[start][0]:
            best[start] = (cost, lead, ())
    for task in tasks:
        digest = task.digest(geo, rules)
        table = memo.get(digest, loader)
        nxt: dict[Start, tuple[float, object, tuple]] = {}
        for start in sorted(best, key=lambda s: (s.page, not s.front, s.row)):
            cost0, lead, chosen = best[start]
            for choice in task.choices:
                key = f"{int(start.front)}:{start.row}:{choice.key()}"
                got = table.get(key)
                if got is None:
                    memo.trials += 1
                    try:
                        out = compose_section(geo, Start(0, start.front, start.row), task.model,
                                              choice.items, choice.brk)
                        got = [out.end.page, int(out.end.front), out.end.row, section_cost(out.facts, rules)]
                    except LayoutError:
                        got = [0, 0, 0, -1.0]
                    table[key] = got
                    memo.changed.add(digest)
                if got[3] < 0:
                    continue
                end = Start(start.page + got[0], bool(got[1]), got[2])
                cost = cost0 + got[3]
                if end not in nxt or cost < nxt[end][0]:
                    nxt[end] = (cost, lead, chosen + (choice,))
        if not nxt:
            raise LayoutError("版面排不下这些内容：请删减文字或照片。",
                              "the content does not fit any layout: shorten the text or remove photos.")
        best = nxt
    final = {s: v[0] + final_cost(s, geo, rules) for s, v in best.items()}
    end = min(sorted(final, key=lambda s: (s.page, not s.front, s.row)), key=final.get)
    cost, lead, chosen = best[end]
    return lead, list(chosen), final[end]


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
