"""The pipeline, top to bottom: content -> fonts -> text styles -> layout -> render -> press -> out/.

Every output is written to a temporary file beside its final name, finished
to PDF/X, preflighted, and only then renamed into place, so a failed build
leaves the previous good PDF untouched.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from brochure.content import load
from brochure.content.model import Content, Press
from brochure.errors import BrochureError, PressError
from brochure.press.geometry import MM, PageBoxes

#: Words the layout itself prints (not from content.yaml); their glyphs are needed too.
LAYOUT_WORDS = "数说十年笔记/备忘▲■　0123456789·"
SLUG_MM = 10.0


@dataclass
class Output:
    name: str
    path: Path
    pages: int
    warnings: list = field(default_factory=list)
    preflight: object = None


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "brochure"


def profile_path(press: Press) -> Path:
    if press.output_profile != "default":
        return Path(press.output_profile)
    for candidate in ("/usr/share/color/icc/ghostscript/default_cmyk.icc",
                      "/usr/share/ghostscript/iccprofiles/default_cmyk.icc"):
        if Path(candidate).is_file():
            return Path(candidate)
    raise PressError(
        "找不到默认的 CMYK 色彩配置文件。请安装 Debian 软件包 libgs-common，或在 press.output_profile 中指定印刷厂的 .icc 文件。",
        "the default CMYK output profile is missing. Install the Debian package libgs-common, "
        "or set press.output_profile to the print shop's .icc file.",
    )


def boxes_for(width_mm: float, height_mm: float, press: Press) -> PageBoxes:
    return PageBoxes.from_mm(width_mm, height_mm, bleed_mm=press.bleed, slug_mm=SLUG_MM if press.marks else 0.0)


def load_faces(content: Content):
    from brochure.fonts import FontLibrary, check_coverage

    library = FontLibrary(content.root, cache_dir() / "fonts")
    chars = set("".join(content.texts())) | set(LAYOUT_WORDS)
    faces = {}
    for role in ("body", "heading", "display", "caption"):
        spec = getattr(content.fonts, role)
        faces[role] = library.face(spec.family, spec.style, chars)
    check_coverage(list(faces.values()), content.texts())
    return faces


def photo_loader(content: Content, press: Press):
    from brochure.press.images import prepare_photo

    profile = profile_path(press)

    def load_photo(photo, width_pt, height_pt):
        return prepare_photo(photo.file, width_pt, height_pt, fit=photo.fit, focus=photo.focus,
                             target_ppi=max(300.0, press.min_ppi), min_ppi=press.min_ppi,
                             profile=profile, cache_dir=cache_dir() / "images")

    return load_photo


def compositions(content: Content, faces, only: str | None = None):
    """(Composition, Press) for the brochure and each poster, lazily."""
    from brochure.layout.brochure import compose_brochure
    from brochure.layout.styles import brochure_styles

    if only in (None, "brochure"):
        b = content.brochure
        yield compose_brochure(content, brochure_styles(content, faces), photo_loader(content, b.press),
                               boxes_for(b.page.width, b.page.height, b.press)), b.press
    for poster in content.posters:
        if only not in (None, poster.name, f"poster-{poster.name}"):
            continue
        from brochure.layout.poster import compose_poster

        yield compose_poster(content, poster, faces, photo_loader(content, poster.press),
                             boxes_for(poster.page.width, poster.page.height, poster.press)), poster.press


def source_date(content: Content) -> int:
    """The document date: SOURCE_DATE_EPOCH when set, else the newest input's modification time.

    Either way the same inputs give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return int(epoch)
    inputs = [content.source] + [p.file for p in content.photos.values()]
    return int(max(p.stat().st_mtime for p in inputs))


def write_output(comp, press: Press, out_dir: Path, content: Content, font_name: str) -> Output:
    from brochure.press.pdfx import finish
    from brochure.press.preflight import preflight
    from brochure.render.pdf import render

    final = out_dir / f"{comp.name}.pdf"
    fd, raw_name = tempfile.mkstemp(prefix=f".{comp.name}.", suffix=".raw.pdf", dir=out_dir)
    os.close(fd)
    raw = Path(raw_name)
    done = raw.with_suffix("").with_suffix(".pdf.part")
    try:
        render(comp, raw, font_name=font_name, marks=press.marks, color_bar=press.color_bar,
               slug_text=f"{final.name}" if press.slug else None)
        finish(raw, done, boxes=[p.boxes for p in comp.pages], press=press, title=comp.title,
               author=str(content.document.author), language=content.document.language,
               source_date_epoch=source_date(content))
        report = preflight(done, expect_urls=comp.qr_urls, min_ppi=press.min_ppi, ink_limit=press.ink_limit)
        if not report.ok:
            raise PressError(
                f"{final.name} 未通过印前检查，未写出：\n{report.summary()}",
                f"{final.name} failed preflight and was not written (see above).",
            )
        os.replace(done, final)
        (out_dir / f"{comp.name}.preflight.json").write_text(report.to_json(), encoding="utf-8")
        return Output(comp.name, final, len(comp.pages), comp.warnings, report)
    finally:
        for leftover in (raw, done):
            leftover.unlink(missing_ok=True)


def build(content_path: Path, out_dir: Path, only: str | None = None, log=print) -> list[Output]:
    content = load(content_path)
    if only is not None and only not in ["brochure"] + [p.name for p in content.posters] + [f"poster-{p.name}" for p in content.posters]:
        raise BrochureError(
            f"没有名为“{only}”的输出。可用：brochure、{'、'.join(p.name for p in content.posters)}。",
            f"no output named '{only}'. Available: brochure, {', '.join(p.name for p in content.posters)}.",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    faces = load_faces(content)
    outputs = []
    for comp, press in compositions(content, faces, only):
        outputs.append(write_output(comp, press, out_dir, content, faces["body"].name))
    return outputs
