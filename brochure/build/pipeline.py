"""The pipeline, top to bottom: content -> fonts -> compositions -> render -> finish -> preflight -> out/.

``build`` makes a Session (the cache store, the font library, in-memory memos)
unless given one (``brochure watch`` keeps one for every rebuild), and hands it
down.  Writing into out/ is all-or-nothing (``outputs``); posters may be made in
forked processes (``pool``).  An output whose render is the one behind the PDF
already in out/ (the file hashed to be sure) is left as it is: not finished,
preflighted or replaced again.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import fields, replace
from pathlib import Path

from brochure.build import pool
from brochure.build.outputs import (DISK_ERRNOS, Interrupts, KeptReport, Output, Staged, build_tag, disk_error,
                                    file_digest, fsync_file, prepare_out_dir, remove_own_temps, temp_file,
                                    write_synced)
from brochure.content import load
from brochure.content.model import Content, Press
from brochure.content.yamlnodes import display_path
from brochure.fonts import FontLibrary, check_coverage
from brochure.ground.boxes import MM, PageBoxes
from brochure.ground import rules
from brochure.ground.errors import BrochureError, FontError, LayoutError, PressError
from brochure.ground.session import Session
from brochure.images.prepare import prepare_photo, release_memory
from brochure.images.resolution import check_resolution
from brochure.layout.brochure import compose_brochure
from brochure.layout.checks import check_qr
from brochure.layout.pages import check_on_page
from brochure.layout.poster import compose_poster
from brochure.layout.styles import brochure_styles
from brochure.press.pdfx import finish, output_profile_path
from brochure.render.pdf import render
from brochure.text.store import LineSetter

#: Words the layout itself prints (not from content.yaml); their glyphs are needed too.
LAYOUT_WORDS = "数说十年笔记/备忘▲■　0123456789·"
SLUG_MM = 10.0


def boxes_for(width_mm: float, height_mm: float, press: Press) -> PageBoxes:
    return PageBoxes.from_mm(width_mm, height_mm, bleed_mm=press.bleed, slug_mm=SLUG_MM if press.marks else 0.0)


def load_faces(content: Content, session: Session | None = None):
    """The faces of the four roles, from the session's font library (opened here if it has none)."""
    session = session or Session()
    library = session.fonts
    if library is None or library.project_root != content.root:
        library = session.fonts = FontLibrary(content.root, session.store.folder("fonts"))
    chars = set("".join(content.texts())) | set(LAYOUT_WORDS)
    faces = {}
    for role in ("body", "heading", "display", "caption"):
        spec = getattr(content.fonts, role)
        try:
            faces[role] = library.face(spec.family, spec.style, chars)
        except FontError as exc:
            where = getattr(spec.family, "where", None)
            if exc.where is None and where is not None:   # name the settings line that asked for it
                raise FontError(exc.zh, exc.en, where) from None
            raise
    check_coverage(list(faces.values()), content.texts())
    return faces


def photo_loader(content: Content, press: Press, session: Session):
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
        check_resolution(prepared, photo.id, photo.file, rel, press.min_ppi, where)
        return prepared

    return load_photo


def compositions(content: Content, faces, session: Session, setter=None, only: str | None = None):
    """(Composition, Press) for the brochure and each poster, lazily."""
    if only in (None, "brochure"):
        b = content.brochure
        styles = brochure_styles(content, faces)
        if setter is not None:
            styles = replace(styles, **{f.name: replace(getattr(styles, f.name), setter=setter) for f in fields(styles)})
        yield compose_brochure(content, styles, photo_loader(content, b.press, session),
                               boxes_for(b.page.width, b.page.height, b.press)), b.press
    for poster in content.posters:
        if only not in (None, poster.name, f"poster-{poster.name}"):
            continue
        yield compose_poster(content, poster, faces, photo_loader(content, poster.press, session),
                             boxes_for(poster.page.width, poster.page.height, poster.press), setter), poster.press


def qr_regions(comp) -> list[tuple[int, tuple[float, float, float, float]]]:
    """Where each QR code was placed: (page index, (x0, y0, x1, y1) in PDF page space)."""
    regions = []
    for n, page in enumerate(comp.pages):
        m = page.boxes.margin
        for item in page.items:
            if item.kind == "qr":
                regions.append((n, (m + item.x, m + item.y, m + item.x + item.w, m + item.y + item.h)))
    return regions


def source_date(content: Content) -> int:
    """The document date: SOURCE_DATE_EPOCH when set, else the newest input's modification time.

    Either way the same inputs give the same bytes.
    """
    return rules.source_date([content.source] + [p.file for p in content.photos.values()], os.environ)


def output_names(content: Content, only: str | None = None) -> list[str]:
    """The outputs a build makes, in order: the brochure, then each poster (or just ``only``)."""
    names = ["brochure"] + [p.name for p in content.posters]
    if only is None:
        return names
    return [n for n in names if only in (n, f"poster-{n}")]


def jobs_for(count: int) -> int:
    """How many processes share ``count`` outputs: $BROCHURE_JOBS, else one per CPU core."""
    env = os.environ.get("BROCHURE_JOBS", "")
    wanted = int(env) if env.isdigit() and int(env) > 0 else (os.cpu_count() or 1)
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(wanted, count))


def share(names: list[str], jobs: int, area: dict[str, float] | None = None) -> list[list[str]]:
    """Outputs per process: the brochure (the largest) alone in the first, the posters dealt round the rest.

    Posters go largest page first (``area``): the largest photos are prepared while a
    process is still small, and the longest work starts first.
    """
    if jobs <= 1 or len(names) <= 1:
        return [names]
    groups: list[list[str]] = [[names[0]]] + [[] for _ in range(jobs - 1)]
    posters = sorted(names[1:], key=lambda n: -(area or {}).get(n, 0.0))
    for i, name in enumerate(posters):
        groups[1 + i % (jobs - 1)].append(name)
    return [g for g in groups if g]


def _render_key(raw: Path, comp, press: Press, content: Content, final: Path) -> str:
    """The render's bytes and everything else finishing adds to them (the date only if SOURCE_DATE_EPOCH sets it)."""
    h = hashlib.sha256(raw.read_bytes())
    profile = output_profile_path(press.output_profile)            # the profile file itself may be replaced in place
    try:
        st = profile.stat()
        profile_stat = (st.st_size, st.st_mtime_ns)
    except OSError:
        profile_stat = None
    h.update(repr((press, comp.title, str(content.document.author), str(content.document.language),
                   [p.boxes for p in comp.pages], comp.qr_urls, str(profile), profile_stat,
                   os.environ.get("SOURCE_DATE_EPOCH", ""), str(final))).encode())
    return h.hexdigest()


def _stage(comp, press: Press, out_dir: Path, content: Content, font_name: str, tag: str,
           session: Session) -> Staged:
    final = out_dir / f"{comp.name}.pdf"
    final_json = final.with_name(f"{comp.name}.preflight.json")
    staged = Staged(Output(comp.name, final, len(comp.pages), comp.warnings), Path(), Path(), [])
    try:
        raw = temp_file(out_dir, comp.name, "raw.pdf", tag)
        staged.temps.append(raw)
        render(comp, raw, font_name=font_name, marks=press.marks, color_bar=press.color_bar,
               slug_text=f"{final.name}" if press.slug else None)
        key = _render_key(raw, comp, press, content, final)
        kept = session.store.get("finish", key)
        if kept is not None:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                known = json.loads(kept)
                if file_digest(final) == known["pdf"] and file_digest(final_json) == known["json"]:
                    staged.discard()            # out/ already holds exactly this: keep it
                    staged.temps.clear()
                    staged.unchanged = staged.output.unchanged = True
                    staged.output.preflight = KeptReport(True, final_json.read_text(encoding="utf-8"))
                    return staged
        # preflight (and the PDFium, zxing and Pillow checks it brings) only for an output that changed
        from brochure.press.preflight import preflight

        done = temp_file(out_dir, comp.name, "pdf.part", tag)
        staged.temps.append(done)
        finish(raw, done, boxes=[p.boxes for p in comp.pages], pdfx=press.pdfx,
               profile=output_profile_path(press.output_profile), output_condition=press.output_condition,
               title=comp.title, author=str(content.document.author), language=content.document.language,
               source_date_epoch=source_date(content))
        raw.unlink()
        # the quick preflight: ink from the file's colour values and image samples, QR codes
        # rendered only where they were placed (``brochure preflight`` renders every page)
        report = preflight(done, expect_urls=comp.qr_urls, min_ppi=press.min_ppi, ink_limit=press.ink_limit,
                           thorough=False, qr_regions=qr_regions(comp), store=session.store)
        if not report.ok:
            report.path = final.name
            raise PressError(
                f"{final.name} 未通过印前检查，未写出：\n{report.summary()}",
                f"{final.name} failed preflight and was not written (see above).",
            )
        report.path = str(final)
        js = temp_file(out_dir, comp.name, "json.part", tag)
        staged.temps.append(js)
        text = report.to_json() + "\n"
        write_synced(js, text)
        fsync_file(done)
        session.store.put("finish", key, json.dumps({"pdf": file_digest(done),
                                                     "json": hashlib.sha256(text.encode("utf-8")).hexdigest()}).encode())
        staged.output.preflight = report
        staged.pdf, staged.report = done, js
        return staged
    except OSError as exc:
        staged.discard()
        if exc.errno in DISK_ERRNOS:
            raise disk_error(exc, out_dir) from None
        raise
    except BaseException:
        staged.discard()
        raise


def _stage_named(name: str, content: Content, faces, out_dir: Path, tag: str, session: Session,
                 setter: LineSetter) -> Staged:
    release_memory()           # what the previous output freed goes back before this one's photos are read
    for comp, press in compositions(content, faces, session, setter, name):
        check_on_page(comp)
        return _stage(comp, press, out_dir, content, faces["body"].name, tag, session)
    raise AssertionError(f"no output named {name}")       # output_names() only gives real names


def _line_setter(content: Content, names: list[str], session: Session) -> LineSetter:
    """The set paragraphs kept for these outputs of this content file."""
    key = hashlib.sha256(repr((str(content.source), names)).encode("utf-8")).hexdigest()
    return LineSetter(session.memo("lines"), session.store, key)


def make(names: list[str], content: Content, faces, out_dir: Path, tag: str, session: Session,
         interrupts: Interrupts) -> tuple[str, object]:
    """Stage ``names`` in this process: ("ok", staged outputs) or ("error", the exception), to send back."""
    staged: list[Staged] = []
    try:
        setter = _line_setter(content, names, session)
        for name in names:
            staged.append(_stage_named(name, content, faces, out_dir, tag, session, setter))
        setter.save()
        return ("ok", staged)
    except BaseException as exc:         # noqa: BLE001 (everything goes back to the parent)
        for s in staged:
            s.discard()
        return ("error", pool.transferable(interrupts.reported(exc)))


def _worker_make(session: Session, interrupts: Interrupts, loaded=None):
    """What a worker process does with a request: (content, faces, out_dir, tag) or, resident, (path, out_dir, tag)."""
    def answer(names, request):
        if len(request) == 4:
            content, faces, out_dir, tag = request
        else:
            content_path, out_dir, tag = request
            try:
                content = load(content_path, checked_photos=session.memo("photos"))
                faces = load_faces(content, session)
            except BaseException as exc:         # noqa: BLE001
                return ("error", pool.transferable(exc))
        return make(names, content, faces, out_dir, tag, session, interrupts)
    return answer


def build(content_path: Path, out_dir: Path, only: str | None = None, jobs: int | None = None,
          session: Session | None = None) -> list[Output]:
    """Build every output (or ``only`` one) of ``content_path`` into ``out_dir``; all or nothing.

    With more than one CPU core the posters are made in forked processes while
    this one makes the brochure (``jobs``, or $BROCHURE_JOBS, sets how many).
    A ``session`` given (``brochure watch``) keeps its memory, and its processes
    for the posters, from one build to the next.
    """
    content_path, out_dir = Path(content_path), Path(out_dir)
    resident = session is not None
    session = session or Session()
    content = load(content_path, checked_photos=session.memo("photos"))
    names = ["brochure"] + [p.name for p in content.posters] + [f"poster-{p.name}" for p in content.posters]
    if only is not None and only not in names:
        available = ["brochure"] + [p.name for p in content.posters]
        raise BrochureError(
            f"没有名为“{only}”的输出。请在 --only 后写其中之一：{'、'.join(available)}。",
            f"no output named '{only}'. After --only write one of: {', '.join(available)}.",
        )
    if only in (None, "brochure"):
        check_qr(content)
    faces = load_faces(content, session)
    wanted = output_names(content, only)
    groups = share(wanted, jobs if jobs is not None else jobs_for(len(wanted)),
                   {p.name: p.page.width * p.page.height for p in content.posters})
    staged: list[Staged] = []
    workers: list[pool.Worker] = []
    created = False
    tag = build_tag()
    interrupts = Interrupts()
    try:
        with interrupts.handled():
            created = prepare_out_dir(out_dir)
            if resident:               # brochure watch: the same processes at every rebuild
                pool.keep_only(session, groups[1:])
                workers = [pool.resident(session, group, _worker_make(session, interrupts)) for group in groups[1:]]
                for worker in workers:
                    worker.request((content_path, out_dir, tag))
            else:
                ends: list = []
                workers = [pool.Worker(group, _worker_make(session, interrupts), ends,
                                       first=(content, faces, out_dir, tag)) for group in groups[1:]]
            by_name: dict[str, Staged] = {}
            kind, value = make(groups[0], content, faces, out_dir, tag, session, interrupts)
            if kind == "error":
                raise value
            staged += value
            by_name.update(zip(groups[0], value))
            for worker in workers:
                for name, s in zip(worker.names, worker.result()):
                    by_name[name] = s
                    staged.append(s)
                if not resident:
                    worker.close()
            staged = [by_name[name] for name in wanted]          # committed in the order of content.yaml
            try:
                outputs = [s.commit() for s in staged]
            except OSError as exc:
                raise disk_error(exc, out_dir) from None
    except BaseException as exc:
        for worker in workers:
            worker.stop()
        for s in staged:
            s.discard()
        remove_own_temps(out_dir, tag)
        if created:
            with contextlib.suppress(OSError):
                out_dir.rmdir()         # only if still empty
        reported = interrupts.reported(exc)
        if reported is not exc:
            raise reported from exc
        raise
    if outputs and content.warnings:
        outputs[0].warnings[:0] = content.warnings
    return outputs
