"""Moving a build's staged outputs into out/: every one of them, or none.

* Before anything is renamed, every final name is checked: a folder in the way,
  or a file in a shared (sticky, like /tmp) folder that belongs to someone else,
  stops the build with out/ untouched and says which name and why.
* Each PDF and its report are then renamed into place (``os.replace``, atomic),
  with the permissions a new file gets under the umask.  The file each one
  replaces is first kept under a hidden name (``.NAME.~TAG.previous``, a second
  link to it), so that if a rename still fails midway the ones already done are
  put back.  Only once all are in place are the kept files removed.
* Ctrl-C and SIGTERM wait while this runs (``Interrupts.held``, in ``build``).

The error raised says exactly what out/ holds afterwards.
"""
from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from brochure.pipeline.outputs import Output, Staged, new_file_mode
from brochure.content.yamlnodes import display_path
from brochure.ground.errors import BrochureError


@dataclass
class Move:
    temp: Path
    final: Path
    kept: Path | None = None          # the previous file, under a hidden name; None if there was none
    moved_away: bool = False          # kept by renaming (no second link possible): the final name is empty
    placed: bool = False              # the new file is at the final name


def obstacle(final: Path) -> tuple[str, str] | None:
    """Why ``final`` cannot be replaced by a rename (zh, en); None if it can."""
    try:
        st = os.lstat(final)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror, exc.strerror
    if stat.S_ISDIR(st.st_mode):
        return "那里是一个文件夹", "a folder is in the way"
    try:
        folder = os.stat(final.parent)
    except OSError as exc:
        return exc.strerror, exc.strerror
    me = os.geteuid()
    if folder.st_mode & stat.S_ISVTX and me not in (0, st.st_uid, folder.st_uid):
        return "它属于另一个用户，而文件夹只允许主人替换", "it belongs to another user, and the folder lets only its owner replace it"
    return None


def commit(staged: list[Staged], tag: str) -> list[Output]:
    """Rename every staged output into place, or none; the outputs, in order."""
    moves = [Move(temp, final) for s in staged for temp, final in s.moves()]
    blocked = [(m.final, why) for m in moves if (why := obstacle(m.final))]
    if blocked:
        zh = "；".join(f"{display_path(f)}：{why[0]}" for f, why in blocked)
        en = "; ".join(f"{display_path(f)}: {why[1]}" for f, why in blocked)
        raise BrochureError(
            f"无法替换输出文件（{zh}）。请移开它，或用 -o 指定另一个文件夹。out/ 中的文件都未被改动。",
            f"cannot replace the output ({en}). Move it away, or choose another folder with -o. "
            "Nothing in out/ was changed.",
        )
    mode = new_file_mode()
    for m in moves:
        try:
            os.chmod(m.temp, mode)          # mkstemp made it 0600
            keep_previous(m, tag)
            os.replace(m.temp, m.final)
            m.placed = True
        except OSError as exc:
            raise failed(m, exc, roll_back(moves)) from None
    for m in moves:
        if m.kept is not None:
            with contextlib.suppress(OSError):
                os.unlink(m.kept)
    return [s.output for s in staged]


def keep_previous(m: Move, tag: str) -> None:
    """Keep the file at ``m.final`` (if any) under a hidden name, to put back if the commit fails."""
    kept = m.final.with_name(f".{m.final.name}.~{tag}.previous")
    try:
        os.link(m.final, kept, follow_symlinks=False)
    except FileNotFoundError:
        return                              # a new output: nothing to keep
    except FileExistsError:
        os.unlink(kept)
        os.link(m.final, kept, follow_symlinks=False)
    except OSError:                         # a file system without hard links: move it aside instead
        os.replace(m.final, kept)
        m.moved_away = True
    m.kept = kept


def roll_back(moves: list[Move]) -> list[tuple[Move, OSError]]:
    """Put back what the commit changed, last first; what could not be put back."""
    stuck = []
    for m in reversed(moves):
        try:
            if m.kept is not None and (m.placed or m.moved_away):
                os.replace(m.kept, m.final)
            elif m.kept is not None:
                os.unlink(m.kept)
            elif m.placed:
                os.unlink(m.final)
        except OSError as exc:
            stuck.append((m, exc))
    return stuck


def failed(m: Move, exc: OSError, stuck: list[tuple[Move, OSError]]) -> BrochureError:
    """What out/ holds after a rename failed midway, in the words of the error."""
    where = display_path(m.final)
    if not stuck:
        return BrochureError(
            f"无法替换 {where}（{exc.strerror}）。已替换的文件都已恢复原样，out/ 中的文件都未被改动。",
            f"could not replace {where} ({exc.strerror}). The files already replaced were put back: "
            "nothing in out/ was changed.",
        )
    zh = "；".join(f"{display_path(s.final)} {'是新生成的' if s.placed else '不在了'}"
                  + (f"，原来的保存在 {s.kept.name}" if s.kept else "") for s, _ in stuck)
    en = "; ".join(f"{display_path(s.final)} {'is the new one' if s.placed else 'is missing'}"
                   + (f", the previous one is kept as {s.kept.name}" if s.kept else "") for s, _ in stuck)
    return BrochureError(
        f"无法替换 {where}（{exc.strerror}），恢复原有文件时又出错（{stuck[0][1].strerror}）：{zh}。其余文件未被改动。",
        f"could not replace {where} ({exc.strerror}), and putting back the previous files failed too "
        f"({stuck[0][1].strerror}): {en}. The other files are unchanged.",
    )
