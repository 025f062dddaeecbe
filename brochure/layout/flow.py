"""Flowing blocks through columns, and balancing columns where a section ends.

A ``Column`` is a slot of a page: x, width, and the top and bottom of the room
left in it (trim coordinates, y up); a page's whole type area is one too.  ``fill`` pours blocks into columns in
order, splitting where a block allows it (text splits between lines, with its
own widow/orphan control); ``balance`` finds the lowest common bottom, on the
baseline grid, at which the blocks still fit, so a section's columns end level
before the next heading spans them.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from reportlab.platypus.flowables import Flowable

from brochure.ground.page import Placed

EPS = 0.01


@dataclass
class Column:
    x: float
    width: float
    top: float
    bottom: float

    @property
    def room(self) -> float:
        return self.top - self.bottom


def fill(columns: list[Column], blocks: list[Flowable]) -> tuple[list[Placed], list[Flowable], list[float]]:
    """Pour ``blocks`` into ``columns``; returns (placed, left over, the y each column ended at)."""
    placed: list[Placed] = []
    queue = list(blocks)
    ends: list[float] = []
    for col in columns:
        y = col.top
        while queue:
            block = queue[0]
            room = y - col.bottom
            if room <= EPS:
                break
            _, h = block.wrap(col.width, room)
            if h <= room + EPS:
                placed.append(Placed(block, col.x, y - h, col.width, h, kind=getattr(block, "kind", "text")))
                y -= h
                queue.pop(0)
                continue
            parts = block.split(col.width, room) or []
            if len(parts) >= 2:
                first = parts[0]
                _, h = first.wrap(col.width, room)
                if h <= room + EPS:
                    placed.append(Placed(first, col.x, y - h, col.width, h, kind=getattr(block, "kind", "text")))
                    y -= h
                    queue[0:1] = parts[1:]
            break
        ends.append(y)
    return placed, queue, ends


def balance(columns: list[Column], blocks: list[Flowable], step: float):
    """Fill ``columns`` so that they end level: the smallest bottom (on a ``step`` grid
    measured from the highest column top) that takes every block.

    Returns (placed, left over, bottom).  When the blocks do not all fit even in
    the full columns, this is plain ``fill`` and the left over goes on.
    """
    full_bottom = min(c.bottom for c in columns)
    placed, rest, ends = fill(columns, blocks)
    if rest:
        return placed, rest, full_bottom
    top = max(c.top for c in columns)
    lo, hi = 1, max(1, round((top - full_bottom) / step))
    best = (placed, hi)
    while lo <= hi:
        mid = (lo + hi) // 2
        bottom = top - mid * step
        trial = [replace(c, bottom=min(c.top, max(bottom, c.bottom))) for c in columns]
        p, r, _ = fill(trial, blocks)
        if r:
            lo = mid + 1
        else:
            best = (p, mid)
            hi = mid - 1
    placed, lines = best
    return placed, [], top - lines * step
