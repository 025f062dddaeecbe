"""Ctrl-C, SIGTERM, SIGHUP and SIGQUIT during a build: each stops it cleanly, and what it says about out/ is true.

Each raises ``Interrupted`` (a KeyboardInterrupt) whose message says what out/
holds: unchanged, until the build has moved its new PDFs into place, and all new
after that.  While the PDFs are being moved (``held``) an interrupt waits: the
few renames, or putting the previous files back, finish first and the interrupt
is acted on after, so out/ never holds some old and some new PDFs.

An interrupt is remembered: a library that catches everything (ReportLab's file
opening does) may turn it into an error of its own, which is then reported as
the interruption it was.
"""
from __future__ import annotations

import contextlib
import signal
import threading

from brochure.ground.errors import INTERRUPTED, INTERRUPTED_WRITTEN, Interrupted


#: The signals that stop a build cleanly: Ctrl-C, kill, a closed terminal (hang-up), Ctrl-\\.
SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT") if hasattr(signal, name))


class Interrupts:
    """What one build (or one ``brochure build`` command) does with SIGTERM, SIGINT, SIGHUP and SIGQUIT."""

    def __init__(self):
        self.arrived = threading.Event()     # an interrupt was raised (not one that waited in ``held``)
        self.changed = False                 # out/ holds new PDFs: an interrupt no longer leaves it unchanged
        self.holding = False
        self.pending: int | None = None      # a signal that came while held

    def message(self) -> str:
        return INTERRUPTED_WRITTEN if self.changed else INTERRUPTED

    def interrupt(self, signum, frame) -> None:
        """The signal handler: raise ``Interrupted`` now, or after ``held`` if out/ is being changed."""
        if self.holding:
            self.pending = signum
            return
        self.arrived.set()
        raise Interrupted(self.message())

    def install(self) -> dict:
        """These ``SIGNALS`` call ``interrupt`` from now on; the handlers they had (to put back).

        Only the main thread can set handlers: elsewhere nothing changes.
        """
        if threading.current_thread() is not threading.main_thread():
            return {}
        try:
            # a signal this process was started to ignore (nohup, a background job) stays ignored
            return {sig: signal.signal(sig, self.interrupt) for sig in SIGNALS
                    if signal.getsignal(sig) is not signal.SIG_IGN}
        except (ValueError, OSError):
            return {}

    @staticmethod
    def restore(previous: dict) -> None:
        """Put back the handlers ``install`` returned."""
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)

    @contextlib.contextmanager
    def handled(self, put_back: bool = True):
        """These ``SIGNALS`` call ``interrupt`` within; the previous handlers come back after
        (unless not ``put_back``: a process that ends right after keeps them to the end)."""
        previous = self.install()
        try:
            yield
        finally:
            if put_back:
                self.restore(previous)

    @contextlib.contextmanager
    def held(self, act_after: bool = True):
        """An interrupt arriving within waits until the block is over, then (``act_after``) is raised.

        If the block fails, its error is what is reported: it says what happened to out/.
        """
        if self.holding:                    # already held further out: that one acts
            yield
            return
        self.holding, self.pending = True, None
        try:
            yield
        finally:
            self.holding = False
        if act_after and self.pending is not None:
            self.pending = None
            self.arrived.set()
            raise Interrupted(self.message())

    def reported(self, exc: BaseException) -> BaseException:
        """The exception to report: an interrupt that a library turned into an error is still an interrupt."""
        if self.arrived.is_set() and not isinstance(exc, KeyboardInterrupt):
            interrupted = Interrupted(self.message())
            interrupted.__cause__ = exc
            return interrupted
        return exc
