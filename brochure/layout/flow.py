"""A ``Column``: a slot of a page: x, width, and the top and bottom of the room left in it (trim
coordinates, y up); a page's whole type area is one too.  Text is poured through columns on line counts
(``brochure.layout.sectionflow``), never by trial wraps of Flowables."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Column:
    x: float
    width: float
    top: float
    bottom: float

    @property
    def room(self) -> float:
        return self.top - self.bottom
