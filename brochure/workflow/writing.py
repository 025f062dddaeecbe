"""Writing a file staff asked for (a draft, a fixed copy): whole or not at all, and every failure said plainly.

A name too long, a path through a file (``content.yaml/x.yaml``), a folder that
cannot be written (``/proc``, a read-only project) or a full disk is a
``ContentError`` naming the file and saying what to do, never a traceback.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from brochure.ground.errors import ContentError, Location
from brochure.ground.words import os_reason

#: Why a write failed, in the words of the message: errno -> (Chinese, English).
REASONS = {
    errno.ENAMETOOLONG: ("文件名太长", "the name is too long"),
    errno.ENOTDIR: ("路径中有一段是文件而不是文件夹", "part of the path is a file, not a folder"),
    errno.EEXIST: ("路径中有一段是文件而不是文件夹", "part of the path is a file, not a folder"),
    errno.EACCES: ("没有写入权限", "permission denied"),
    errno.EPERM: ("没有写入权限", "permission denied"),
    errno.EROFS: ("文件系统是只读的", "the file system is read-only"),
    errno.ENOSPC: ("磁盘已满", "the disk is full"),
    errno.ENOENT: ("这个位置不能创建文件", "no file can be made there"),
    errno.EISDIR: ("这是一个文件夹", "it is a folder"),
}


def cannot_write(path: Path, exc: OSError) -> ContentError:
    zh, en = REASONS.get(exc.errno) or os_reason(exc)
    return ContentError(
        f"无法写入这个文件（{zh}）。请用 -o 指定一个可以写入的文件夹中的文件名。",
        f"cannot write this file ({en}). With -o, choose a file name in a folder you may write to.",
        Location(shortened(str(path))),
    )


def shortened(name: str, limit: int = 80) -> str:
    """``name`` as a message shows it: a name of hundreds of characters keeps its start and end."""
    return name if len(name) <= limit else f"{name[:limit - 21]}…{name[-20:]}"


def exists(path: Path) -> bool:
    """Whether something is at ``path``; a name the system cannot even look up is refused as unwritable."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:           # a name too long, a path through a file
        raise cannot_write(path, exc) from None
    return True


def _umask() -> int:
    """This process's umask, read without changing it where the system says it (Linux), else set and put back."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def not_regular(path: Path) -> ContentError | None:
    """Why ``path`` may not be written over (a device, a pipe, a socket, a symbolic link, a folder); None if it may."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return cannot_write(path, exc)
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISDIR(st.st_mode):
        return cannot_write(path, OSError(errno.EISDIR, os.strerror(errno.EISDIR)))
    kind_zh, kind_en = ("符号链接", "a symbolic link") if stat.S_ISLNK(st.st_mode) else ("设备、管道或套接字", "a device, a pipe or a socket")
    return ContentError(
        f"这个名字是一个{kind_zh}，不是普通文件：它不会被替换（--force 也不会）。请用 -o 指定一个新的文件名。",
        f"this name is {kind_en}, not a regular file: it is never replaced (not even with --force). Choose a new "
        "file name with -o.",
        Location(shortened(str(path))),
    )


def write_text(path: Path, text: str, *, newline: str | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder, then rename it into place.

    The file gets the permissions any new file of the user's gets (the umask: 0644 under 022),
    not the temporary file's private 0600.
    Only a new name or a regular file is written: a device, a pipe or a symbolic link there is refused.
    """
    path = Path(path)
    refused = not_regular(path)
    if refused is not None:
        raise refused
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as f:
            f.write(text)
        refused = not_regular(path)             # nothing took the name meanwhile
        if refused is not None:
            raise refused
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise cannot_write(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
