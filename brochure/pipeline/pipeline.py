"""The pipeline, top to bottom: content -> fonts -> compositions -> render -> finish -> preflight -> out/.

``build`` makes a Session (the cache store, the font library, in-memory memos)
unless given one (``brochure watch`` keeps one for every rebuild), and hands it
down.  What it reads comes from ``inputs``; each output is rendered, finished
and preflighted into temporary files by ``stage``, posters perhaps in forked
processes (``pool``); writing into out/ is all-or-nothing (``outputs``).
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable

from brochure.pipeline import pool
from brochure.pipeline.commit import OutFolder, commit
from brochure.pipeline.inputs import load_faces, output_names
from brochure.pipeline.outputs import Output, Staged, build_tag, remove_own_temps
from brochure.pipeline.stage import make, worker_make
from brochure.content import load
from brochure.content.unfinished import refuse_unfinished
from brochure.ground.errors import BrochureError
from brochure.ground.rules import poster_file
from brochure.runtime.interrupts import Interrupts
from brochure.runtime.session import Environment, Session
from brochure.layout.content_checks import check_qr


def build(content_path: Path, out_dir: Path, only: str | None = None, jobs: int | None = None,
          session: Session | None = None, interrupts: Interrupts | None = None, draft: bool = False,
          env: Environment | None = None, warn: Callable | None = None, say=None) -> list[Output]:
    """Build every output (or ``only`` one) of ``content_path`` into ``out_dir``; all or nothing.

    Content with placeholders (【待填】) or an example web address is refused, naming
    every place, before out/ is touched; ``draft`` (``--draft``) builds it anyway, for
    proofs: every page is watermarked "样稿 DRAFT", a photo of too low a resolution
    only warns, and each preflight report says it is a draft.

    With more than one CPU core the posters are made in forked processes while
    this one makes the brochure (``jobs``, or the session's ``env.jobs``, sets how many).
    A ``session`` given (``brochure watch``) keeps its memory, and its processes
    for the posters, from one build to the next.  ``interrupts`` given (the
    ``brochure build`` command) knows afterwards whether out/ was changed.  ``env``: the
    environment variables the build heeds, read by the command line (for the session made
    here when none is given; without either, it heeds none: see ``Environment``).
    ``warn(content, session)`` given: the warnings ``brochure check`` would give
    this content besides the loader's, reported with the first output.

    One build at a time writes into one folder: another waits (``say`` is told so, and what an
    interrupted earlier commit was settled to; stderr by default).  The list returned has
    ``removed``: earlier outputs the content no longer names, removed in the same commit.
    """
    content_path, out_dir = Path(content_path), Path(out_dir)
    resident = session is not None
    session = session or Session(env=env or Environment())
    content = load(content_path, checked_photos=session.memo("photos"))
    names = ["brochure"] + [p.name for p in content.posters] + [poster_file(p.name) for p in content.posters]
    if only is not None and only not in names:
        available = ["brochure"] + [p.name for p in content.posters]
        raise BrochureError(
            f"没有名为“{only}”的输出。请在 --only 后写其中之一：{'、'.join(available)}。",
            f"no output named '{only}'. After --only write one of: {', '.join(available)}.",
        )
    if not draft:
        refuse_unfinished(content)
    if only in (None, "brochure"):
        check_qr(content)
    faces = load_faces(content, session, draft=draft)
    wanted = output_names(content, only)
    groups = pool.share(wanted, jobs if jobs is not None else pool.jobs_for(len(wanted), session.env.jobs),
                        {p.name: p.page.width * p.page.height for p in content.posters})
    staged: list[Staged] = []
    workers: list[pool.Worker] = []
    created = False
    tag = build_tag()
    interrupts = interrupts or Interrupts()
    folder = OutFolder(out_dir, say, draft=draft)
    try:
        with interrupts.handled():
            created = folder.open()
            if resident:               # brochure watch: the same processes at every rebuild
                pool.keep_only(session, groups[1:])
                workers = [pool.resident(session, group, worker_make(session, interrupts)) for group in groups[1:]]
                for worker in workers:
                    worker.request((content_path, out_dir, tag, draft))
            else:
                ends: list = []
                workers = [pool.Worker(group, worker_make(session, interrupts), ends,
                                       first=((content, faces), out_dir, tag, draft)) for group in groups[1:]]
            by_name: dict[str, Staged] = {}
            kind, value = make(groups[0], content, faces, out_dir, tag, session, interrupts, draft)
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
            with interrupts.held():          # an interrupt now waits until every output is in place
                outputs = commit(staged, tag, out_dir, complete=only is None, draft=draft)
                interrupts.changed = interrupts.changed or not all(s.unchanged for s in staged)
                remove_own_temps(out_dir, tag)      # any the build could not delete as it went
    except BaseException as exc:
        with interrupts.held(act_after=False):          # already stopping: a second interrupt waits for the cleanup
            for worker in workers:
                worker.stop()
            for s in staged:
                s.discard()
            remove_own_temps(out_dir, tag)
            if created:
                with contextlib.suppress(OSError):
                    out_dir.rmdir()         # only if still empty
            folder.close()
        reported = interrupts.reported(exc)
        if reported is not exc:
            raise reported from exc
        raise
    folder.close()
    warnings = list(content.warnings) + (warn(content, session) if warn is not None else [])
    if outputs and warnings:
        outputs[0].warnings[:0] = warnings
    return outputs
