"""What the editor shows beside the form: the loader's verdict on the words typed, and the pages as images.

The words are checked by the content loader itself (``load(path, text=...)``):
the same checks and bilingual messages as ``check`` and ``build``, each placed at
the form's field through the line and column it names.  The pages are the
pipeline's own compositions (``compositions``), drawn by the renderer into a
PDF in memory's temporary folder, never into out/, and rasterised with PDFium.
One build ``Session`` serves every preview, so fonts, set paragraphs, photos and
the layout plan stay warm between keystrokes.

Each page is rendered into a PDF of its own, and rasterised only when those
bytes are new (hashed): alone in its file a page owes its bytes to itself only.
The PNG is kept under a digest of its pixels, so a page that looks as it did is
handed to the browser under the same address and not drawn again there.
"""
from __future__ import annotations

import hashlib
import io
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from brochure.content import load
from brochure.content.model import Content
from brochure.content.unfinished import refuse_unfinished
from brochure.ground.errors import BrochureError
from brochure.layout.content_checks import check_qr
from brochure.layout.page_checks import check_on_page
from brochure.pipeline import Session
from brochure.pipeline.inputs import compositions, load_faces
from brochure.pipeline.stage import line_setter
from brochure.render.pdf import render
from brochure.workflow.editor.yamldoc import path_at, places

#: Pixels per point of the preview images (about 100 dpi: sharp on a screen, quick to draw) ...
SCALE = 1.4
#: ... and at most this many pixels along a page's longer side (a poster is seen whole, not at 100 dpi).
LONGEST = 1800
#: What the PNGs kept may add up to (bytes), the oldest forgotten first.
KEPT_BYTES = 96 * 1024 * 1024


@dataclass
class Message:
    """One message for the page: bilingual, at a field of the form where it names a place."""

    zh: str
    en: str
    level: str = "error"          # error: not saved | build: the build would refuse it | warning | note
    line: int | None = None
    column: int | None = None
    path: tuple | None = None

    def as_json(self) -> dict:
        return {"zh": self.zh, "en": self.en, "level": self.level, "line": self.line, "column": self.column,
                "path": list(self.path) if self.path is not None else None}


@dataclass
class Checked:
    content: Content | None
    messages: list[Message] = field(default_factory=list)
    places: list = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.content is not None


@dataclass
class PageImage:
    key: str
    width: int
    height: int
    boxes: list[dict]              # {x, y, w, h (fractions of the page), path, kind}


def message(exc, level: str, index) -> Message:
    where = getattr(exc, "where", None)
    line = getattr(where, "line", None)
    column = getattr(where, "column", None)
    return Message(exc.zh, exc.en, level, line, column, path_at(index, line, column))


class Preview:
    """The loader and the pipeline's compositions, warm, for one content file."""

    def __init__(self, content_path: Path, session: Session | None = None):
        self.path = Path(content_path).absolute()
        self.session = session or Session()
        self.pages: dict[str, bytes] = {}        # digest of the page's pixels -> PNG
        self.kept = 0                            # bytes in self.pages
        self.drawn: dict[str, str] = {}          # preflight's page key -> digest of its pixels
        self.seconds: dict[str, float] = {}      # how long the last pages took: layout, render, images

    def check(self, text: str) -> Checked:
        """The loader's verdict on ``text`` (what the form holds), as if it were the file."""
        index = places(text)
        try:
            content = load(self.path, text=text, checked_photos=self.session.memo("photos"))
        except BrochureError as exc:
            return Checked(None, [message(exc, "error", index)], index)
        checked = Checked(content, [message(w, "warning", index) for w in content.warnings], index)
        for check in (refuse_unfinished, check_qr):     # what build refuses, though the file may be saved
            try:
                check(content)
            except BrochureError as exc:
                checked.messages.append(message(exc, "build", index))
        return checked

    def draw(self, checked: Checked, only: str = "brochure") -> tuple[list[PageImage], list[Message]]:
        """The pages of output ``only`` (the brochure or a poster's name) as PNG images, and the build's notes."""
        content = checked.content
        notes: list[Message] = []
        names = ["brochure"] + [p.name for p in content.posters]
        if only not in names:
            only = "brochure"
        started = time.perf_counter()
        try:
            faces = load_faces(content, self.session)
            setter = line_setter(content, [only], self.session)
            # draft: a photo of too low a resolution is shown with its warning rather than refused
            comp, _press = next(compositions(content, faces, self.session, setter, only=only, draft=True))
            setter.save()
            self.seconds = {"layout": time.perf_counter() - started}
            for w in comp.warnings:
                notes.append(message(w, "note" if w.where is None else "warning", checked.places))
            try:
                check_on_page(comp)
            except BrochureError as exc:
                notes.append(message(exc, "build", checked.places))
            with tempfile.TemporaryDirectory(prefix="brochure-edit-") as tmp:
                images = self._pages(comp, faces["body"].name, Path(tmp), checked.places, started)
        except BrochureError as exc:
            notes.append(message(exc, "build", checked.places))
            return [], notes
        return images, notes

    def _pages(self, comp, font_name: str, tmp: Path, index, started: float) -> list[PageImage]:
        """Each page drawn by the renderer into a PDF of its own, rasterised only if those bytes are new.

        A page alone in its file owes its bytes to itself only (a font subset holds just its own
        characters), so a page that did not change gives the same bytes and is not rasterised again.
        """
        import pypdfium2

        images, rendering = [], 0.0
        for n, page in enumerate(comp.pages):
            b = page.boxes
            pdf = tmp / f"page-{n + 1}.pdf"
            t = time.perf_counter()
            render(replace(comp, pages=[page]), pdf, font_name=font_name, marks=False)
            rendering += time.perf_counter() - t
            scale = min(SCALE, LONGEST / max(b.trim_w, b.trim_h))
            key = hashlib.sha1(pdf.read_bytes() + f":{scale}".encode()).hexdigest()
            if key not in self.drawn:
                document = pypdfium2.PdfDocument(str(pdf))
                try:
                    m = b.margin
                    # no_smoothimage: photos scaled down without smoothing, about three times quicker;
                    # the text, what staff read, is as sharp
                    image = document[0].render(scale=scale, crop=(m, m, m, m), no_smoothimage=True).to_pil()
                finally:
                    document.close()
                image = image.convert("RGB")
                # the PNG is kept under its pixels: a page that looks as before keeps its address
                seen = hashlib.sha1(image.tobytes() + repr(image.size).encode()).hexdigest()[:24]
                if seen not in self.pages:
                    out = io.BytesIO()
                    image.save(out, "PNG", compress_level=1)
                    self._keep(seen, out.getvalue())
                self.drawn[key] = seen
            width, height = round(b.trim_w * scale), round(b.trim_h * scale)
            images.append(PageImage(self.drawn[key], width, height, self._boxes(page, index)))
        self.seconds["render"] = rendering
        self.seconds["images"] = time.perf_counter() - started - self.seconds["layout"] - rendering
        return images

    def _keep(self, key: str, png: bytes) -> None:
        self.pages[key] = png
        self.kept += len(png)
        while self.kept > KEPT_BYTES and len(self.pages) > 1:
            gone = next(iter(self.pages))
            self.kept -= len(self.pages.pop(gone))
            for k in [k for k, v in self.drawn.items() if v == gone]:
                del self.drawn[k]

    @staticmethod
    def _boxes(page, index) -> list[dict]:
        """Where each placed block that came from content.yaml lies on the page, and its path in the form."""
        b = page.boxes
        found = []
        for item in page.items:
            where = item.where or getattr(item.flowable, "where", None)    # blocks poured into columns keep it there
            line = getattr(where, "line", None)
            if line is None or item.kind in ("furniture", "decoration"):
                continue
            path = path_at(index, line, getattr(where, "column", None))
            if path is None:
                continue
            found.append({"x": item.x / b.trim_w, "y": 1 - (item.y + item.h) / b.trim_h,
                          "w": item.w / b.trim_w, "h": item.h / b.trim_h, "path": list(path), "kind": item.kind})
        return found


def min_photo_pixels(content: Content | None) -> tuple[int, float]:
    """The fewest pixels across a photo needs: one column of the brochure at its press's resolution.

    The layout may print a photo wider (it chooses), and the build checks that size; a
    photo that cannot even fill one column sharply is refused when it is chosen."""
    if content is None:
        return 700, 60.0
    b = content.brochure
    top, outer, bottom, inner = b.margins
    width_mm = (b.page.width - outer - inner - b.gutter * (b.columns - 1)) / b.columns
    return round(width_mm / 25.4 * b.press.min_ppi), width_mm

