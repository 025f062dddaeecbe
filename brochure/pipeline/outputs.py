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
  name, on this machine) no longer runs, and any older than an hour.  Files of
  a build still running, e.g. a second build of the same folder at the same
  time, are left alone, so two builds at once both finish.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import socket
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


def is_stale(name: str, mtime: float, now: float | None = None) -> bool:
    """Whether ``name`` in out/ is a temporary file no running build will finish."""
    now = time.time() if now is None else now
    m = _TEMP.match(name)
    if m:
        if now - mtime > STALE_AFTER:
            return True
        return m["host"] == HOST_TAG and not _process_alive(int(m["pid"]))
    if _OLD_TEMP.match(name):
        return now - mtime > STALE_AFTER
    return False


def remove_stale_temps(out_dir: Path) -> list[Path]:
    """Delete the temporary files of builds that were killed; returns what was removed."""
    removed = []
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


def prepare_out_dir(out_dir: Path) -> bool:
    """Make sure ``out_dir`` is a folder; True if this call created it."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BrochureError(
            f"输出位置 {display_path(out_dir)} 是一个文件，不是文件夹。请用 -o 指定一个文件夹。",
            f"the output {display_path(out_dir)} is a file, not a folder. Choose a folder with -o.",
        )
    if os.path.islink(out_dir) and not out_dir.exists():        # a link to nowhere, or to itself
        try:
            os.stat(out_dir)
            loop = False
        except OSError as exc:
            loop = exc.errno == errno.ELOOP
        zh, en = (("是循环的符号链接（链接最终指向它自己）", "is a loop of symbolic links (it ends up pointing at itself)")
                  if loop else ("是指向不存在位置的符号链接", "is a symbolic link to a place that does not exist"))
        raise BrochureError(
            f"输出位置 {out_dir} {zh}，无法写入。请删除或改正这个链接，或用 -o 指定另一个文件夹。",
            f"the output {out_dir} {en}, so nothing can be written there. Delete or correct the link, "
            "or choose another folder with -o.",
        )
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise disk_error(exc, out_dir) from None
    remove_stale_temps(out_dir)
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
