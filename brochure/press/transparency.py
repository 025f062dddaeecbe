"""Where a PDF uses transparency: forbidden in PDF/X-1a, so finishing refuses it and preflight reports it."""
from __future__ import annotations

from pikepdf import Array, Name, Pdf


def find_transparency(pdf: Pdf) -> list[str]:
    """Where the file uses transparency (forbidden in PDF/X-1a), walking every page's resources."""
    found: list[str] = []

    def gstate(n: int, key: str, gs) -> None:
        for k in ("/ca", "/CA"):
            if k in gs and float(gs[k]) < 1:
                found.append(f"page {n}: opacity {k[1:]}={float(gs[k]):g} ({key})")
        smask = gs.get("/SMask")
        if smask is not None and smask != Name("/None"):
            found.append(f"page {n}: soft mask ({key})")
        bm = gs.get("/BM")
        if bm is not None:
            modes = [str(b) for b in bm] if isinstance(bm, Array) else [str(bm)]
            if not set(modes) <= {"/Normal", "/Compatible"}:
                found.append(f"page {n}: blend mode {'/'.join(modes)} ({key})")

    def walk(n: int, container, seen: set) -> None:
        group = container.get("/Group")
        if group is not None and group.get("/S") == Name.Transparency:
            found.append(f"page {n}: transparency group")
        res = container.get("/Resources")
        if res is None:
            return
        states = res.get("/ExtGState")
        if states is not None:
            for key in states.keys():
                gstate(n, key, states[key])
        xobjects = res.get("/XObject")
        if xobjects is not None:
            for key in xobjects.keys():
                xo = xobjects[key]
                if xo.get("/Subtype") == Name.Image and "/SMask" in xo:
                    found.append(f"page {n}: image {key} with soft mask (alpha)")
                elif xo.get("/Subtype") == Name.Form and xo.objgen not in seen:
                    seen.add(xo.objgen)
                    walk(n, xo, seen)

    for n, page in enumerate(pdf.pages, 1):
        walk(n, page.obj, set())
    return list(dict.fromkeys(found))
