"""Staging one output: render, finish to PDF/X and preflight into hidden temporary files in out/.

An output whose render is the one behind the PDF already in out/ (both files
hashed to be sure) is left as it is: not finished, preflighted or replaced again.
``make`` stages a group of outputs in one process (this one or a forked worker)
and answers with the staged files or the error met, never raising.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

from brochure.pipeline import pool
from brochure.pipeline.inputs import DRAFT_MARK, compositions, load_faces, qr_regions, source_date
from brochure.pipeline.outputs import (DISK_ERRNOS, KeptReport, Output, Staged, disk_error, file_digest, fsync_file,
                                    remove_own_temps, temp_file, write_synced)
from brochure.content import load
from brochure.content.model import Content, Press
from brochure.ground.errors import PressError
from brochure.runtime.interrupts import Interrupts
from brochure.runtime.session import Session
from brochure.images.prepare import release_memory
from brochure.layout.page_checks import check_on_page
from brochure.press.profile import output_profile_path
from brochure.draw.watermark import Watermark
from brochure.render.pdf import render
from brochure.text.store import LineSetter

#: The modules whose code (with all they import) makes what the cache keeps of each stage.
SETTING = "brochure.text.layout"              # the lines of a paragraph
PREFLIGHT = "brochure.press.preflight.run"    # a page's preflight reading and its ink


def render_key(raw: Path, comp, press: Press, content: Content, final: Path, draft: bool = False,
               epoch: int | None = None) -> str:
    """The render's bytes and everything else finishing adds to them (the date only if ``epoch``,
    $SOURCE_DATE_EPOCH, sets it)."""
    h = hashlib.sha256(raw.read_bytes())
    if draft:                      # a draft's preflight report says so
        h.update(b"draft")
    profile = output_profile_path(press.output_profile)            # the profile file itself may be replaced in place
    try:
        st = profile.stat()
        profile_stat = (st.st_size, st.st_mtime_ns)
    except OSError:
        profile_stat = None
    h.update(repr((press, comp.title, str(content.document.author), str(content.document.language),
                   [p.boxes for p in comp.pages], comp.qr_urls, str(profile), profile_stat,
                   "" if epoch is None else str(epoch), str(final))).encode())
    return h.hexdigest()


def stage(comp, press: Press, out_dir: Path, content: Content, font_name: str, tag: str,
          session: Session, watermark: Watermark | None = None) -> Staged:
    """``comp`` rendered, finished and preflighted into temporary files (or found unchanged in out/).

    ``watermark`` (a draft): drawn over every page's content, and the output preflighted as a draft.
    """
    draft = watermark is not None
    final = out_dir / f"{comp.name}.pdf"
    final_json = final.with_name(f"{comp.name}.preflight.json")
    staged = Staged(Output(comp.name, final, len(comp.pages), comp.warnings), Path(), Path(), [])
    try:
        raw = temp_file(out_dir, comp.name, "raw.pdf", tag)
        staged.temps.append(raw)
        render(comp, raw, font_name=font_name, marks=press.marks, color_bar=press.color_bar,
               slug_text=f"{final.name}" if press.slug else None,
               watermark=watermark)
        key = render_key(raw, comp, press, content, final, draft, session.env.source_date_epoch)
        kept = session.store.coded(__name__).get("finish", key)     # keyed by the code of all it runs
        if kept is not None:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                known = json.loads(kept)
                if file_digest(final) == known["pdf"] and file_digest(final_json) == known["json"]:
                    staged.discard()            # out/ already holds exactly this: keep it
                    staged.temps.clear()
                    staged.unchanged = staged.output.unchanged = True
                    staged.output.preflight = KeptReport(True, final_json.read_text(encoding="utf-8"))
                    return staged
        # deferred: finishing brings pikepdf and preflight PDFium, zxing and Pillow, needed only for an
        # output that changed
        from brochure.press.pdfx import finish
        from brochure.press.preflight import preflight

        done = temp_file(out_dir, comp.name, "pdf.part", tag)
        staged.temps.append(done)
        finish(raw, done, boxes=[p.boxes for p in comp.pages], pdfx=press.pdfx,
               profile=output_profile_path(press.output_profile), output_condition=press.output_condition,
               title=comp.title, author=str(content.document.author), language=content.document.language,
               source_date_epoch=source_date(content, session.env.source_date_epoch))
        with contextlib.suppress(OSError):     # one left (a busy file system) goes with the build's others
            raw.unlink()
        # the quick preflight: ink from the file's colour values and image samples, QR codes
        # rendered only where they were placed (``brochure preflight`` renders every page)
        report = preflight(done, expect_urls=comp.qr_urls, min_ppi=press.min_ppi, ink_limit=press.ink_limit,
                           thorough=False, qr_regions=qr_regions(comp), store=session.store.coded(PREFLIGHT), draft=draft)
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
        session.store.coded(__name__).put("finish", key, json.dumps({"pdf": file_digest(done),
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


def stage_named(name: str, content: Content, faces, out_dir: Path, tag: str, session: Session,
                setter: LineSetter, draft: bool = False) -> Staged:
    release_memory()           # what the previous output freed goes back before this one's photos are read
    for comp, press in compositions(content, faces, session, setter, name, draft=draft):
        check_on_page(comp)
        watermark = Watermark(DRAFT_MARK, faces["heading"].name, content.palette.accent) if draft else None
        return stage(comp, press, out_dir, content, faces["body"].name, tag, session, watermark)
    raise AssertionError(f"no output named {name}")       # output_names() only gives real names


def line_setter(content: Content, names: list[str], session: Session) -> LineSetter:
    """The set paragraphs kept for these outputs of this content file."""
    key = hashlib.sha256(repr((str(content.source), names)).encode("utf-8")).hexdigest()
    return LineSetter(session.memo("lines"), session.store.coded(SETTING), key)


def make(names: list[str], content: Content, faces, out_dir: Path, tag: str, session: Session,
         interrupts: Interrupts, draft: bool = False) -> tuple[str, object]:
    """Stage ``names`` in this process: ("ok", staged outputs) or ("error", the exception), to send back."""
    staged: list[Staged] = []
    try:
        setter = line_setter(content, names, session)
        for name in names:
            staged.append(stage_named(name, content, faces, out_dir, tag, session, setter, draft))
        setter.save()
        return ("ok", staged)
    except BaseException as exc:         # noqa: BLE001 (everything goes back to the parent)
        for s in staged:
            s.discard()
        reported = interrupts.reported(exc)
        if isinstance(reported, KeyboardInterrupt):
            # stopped (the parent may be gone, killed outright): every file of this build goes, also one
            # created just as the signal came, before it was known to the stage
            remove_own_temps(out_dir, tag)
        return ("error", pool.transferable(reported))


def worker_make(session: Session, interrupts: Interrupts):
    """What a worker process does with a request: (source, out_dir, tag, draft), the source being
    (content, faces) or, resident, the content file's path."""
    def answer(names, request):
        source, out_dir, tag, draft = request
        if isinstance(source, tuple):
            content, faces = source
        else:
            try:
                content = load(source, checked_photos=session.memo("photos"))
                faces = load_faces(content, session, draft=draft)
            except BaseException as exc:         # noqa: BLE001
                return ("error", pool.transferable(exc))
        return make(names, content, faces, out_dir, tag, session, interrupts, draft)
    return answer
