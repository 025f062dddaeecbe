"""Opening a user's file safely: only a regular file, and never waiting on a pipe.

``open_regular`` opens with O_NONBLOCK (a FIFO without a writer would otherwise
block the open for ever) and checks what was opened, not the name: a pipe, a
device, a socket or a folder is refused with ``NotRegularFile``, a loop of
symbolic links with the system's own ELOOP error.  Every failure is an
``OSError``, so callers that already explain an unreadable file need no new case.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class NotRegularFile(OSError):
    """The path names a pipe, device, socket or folder, not a file that can be read."""

    def __init__(self, path, mode: int):
        kind = "folder" if stat.S_ISDIR(mode) else "pipe, device or socket"
        super().__init__(errno.EINVAL, f"not a regular file ({kind})", str(path))
        self.folder = stat.S_ISDIR(mode)


def open_regular(path: Path | str):
    """``path`` opened for reading in binary, blocking mode, once it is known to be a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path, st.st_mode)
        os.set_blocking(fd, True)
        return open(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit`` + 1 of them when a limit is given)."""
    with open_regular(path) as f:
        return f.read() if limit is None else f.read(limit + 1)


def is_loop(exc: BaseException) -> bool:
    """Whether ``exc`` says a path is a loop of symbolic links (an OSError, or pathlib's RuntimeError)."""
    return (isinstance(exc, OSError) and exc.errno == errno.ELOOP) or (
        isinstance(exc, RuntimeError) and "Symlink loop" in str(exc))
