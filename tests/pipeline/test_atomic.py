"""Outputs appear whole or not at all, and the user's own files are only ever read.

* a build killed with SIGKILL half-way leaves the previous PDFs byte for byte;
  the temporary file it could not remove does not disturb the next build, which
  removes it;
* SIGTERM (like Ctrl-C) stops a build cleanly: no temporary file is left;
* a build that fails in one output renames none of them (all or nothing);
* two builds of the same folder at the same time both finish with valid PDFs (one waits for the other);
* content.yaml, images/ and fonts/ keep their bytes and modification times.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

import brochure.pipeline as pipeline
from brochure.ground.errors import INTERRUPTED, INTERRUPTED_WRITTEN, LayoutError
from conftest import MINIMAL, POSTER, RECORD, listing, start, temps, wait_for_temp, env as build_env
from conftest import make_print_project as project





def files(out: Path) -> dict[str, bytes]:
    """Every file in ``out`` (hidden ones too), but the tool's record of its outputs."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != RECORD}


@pytest.fixture
def built(tmp_path):
    """A project with a first good build in out/; the content is then changed so a rebuild differs."""
    path = project(tmp_path)
    first = subprocess.run([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "out"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    path.write_text(MINIMAL.replace("新城正“青春”", "新城又逢春"), encoding="utf-8")
    return tmp_path


def test_sigkill_mid_build_keeps_previous_pdfs_and_next_build_cleans_up(built):
    out = built / "out"
    before = files(out)
    proc = start(built)
    seen = wait_for_temp(proc, out)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    # the killed build could not clean up, yet the previous outputs are untouched
    assert {k: v for k, v in files(out).items() if not k.startswith(".")} == before
    left = temps(out)
    assert left and all(n.startswith(f".brochure.~{proc.pid}-") for n in left), (seen, left)

    again = subprocess.run([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "out"],
                           cwd=built, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert temps(out) == []                               # the dead build's leftovers are gone
    assert sorted(files(out)) == ["brochure.pdf", "brochure.preflight.json"]
    assert files(out)["brochure.pdf"] != before["brochure.pdf"]
    with pikepdf.open(out / "brochure.pdf") as pdf:
        assert len(pdf.pages) == 4
    report = json.loads((out / "brochure.preflight.json").read_text(encoding="utf-8"))
    assert report["ok"] and report["path"] == "brochure.pdf"          # the file beside it, no folder


def test_sigterm_stops_cleanly(built):
    out = built / "out"
    before = files(out)
    proc = start(built)
    wait_for_temp(proc, out)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "已中断" in stderr and "interrupted" in stderr and "Traceback" not in stderr
    assert files(out) == before                          # no temporary file left either


def test_a_failing_output_renames_none(tmp_path):
    """The brochure is fine but the poster overflows: the brochure in out/ must not change either."""
    long = "该基地一期于2020年4月投产，具备年产5万吨改性工程塑料的生产能力。" * 40
    project(tmp_path, MINIMAL.replace("    photos: [p1]\n", f"    photos: [p1]\n    summary: {long}\n") + POSTER)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "brochure.pdf").write_bytes(b"%PDF-1.4 previous\n")
    run = subprocess.run([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "out"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "summaries" in run.stderr and "Traceback" not in run.stderr
    assert files(tmp_path / "out") == {"brochure.pdf": b"%PDF-1.4 previous\n"}


def test_a_failed_build_does_not_leave_a_new_empty_out_folder(tmp_path):
    project(tmp_path, MINIMAL.replace("时序更替", "时序😀更替"))
    run = subprocess.run([sys.executable, "-m", "brochure", "build", "content.yaml"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "U+1F600" in run.stderr
    assert not (tmp_path / "out").exists()


def test_two_builds_of_one_folder_at_once_both_finish(tmp_path):
    project(tmp_path, MINIMAL + POSTER)
    procs = [start(tmp_path) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (stdout, stderr) in zip(procs, results):
        assert proc.returncode == 0, stderr
        # one after the other (out/ takes one build at a time): the second may find them unchanged
        assert "out/brochure.pdf（4 页 pages" in stdout and "out/poster-a3.pdf（1 页 pages" in stdout
    out = tmp_path / "out"
    assert sorted(files(out)) == ["brochure.pdf", "brochure.preflight.json", "poster-a3.pdf", "poster-a3.preflight.json"]
    for name, pages in (("brochure.pdf", 4), ("poster-a3.pdf", 1)):
        with pikepdf.open(out / name) as pdf:
            assert len(pdf.pages) == pages
    for name in ("brochure", "poster-a3"):
        assert json.loads((out / f"{name}.preflight.json").read_text(encoding="utf-8"))["ok"]


def fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file in the project, out/ aside."""
    result = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "out" not in p.relative_to(folder).parts:
            result[str(p.relative_to(folder))] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return result


def test_content_images_and_fonts_are_only_read(tmp_path):
    project(tmp_path)
    (tmp_path / "fonts").mkdir()
    shutil.copy("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", tmp_path / "fonts" / "DejaVuSans.ttf")
    old = time.time() - 86400          # a day old, so a rewrite would show even within one clock tick
    for p in tmp_path.rglob("*"):
        if p.is_file():
            os.utime(p, (old, old))
    before = fingerprint(tmp_path)
    ok = subprocess.run([sys.executable, "-m", "brochure", "build", "content.yaml"],
                        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert fingerprint(tmp_path) == before
    # a failing build reads the same files and writes none of them either
    (tmp_path / "images" / "p1.jpg").write_bytes((tmp_path / "images" / "p1.jpg").read_bytes()[:5000])
    os.utime(tmp_path / "images" / "p1.jpg", (old, old))
    before = fingerprint(tmp_path)
    bad = subprocess.run([sys.executable, "-m", "brochure", "build", "content.yaml"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "images/p1.jpg" in bad.stderr
    assert fingerprint(tmp_path) == before


# --- the temporary-file rules, in-process -----------------------------------------

def test_temporary_names_are_unique_hidden_and_name_the_process(tmp_path):
    tag = pipeline.build_tag()
    a = pipeline.temp_file(tmp_path, "brochure", "raw.pdf", tag)
    b = pipeline.temp_file(tmp_path, "brochure", "raw.pdf", tag)
    c = pipeline.temp_file(tmp_path, "poster-a1", "pdf.part")                     # another build's
    assert len({a, b, c}) == 3 and all(p.exists() for p in (a, b, c))
    for p in (a, b):
        assert p.name.startswith(f".brochure.~{tag}.") and p.name.endswith(".raw.pdf")
        assert tag.startswith(f"{os.getpid()}-{pipeline.HOST_TAG}-")
        assert not pipeline.is_stale(p.name, p.stat().st_mtime)      # our own, running: kept
    pipeline.remove_own_temps(tmp_path, tag)                          # a failed build removes its own only
    assert [p.name for p in tmp_path.iterdir()] == [c.name]


def test_stale_temporary_files_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host, other = pipeline.HOST_TAG, "0" * 8 if pipeline.HOST_TAG != "0" * 8 else "1" * 8
        hour_ago = time.time() - 2 * 3600
        layout = {
            f".brochure.~{dead.pid}-{host}.aaaa1111.raw.pdf": (None, False),   # its build was killed
            f".brochure.~{dead.pid}-{host}-0a1b2c.aaaa1112.raw.pdf": (None, False),
            f".brochure.~{alive.pid}-{host}-0a1b2c.aaaa1113.raw.pdf": (None, True),
            f".brochure.~{alive.pid}-{host}.bbbb2222.pdf.part": (None, True),  # a build running now
            f".poster-a1.~{alive.pid}-{host}.cccc3333.json.part": (hour_ago, False),  # too old, pid reused
            f".brochure.~{dead.pid}-{other}.dddd4444.pdf.part": (None, True),  # another machine's: by age only
            f".brochure.~{dead.pid}-{other}.eeee5555.pdf.part": (hour_ago, False),
            ".brochure.k3j4h5g6.pdf.part": (hour_ago, False),                   # an older version's name
            ".brochure.k3j4h5g7.raw.pdf": (None, True),
            "brochure.pdf": (hour_ago, True),                                   # never: not a temporary name
            ".brochure.pdf.part": (hour_ago, True),
            ".notes": (hour_ago, True),
            "notes.txt": (hour_ago, True),
        }
        for name, (mtime, _) in layout.items():
            (tmp_path / name).write_bytes(b"x")
            if mtime:
                os.utime(tmp_path / name, (mtime, mtime))
        removed = pipeline.remove_stale_temps(tmp_path)
        assert sorted(p.name for p in removed) == sorted(n for n, (_, keep) in layout.items() if not keep)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, (_, keep) in layout.items() if keep)
    finally:
        alive.kill()
        alive.wait()


# --- outputs made in parallel (one process per CPU core) ----------------------------

def test_outputs_made_in_parallel_are_the_bytes_made_one_by_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = project(tmp_path, MINIMAL + POSTER + POSTER.replace("posters:\n", "").replace("a3", "a2").replace("A3", "A2"))
    one = pipeline.build(path, tmp_path / "one", jobs=1, env=build_env())
    many = pipeline.build(path, tmp_path / "many", jobs=3, env=build_env())
    assert [o.name for o in one] == [o.name for o in many] == ["brochure", "poster-a3", "poster-a2"]
    assert files(tmp_path / "one").keys() == files(tmp_path / "many").keys()
    for name in ("brochure.pdf", "poster-a3.pdf", "poster-a2.pdf"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "many" / name).read_bytes(), name
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)                       # every forked process was waited for


def test_an_error_in_a_forked_output_is_raised_here_and_renames_none(tmp_path):
    long = "该基地一期于2020年4月投产，具备年产5万吨改性工程塑料的生产能力。" * 40
    path = project(tmp_path, MINIMAL.replace("    photos: [p1]\n", f"    photos: [p1]\n    summary: {long}\n") + POSTER)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "brochure.pdf").write_bytes(b"%PDF-1.4 previous\n")
    with pytest.raises(LayoutError) as err:
        pipeline.build(path, tmp_path / "out", jobs=2, env=build_env())    # the brochure here, the poster in a child
    assert "summaries" in str(err.value)
    assert files(tmp_path / "out") == {"brochure.pdf": b"%PDF-1.4 previous\n"}
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_sigterm_stops_forked_outputs_too(tmp_path):
    project(tmp_path, MINIMAL + POSTER)
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "out"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "BROCHURE_JOBS": "2"})
    deadline = time.monotonic() + 120
    while not temps(out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    time.sleep(0.2)                                        # the child, too, has gone and cleaned up
    whole = ["brochure.pdf", "brochure.preflight.json", "poster-a3.pdf", "poster-a3.preflight.json"]
    assert temps(out) == [], stderr
    if proc.returncode == 0:                               # it finished before the signal: whole, then
        assert stdout.count("已生成 built") == 2 and listing(out) == whole, stderr
    elif stderr.strip().endswith(INTERRUPTED_WRITTEN):            # the signal came while the PDFs were moved in
        assert proc.returncode == 130 and listing(out) == whole, stderr
    else:
        assert proc.returncode == 130 and stderr.strip().endswith(INTERRUPTED), stderr
        assert listing(out) == [], stderr


def test_an_interrupt_a_library_turned_into_an_error_is_still_an_interrupt(tmp_path, monkeypatch):
    """ReportLab opens files under a bare ``except``: Ctrl-C or SIGTERM arriving there becomes an
    OSError.  The build reports the interruption, not an internal error, and leaves out/ alone."""
    from reportlab.pdfgen import canvas as rl_canvas

    path = project(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "brochure.pdf").write_bytes(b"%PDF-1.4 previous\n")

    def swallowed(*args, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGTERM)          # arrives while "ReportLab" reads a file
            time.sleep(1)
        except BaseException:                             # what a bare except does with it
            raise OSError("Cannot open resource") from None

    monkeypatch.setattr(rl_canvas, "Canvas", swallowed)      # where the renderer opens its file
    with pytest.raises(KeyboardInterrupt):
        pipeline.build(path, tmp_path / "out", jobs=1, env=build_env())
    assert files(tmp_path / "out") == {"brochure.pdf": b"%PDF-1.4 previous\n"}
