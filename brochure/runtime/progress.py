"""A progress line for long work, on a terminal only: "正在准备字体 2/4 / preparing fonts 2/4".

One line, rewritten in place with a carriage return, and cleared when the work
is done, so what is printed next starts on a clean line.  Where the output is
not a terminal (a file, a pipe, a test capturing it) nothing is written: a log
full of carriage returns helps no one.
"""
from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """``show(n)``: step ``n`` of ``total`` of the work named ``zh`` / ``en``; ``close()`` clears the line."""

    def __init__(self, zh: str, en: str, total: int, stream: TextIO | None = None):
        self.zh, self.en, self.total = zh, en, total
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.on = self.stream.isatty()
        except (AttributeError, ValueError):         # no isatty, or closed
            self.on = False
        self.width = 0

    def show(self, n: int) -> None:
        if not self.on:
            return
        text = f"{self.zh} {n}/{self.total} / {self.en} {n}/{self.total}"
        pad = max(self.width - _columns(text), 0)
        self.width = max(self.width, _columns(text))
        try:
            self.stream.write("\r" + text + " " * pad)
            self.stream.flush()
        except (OSError, ValueError):
            self.on = False

    def close(self) -> None:
        if not self.on or not self.width:
            return
        try:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
        except (OSError, ValueError):
            pass
        self.width = 0

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _columns(text: str) -> int:
    """Terminal columns of ``text``: Chinese characters take two."""
    return sum(2 if ord(ch) >= 0x1100 else 1 for ch in text)
