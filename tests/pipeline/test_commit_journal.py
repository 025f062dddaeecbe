"""A commit into out/ survives anything, one build writes into out/ at a time, and stale outputs go.

* SIGKILL at every single step of a commit (each link, rename and unlink): the
  next build, or ``check``, finds the journal, finishes the commit or rolls it
  back, says which, and out/ is then all old or all new, with nothing hidden left;
* a build cut off before its journal was in place leaves out/ as it was;
* a second build into the same out/ waits for the first, says so, and never mixes
  their outputs;
* SIGHUP (a closed terminal) mid-build stops it like SIGTERM: no temporary file,
  no worker process left;
* outputs the content no longer names are removed in the same commit, and
  named; a file the tool did not write, or one changed since, is never touched;
* leftover ``.NAME.~TAG.previous`` files of a killed build are removed;
* a temporary file that cannot be unlinked (EBUSY) does not fail the build.

Where a race must be repeatable, the build runs in a child process whose
``os.replace`` (or ``os.link``, ``os.unlink``) is wrapped by the test itself:
killed at the N-th step, or held at the first rename until the test says go.
The program has no hook of its own for this.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pikepdf
import pytest

import brochure.pipeline as pipeline
import brochure.pipeline.pipeline as pipeline_module
from brochure.cli import main
from brochure.pipeline.commit import JOURNAL, RECORD, OutFolder, settle
from brochure.ground.errors import INTERRUPTED
from conftest import MINIMAL, POSTER, ROOT, listing, temps
from conftest import make_print_project as project

CHANGED = MINIMAL.replace("新城正“青春”", "新城又逢春").replace("非凡10年", "非凡十年") + POSTER
A4 = "  - name: a4\n    size: A4\n    shows: [title, summaries]\n"


def visible(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if not p.name.startswith(".") and p.is_file()}


def record_matches(out: Path) -> None:
    """The tool's record names exactly the visible files, each with its digest."""
    record = json.loads((out / RECORD).read_text(encoding="utf-8"))
    assert sorted(record["files"]) == sorted(visible(out))
    for name, digest in record["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name


@pytest.fixture
def two_states(tmp_path, monkeypatch):
    """out/ built from MINIMAL + POSTER (old), and the snapshot of the same out/ built from CHANGED (new)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL + POSTER)
    out = tmp_path / "out"
    pipeline.build(path, out, jobs=1)
    old = tmp_path / "old"
    shutil.copytree(out, old)
    path.write_text(CHANGED, encoding="utf-8")
    pipeline.build(path, out, jobs=1)
    new = {p.name: p.read_bytes() for p in out.iterdir()}
    restore(old, out)
    return path, out, old, new


def restore(snapshot: Path, out: Path) -> None:
    shutil.rmtree(out)
    shutil.copytree(snapshot, out)


def killed_at(step: int, path: Path, out: Path) -> bool:
    """Build ``path`` into ``out`` in a child process that SIGKILLs itself before the ``step``-th
    link, rename or unlink of the commit; whether it was killed (False: the commit has fewer steps)."""
    pid = os.fork()
    if pid == 0:                                     # the child: never returns
        try:
            count = [0]
            real = {name: getattr(os, name) for name in ("replace", "link", "unlink")}
            real_commit = pipeline_module.commit

            def counted(name):
                def call(*args, **kw):
                    if count[0] >= 0:
                        if count[0] == step:
                            os.kill(os.getpid(), signal.SIGKILL)
                        count[0] += 1
                    return real[name](*args, **kw)
                return call

            def commit(*args, **kw):
                count[0] = 0                        # steps are counted from the commit on
                for name in real:
                    setattr(os, name, counted(name))
                return real_commit(*args, **kw)

            count[0] = -1
            pipeline_module.commit = commit
            pipeline.build(path, out, jobs=1, say=lambda line: None)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_sigkill_at_every_step_of_the_commit_is_settled_by_the_next_build_or_check(two_states):
    path, out, old, new = two_states
    old_files = {p.name: p.read_bytes() for p in old.iterdir()}
    outcomes = set()
    step = 0
    while killed_at(step, path, out):
        said: list[str] = []
        journal = (out / JOURNAL).exists()
        if step % 2:                                  # check settles it ...
            note = settle(out)
            said += [note] if note else []
        folder = OutFolder(out, said.append)          # ... or the next build, which also removes the leftovers
        folder.open()
        folder.close()
        now = {p.name: p.read_bytes() for p in out.iterdir()}
        assert temps(out) == [], (step, temps(out))
        if not journal:                               # cut off before the journal was in place, or after it went
            assert said == [] and now in (old_files, new), step
        elif now == new:
            assert len(said) == 1 and "now finished" in said[0] and "现已完成" in said[0], (step, said)
        else:
            assert now == old_files, step
            assert len(said) == 1 and "were put back" in said[0] and "已放回" in said[0], (step, said)
        record_matches(out)
        outcomes.add("new" if now == new else "old")
        restore(old, out)
        step += 1
    assert step >= 10 and outcomes == {"old", "new"}          # every step was tried, both endings were seen


def test_check_says_it_finished_an_interrupted_commit(two_states, capsys, monkeypatch):
    path, out, old, new = two_states
    assert killed_at(4, path, out)                   # in the middle of the renames: out/ is mixed now
    assert (out / JOURNAL).exists()
    monkeypatch.chdir(path.parent)
    main(["check", str(path)])
    err = capsys.readouterr().err
    assert "that move is now finished" in err and "out" in err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name in new} == new
    assert not (out / JOURNAL).exists()


# --- two builds at once ---------------------------------------------------------------------

GATED = textwrap.dedent("""\
    import os, sys, time
    gate = sys.argv.pop(1)
    real = os.replace
    def replace(src, dst, *a, **kw):
        if str(dst).endswith(".pdf"):            # held at the commit's first rename of a PDF until the test says go
            while not os.path.exists(gate):
                time.sleep(0.005)
        return real(src, dst, *a, **kw)
    os.replace = replace
    sys.argv[0] = "brochure"
    from brochure.__main__ import main
    main()
    """)


def titles(out: Path) -> set[str]:
    found = set()
    for pdf in sorted(out.glob("*.pdf")):
        with pikepdf.open(pdf) as doc:
            found.add(str(doc.docinfo.get("/Title")))
    return found


def test_a_second_build_into_the_same_out_waits_and_never_mixes(tmp_path):
    env = {**os.environ, "BROCHURE_JOBS": "1", "PYTHONPATH": str(ROOT)}
    a = project(tmp_path / "a", MINIMAL + POSTER + A4)
    b = project(tmp_path / "b", MINIMAL.replace("测试手册", "另一本手册") + POSTER + A4)
    out = tmp_path / "out"
    gate = tmp_path / "go"
    first = subprocess.Popen([sys.executable, "-c", GATED, str(gate), "build", str(a), "-o", str(out)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not (out / JOURNAL).exists():             # the first build is in its commit, holding out/
        assert first.poll() is None, first.stderr.read()
        time.sleep(0.01)
    second = subprocess.Popen([sys.executable, "-m", "brochure", "build", str(b), "-o", str(out)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = second.stderr.readline()                  # it says it waits, before anything else
    assert "another build is writing into" in line and "waiting" in line and "另一个生成正在写入" in line
    assert first.poll() is None                      # the first is still held: the second really waited
    gate.touch()
    out_a, err_a = first.communicate(timeout=300)
    out_b, err_b = second.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, (err_a, err_b)
    assert "Traceback" not in err_a + err_b
    assert titles(out) == {"另一本手册", "另一本手册（a3）", "另一本手册（a4）"}    # all of the second, none of the first
    assert listing(out) == sorted(["brochure.pdf", "brochure.preflight.json", "poster-a3.pdf",
                                   "poster-a3.preflight.json", "poster-a4.pdf", "poster-a4.preflight.json"])
    assert temps(out) == []
    record_matches(out)


# --- SIGHUP ------------------------------------------------------------------------------

def processes_in(folder: Path) -> list[int]:
    """The processes whose current folder is ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "cwd") == str(folder):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGQUIT])
def test_sighup_or_sigquit_mid_build_leaves_no_temporary_file_and_no_worker(tmp_path, signum):
    path = project(tmp_path, MINIMAL + POSTER + A4)
    out = tmp_path / "out"
    env = {**os.environ, "BROCHURE_JOBS": "3"}             # two worker processes make the posters
    proc = subprocess.Popen([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "out"], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    while not (out.exists() and any(n.startswith(".poster-") for n in temps(out))):      # a worker is writing
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.002)
    os.killpg(proc.pid, signum)                       # the terminal closed (or Ctrl-\\): the whole group hears it
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130 and stderr.strip().endswith(INTERRUPTED), stderr
    assert "Traceback" not in stderr
    assert not out.exists()                           # made by this build, and removed again, empty
    assert processes_in(tmp_path) == []               # no worker left running
    assert path.read_text(encoding="utf-8") == MINIMAL + POSTER + A4


# --- stale outputs ---------------------------------------------------------------------------

def test_outputs_the_content_no_longer_names_are_removed_and_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL + POSTER + A4)
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    assert main(["build", "content.yaml", "-o", "out"]) == 0
    (out / "notes.txt").write_text("staff's own", encoding="utf-8")
    before = visible(out)
    path.write_text(MINIMAL + POSTER, encoding="utf-8")            # the A4 poster is gone from content.yaml
    capsys.readouterr()
    assert main(["build", "content.yaml", "-o", "out"]) == 0
    said = capsys.readouterr().out
    assert listing(out) == ["brochure.pdf", "brochure.preflight.json", "notes.txt", "poster-a3.pdf",
                            "poster-a3.preflight.json"]
    assert "已删除 removed out/poster-a4.pdf" in said and "已删除 removed out/poster-a4.preflight.json" in said
    assert "no longer names" in said
    assert visible(out) == {k: v for k, v in before.items() if not k.startswith("poster-a4")}
    record = json.loads((out / RECORD).read_text(encoding="utf-8"))
    assert sorted(record["files"]) == [n for n in listing(out) if n != "notes.txt"]     # never the staff's file
    assert temps(out) == []


def test_a_stale_output_changed_since_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL + POSTER)
    out = tmp_path / "out"
    pipeline.build(path, out, jobs=1)
    (out / "poster-a3.pdf").write_bytes(b"%PDF-1.4 edited by hand\n")          # no longer the tool's file
    path.write_text(MINIMAL, encoding="utf-8")
    outputs = pipeline.build(path, out, jobs=1)
    assert outputs.removed == [out / "poster-a3.preflight.json"]
    assert (out / "poster-a3.pdf").read_bytes() == b"%PDF-1.4 edited by hand\n"
    record = json.loads((out / RECORD).read_text(encoding="utf-8"))
    assert sorted(record["files"]) == ["brochure.pdf", "brochure.preflight.json"]


def test_only_one_output_leaves_the_others(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL + POSTER)
    out = tmp_path / "out"
    pipeline.build(path, out, jobs=1)
    before = visible(out)
    path.write_text(CHANGED, encoding="utf-8")
    outputs = pipeline.build(path, out, jobs=1, only="a3")
    assert outputs.removed == []
    now = visible(out)
    assert now["brochure.pdf"] == before["brochure.pdf"] and now["poster-a3.pdf"] != before["poster-a3.pdf"]
    record_matches(out)


def test_a_first_build_into_a_folder_of_other_files_removes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL)
    out = tmp_path / "out"
    out.mkdir()
    (out / "poster-old.pdf").write_bytes(b"%PDF-1.4 not made by this tool\n")
    outputs = pipeline.build(path, out, jobs=1)
    assert outputs.removed == [] and (out / "poster-old.pdf").exists()


# --- leftovers -----------------------------------------------------------------------------

def test_leftover_previous_files_of_a_killed_build_are_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL)
    out = tmp_path / "out"
    pipeline.build(path, out, jobs=1)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = out / f".brochure.pdf.~{dead.pid}-{pipeline.HOST_TAG}-abcdef.previous"
    leftover.write_bytes(b"%PDF-1.4 the one before\n")
    mine = out / f".brochure.pdf.~{os.getpid()}-{pipeline.HOST_TAG}-abcdef.previous"    # a running build's: kept
    mine.write_bytes(b"%PDF-1.4 in use\n")
    before = visible(out)
    pipeline.build(path, out, jobs=1)
    assert not leftover.exists() and mine.exists()
    assert visible(out) == before


def test_a_temporary_file_that_cannot_be_unlinked_does_not_fail_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL)
    out = tmp_path / "out"
    pid = os.fork()
    if pid == 0:                                   # a build whose every unlink of a temporary file is EBUSY
        code = 1
        try:
            real = os.unlink

            def busy(name, *args, **kw):
                if ".~" in os.path.basename(str(name)):
                    raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(name))
                return real(name, *args, **kw)

            os.unlink = busy
            outputs = pipeline.build(path, out, jobs=1, say=lambda line: None)
            code = 0 if [o.name for o in outputs] == ["brochure"] else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with pikepdf.open(out / "brochure.pdf") as pdf:
        assert len(pdf.pages) >= 1
    record_matches(out)
    assert temps(out) != []                        # what it could not unlink is still there ...
    path.write_text(CHANGED, encoding="utf-8")
    pipeline.build(path, out, jobs=1, say=lambda line: None)
    assert temps(out) == [] and not (out / JOURNAL).exists()       # ... and the next build clears it
    record_matches(out)


# --- the record and the journal cannot be turned against the staff -------------------------------

def test_a_forged_journal_or_record_moves_and_removes_nothing_of_the_staff(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL)
    out = tmp_path / "out"
    pipeline.build(path, out, jobs=1)
    (out / "notes.txt").write_text("staff's own", encoding="utf-8")
    digest = hashlib.sha256(b"staff's own").hexdigest()
    record = json.loads((out / RECORD).read_text(encoding="utf-8"))
    record["files"]["notes.txt"] = digest                          # a record claiming the staff's file
    (out / RECORD).write_text(json.dumps(record), encoding="utf-8")
    (out / JOURNAL).write_text(json.dumps({"tag": "1-00000000", "moves": [
        {"temp": "notes.txt", "final": "brochure.pdf", "kept": None, "previous": True},
        {"temp": None, "final": "../content.yaml", "kept": None, "previous": True}]}), encoding="utf-8")
    snapshot = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.name != RECORD}
    said: list[str] = []
    outputs = pipeline.build(path, out, jobs=1, say=said.append)
    assert said == [] and outputs.removed == []
    assert {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.name != RECORD} == \
        {k: v for k, v in snapshot.items() if k != JOURNAL}
    assert (out / "notes.txt").read_bytes() == b"staff's own" and not (out / JOURNAL).exists()


@pytest.mark.parametrize("name", [RECORD, JOURNAL])
def test_a_fifo_for_the_record_or_journal_never_blocks_a_build(tmp_path, monkeypatch, name):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL)
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / name)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            pipeline.build(path, out, jobs=1, say=lambda line: None)
            code = 0
        finally:
            os._exit(code)
    for _ in range(6000):                               # a blocked open would never end: give up after a while
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.01)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the build waited on the FIFO")
    assert os.waitstatus_to_exitcode(status) == 0
    record_matches(out)                                 # the tool's own names: taken back as regular files
    assert not os.path.lexists(out / JOURNAL) and temps(out) == []


def test_no_worker_outlives_a_build_killed_outright(tmp_path):
    """The workers end (told by SIGTERM at once on Linux; elsewhere when they find the pipe closed), and
    the next build removes what the killed one staged."""
    path = project(tmp_path, MINIMAL + POSTER + A4)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "out"], cwd=tmp_path,
                            env={**os.environ, "BROCHURE_JOBS": "3"}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    while not (out.exists() and any(n.startswith(".poster-") for n in temps(out))):      # a worker is writing
        assert proc.poll() is None
        time.sleep(0.002)
    proc.kill()                                       # the parent alone, with no chance to stop its workers
    proc.wait()
    for _ in range(3000):                             # the workers are told (SIGTERM) and end
        if not processes_in(tmp_path):
            break
        time.sleep(0.02)
    assert processes_in(tmp_path) == []
    run = subprocess.run([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "out"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and temps(out) == [], run.stderr
    assert path.read_text(encoding="utf-8") == MINIMAL + POSTER + A4
