"""Forked worker processes making some of a build's outputs, and the one way they talk to the parent.

``jobs_for`` says how many processes a build uses, ``share`` which outputs each makes.

Every child answers through a ``multiprocessing.connection.Connection`` over a
pipe: ``send`` and ``recv`` of plain values, the staged temporary files or the
error met.  For a one-shot build a worker makes its outputs at once from what
the parent had loaded and ends when its pipe closes.  For ``brochure watch`` a
worker stays for the session (``resident``): at each request it reads
content.yaml itself and makes its outputs again with its own paragraphs, fonts
and photos warm (forking anew at every save cost the watching process ~30 ms of
copy-on-write page faults).
"""
from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import traceback
from multiprocessing.connection import Connection

from brochure.images.prepare import release_memory

#: The session memo holding the resident processes of ``brochure watch``, by the names they make.
RESIDENTS = "residents"


def jobs_for(count: int, wanted: int | None = None) -> int:
    """How many processes share ``count`` outputs: ``wanted`` ($BROCHURE_JOBS, read by the command line
    into the session's ``env.jobs``), else one per CPU core."""
    wanted = wanted or os.cpu_count() or 1
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


def channel() -> tuple[Connection, Connection]:
    """Two connected ends (reading, writing) over one pipe: the only channel to a child process."""
    r, w = os.pipe()
    return Connection(r, writable=False), Connection(w, readable=False)


def transferable(exc: BaseException) -> BaseException:
    """``exc`` itself if it can be sent to the parent, else a RuntimeError with its traceback."""
    try:
        pickle.dumps(exc)
        return exc
    except Exception:
        return RuntimeError("".join(traceback.format_exception(exc)))


class Worker:
    """A forked process making ``names``; ``make(names, request)`` runs in the child and returns its answer.

    ``first`` is the request of a one-shot build, made at once; without it the
    worker waits for ``request()`` calls (a resident of ``brochure watch``).
    """

    def __init__(self, names: list[str], make, open_ends: list, first=None):
        self.names = names
        parent = os.getpid()
        down_r, self.requests = channel()
        self.answers, up_w = channel()
        self.pid = os.fork()
        if self.pid == 0:                      # the child: never returns
            end_with_parent(parent)
            self.requests.close()
            self.answers.close()
            for end in open_ends:              # a sibling's ends: held here, its pipe would never close
                with contextlib.suppress(OSError):
                    end.close()
            _serve(make, names, down_r, up_w, first)
        down_r.close()
        up_w.close()
        open_ends.extend((self.requests, self.answers))
        self._open_ends = open_ends

    def alive(self) -> bool:
        return bool(self.pid) and not self.requests.closed

    def request(self, value) -> None:
        self.requests.send(value)

    def result(self):
        """The answer to the last request; raises the error it met."""
        try:
            kind, value = self.answers.recv()
        except (EOFError, OSError):
            self.stop()
            raise RuntimeError(f"the process building {', '.join(self.names)} stopped without a result") from None
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        """Let a worker that has answered end (its pipe closes) and wait for it."""
        with contextlib.suppress(OSError):
            self.requests.close()
        if self.pid:
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = 0
        with contextlib.suppress(OSError):
            self.answers.close()
        for end in (self.requests, self.answers):
            with contextlib.suppress(ValueError):
                self._open_ends.remove(end)

    def stop(self) -> None:
        """Stop it now (after an error or Ctrl-C here) and wait until it has gone."""
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGTERM)
        self.close()


def end_with_parent(parent: int) -> None:
    """In a child: be sent SIGTERM if the parent dies (SIGKILL, a crash), so no worker outlives a build.

    Linux's PR_SET_PDEATHSIG; elsewhere the worker ends when it finds its pipe closed.
    """
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)          # PR_SET_PDEATHSIG
    if os.getppid() != parent:                               # it died before that took hold
        os._exit(0)


def _serve(make, names, requests: Connection, answers: Connection, first) -> None:
    """The worker's life: the first outputs if given, then one answer per request until the pipe closes."""
    try:
        if first is not None:
            gc.collect()                         # the parent's free heap need not count against this process
            release_memory()
            answers.send(make(names, first))
        else:                                    # resident: Ctrl-C is the watching process's to handle
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        while True:
            try:
                request = requests.recv()
            except (EOFError, OSError):
                break
            answers.send(make(names, request))
    finally:
        os._exit(0)


def resident(session, names: list[str], make) -> Worker:
    """The process ``session`` keeps for these outputs (forked now if there is none)."""
    residents = session.memo(RESIDENTS)
    key = tuple(names)
    worker = residents.get(key)
    if worker is None or not worker.alive():
        worker = residents[key] = Worker(names, make, session.memo("open-ends").setdefault("ends", []))
    return worker


def keep_only(session, groups: list[list[str]]) -> None:
    """Stop the processes kept for outputs no longer grouped so (a poster added or removed)."""
    residents = session.memo(RESIDENTS)
    wanted = {tuple(g) for g in groups}
    for key in [k for k in residents if k not in wanted]:
        residents.pop(key).stop()


def close_residents(session) -> None:
    """Stop the processes kept for ``session`` (the end of ``brochure watch``)."""
    residents = session.memo(RESIDENTS)
    for worker in residents.values():
        worker.stop()
    residents.clear()
