"""One section of the brochure laid out on line counts: a pure function of the grid, where it starts and one choice.

A section is, to the layout, only numbers: its headline's depth in grid lines,
each paragraph's line count at the column measure (the paragraphs are set once,
see ``brochure.text``), and for each photo or pull quote it may carry, the
lines its frame takes and what the rules count of it (how much it crops,
whether its pixels fall short).  ``compose_section`` pours those numbers
through columns and pages exactly as the Flowables will be poured (a paragraph
splits between lines, never leaving fewer than two lines on either side), and
returns where the section ends, the pieces it placed, and the facts the rules
judge.  No Flowable is wrapped or split here: that happens once, for the layout
chosen (``brochure.layout.brochure``).

Rows count grid lines down from the top of a page's type area.  The state
between sections is a ``Start``: the page (counted from the front page, 0),
whether it is the front page, and the row the section starts on.  The section's
outcome depends on the state only through the last two, which is what lets the
search (``brochure.layout.search``) lay out each (section, start, choice) once.
"""
from __future__ import annotations

from dataclasses import dataclass

from brochure.ground.errors import LayoutError


@dataclass(frozen=True)
class Start:
    """Where a section begins: page index (0 = front page), whether that is the front page, the row, and
    which blocks printed once only (the honour list, the key figures) are placed already."""

    page: int
    front: bool
    row: int
    placed: frozenset = frozenset()


@dataclass(frozen=True)
class Geometry:
    """What the flow reads of the page grid, in rows and columns."""

    rows_front: int          # grid lines in the front page's type area
    rows_inner: int          # grid lines in an inner page's type area (under the running head)
    cols_front: int
    cols_inner: int
    min_leg: int             # the shallowest leg the rules accept (a heading needs room for one more line)

    def rows(self, front: bool) -> int:
        return self.rows_front if front else self.rows_inner

    def cols(self, front: bool) -> int:
        return self.cols_front if front else self.cols_inner


@dataclass(frozen=True)
class Item:
    """A photo or pull quote as the flow sees it: its key, place, span, lines, and what the rules count of it."""

    key: str
    place: str               # right (top of the later columns), top (across, under the headline), foot
    span: int
    lines: int
    crop: float = 0.0
    soft: float = 0.0
    air: float = 0.0          # lines of white inside its frame
    wish: int = 0             # 1 when placed otherwise than content.yaml asks
    fill: bool = False        # a block that takes the rest of its page (at least ``lines``), or a page of its own
    most: int = 0             # the most lines such a block can fill (0: any)


@dataclass(frozen=True)
class SectionModel:
    """One section as numbers: its heading's lines and its paragraphs' line counts (front and inner measure)."""

    heading: int
    lines_front: tuple[int, ...]
    lines_inner: tuple[int, ...]


@dataclass(frozen=True)
class Facts:
    """What the rules count in one section's layout."""

    legs: tuple[int, ...] = ()
    opening: bool = True
    feet: tuple[int, ...] = ()         # lines of white at the foot of each page the section left
    uneven: int = 0
    crops: tuple[float, ...] = ()
    soft: tuple[float, ...] = ()
    air: tuple[float, ...] = ()
    wishes: int = 0


@dataclass(frozen=True)
class Piece:
    """Something placed: ``kind`` heading | text | item | rules; ``page`` relative to the section's first page.

    text: ``col``, ``row``, ``lines``, paragraph ``para`` from its line ``first``; item: ``col`` (first column),
    ``span``, ``row``, ``lines`` and ``key``; rules: column tops in ``tops`` and the ``row`` they end on."""

    kind: str
    page: int
    col: int = 0
    span: int = 0
    row: int = 0
    lines: int = 0
    para: int = -1
    first: int = 0
    key: str = ""
    tops: tuple[int, ...] = ()


@dataclass(frozen=True)
class Outcome:
    end: Start
    facts: Facts
    pieces: tuple[Piece, ...]


def fill(tops: list[int], bottoms: list[int], queue: list[list[int]]):
    """Pour paragraphs (``[para, first line, lines left]``) into columns between ``tops`` and ``bottoms``;
    returns (placed (col, row, para, first, lines), what is left)."""
    placed = []
    k, count = 0, len(queue)
    para, first, left = queue[0] if queue else (0, 0, 0)
    for col, (row, bottom) in enumerate(zip(tops, bottoms)):
        while k < count:
            room = bottom - row
            if room <= 0:
                break
            if left <= room:
                placed.append((col, row, para, first, left))
                row += left
                k += 1
                if k < count:
                    para, first, left = queue[k]
                continue
            fit = room if left - room >= 2 else left - 2      # no widow: carry two lines over
            if fit >= 2:                                      # no orphan: keep two lines here
                placed.append((col, row, para, first, fit))
                first, left = first + fit, left - fit
            break
    rest = ([[para, first, left]] + [list(q) for q in queue[k + 1:]]) if k < count else []
    return placed, rest


def fits(tops: list[int], bottom: int, lines: list[int]) -> bool:
    """Whether paragraphs of ``lines`` (the first of them perhaps begun) all fit the columns from ``tops``
    down to ``bottom`` (never below a column's top), split as ``fill`` splits them."""
    k, count = 0, len(lines)
    left = lines[0] if lines else 0
    for row in tops:
        room = bottom - row
        while k < count and room > 0:
            if left <= room:
                room -= left
                k += 1
                if k < count:
                    left = lines[k]
                continue
            fit = room if left - room >= 2 else left - 2
            if fit >= 2:
                left -= fit
            break
        if k >= count:
            return True
    return k >= count


def balance(tops: list[int], bottom: int, queue: list[list[int]]):
    """Fill the columns so that they end level: the highest common bottom row that takes every line.
    Returns (placed, left over, the row they end on); with lines left over, the columns are full."""
    lines = [q[2] for q in queue]
    if not fits(tops, bottom, lines):
        placed, rest = fill(tops, [bottom] * len(tops), queue)
        return placed, rest, bottom
    top = min(tops)
    lo, hi = 1, max(1, bottom - top)
    best = hi
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(tops, min(top + mid, bottom), lines):
            best = mid
            hi = mid - 1
        else:
            lo = mid + 1
    b = top + best
    placed, _ = fill(tops, [max(t, min(b, bottom)) for t in tops], queue)
    return placed, [], b


def place_items(tops: list[int], items: list[Item], page: int, pieces: list | None, facts: dict) -> int:
    """Photos and quotes at the top of their columns (``right``: the later ones; ``top``: all); shortens
    ``tops``; returns the lowest row they reach (exclusive)."""
    n, low = len(tops), 0
    for item in items:
        span = min(item.span, n)
        first = n - span if item.place == "right" else 0
        row = max(tops[first:first + span])
        if pieces is not None:
            pieces.append(Piece("item", page, first, span, row, item.lines, key=item.key))
        note(item, facts)
        low = max(low, row + item.lines)
        for c in range(first, first + span):
            tops[c] = row + item.lines + 1
    return low


def note(item: Item, facts: dict) -> None:
    facts["crops"].append(item.crop)
    facts["soft"].append(item.soft)
    facts["air"].append(item.air)
    facts["wishes"] += item.wish


def compose_section(geo: Geometry, start: Start, model: SectionModel, items: tuple[Item, ...],
                    brk: bool, record: bool = True) -> Outcome:
    """The section laid out from ``start`` with ``items`` (its photos and quote as chosen), opening on a
    page of its own when ``brk``.  Mirrors how a newspaper page is made up: the heading, its top photos and a
    full leg where the last section ended if they fit there, else on a new page; when only the photos do
    not fit but the text runs on anyway, they float to the top of the next page.  Without ``record`` only
    the end and the facts are worked out (the search's trials)."""
    front, row = start.front, start.row
    rel = 0                                  # pages this section moved on
    used = start.row - 1 if start.row > 0 else 0   # rows used on the current page (exclusive end)
    pieces: list[Piece] | None = [] if record else None
    facts = {"legs": [], "feet": [], "crops": [], "soft": [], "air": [], "wishes": 0}

    def new_page():
        nonlocal rel, front, row, used
        facts["feet"].append(geo.rows(front) - used if used else 0)
        rel += 1
        front, row, used = False, 0, 0

    if brk and row > 0:
        new_page()
    top_items = [i for i in items if i.place != "foot"]
    foot_items = [i for i in items if i.place == "foot"]
    hh = model.heading
    legs = geo.min_leg + 1                  # a line more: a paragraph split at the foot may keep one back
    queue = [[k, 0, n] for k, n in enumerate(model.lines_front if front else model.lines_inner)]
    floated: list[Item] = []
    room = geo.rows(front) - row
    if room < hh + max([i.lines + 1 for i in top_items], default=0) + legs:
        n = geo.cols(front)
        if top_items and room >= hh + legs and not fits([row + hh] * n, geo.rows(front), [q[2] for q in queue]):
            floated, top_items = top_items, []
        else:
            new_page()
            queue = [[k, 0, n] for k, n in enumerate(model.lines_inner)]
    n, rows = geo.cols(front), geo.rows(front)
    if record:
        pieces.append(Piece("heading", rel, 0, n, row, hh))
    row += hh
    used = max(used, row)
    tops = [row] * n
    used = max(used, place_items(tops, top_items, rel, pieces, facts))
    first = True
    while True:
        was_front = front
        placed, rest, bottom = balance(tops, rows, queue)
        if not placed and rest and min(tops) == 0:
            raise LayoutError(
                "正文在空白页上也放不下一行：请加大页面或减小页边距、字号。",
                "the text does not fit even on an empty page: enlarge the page or reduce the margins or type size.",
            )
        if first:
            facts["opening"] = bool(placed) and placed[0][0] == 0 and placed[0][1] == min(tops)
            first = False
        per_col = [0] * n
        ends = list(tops)
        for col, r, para, f, k in placed:
            if record:
                pieces.append(Piece("text", rel, col, 1, r, k, para, f))
            per_col[col] += k
            if r + k > ends[col]:
                ends[col] = r + k
        facts["legs"] += [k for k in per_col if k]
        used = max([used] + ends) if placed else used
        if record:
            pieces.append(Piece("rules", rel, row=bottom, tops=tuple(tops)))
        if not rest:
            facts["uneven"] = max(ends) - min(ends)
            row = bottom + 1
            break
        new_page()
        n, rows = geo.cols(front), geo.rows(front)
        if was_front:        # run on at the inner measure: a paragraph not yet begun is counted there
            rest = [[p, f, left if f else model.lines_inner[p]] for p, f, left in rest]
        queue = rest
        tops = [0] * n
        used = max(used, place_items(tops, floated, rel, pieces, facts))
        floated = []
    for item in foot_items:
        if row + item.lines > rows:
            new_page()
            rows = geo.rows(front)
        lines = min(rows - row, item.most or rows) if item.fill else item.lines
        if record:
            pieces.append(Piece("item", rel, 0, geo.cols(front), row, lines, key=item.key))
        note(item, facts)
        used = row + lines
        row += lines + 1
    end = Start(start.page + rel, front, row, start.placed)
    return Outcome(end, Facts(tuple(facts["legs"]), facts.get("opening", True), tuple(facts["feet"]),
                              facts.get("uneven", 0), tuple(facts["crops"]), tuple(facts["soft"]),
                              tuple(facts["air"]), facts["wishes"]), tuple(pieces or ()))


def with_fills(end: Start, geo: Geometry, fills: tuple[Item, ...]) -> tuple[Start, list[int]]:
    """Where a section ends when blocks that fill the rest of a page (``fills``) follow its text, as
    ``compose_section`` places them; and the white left at the foot of each page they move on from."""
    page, front, row = end.page, end.front, end.row
    feet = []
    for item in fills:
        rows = geo.rows(front)
        if row + item.lines > rows:
            used = row - 1 if row > 0 else 0
            feet.append(rows - used if used else 0)
            page, front, row = page + 1, False, 0
            rows = geo.rows_inner
        row += min(rows - row, item.most or rows) + 1
    return Start(page, front, row, end.placed), feet
