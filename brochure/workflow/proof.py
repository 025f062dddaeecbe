"""``brochure proof``: build, then a PNG of every page of every output and one contact sheet.

The PNGs show each page at its trim size (what the reader holds after cutting),
rendered by pdfium from the finished PDFs in out/, so they show exactly what was
written.  Files go to ``out/proof/``:

    brochure-p01.png … , poster-a1-p01.png … , contact-sheet.png

PNGs from an earlier proof of the same outputs are removed first, so a brochure
that shrank from 8 to 4 pages leaves no stale page 5, and those of an output the
content no longer makes go too.  Each PNG is written to a
hidden temporary name and renamed into place, so a full disk leaves no
half-written picture; a PNG's name taken by a folder, or a disk that fills, is
said as an error naming the file (the PDFs are already built by then).
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from brochure.pipeline import build as build_outputs
from brochure.pipeline.outputs import new_file_mode
from brochure.content.files import display_path
from brochure.ground.errors import BrochureError, Location
from brochure.runtime.progress import Progress
from brochure.workflow.environment import process_environment

#: Resolution of the page previews.
DPI = 100
#: No preview is longer than this on its long side (posters are scaled down to it).
MAX_SIDE_PX = 2000
#: Thumbnail height on the contact sheet.
THUMB_PX = 280
SHEET_COLUMNS = 6


@dataclass
class ProofResult:
    outputs: list = field(default_factory=list)     # brochure.pipeline.Output
    pages: list[Path] = field(default_factory=list)
    contact_sheet: Path | None = None
    stale: list[Path] = field(default_factory=list)  # pages of outputs the content no longer makes, removed


def page_pngs(pdf_path: Path, dest: Path, stem: str, *, dpi: float = DPI, max_side: int = MAX_SIDE_PX,
              on_page: Callable[[], None] | None = None) -> list[Path]:
    """Render each page's trim box to ``dest/STEM-pNN.png``; ``on_page()`` before each page."""
    import pypdfium2 as pdfium

    written = []
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for number, page in enumerate(pdf, 1):
            if on_page is not None:
                on_page()
            cl, cb, cr, ct = page.get_cropbox()
            tl, tb, tr, tt = page.get_trimbox()
            crop = (max(0.0, tl - cl), max(0.0, tb - cb), max(0.0, cr - tr), max(0.0, ct - tt))
            width, height = tr - tl, tt - tb
            scale = min(dpi / 72.0, max_side / max(width, height))
            image = page.render(scale=scale, crop=crop).to_pil().convert("RGB")
            path = dest / f"{stem}-p{number:02d}.png"
            save_png(image, path, optimize=False)
            written.append(path)
            page.close()
    finally:
        pdf.close()
    return written


def contact_sheet(pages: list[tuple[str, Path]], path: Path, *, thumb: int = THUMB_PX, columns: int = SHEET_COLUMNS) -> Path:
    """One PNG with a labelled thumbnail of each (label, png)."""
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.load_default(size=max(12, thumb // 16))
    except TypeError:  # Pillow < 10.1: the small bitmap font
        font = ImageFont.load_default()
    label_h = max(12, thumb // 16) + 10
    pad = 16
    thumbs = []
    for label, png in pages:
        with Image.open(png) as im:
            im = im.convert("RGB")
            w = max(1, round(im.width * thumb / im.height))
            thumbs.append((label, im.resize((w, thumb), Image.Resampling.LANCZOS)))
    cell_w = max((t.width for _, t in thumbs), default=thumb) + pad
    cols = max(1, min(columns, len(thumbs)))
    rows = max(1, math.ceil(len(thumbs) / cols))
    sheet = Image.new("RGB", (pad + cols * cell_w, pad + rows * (thumb + label_h + pad)), (235, 235, 235))
    draw = ImageDraw.Draw(sheet)
    for n, (label, im) in enumerate(thumbs):
        x = pad + (n % cols) * cell_w + (cell_w - pad - im.width) // 2
        y = pad + (n // cols) * (thumb + label_h + pad)
        draw.rectangle([x - 1, y - 1, x + im.width, y + im.height], outline=(150, 150, 150))
        sheet.paste(im, (x, y))
        draw.text((x, y + thumb + 4), label, fill=(40, 40, 40), font=font)
    save_png(sheet, path)
    return path


def save_png(image, path: Path, **options) -> None:
    """``image`` as a PNG at ``path``, whole or not at all (a temporary name first, then a rename)."""
    if os.path.isdir(path):
        raise IsADirectoryError(21, os.strerror(21), str(path))
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            image.save(f, "PNG", **options)
        os.chmod(name, new_file_mode())
        os.replace(name, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def cannot_write_proof(exc: OSError, dest: Path) -> BrochureError:
    reasons = {28: ("磁盘已满", "the disk is full"), 21: ("那里是一个文件夹", "a folder has that name"),
               13: ("没有写入权限", "permission denied"), 30: ("文件系统是只读的", "the file system is read-only")}
    zh, en = reasons.get(exc.errno, (exc.strerror or str(exc), exc.strerror or str(exc)))
    name = Path(exc.filename).name if exc.filename else ""
    return BrochureError(
        f"无法写出校样 {name}（{zh}）。PDF 已生成；请腾出空间或移开挡路的文件夹后再运行 brochure proof。",
        f"could not write the proof {name} ({en}). The PDFs are built; make room, or move the folder in the way, "
        "then run brochure proof again.",
        Location(display_path(dest)),
    )


#: A page preview's name: the output's name, then its page number.
PAGE_PNG = re.compile(r"^(brochure|poster-[A-Za-z0-9_-]+)-p\d+\.png$")


def _remove_stale(dest: Path, stems: list[str]) -> list[Path]:
    """The previews of outputs no longer made (a poster taken out of content.yaml), removed; which."""
    gone = []
    for old in sorted(dest.iterdir()):
        m = PAGE_PNG.match(old.name)
        if m and m[1] not in stems and old.is_file() and not old.is_symlink():
            old.unlink()
            gone.append(old)
    return gone


def _remove_old(dest: Path, stems: list[str]) -> None:
    for stem in stems:
        for old in dest.glob(f"{stem}-p*.png"):
            if re.fullmatch(rf"{re.escape(stem)}-p\d+\.png", old.name):
                old.unlink()


def proof(content_path: Path, out_dir: Path, *, only: str | None = None, dpi: float = DPI,
          max_side: int = MAX_SIDE_PX, build=None, draft: bool = False) -> ProofResult:
    """Build ``content_path`` into ``out_dir`` (as ``brochure build`` does), then write the previews;
    a ``draft`` (``--draft``) as ``brochure build --draft`` builds it, watermarked."""
    if build is None:               # as the command builds: heeding this process's environment
        build = functools.partial(build_outputs, env=process_environment())
    dest = Path(out_dir) / "proof"
    if os.path.lexists(dest) and not dest.is_dir():        # found before the build, so out/ is left as it was
        raise BrochureError(
            "这里应是存放校样的文件夹，却是一个文件。请删除或改名这个文件后再运行 brochure proof。",
            "this should be the folder for the proofs, but it is a file. Delete or rename it, then run brochure proof again.",
            Location(display_path(dest)),
        )
    outputs = build(Path(content_path), Path(out_dir), only=only, **({"draft": True} if draft else {}))
    result = ProofResult(outputs=outputs)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        _remove_old(dest, [o.name for o in outputs])
        if only is None:                     # every output was made: pages of others are stale
            result.stale = _remove_stale(dest, [o.name for o in outputs])
        labelled = []
        done = itertools.count(1)
        with Progress("页", "page", sum(o.pages for o in outputs)) as progress:       # a PNG takes a while per page
            for output in outputs:
                pngs = page_pngs(output.path, dest, output.name, dpi=dpi, max_side=max_side,
                                 on_page=lambda: progress.show(next(done)))
                result.pages += pngs
                labelled += [(f"{output.name}  p{n}", png) for n, png in enumerate(pngs, 1)]
        result.contact_sheet = contact_sheet(labelled, dest / "contact-sheet.png")
    except OSError as exc:
        raise cannot_write_proof(exc, dest) from None
    return result
