"""Moving a build's staged outputs into out/: every one of them, or none, whatever stops it.

* One build at a time per folder: ``OutFolder`` holds an exclusive ``flock`` on
  the folder itself from the first write to the last rename; a second build
  waits, and says that it waits.
* Before anything is renamed, every final name is checked: a folder in the way,
  or a file in a shared (sticky, like /tmp) folder that belongs to someone else,
  stops the build with out/ untouched and says which name and why.
* The plan of the commit is written first, as a journal (``.brochure-commit.json``,
  fsynced, its folder too): the temporary files, their final names and the
  hidden names the previous files are kept under.  Each PDF and its report are
  then renamed into place (``os.replace``, atomic), with the permissions a new
  file gets under the umask.  The file each one replaces is first kept under a
  hidden name (``.NAME.~TAG.previous``, a second link to it), so that if a
  rename fails midway the ones already done are put back.  Only once all are in
  place are the kept files and the journal removed.
* A commit cut short by something that cannot be held (SIGKILL, a power cut) is
  found by the next build, or ``check``, from its journal: it is finished (every
  staged file was complete and synced before the journal was written) or, if a
  staged file is gone, rolled back, and the message says which.
* The record of what the tool wrote (``.brochure-outputs.json``, a digest of each
  file) is renamed into place in the same commit.  An output named in it that
  the content no longer makes, still as the tool wrote it, is removed in the
  same commit (and named in the message); a file the tool did not write, or one
  changed since, is never touched.
* Ctrl-C, SIGTERM, SIGHUP and SIGQUIT wait while this runs (``Interrupts.held``, in ``build``).

The error raised says exactly what out/ holds afterwards.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from brochure.pipeline.outputs import (Staged, disk_error, file_digest, is_temp_name, new_file_mode,
                                       prepare_out_dir, process_alive_tag, remove_stale_temps, temp_file, write_synced)
from brochure.content.yamlnodes import display_path
from brochure.ground.errors import BrochureError

#: The plan of a commit under way, in out/: found by the next build if this one is cut off.
JOURNAL = ".brochure-commit.json"
#: What the tool wrote into out/, by name, with the sha256 of each file: the only files it ever removes.
RECORD = ".brochure-outputs.json"
#: The names of outputs (and their reports): nothing else is ever removed as stale.
OUTPUT_NAME = re.compile(r"^(brochure|poster-[A-Za-z0-9_-]+)\.(pdf|preflight\.json)$")


class Committed(list):
    """The outputs of a build, in order; ``removed``: outputs of earlier builds the content no longer names."""

    def __init__(self, outputs=(), removed=()):
        super().__init__(outputs)
        self.removed: list[Path] = list(removed)


@dataclass
class Move:
    temp: Path | None                 # None: the final name is an old output to remove
    final: Path
    kept: Path | None = None          # the previous file, under a hidden name; None if there was none
    moved_away: bool = False          # kept by renaming (no second link possible): the final name is empty
    placed: bool = False              # the new file is at the final name (or the old output is gone)


def say_on_stderr(line: str) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(line, file=sys.stderr, flush=True)


def fsync_dir(folder: Path) -> None:
    """Make the renames in ``folder`` durable (a power cut after this keeps them)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- one build at a time, and what an interrupted one left ---------------------

class OutFolder:
    """The output folder while a build writes into it: made if need be, locked, an interrupted commit settled.

    ``say`` is told what the build waits for and what it found (a line, bilingual).
    """

    def __init__(self, path: Path, say: Callable[[str], None] | None = None, draft: bool = False):
        self.path = Path(path)
        self.say = say or say_on_stderr
        self.draft = draft
        self.fd: int | None = None
        self.created = False

    def open(self) -> bool:
        """Ready to write; True if this call created the folder."""
        self.created = prepare_out_dir(self.path)
        try:
            self.lock()
            note = recover(self.path)
            if note:
                self.say(note)
            remove_stale_temps(self.path)
            if self.draft:
                refuse_draft_over_finished(self.path)
        except BaseException:
            self.close()
            raise
        return self.created

    def lock(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise disk_error(exc, self.path) from None
        self.fd = fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            where = display_path(self.path)
            self.say(f"另一个生成正在写入 {where}，等它完成后再继续…… / "
                     f"another build is writing into {where}: waiting until it has finished…")
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            pass                    # a file system without locks: each commit is still whole

    def close(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                # unlocked first: a worker forked meanwhile (``brochure watch`` keeps them) shares the lock
                # through its copy of the descriptor, and would hold it after this one is closed
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()


def settle(out_dir: Path) -> str | None:
    """What ``check`` does: an interrupted commit into ``out_dir`` (if there is one) settled, and what was done."""
    if not os.path.lexists(Path(out_dir) / JOURNAL):
        return None
    folder = OutFolder(out_dir, say=lambda line: None)
    notes: list[str] = []
    folder.say = notes.append
    try:
        folder.lock()
        notes.append(recover(folder.path) or "")
    finally:
        folder.close()
    return "\n".join(n for n in notes if n) or None


def read_small(path: Path) -> bytes:
    """The bytes of the regular file ``path`` (not through a link, never waiting on a pipe), at most 1 MB."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"not a regular file: {path}")
        return os.read(fd, 1_000_000)
    finally:
        os.close(fd)


def read_record(out_dir: Path) -> dict:
    """The tool's record of what it wrote into ``out_dir``: {"draft": bool, "files": {name: sha256}}."""
    try:
        data = json.loads(read_small(out_dir / RECORD))
        files = data["files"]
        if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
            return {}
        return {"draft": bool(data.get("draft")), "files": {k: v for k, v in files.items() if OUTPUT_NAME.match(k)}}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def refuse_draft_over_finished(out_dir: Path) -> None:
    """A draft never lands among finished outputs: refuse a folder whose outputs are finished ones."""
    record = read_record(out_dir)
    if record:
        finished = not record["draft"] and any((out_dir / n).exists() for n in record["files"])
    else:                                   # made before the tool kept a record: the reports say what they are
        finished = any(_finished_report(p) for p in out_dir.glob("*.preflight.json") if OUTPUT_NAME.match(p.name))
    if finished:
        where = display_path(out_dir)
        raise BrochureError(
            f"{where} 中是正式生成的 PDF，样稿不能写进去，以免和它们混在一起。请不加 -o（样稿会写进 out/draft/），"
            "或用 -o 指定另一个文件夹。",
            f"{where} holds finished PDFs, and a draft may not be mixed with them. Leave out -o (drafts go to "
            "out/draft/), or choose another folder with -o.",
        )


def _finished_report(path: Path) -> bool:
    """Whether ``path`` is the preflight report of a finished (not a draft) output."""
    try:
        report = json.loads(read_small(path))
        return report["ok"] is True and not report.get("settings", {}).get("draft", False)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _journal(out_dir: Path) -> dict | None:
    """The journal of a cut-off commit; {"moves": None} for one this tool did not write as it is."""
    if not os.path.lexists(out_dir / JOURNAL):
        return None
    try:
        plan = json.loads(read_small(out_dir / JOURNAL))
        for m in plan["moves"]:            # only names this tool gives: a journal cannot move anything else
            final, temp, kept = m["final"], m["temp"], m["kept"]
            if not (isinstance(final, str) and (OUTPUT_NAME.match(final) or final == RECORD)):
                raise ValueError(final)
            if temp is not None and not (isinstance(temp, str) and is_temp_name(temp)):
                raise ValueError(temp)
            if kept is not None and not (isinstance(kept, str) and kept.startswith(f".{final}.~") and is_temp_name(kept)):
                raise ValueError(kept)
        return plan
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {"moves": None}


def _placed(final: Path, kept: Path | None) -> bool:
    """Whether the new file is at ``final`` (its temporary file gone): something is there, and not the kept old one."""
    try:
        now = os.lstat(final)
    except OSError:
        return False
    try:
        old = os.lstat(kept) if kept is not None else None
    except OSError:
        old = None
    return old is None or (now.st_ino, now.st_dev) != (old.st_ino, old.st_dev)


def recover(out_dir: Path) -> str | None:
    """Finish, or roll back, a commit into ``out_dir`` that was cut off; what was done (a line), or None."""
    plan = _journal(out_dir)
    if plan is None:
        return None
    where = display_path(out_dir)
    if plan["moves"] is None:                 # not written by this tool as it is: nothing to act on
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.lstat(out_dir / JOURNAL).st_mode):
                os.unlink(out_dir / JOURNAL)
        return None
    if process_alive_tag(str(plan.get("tag", ""))):
        return None                           # its build still runs (a file system without locks)

    def at(name):
        return None if name is None else out_dir / name

    moves = [(at(m["temp"]), at(m["final"]), at(m["kept"]), bool(m.get("previous"))) for m in plan["moves"]]
    forward = all(temp is None or os.path.lexists(temp) or _placed(final, kept) for temp, final, kept, _ in moves)
    try:
        if forward:
            for temp, final, _, _ in moves:
                if temp is None:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(final)
                elif os.path.lexists(temp):
                    os.replace(temp, final)
        else:
            for temp, final, kept, previous in reversed(moves):
                if temp is not None and os.path.lexists(temp):          # never placed: the final name is the old file
                    os.unlink(temp)
                    if kept is not None and os.path.lexists(kept) and not os.path.lexists(final):
                        os.replace(kept, final)
                elif kept is not None and os.path.lexists(kept):
                    os.replace(kept, final)
                elif temp is not None and not previous:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(final)
        fsync_dir(out_dir)
        for _, _, kept, _ in moves:
            if kept is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(kept)
        os.unlink(out_dir / JOURNAL)
        fsync_dir(out_dir)
    except OSError as exc:
        raise BrochureError(
            f"上次生成在把新文件移入 {where} 时被中断，现在无法收尾（{exc.strerror}）：{where} 中可能新旧文件混杂。"
            f"请检查写入权限后再生成一次；在此之前不要使用 {where} 中的文件。",
            f"the last build was cut off while moving its new files into {where}, and that cannot be settled now "
            f"({exc.strerror}): {where} may hold old and new files mixed. Check the permissions and build again; "
            f"until then do not use the files in {where}.",
        ) from None
    if forward:
        return (f"上次生成在把新文件移入 {where} 时被中断（进程被强行结束或断电）；现已完成那次移入，{where} 中是那次生成的全部新文件。 / "
                f"the last build was cut off while moving its new files into {where} (killed, or a power cut); "
                f"that move is now finished: {where} holds all of that build's new files.")
    return (f"上次生成在把新文件移入 {where} 时被中断，它的新文件已不全；已放回原有的文件，{where} 与那次生成之前相同。 / "
            f"the last build was cut off while moving its new files into {where}, and its new files were no "
            f"longer complete: the previous files were put back, and {where} is as it was before that build.")


# --- the commit ------------------------------------------------------------------

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


def stale_outputs(out_dir: Path, record: dict, wanted: set[str]) -> list[Path]:
    """Outputs the tool wrote earlier that are no longer wanted, still exactly as it wrote them."""
    stale = []
    for name, digest in sorted(record.get("files", {}).items()):
        path = out_dir / name
        if name in wanted or not OUTPUT_NAME.match(name):
            continue
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue
        except OSError:
            continue
        if file_digest(path) == digest:
            stale.append(path)
    return stale


def commit(staged: list[Staged], tag: str, out_dir: Path | None = None, *, complete: bool = True,
           draft: bool = False) -> Committed:
    """Rename every staged output into place, or none; the outputs, in order.

    ``complete``: these are every output the content makes, so the earlier ones it no longer
    names are removed; otherwise (``--only``) the others are left as they are.
    """
    moves = [Move(temp, final) for s in staged for temp, final in s.moves()]
    if out_dir is None:
        out_dir = staged[0].output.path.parent if staged else None
    record_move, removals, files = None, [], {}
    if out_dir is not None:
        record = read_record(out_dir)
        files = dict(record.get("files", {})) if not complete else {}
        for s in staged:
            for temp, final in s.moves() or [(None, s.output.path),
                                             (None, s.output.path.with_name(f"{s.output.name}.preflight.json"))]:
                digest = file_digest(temp if temp is not None else final)
                if digest is not None:
                    files[final.name] = digest
        if complete:
            removals = [Move(None, p) for p in stale_outputs(out_dir, record, set(files))]
        new_record = {"format": 1, "draft": draft, "files": dict(sorted(files.items()))}
        if moves or removals or record != {"draft": draft, "files": new_record["files"]}:
            try:
                temp = temp_file(out_dir, RECORD.lstrip("."), "json.part", tag)
                write_synced(temp, json.dumps(new_record, indent=1) + "\n")
            except OSError as exc:
                raise disk_error(exc, out_dir) from None
            record_move = Move(temp, out_dir / RECORD)
    moves += removals + ([record_move] if record_move else [])
    blocked = [(m.final, why) for m in moves if m.temp is not None and (why := obstacle(m.final))]
    if blocked:
        zh = "；".join(f"{display_path(f)}：{why[0]}" for f, why in blocked)
        en = "; ".join(f"{display_path(f)}: {why[1]}" for f, why in blocked)
        raise BrochureError(
            f"无法替换输出文件（{zh}）。请移开它，或用 -o 指定另一个文件夹。out/ 中的文件都未被改动。",
            f"cannot replace the output ({en}). Move it away, or choose another folder with -o. "
            "Nothing in out/ was changed.",
        )
    outputs = Committed([s.output for s in staged], [m.final for m in removals])
    if not moves:
        return outputs
    mode = new_file_mode()
    try:
        for m in moves:
            if m.temp is not None:
                os.chmod(m.temp, mode)          # mkstemp made it 0600
        write_journal(out_dir, moves, tag)
    except OSError as exc:
        raise disk_error(exc, out_dir) from None
    for m in moves:
        try:
            keep_previous(m, tag)
            if m.temp is not None:
                os.replace(m.temp, m.final)
            elif not m.moved_away:
                os.unlink(m.final)
            m.placed = True
        except OSError as exc:
            stuck = roll_back(moves)
            with contextlib.suppress(OSError):
                os.unlink(out_dir / JOURNAL)      # settled here: the message says what out/ holds
            raise failed(m, exc, stuck) from None
    fsync_dir(out_dir)
    for m in moves:
        if m.kept is not None:
            with contextlib.suppress(OSError):
                os.unlink(m.kept)
    with contextlib.suppress(OSError):
        os.unlink(out_dir / JOURNAL)
    fsync_dir(out_dir)
    return outputs


def kept_name(final: Path, tag: str) -> Path:
    return final.with_name(f".{final.name}.~{tag}.previous")


def write_journal(out_dir: Path, moves: list[Move], tag: str) -> None:
    """The plan, durable before anything is renamed: what the next build needs to settle a cut-off commit."""
    plan = {"format": 1, "tag": tag, "moves": [
        {"temp": m.temp.name if m.temp is not None else None, "final": m.final.name,
         "kept": kept_name(m.final, tag).name, "previous": os.path.lexists(m.final)} for m in moves]}
    temp = temp_file(out_dir, JOURNAL.lstrip("."), "json.part", tag)
    try:
        write_synced(temp, json.dumps(plan, indent=1) + "\n")
        os.replace(temp, out_dir / JOURNAL)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_dir(out_dir)


def keep_previous(m: Move, tag: str) -> None:
    """Keep the file at ``m.final`` (if any) under a hidden name, to put back if the commit fails."""
    kept = kept_name(m.final, tag)
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
