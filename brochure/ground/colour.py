"""CMYK colour in percent: ReportLab colours and total ink.

A palette's limits (total ink, no registration colour) are checked where the
palette is read, by the content loader, which can name the line.
"""
from __future__ import annotations

from collections.abc import Iterable

from reportlab.lib.colors import CMYKColor, CMYKColorSep

CMYK = tuple[float, float, float, float]

WHITE: CMYK = (0, 0, 0, 0)             # paper: no ink


def cmyk(c: float, m: float, y: float, k: float, alpha: float | None = None) -> CMYKColor:
    """A ReportLab DeviceCMYK colour from percentages (0..100)."""
    for v in (c, m, y, k):
        if not 0 <= v <= 100:
            raise ValueError(f"CMYK percentages must be 0..100, got {(c, m, y, k)}")
    kw = {} if alpha is None else {"alpha": alpha}
    return CMYKColor(c / 100, m / 100, y / 100, k / 100, **kw)


def registration() -> CMYKColorSep:
    """Registration colour: a Separation /All, prints on every plate at 100 %.

    For crop marks and registration targets only, never for content.
    """
    return CMYKColorSep(1, 1, 1, 1, spotName="All", density=1)


def total_ink(value: Iterable[float]) -> float:
    """Total area coverage of a CMYK colour in percent (C+M+Y+K)."""
    return float(sum(value))
