"""``brochure watch``: rebuild whenever content.yaml, images/ or fonts/ change.

Polling with the standard library (modification time and size of each file, every
0.3 s) rather than a file-system events library: a project is a handful of files,
polling costs nothing noticeable, and it behaves the same on every system and on
network folders.  A save is built once it has settled (two polls agree), so an
editor that writes a file in several steps causes one rebuild, not several.

A broken save prints the error and what to do; the build writes each PDF
atomically, so out/ keeps the last good PDFs until the next good save.
"""
from __future__ import annotations

import functools
import os
import textwrap
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from brochure.content.files import read_text_file
from brochure.ground.errors import ERROR_HEAD, BrochureError, bilingual
from brochure.ground.words import plural
from brochure.pipeline import Session, close_residents
from brochure.runtime.session import Environment
from brochure.workflow.environment import process_environment
from brochure.pipeline import build as build_outputs

INTERVAL = 0.3
#: A file that keeps changing for this many polls is built anyway.
SETTLE_POLLS = 10

Snapshot = dict[str, tuple[int, int]]


def snapshot(content_path: Path) -> Snapshot:
    """{path relative to the project: (mtime_ns, size)} for content.yaml and everything in images/ and fonts/."""
    root = content_path.parent
    files = [content_path]
    for folder in ("images", "fonts"):
        base = root / folder
        if base.is_dir():
            files += [p for p in sorted(base.rglob("*")) if not any(part.startswith(".") for part in p.relative_to(base).parts)]
    snap: Snapshot = {}
    for p in files:
        try:
            st = p.stat()
        except OSError:          # removed between listing and stat, or content.yaml mid-save
            continue
        if p.is_file():
            snap[p.relative_to(root).as_posix()] = (st.st_mtime_ns, st.st_size)
    return snap


def describe(before: Snapshot, after: Snapshot) -> tuple[str, str]:
    """What changed, in Chinese and English, e.g. ('content.yaml 已修改', 'content.yaml changed')."""
    zh, en = [], []
    for name in sorted(set(before) | set(after)):
        if name not in before:
            zh.append(f"{name} 新增")
            en.append(f"{name} added")
        elif name not in after:
            zh.append(f"{name} 已删除")
            en.append(f"{name} removed")
        elif before[name] != after[name]:
            zh.append(f"{name} 已修改")
            en.append(f"{name} changed")
    if len(zh) > 3:
        zh = zh[:3] + [f"等 {len(zh)} 个文件"]
        en = en[:3] + [f"{len(en)} files in all"]
    return "、".join(zh), ", ".join(en)


@dataclass
class Rebuild:
    ok: bool
    seconds: float
    outputs: list = field(default_factory=list)     # brochure.pipeline.Output
    error: BaseException | None = None
    session: Session | None = None                  # what the session keeps, handed to the next rebuild


@dataclass
class WatchLog:
    rebuilds: list[Rebuild] = field(default_factory=list)
    polls: int = 0


def _summary(result: Rebuild) -> str:
    built = [o for o in result.outputs if not getattr(o, "unchanged", False)]
    kept = [o for o in result.outputs if getattr(o, "unchanged", False)]
    parts = "已重建 " + "、".join(f"{o.name} {o.pages} 页" for o in built) if built else "没有需要重建的输出"
    parts_en = "rebuilt " + ", ".join(f"{o.name} {o.pages} p." for o in built) if built else "nothing needed rebuilding"
    if kept:
        parts += "（未变：" + "、".join(o.name for o in kept) + "）"
        parts_en += " (unchanged: " + ", ".join(o.name for o in kept) + ")"
    warnings = sum(len(o.warnings) for o in result.outputs)
    return (f"  {parts}，{warnings} 条警告，用时 {result.seconds:.2f} 秒 / "
            f"{parts_en}; {plural(warnings, 'warning')}; {result.seconds:.2f} s")


def rebuild(content_path: Path, out_dir: Path, only: str | None, build: Callable, echo: Callable,
            previous: Rebuild | None = None, env: Environment | None = None) -> Rebuild:
    """One build, reported in a line or two.  Given the ``previous`` rebuild, outputs whose
    render did not change are kept as they are in out/, and its session (paragraphs, fonts, photos
    and processes for the posters) serves this one.

    The first build of a session runs in this process only, so this process's
    memory of set paragraphs covers every output; later ones share the work with
    forked processes, which start from that memory.
    """
    started = time.monotonic()
    session = previous.session if previous is not None else None
    kwargs = {}
    if session is None:
        session = Session(env=env or process_environment())
        kwargs["jobs"] = 1
    try:
        outputs = build(content_path, out_dir, only=only, session=session, **kwargs)
    except BrochureError as exc:
        result = Rebuild(False, time.monotonic() - started, error=exc, session=session)
        echo(textwrap.indent(f"{ERROR_HEAD} {exc}", "  "))
        echo(textwrap.indent(bilingual(f"{out_dir.name}/ 中仍是上一次成功生成的 PDF。改正后保存，会自动重建。",
                                       f"{out_dir.name}/ keeps the last good PDFs. Fix the file and save: it rebuilds "
                                       "by itself."), "  "))
        return result
    except Exception as exc:  # a fault in the program itself: report it and keep watching
        result = Rebuild(False, time.monotonic() - started, error=exc, session=session)
        echo(traceback.format_exc().rstrip())
        echo(textwrap.indent(bilingual(f"内部错误，{out_dir.name}/ 中仍是上一次成功生成的 PDF。请把上面的信息发给维护人员。",
                                       f"internal error; {out_dir.name}/ keeps the last good PDFs. Please send the "
                                       "text above to the maintainer."), "  "))
        return result
    result = Rebuild(True, time.monotonic() - started, outputs=list(outputs), session=session)
    echo(_summary(result))
    for output in result.outputs:
        for w in output.warnings:
            echo(textwrap.indent(str(w), "  "))
    return result


def watch(content_path: Path, out_dir: Path, *, only: str | None = None, interval: float = INTERVAL,
          stop: Callable[[], bool] | None = None, max_polls: int | None = None,
          build: Callable | None = None, echo: Callable[[str], None] = print,
          sleep: Callable[[float], None] = time.sleep, initial: bool = True, draft: bool = False,
          env: Environment | None = None) -> WatchLog:
    """Build, then rebuild on every settled change until ``stop()`` is true or ``max_polls`` polls.

    ``build``, ``echo`` and ``sleep`` are injectable so tests can drive the loop
    without real time passing; ``build`` defaults to ``brochure.pipeline.build``.
    ``draft``: every build is a draft (``build(..., draft=True)``), watermarked.
    ``env``: the environment variables the builds heed (read by the command line; by default this process's).
    """
    if build is None:
        from brochure.workflow.check import punctuation

        build = functools.partial(build_outputs, warn=punctuation)     # the warnings check gives, at every save
    if draft:
        build = _as_draft(build)
    content_path, out_dir = Path(content_path), Path(out_dir)
    if os.path.exists(content_path) and not (content_path.is_file() or content_path.is_dir()):
        read_text_file(content_path)        # refuses it: a pipe or device never turns into a file by saving
    log = WatchLog()

    def stopped() -> bool:
        return (stop is not None and stop()) or (max_polls is not None and log.polls >= max_polls)

    def poll() -> Snapshot:
        sleep(interval)
        log.polls += 1
        return snapshot(content_path)

    last = snapshot(content_path)
    echo(bilingual(f"正在监视 {content_path.name}、images/、fonts/，保存后自动重建；按 Ctrl+C 停止。",
                   f"watching {content_path.name}, images/ and fonts/; saving rebuilds. Press Ctrl+C to stop."))
    if initial:
        log.rebuilds.append(rebuild(content_path, out_dir, only, build, echo, env=env))
    try:
        _loop(content_path, out_dir, only, build, echo, log, last, stopped, poll, env)
    finally:
        _end(log)
    return log


def _as_draft(build: Callable) -> Callable:
    def build_draft(*args, **kwargs):
        return build(*args, draft=True, **kwargs)
    return build_draft


def _end(log: WatchLog) -> None:
    """Stop the processes the session kept for its outputs (one session serves every rebuild)."""
    if log.rebuilds and log.rebuilds[-1].session is not None:
        close_residents(log.rebuilds[-1].session)


def _loop(content_path, out_dir, only, build, echo, log, last, stopped, poll, env=None) -> None:
    while not stopped():
        now = poll()
        if now == last:
            continue
        for _ in range(SETTLE_POLLS):          # wait until the save has finished
            again = poll()
            if again == now:
                break
            now = again
        zh, en = describe(last, now)
        last = now
        echo(f"[{datetime.now():%H:%M:%S}] {zh} / {en}")
        previous = log.rebuilds[-1] if log.rebuilds else None     # what the last rebuild kept
        log.rebuilds.append(rebuild(content_path, out_dir, only, build, echo, previous, env=env))
