"""Writing outputs safely: temporary names, the staged files, stale-temp removal, disk errors.

Nothing is written into ``out/`` until it is known to be good, and nothing of
the user's (content.yaml, images/, fonts/) is ever written at all:

* Each output is rendered to a temporary file beside its final name
  (``.NAME.~PID-HOST-TOKEN.RANDOM.raw.pdf`` / ``.pdf.part`` / ``.json.part``: unique per
  process, hidden, never matching ``*.pdf``), finished to PDF/X and preflighted.
* Only when every requested output has passed preflight are they renamed into
  place, each PDF together with its ``.preflight.json``, all or none
  (``commit``).  A failed build, or one stopped with Ctrl-C or SIGTERM before
  then, leaves every previous PDF in ``out/`` byte for byte as it was and
  removes its own temporary files.
* A build killed outright (SIGKILL, power cut) cannot clean up; the next build
  removes such leftovers: temporary files whose process (named in the file
  name, on this machine) no longer runs, and any older than an hour, and the
  previous files it kept aside (``.NAME.~TAG.previous``).  Files of a build
  still running are left alone (one folder takes one build at a time, but a file
  system without locks lets two in), and nothing while a commit's journal waits
  to be settled (``commit.recover``).
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import socket
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from brochure.content.yamlnodes import display_path
from brochure.ground.errors import BrochureError
from brochure.ground.words import os_reason

#: A temporary file older than this is stale whatever its name says (no build takes an hour).
STALE_AFTER = 3600.0
HOST_TAG = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
_TEMP = re.compile(r"^\..+\.~(?P<pid>\d+)-(?P<host>[0-9a-f]{8})(?:-[0-9a-f]+)?\.[A-Za-z0-9_]+\.(raw\.pdf|pdf\.part|json\.part)$")
#: A previous output kept under a hidden name during a commit (``commit.keep_previous``).
_KEPT = re.compile(r"^\..+\.~(?P<pid>\d+)-(?P<host>[0-9a-f]{8})(?:-[0-9a-f]+)?\.previous$")
#: Temporary names of earlier versions (no process id): removed by age only.
_OLD_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.(raw\.pdf|pdf\.part)$")
#: Errors of the output folder itself (full disk, no permission), not of the program.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EACCES, errno.EPERM, errno.EROFS, errno.EDQUOT, errno.EFBIG,
                         errno.ENOTDIR})


@dataclass
class Output:
    name: str
    path: Path
    pages: int
    warnings: list = field(default_factory=list)
    preflight: object = None         # the preflight Report (a KeptReport for an output left as it was)
    unchanged: bool = False          # kept as it was in out/: the same render as the PDF there


@dataclass
class KeptReport:
    """The preflight report of an output left unchanged in out/, as it was written then."""

    ok: bool
    json: str


# --- temporary files -----------------------------------------------------------

def build_tag() -> str:
    """What names one build's temporary files: process, machine and a random token."""
    return f"{os.getpid()}-{HOST_TAG}-{os.urandom(3).hex()}"


def temp_file(out_dir: Path, stem: str, kind: str, tag: str | None = None) -> Path:
    """A new, empty, uniquely named hidden file in ``out_dir`` (same file system as the final name)."""
    fd, name = tempfile.mkstemp(prefix=f".{stem}.~{tag or build_tag()}.", suffix=f".{kind}", dir=out_dir)
    os.close(fd)
    return Path(name)


def remove_own_temps(out_dir: Path, tag: str) -> None:
    """Delete every temporary file of the build ``tag`` (also one created just as an interrupt arrived)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(out_dir):
            if f".~{tag}." in entry.name and _TEMP.match(entry.name):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:          # e.g. another user's process: it exists
        return True
    return True


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is one of a build's temporary (or kept previous) files."""
    return bool(_TEMP.match(name) or _KEPT.match(name))


def process_alive_tag(tag: str) -> bool:
    """Whether the build whose tag (``build_tag``) this is still runs on this machine."""
    m = re.match(r"^(\d+)-([0-9a-f]{8})", tag)
    return bool(m) and m[2] == HOST_TAG and _process_alive(int(m[1]))


def is_stale(name: str, mtime: float, now: float | None = None) -> bool:
    """Whether ``name`` in out/ is a temporary (or kept previous) file no running build will finish."""
    now = time.time() if now is None else now
    m = _TEMP.match(name) or _KEPT.match(name)
    if m:
        if now - mtime > STALE_AFTER:
            return True
        return m["host"] == HOST_TAG and not _process_alive(int(m["pid"]))
    if _OLD_TEMP.match(name):
        return now - mtime > STALE_AFTER
    return False


def remove_stale_temps(out_dir: Path) -> list[Path]:
    """Delete the temporary files of builds that were killed; returns what was removed.

    Nothing while a commit's journal is there: its files are what settles it (``commit.recover``).
    """
    removed = []
    if os.path.lexists(out_dir / ".brochure-commit.json"):
        return removed          # a commit to settle first (``commit.recover``): its files must stay
    try:
        entries = list(os.scandir(out_dir))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
            continue
        try:
            if is_stale(entry.name, entry.stat(follow_symlinks=False).st_mtime, now):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass            # gone already, or not ours to delete
    return removed


def disk_error(exc: OSError, out_dir: Path) -> BrochureError:
    zh, en = os_reason(exc)
    return BrochureError(
        f"无法写入输出文件夹 {display_path(out_dir)}（{zh}）。请检查磁盘空间和写入权限，或用 -o 指定另一个文件夹。"
        "原有的 PDF 未被改动。",
        f"cannot write to the output folder {display_path(out_dir)} ({en}). Check free space and "
        "permissions, or choose another folder with -o. The PDFs already there are unchanged.",
    )


#: Why the output folder cannot be used, errno -> (Chinese, English).
FOLDER_REASONS = {
    errno.ENAMETOOLONG: ("名称太长，路径的每一段最多 255 字节", "a name in it is too long: 255 bytes at most per part of a path"),
    errno.EACCES: ("没有权限进入或写入这个文件夹", "no permission to enter or write to this folder"),
    errno.EPERM: ("没有权限写入这个文件夹", "no permission to write to this folder"),
    errno.EROFS: ("文件系统是只读的", "the file system is read-only"),
    errno.ENOSPC: ("磁盘已满", "the disk is full"),
    errno.EDQUOT: ("磁盘配额已用完", "the disk quota is used up"),
    errno.ENOTDIR: ("路径中有一段是文件而不是文件夹", "part of the path is a file, not a folder"),
    errno.ELOOP: ("路径中有循环的符号链接（链接最终指向它自己）",
                  "the path holds a loop of symbolic links (it ends up pointing at itself)"),
    errno.ENOENT: ("这个位置不能创建文件夹", "no folder can be made there"),
    errno.EEXIST: ("那里已有同名的东西，但不是文件夹", "something that is not a folder has that name"),
}


def folder_error(exc: OSError, out_dir: Path) -> BrochureError:
    """The output folder cannot be made or used: why, and what to do."""
    zh, en = FOLDER_REASONS.get(exc.errno, (exc.strerror or str(exc), exc.strerror or str(exc)))
    where = str(out_dir) if exc.errno in (errno.ELOOP, errno.ENAMETOOLONG) else display_path(out_dir)
    if len(where) > 80:
        where = f"{where[:59]}…{where[-20:]}"
    return BrochureError(
        f"无法使用输出文件夹 {where}：{zh}。请用 -o 指定另一个可以写入的文件夹。原有的 PDF 未被改动。",
        f"cannot use the output folder {where}: {en}. Choose another folder you may write to with -o. "
        "The PDFs already there are unchanged.",
    )


def broken_link_error(out_dir: Path, *, loop: bool) -> BrochureError:
    """The output is a symbolic link that leads nowhere: a loop, or to a place that does not exist."""
    where = str(out_dir)
    if loop:
        return BrochureError(
            f"输出位置 {where} 是循环的符号链接（链接最终指向它自己），无法写入。请删除或改正这个链接，"
            "或用 -o 指定另一个文件夹。",
            f"the output {where} is a loop of symbolic links (it ends up pointing at itself), so nothing can be "
            "written there. Delete or correct the link, or choose another folder with -o.",
        )
    target = os.readlink(out_dir)
    return BrochureError(
        f"输出位置 {where} 是一个符号链接，它指向的 {target} 不存在。请删除这个链接，或建好它指向的文件夹，"
        "或用 -o 指定另一个文件夹。",
        f"the output {where} is a symbolic link to {target}, which does not exist. Delete the link, make the "
        "folder it points to, or choose another folder with -o.",
    )


def prepare_out_dir(out_dir: Path) -> bool:
    """Make sure ``out_dir`` is a folder; True if this call created it."""
    try:
        st = os.stat(out_dir)
    except FileNotFoundError:
        st = None
        if os.path.islink(out_dir):          # a symbolic link to nothing: mkdir would say "File exists"
            raise broken_link_error(out_dir, loop=False) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and os.path.islink(out_dir):
            raise broken_link_error(out_dir, loop=True) from None
        raise folder_error(exc, out_dir) from None
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise BrochureError(
            f"输出位置 {display_path(out_dir)} 是一个文件，不是文件夹。请用 -o 指定一个文件夹。",
            f"the output {display_path(out_dir)} is a file, not a folder. Choose a folder with -o.",
        )
    created = st is None
    if created:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise folder_error(exc, out_dir) from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise folder_error(OSError(errno.EACCES, os.strerror(errno.EACCES)), out_dir)
    return created


def new_file_mode() -> int:
    """The permissions a new file gets under this process's umask (0644 under 022)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:   # Linux: read, not set
            for line in f:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    mask = os.umask(0o022)           # elsewhere reading the umask means setting it: put it straight back
    os.umask(mask)
    return 0o666 & ~mask


def write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def file_digest(path: Path) -> str | None:
    """The sha256 of the file at ``path``; None if there is none."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


@dataclass
class Staged:
    """One output rendered, finished and preflighted, waiting in temporary files to be renamed into place."""

    output: Output
    pdf: Path
    report: Path
    temps: list[Path]
    unchanged: bool = False          # the same render as the PDF already in out/: nothing to rename

    def moves(self) -> list[tuple[Path, Path]]:
        """(temporary file, final name) of the PDF and its report; none for an output left unchanged."""
        if self.unchanged:
            return []
        final = self.output.path
        return [(self.pdf, final), (self.report, final.with_name(f"{self.output.name}.preflight.json"))]

    def discard(self) -> None:
        for t in self.temps:
            with contextlib.suppress(OSError):
                t.unlink()
