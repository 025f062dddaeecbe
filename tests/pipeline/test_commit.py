"""Moving the outputs into out/: every one changes or none does, and the message says which.

* a final name that cannot be replaced (a folder in the way; another user's file
  in a shared sticky folder) is found before anything is renamed;
* a rename that still fails midway puts back the ones already done, and if even
  that fails, the message names what out/ now holds and where the previous file is;
* SIGTERM at any moment of a build leaves all old or all new PDFs, and only
  "unchanged" when they are all old (a sweep of real builds);
* new files get the umask's permissions (0644 under 022), not mkstemp's 0600.
"""
from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import brochure.pipeline as pipeline
from brochure.pipeline.commit import obstacle
from brochure.ground.errors import INTERRUPTED, INTERRUPTED_WRITTEN, BrochureError
from conftest import MINIMAL, POSTER, listing, temps, env as build_env
from conftest import make_print_project as project

CHANGED = MINIMAL.replace("新城正“青春”", "新城又逢春").replace("非凡10年", "非凡十年") + POSTER
NAMES = ["brochure.pdf", "brochure.preflight.json", "poster-a3.pdf", "poster-a3.preflight.json"]


def visible(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if not p.name.startswith(".") and p.is_file()}


@pytest.fixture
def previous(tmp_path, monkeypatch):
    """A brochure and a poster built into out/; the content then changed, so the next build differs."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL + POSTER)
    pipeline.build(path, tmp_path / "out", jobs=1, env=build_env())
    path.write_text(CHANGED, encoding="utf-8")
    return path


# --- a name that cannot be replaced -------------------------------------------------

def test_a_folder_in_the_way_is_found_before_anything_is_renamed(previous, tmp_path):
    out = tmp_path / "out"
    (out / "poster-a3.pdf").unlink()
    (out / "poster-a3.pdf" / "kept").mkdir(parents=True)        # a non-empty folder where a PDF goes
    before = visible(out)
    with pytest.raises(BrochureError) as err:
        pipeline.build(previous, out, jobs=1, env=build_env())
    assert "poster-a3.pdf" in str(err.value) and "Nothing in out/ was changed" in str(err.value)
    assert visible(out) == before and temps(out) == []
    assert (out / "poster-a3.pdf" / "kept").is_dir()


def test_the_command_says_so_and_changes_nothing(previous, tmp_path):
    out = tmp_path / "out"
    (out / "poster-a3.preflight.json").unlink()
    (out / "poster-a3.preflight.json" / "x").mkdir(parents=True)
    before = visible(out)
    run = subprocess.run([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "out"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "poster-a3.preflight.json" in run.stderr and "a folder is in the way" in run.stderr
    assert visible(out) == before and temps(out) == []


def test_another_users_file_in_a_sticky_folder_is_an_obstacle():
    """In a shared 1777 folder only a file's owner may replace it: the check says what rename would."""
    if os.geteuid() != 0:
        pytest.fail("this test makes a file of another user: run the suite as root (as CI does)")
    shared = Path(tempfile.mkdtemp(prefix="brochure-shared-"))
    try:
        os.chmod(shared, 0o1777)
        theirs = shared / "poster-a3.pdf"
        theirs.write_bytes(b"%PDF-1.4 theirs\n")
        mine = shared / "brochure.pdf"
        pid = os.fork()
        if pid == 0:                                 # the child: another user, then try both ways
            code = 1
            try:
                os.setgid(65534)
                os.setuid(65534)
                mine.write_bytes(b"%PDF-1.4 mine\n")
                new = shared / ".new"
                new.write_bytes(b"%PDF-1.4 new\n")
                found = obstacle(theirs), obstacle(mine), obstacle(shared / "absent.pdf")
                try:
                    os.replace(new, theirs)
                    replaced = True
                except PermissionError:
                    replaced = False
                code = 0 if (found[0] is not None and "another user" in found[0][1] and found[1] is None
                             and found[2] is None and not replaced) else 3
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert theirs.read_bytes() == b"%PDF-1.4 theirs\n"
        assert obstacle(theirs) is None                  # root may replace it
    finally:
        shutil.rmtree(shared)


# --- a rename that fails midway ------------------------------------------------------

def failing_replace(monkeypatch, fails):
    """``os.replace`` refusing the renames ``fails(src, dst)`` picks (as a full disk or a race would)."""
    real = os.replace

    def replace(src, dst, **kw):
        if fails(Path(src), Path(dst)):
            raise OSError(5, "Input/output error", str(dst))
        return real(src, dst, **kw)

    monkeypatch.setattr(os, "replace", replace)


def test_a_rename_failing_midway_puts_back_the_ones_done(previous, tmp_path, monkeypatch):
    out = tmp_path / "out"
    before = visible(out)
    failing_replace(monkeypatch, lambda src, dst: dst.name == "poster-a3.pdf" and src.name.endswith(".part"))
    with pytest.raises(BrochureError) as err:
        pipeline.build(previous, out, jobs=1, env=build_env())
    assert "could not replace" in str(err.value) and "poster-a3.pdf" in str(err.value)
    assert "nothing in out/ was changed" in str(err.value)
    assert visible(out) == before and temps(out) == []          # the brochure and its report are back


def test_when_putting_back_fails_too_the_message_says_what_out_holds(previous, tmp_path, monkeypatch):
    out = tmp_path / "out"
    before = visible(out)
    failing_replace(monkeypatch, lambda src, dst: (dst.name == "poster-a3.pdf" and src.name.endswith(".part"))
                    or (dst.name == "brochure.pdf" and src.name.endswith(".previous")))
    with pytest.raises(BrochureError) as err:
        pipeline.build(previous, out, jobs=1, env=build_env())
    message = str(err.value)
    kept = [p for p in out.iterdir() if p.name.endswith(".previous")]
    assert len(kept) == 1 and kept[0].read_bytes() == before["brochure.pdf"]   # the previous one, kept
    assert f"brochure.pdf is the new one, the previous one is kept as {kept[0].name}" in message
    assert "unchanged" not in message.split("The other files")[0]
    now = visible(out)
    assert now["brochure.pdf"] != before["brochure.pdf"]
    assert {k: v for k, v in now.items() if k != "brochure.pdf"} == {k: v for k, v in before.items()
                                                                      if k != "brochure.pdf"}


# --- permissions ------------------------------------------------------------------------

@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_new_outputs_follow_the_umask(tmp_path, monkeypatch, mask, mode):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL + POSTER)
    old = os.umask(mask)
    try:
        pipeline.build(path, tmp_path / "out", jobs=1, env=build_env())
        path.write_text(CHANGED, encoding="utf-8")
        (tmp_path / "out" / "brochure.pdf").chmod(0o600)          # a replaced file gets the umask's too
        pipeline.build(path, tmp_path / "out", jobs=1, env=build_env())
    finally:
        os.umask(old)
    out = tmp_path / "out"
    assert listing(out) == NAMES
    for p in out.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == mode, (p.name, oct(p.stat().st_mode))


# --- SIGTERM at every moment ------------------------------------------------------------

def last_report_staged(out: Path) -> bool:
    """The poster's preflight report is being written: the last file staged before the renames."""
    return any(n.startswith(".poster-a3.~") and n.endswith(".json.part") for n in temps(out))


def run_build(folder: Path, env: dict, delay: float | None, after=None):
    """``brochure build`` in a fresh process, sent SIGTERM ``delay`` seconds after it started
    (or, with ``after``, that long after ``after(out)`` first holds)."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "out"], cwd=folder,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if after is not None:
        while proc.poll() is None and not after(folder / "out"):
            time.sleep(0.0005)
        started = time.monotonic()
    if delay is not None:
        time.sleep(max(0.0, delay - (time.monotonic() - started)))
        proc.send_signal(signal.SIGTERM)          # the build may have ended: then it was built whole
    stdout, stderr = proc.communicate(timeout=120)
    return proc.returncode, stdout, stderr, time.monotonic() - started


def test_sigterm_at_any_moment_leaves_all_old_or_all_new_and_says_which(tmp_path):
    """A sweep of SIGTERMs over a whole build, most of them from the moment the last output is staged,
    through the renames into out/, to the end.

    $BROCHURE_SIGNAL_SWEEP sets how many (6 by default, at least 4; see docs/testing.md).  A build that finished
    before its signal counts too: it must then hold the new files and say built.
    """
    count = max(4, int(os.environ.get("BROCHURE_SIGNAL_SWEEP", "6")))
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "BROCHURE_JOBS": "1"}    # poster last
    path = project(tmp_path, MINIMAL + POSTER)
    out = tmp_path / "out"
    code, _, stderr, _ = run_build(tmp_path, env, None)
    assert code == 0, stderr
    old = visible(out)
    path.write_text(CHANGED, encoding="utf-8")
    for name, data in old.items():
        (out / name).write_bytes(data)
    code, _, stderr, took = run_build(tmp_path, env, None)
    assert code == 0, stderr
    new = visible(out)
    assert sorted(new) == NAMES and all(new[n] != old[n] for n in ("brochure.pdf", "poster-a3.pdf"))
    # two while the build runs, the rest 0 to 20 ms after the poster's report is staged, one well after
    plan = [(0.0, None), (took * 0.5, None)]
    plan += [(0.020 * i / (count - 4) if count > 4 else 0.0, last_report_staged) for i in range(count - 3)]
    plan += [(took * 2 + 0.5, None)]
    seen = {"old": 0, "new": 0}
    for delay, after in plan:
        for name, data in old.items():
            (out / name).write_bytes(data)
        code, stdout, stderr, _ = run_build(tmp_path, env, delay, after)
        now = visible(out)
        state = "old" if now == old else "new" if now == new else "mixed"
        said = f"SIGTERM {delay:.4f}s after {'the start' if after is None else 'the last report'}: exit {code}\n{stdout}{stderr}"
        assert state != "mixed", said
        assert temps(out) == [], said
        assert "Traceback" not in stderr, said
        seen[state] += 1
        if "unchanged" in stdout + stderr:
            assert state == "old", said
        if code == 0:
            assert state == "new" and stdout.count("已生成 built") == 2, said
        elif code == 130:
            assert stderr.strip().splitlines()[-1] == (INTERRUPTED if state == "old" else INTERRUPTED_WRITTEN), said
        else:                                   # stopped before the command could set its handler
            assert code == -signal.SIGTERM and state == "old" and stdout == "", said
    assert seen["old"] and seen["new"], seen


def test_sigterm_while_proof_pages_are_written_says_the_pdfs_are_new(tmp_path):
    """``brochure proof`` builds, then renders PNGs: stopped then, the PDFs in out/ are the new ones."""
    project(tmp_path, MINIMAL)
    out = tmp_path / "out"
    out.mkdir()
    (out / "brochure.pdf").write_bytes(b"%PDF-1.4 previous\n")
    proc = subprocess.Popen([sys.executable, "-m", "brochure", "proof", "content.yaml", "-o", "out"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while proc.poll() is None and not (out / "proof").is_dir():
        time.sleep(0.001)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    assert (out / "brochure.pdf").read_bytes() != b"%PDF-1.4 previous\n"
    if proc.returncode == 0:                        # it finished first: then it says what it wrote
        assert "已生成 built" in stdout and "contact-sheet.png" in stdout, stderr
    else:
        assert proc.returncode == 130 and stderr.strip().splitlines()[-1] == INTERRUPTED_WRITTEN, stderr
