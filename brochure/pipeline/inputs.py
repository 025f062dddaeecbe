"""What a build reads before it draws anything: the faces, the photos, the compositions and the dates.

``load_faces`` opens the four roles' fonts with every character the text and the
layout need; ``compositions`` lays out the brochure and each poster lazily, with
a ``photo_loader`` preparing each photo at its placed size; ``output_names``
lists what a build makes, in the order of content.yaml.
"""
from __future__ import annotations

from dataclasses import fields, replace

from brochure.content.model import Content, Press
from brochure.content.yamlnodes import display_path
from brochure.fonts import FontLibrary, check_coverage
from brochure.ground import rules
from brochure.ground.boxes import MM, PageBoxes
from brochure.ground.errors import BuildWarning, FontError, LayoutError, PressError
from brochure.runtime.progress import Progress
from brochure.runtime.session import Session
from brochure.images.prepare import prepare_photo
from brochure.images.resolution import check_resolution
from brochure.layout.brochure import compose_brochure
from brochure.layout.search import Memo
from brochure.layout.poster import compose_poster
from brochure.layout.styles import brochure_styles
from brochure.press.profile import output_profile_path

#: Words the layout itself prints (not from content.yaml); their glyphs are needed too.
LAYOUT_WORDS = "数说十年笔记/备忘▲■　0123456789·"
#: What a draft (``--draft``) prints across every page.
DRAFT_MARK = "样稿 DRAFT"
SLUG_MM = 10.0


def boxes_for(width_mm: float, height_mm: float, press: Press) -> PageBoxes:
    return PageBoxes.from_mm(width_mm, height_mm, bleed_mm=press.bleed, slug_mm=SLUG_MM if press.marks else 0.0)


def load_faces(content: Content, session: Session | None = None, draft: bool = False):
    """The faces of the four roles, from the session's font library (opened here if it has none);
    for a ``draft``, with the glyphs of its watermark too."""
    session = session or Session()
    library = session.fonts
    if library is None or library.project_root != content.root:
        library = session.fonts = FontLibrary(content.root, session.store.folder("fonts"))
    chars = set("".join(content.texts())) | set(LAYOUT_WORDS) | (set(DRAFT_MARK) if draft else set())
    faces = {}
    roles = ("body", "heading", "display", "caption")
    with Progress("正在准备字体", "preparing fonts", len(roles)) as progress:    # seconds each, when cold
        for n, role in enumerate(roles, 1):
            spec = getattr(content.fonts, role)
            try:
                faces[role] = library.face(spec.family, spec.style, chars, preparing=lambda n=n: progress.show(n))
            except FontError as exc:
                where = getattr(spec.family, "where", None)
                if exc.where is None and where is not None:   # name the settings line that asked for it
                    raise FontError(exc.zh, exc.en, where) from None
                raise
    content.warnings += [w for w in library.warnings() if str(w) not in map(str, content.warnings)]
    check_coverage(list(faces.values()), content.texts())
    return faces


def photo_loader(content: Content, press: Press, session: Session, warnings: list | None = None):
    """``load_photo(photo, width_pt, height_pt)``: the photo prepared at its placed size.

    A photo of less than half the required resolution is refused, unless ``warnings``
    is given (a draft): then it is used, and a warning saying so is added there.
    """
    profile = output_profile_path(press.output_profile)
    folder = session.store.folder("images")

    def load_photo(photo, width_pt, height_pt):
        where = photo.file_where or photo.where
        if width_pt <= 0 or height_pt <= 0:
            # the layout found no room for the photo (a very small page): say so rather than fail inside Pillow
            raise LayoutError(
                f"照片“{photo.id}”在版面上没有位置（只剩 {max(width_pt, 0) / MM:.0f}×{max(height_pt, 0) / MM:.0f} mm）。"
                "请加大页面或去掉这张照片。",
                f"there is no room for photo '{photo.id}' on the page (only {max(width_pt, 0) / MM:.0f}×"
                f"{max(height_pt, 0) / MM:.0f} mm). Use a larger page or leave the photo out.",
                photo.where,
            )
        try:
            prepared = prepare_photo(photo.file, width_pt, height_pt, fit=photo.fit, focus=photo.focus,
                                     target_ppi=max(300.0, press.min_ppi), min_ppi=press.min_ppi,
                                     profile=profile, cache_dir=folder)
        except PressError as exc:
            if exc.where is None and where is not None:
                raise PressError(exc.zh, exc.en, where) from None
            raise
        rel = display_path(photo.file) if not photo.file.is_relative_to(content.root) else \
            str(photo.file.relative_to(content.root))
        try:
            check_resolution(prepared, photo.id, photo.file, rel, press.min_ppi, where)
        except PressError as exc:
            if warnings is None:
                raise
            warnings.append(BuildWarning(f"{exc.zh}（样稿中暂且照用。）",
                                         f"{exc.en} (Used for now in the draft.)", exc.where))
        return prepared

    return load_photo


#: The module whose code (with all it imports) finds the brochure's layout plan, which the cache keeps.
PLAN = "brochure.layout.brochure"


def compositions(content: Content, faces, session: Session, setter=None, only: str | None = None,
                 draft: bool = False):
    """(Composition, Press) for the brochure and each poster, lazily; a ``draft`` takes low-resolution
    photos with a warning."""
    if only in (None, "brochure"):
        b = content.brochure
        styles = brochure_styles(content, faces)
        if setter is not None:
            styles = replace(styles, **{f.name: replace(getattr(styles, f.name), setter=setter) for f in fields(styles)})
        low: list | None = [] if draft else None
        memo = session.memo("layout").setdefault("search", Memo())      # watch keeps it between saves
        comp = compose_brochure(content, styles, photo_loader(content, b.press, session, low),
                                boxes_for(b.page.width, b.page.height, b.press),
                                store=session.store.coded(PLAN), memo=memo)
        comp.warnings += low or []
        yield comp, b.press
    for poster in content.posters:
        if only not in (None, poster.name, rules.poster_file(poster.name)):
            continue
        low = [] if draft else None
        comp = compose_poster(content, poster, faces, photo_loader(content, poster.press, session, low),
                              boxes_for(poster.page.width, poster.page.height, poster.press), setter)
        comp.warnings += list({str(w): w for w in low or []}.values())    # a poster laid out again loads its photo again
        yield comp, poster.press


def qr_regions(comp) -> list[tuple[int, tuple[float, float, float, float]]]:
    """Where each QR code was placed: (page index, (x0, y0, x1, y1) in PDF page space)."""
    regions = []
    for n, page in enumerate(comp.pages):
        m = page.boxes.margin
        for item in page.items:
            if item.kind == "qr":
                regions.append((n, (m + item.x, m + item.y, m + item.x + item.w, m + item.y + item.h)))
    return regions


def source_date(content: Content, epoch: int | None = None) -> int:
    """The document date: ``epoch`` ($SOURCE_DATE_EPOCH, the session's ``env.source_date_epoch``) when set,
    else the newest input's modification time.

    Either way the same inputs give the same bytes.
    """
    return rules.source_date([content.source] + [p.file for p in content.photos.values()], epoch)


def output_names(content: Content, only: str | None = None) -> list[str]:
    """The outputs a build makes, in order: the brochure, then each poster (or just ``only``)."""
    names = ["brochure"] + [p.name for p in content.posters]
    if only is None:
        return names
    return [n for n in names if only in (n, rules.poster_file(n))]
