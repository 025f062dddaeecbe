"""Ctrl-C and SIGTERM during a build: both stop it, and its temporary files are removed."""
from __future__ import annotations

import contextlib
import signal
import threading


class Interrupts:
    """SIGTERM behaves like Ctrl-C while a build runs, so its temporary files are removed.

    Both raise KeyboardInterrupt, and both are remembered: a library that catches
    everything (ReportLab's file opening does) may turn the interrupt into an error
    of its own, which the build then reports as the interruption it was.
    """

    def __init__(self):
        self.arrived = threading.Event()

    @contextlib.contextmanager
    def handled(self):
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def interrupt(signum, frame):
            self.arrived.set()
            raise KeyboardInterrupt

        try:
            # a signal this process was started to ignore (nohup, a background job) stays ignored
            previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGINT)
                        if signal.getsignal(sig) is not signal.SIG_IGN}
        except (ValueError, OSError):
            yield
            return
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)

    def reported(self, exc: BaseException) -> BaseException:
        """The exception to report: an interrupt that a library turned into an error is still an interrupt."""
        if self.arrived.is_set() and not isinstance(exc, KeyboardInterrupt):
            interrupted = KeyboardInterrupt()
            interrupted.__cause__ = exc
            return interrupted
        return exc
