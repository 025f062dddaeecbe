"""Errors a staff member can read: Chinese first, then English, with a place.

Every failure caused by the user's input is a ``BrochureError``.  The CLI prints
``str(error)`` and exits with status 2; nothing else reaches the user as a
traceback.

Every message has one layout (``bilingual``): its head (错误 error, 警告 warning),
the place, the Chinese, then the English on the next line, indented::

    错误 error: content.yaml:28:9: “author”后面用了全角冒号“：”……
       a full-width colon '：' follows the key 'author'……
"""
from __future__ import annotations

from dataclasses import dataclass

#: How far the English half of a message is indented under its Chinese line.
INDENT = "   "


def bilingual(zh: str, en: str, where: "Location | str | None" = None, head: str = "") -> str:
    """The one layout of every message: ``head where: 中文`` and, on the next line, the English."""
    first = " ".join(part for part in (head, f"{where}:" if where else "") if part)
    return f"{first} {zh}\n{INDENT}{en}" if first else f"{zh}\n{INDENT}{en}"


#: The heads of the messages that are not a plain result.
ERROR_HEAD = "错误 error:"
WARNING_HEAD = "警告 warning:"


@dataclass(frozen=True)
class Location:
    """A place in a user's file; line and column are 1-based."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


class BrochureError(Exception):
    """A problem in the user's input, explained in Chinese and English.

    ``zh`` and ``en`` say what is wrong and what to do next.
    """

    exit_status = 2

    def __init__(self, zh: str, en: str, where: Location | None = None):
        self.zh = zh
        self.en = en
        self.where = where
        super().__init__(str(self))

    def __str__(self) -> str:
        return bilingual(self.zh, self.en, self.where)

    def __reduce__(self):
        # pickled whole (a build's outputs may be made in another process)
        return (self.__class__, (self.zh, self.en, self.where))


class ContentError(BrochureError):
    """content.yaml is malformed or refers to something that is not there."""


class FontError(BrochureError):
    """A font is missing, unusable, or lacks a character the text needs."""


class LayoutError(BrochureError):
    """The content does not fit where the design puts it (e.g. a poster area)."""


class PressError(BrochureError):
    """An image or colour cannot be made print-ready."""


class BuildWarning:
    """Not an exception: a bilingual note collected during a build."""

    def __init__(self, zh: str, en: str, where: Location | None = None):
        self.zh, self.en, self.where = zh, en, where

    def __str__(self) -> str:
        return bilingual(self.zh, self.en, self.where, WARNING_HEAD)

    def __repr__(self) -> str:         # by value: digests of the content (a layout plan's key) take its repr
        return f"BuildWarning({self.zh!r}, {self.en!r}, {self.where!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, BuildWarning) and (self.zh, self.en, self.where) == (other.zh, other.en, other.where)

    def __hash__(self) -> int:
        return hash((self.zh, self.en, self.where))


#: What a build stopped by Ctrl-C or SIGTERM says: nothing in out/ was changed.
INTERRUPTED = "已中断，out/ 中原有的 PDF 未被改动。 / interrupted; the PDFs in out/ are unchanged."
#: What it says when the interrupt came once the new PDFs were all in place (it waits while they are moved).
INTERRUPTED_WRITTEN = ("已中断，但新的 PDF 此前已全部写入 out/。 / "
                       "interrupted, but only after the new PDFs had all been written to out/.")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM, with what it means for out/ (``message``)."""

    def __init__(self, message: str = INTERRUPTED):
        super().__init__(message)
        self.message = message
