"""What preflight keeps between runs in a store: each page's reading, as plain data in JSON.

A ``PageRead`` is what the checks read from one page, without its number: the
colours painted with their areas, the image placements, the colour problems, and
(filled in by the text check) the Han characters extracted and the QR codes decoded
in each placed area.  It is kept under kind "preflight" by the page's ``page_key``;
an entry that does not parse as a page reading for that key is ignored and the page
read again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Protocol

import pikepdf

from .scan import Placement, Scan, note_fonts

KIND = "preflight"


class Store(Protocol):
    """Where readings are kept (``brochure.runtime.store.Store``): bytes by kind and hex key."""

    def get(self, kind: str, key: str) -> bytes | None: ...

    def put(self, kind: str, key: str, data: bytes) -> None: ...


@dataclass
class PageRead:
    """What the checks read from one page, without its number: replayed for an identical page."""

    paints: frozenset              # ((C, M, Y, K) 0..1, (x0, y0, x1, y1) in page space, overprint?)
    images: tuple                  # (name, width_px, height_px, width_pt, height_pt, colour space)
    problems: tuple                # colour problems, without the "page N: " prefix
    han: int | None = None         # Han characters PDFium extracted (filled in by the text check)
    garbled: bool = False
    qr: dict = field(default_factory=dict)     # QR codes decoded in each placed area of the page
    watermark: bool = False        # a draft's watermark artifact is on the page

    @classmethod
    def of(cls, scan: Scan, n: int, before: tuple[int, int]) -> "PageRead":
        """What the walk of page ``n`` added to ``scan`` (``before``: colour problems and images before it)."""
        prefix = f"page {n}: "
        return cls(frozenset(scan.paints.get(n, ())),
                   tuple((im.name, im.width_px, im.height_px, im.width_pt, im.height_pt, im.colorspace)
                         for im in scan.images[before[1]:]),
                   tuple(p[len(prefix):] if p.startswith(prefix) else p for p in scan.colour_problems[before[0]:]),
                   watermark=n in scan.watermarked)

    def replay(self, page, n: int, scan: Scan) -> None:
        """Add this reading to ``scan`` as page ``n`` (fonts and image objects are taken from ``page``)."""
        resources = page.obj.get("/Resources") or pikepdf.Dictionary()
        note_fonts(resources, n, scan)
        scan.paints.setdefault(n, set()).update(self.paints)
        xobjects = resources.get("/XObject")
        for name, w, h, wpt, hpt, cs in self.images:
            obj = xobjects.get(name) if xobjects is not None and name != "inline image" else None
            scan.images.append(Placement(n, name, w, h, wpt, hpt, cs, obj))
        scan.colour_problems.extend(f"page {n}: {p}" for p in self.problems)
        if self.watermark:
            scan.watermarked.add(n)

    def to_json(self, key: str) -> bytes:
        """The reading as JSON, naming the page key it belongs to (paints sorted: equal readings, equal bytes)."""
        return json.dumps({
            "key": key,
            "paints": [[list(c), list(box), op] for c, box, op in sorted(self.paints)],
            "images": [list(im) for im in self.images],
            "problems": list(self.problems),
            "han": self.han,
            "garbled": self.garbled,
            "qr": [[list(box), list(texts)] for box, texts in self.qr.items()],
            "watermark": self.watermark,
        }, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes, key: str) -> "PageRead | None":
        """The reading kept for ``key``; None for anything else (damaged, another page's, not a reading)."""
        try:
            got = json.loads(data)
            if got["key"] != key:
                return None
            paints = frozenset((_floats(c, 4), _floats(box, 4), _bool(op)) for c, box, op in got["paints"])
            images = tuple((_str(name), _int(w), _int(h), _float(wpt), _float(hpt), _str(cs))
                           for name, w, h, wpt, hpt, cs in got["images"])
            problems = tuple(_str(p) for p in got["problems"])
            han = None if got["han"] is None else _int(got["han"])
            qr = {_floats(box, 4): tuple(_str(t) for t in texts) for box, texts in got["qr"]}
            return cls(paints, images, problems, han, _bool(got["garbled"]), qr, _bool(got["watermark"]))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def _float(v) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(v)
    return float(v)


def _floats(values, n: int) -> tuple[float, ...]:
    if not isinstance(values, list) or len(values) != n:
        raise TypeError(values)
    return tuple(_float(v) for v in values)


def _int(v) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(v)
    return v


def _bool(v) -> bool:
    if not isinstance(v, bool):
        raise TypeError(v)
    return v


def _str(v) -> str:
    if not isinstance(v, str):
        raise TypeError(v)
    return v
