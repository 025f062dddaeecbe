"""Nothing of the staff's is destroyed or mixed, and no command ends in a traceback: the repros of the trust issue.

Each case asserts the message (Chinese and English), the exit status, and what
out/ (or the staff's file) holds before and after.

* a draft goes to out/draft/, never among the finished PDFs; ``-o`` to a folder
  of finished PDFs is refused;
* results that cannot be printed (> /dev/full, >&-) after out/ was replaced:
  a non-zero status and a message, out/ whole;
* ``-o`` into /proc/self, a name over 255 bytes, a folder that cannot be searched,
  a symbolic-link loop or a link to nothing: said as what it is;
* ``import --force -o`` and ``check --fix --force -o`` never replace a device, a
  FIFO or a symbolic link;
* ``proof`` with a folder where a PNG goes, or a disk that fills while PNGs are
  written: an error naming the file, no half-written PNG;
* Ctrl-C at any moment of a command's start: exit 130 with one short line, never a
  traceback from brochure's code.
"""
from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

from brochure.cli import main
from conftest import MINIMAL, POSTER, RECORD, ROOT, listing
from conftest import make_print_project as project

SEED = ROOT / "tests" / "data" / "seed-page.txt"


def brochure(*args: str, cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "brochure", *args], cwd=cwd, capture_output=kw.pop("capture", True),
                          text=True, timeout=300, **kw)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def finished(tmp_path, monkeypatch):
    """A project with its finished PDFs in out/, and the content then changed."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(tmp_path)
    path = project(tmp_path, MINIMAL + POSTER)
    run = brochure("build", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    path.write_text(path.read_text(encoding="utf-8").replace("测试手册", "测试手册二"), encoding="utf-8")
    return tmp_path


def titles(out: Path) -> set[str]:
    found = set()
    for pdf in sorted(out.glob("*.pdf")):
        with pikepdf.open(pdf) as doc:
            found.add(str(doc.docinfo.get("/Title")).split("（")[0])
    return found


# --- drafts ---------------------------------------------------------------------------------

def test_a_draft_goes_to_out_draft_and_the_finished_pdfs_stay(finished):
    before = snapshot(finished / "out")
    run = brochure("build", "--draft", cwd=finished)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert "out/draft/brochure.pdf" in run.stdout and "out/draft/poster-a3.pdf" in run.stdout
    assert "样稿在" in run.stdout and "the draft is in" in run.stdout and "finished PDFs are untouched" in run.stdout
    assert {k: v for k, v in snapshot(finished / "out").items() if not k.startswith("draft/")} == before
    assert titles(finished / "out") == {"测试手册"} and titles(finished / "out" / "draft") == {"测试手册二"}
    report = json.loads((finished / "out" / "draft" / "brochure.preflight.json").read_text(encoding="utf-8"))
    assert report["settings"]["draft"] is True


def test_a_draft_into_the_folder_of_the_finished_pdfs_is_refused(finished):
    before = snapshot(finished / "out")
    run = brochure("build", "--draft", "-o", "out", cwd=finished)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "样稿不能写进去" in run.stderr and "a draft may not be mixed with them" in run.stderr
    assert snapshot(finished / "out") == before


# --- results that cannot be printed -------------------------------------------------------

def test_results_to_a_full_device_say_so_and_out_is_whole(finished):
    with open("/dev/full", "w") as full:
        run = brochure("build", cwd=finished, capture=False, stdout=full, stderr=subprocess.PIPE)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert "结果无法写到标准输出" in run.stderr and "could not be written to standard output" in run.stderr
    out = finished / "out"
    assert titles(out) == {"测试手册二"}                      # all new: the build itself had finished
    record = json.loads((out / RECORD).read_text(encoding="utf-8"))
    assert sorted(record["files"]) == listing(out)


def test_a_closed_standard_output_is_refused_before_anything_is_done(finished):
    before = snapshot(finished / "out")
    run = subprocess.run(f"exec {sys.executable} -m brochure build >&-", shell=True, cwd=finished,
                         capture_output=False, stderr=subprocess.PIPE, text=True, timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert "标准输出已关闭" in run.stderr and "standard output is closed" in run.stderr
    assert snapshot(finished / "out") == before


# --- -o that cannot be used ---------------------------------------------------------------------

@pytest.mark.parametrize("target, zh, en", [
    ("/proc/self", "没有权限", "no permission"),
    ("/tmp/" + "名" * 90, "名称太长", "too long"),
])
def test_an_output_folder_that_cannot_be_used_is_said(tmp_path, target, zh, en):
    project(tmp_path, MINIMAL)
    before = snapshot(tmp_path)
    run = brochure("build", "-o", target, cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert "无法使用输出文件夹" in run.stderr and zh in run.stderr
    assert "cannot use the output folder" in run.stderr and en in run.stderr
    assert snapshot(tmp_path) == before


def test_an_output_folder_that_cannot_be_searched_is_said(tmp_path, monkeypatch, capsys):
    project(tmp_path, MINIMAL)
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.stat

    def stat_(path, *args, **kw):                     # what a folder without x permission does (root passes it)
        if str(path).startswith(str(locked) + "/"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path, *args, **kw)

    monkeypatch.setattr(os, "stat", stat_)
    assert main(["build", str(tmp_path / "content.yaml"), "-o", str(locked / "out")]) == 2
    err = capsys.readouterr().err
    assert "没有权限进入或写入这个文件夹" in err and "no permission to enter or write to this folder" in err
    assert list(locked.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may search any folder")
def test_a_folder_without_search_permission_for_real(tmp_path):
    project(tmp_path, MINIMAL)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o600)
    try:
        run = brochure("build", "-o", "locked/out", cwd=tmp_path)
    finally:
        locked.chmod(0o700)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "cannot use the output folder" in run.stderr


def test_a_symbolic_link_loop_at_out_is_called_a_loop(tmp_path):
    project(tmp_path, MINIMAL)
    (tmp_path / "out").symlink_to("out")
    run = brochure("build", cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert "循环的符号链接" in run.stderr and "loop of symbolic links" in run.stderr
    assert "File exists" not in run.stderr
    assert os.readlink(tmp_path / "out") == "out"


def test_a_link_to_nothing_at_out_is_said(tmp_path):
    project(tmp_path, MINIMAL)
    (tmp_path / "out").symlink_to("gone")
    run = brochure("build", cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert "符号链接" in run.stderr and "is a symbolic link to gone, which does not exist" in run.stderr
    assert "File exists" not in run.stderr and not (tmp_path / "gone").exists()


# --- --force -o never replaces what is not a regular file ---------------------------------------

def special(tmp_path: Path, kind: str) -> Path:
    if kind == "device":
        return Path("/dev/full")
    if kind == "fifo":
        os.mkfifo(tmp_path / "fifo.yaml")
        return tmp_path / "fifo.yaml"
    (tmp_path / "target.yaml").write_text("staff's own file\n", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to("target.yaml")
    return tmp_path / "link.yaml"


def what(path: Path):
    st = os.lstat(path)
    return stat.S_IFMT(st.st_mode), st.st_rdev, (path.read_text(encoding="utf-8") if path.is_symlink() else None)


@pytest.mark.parametrize("kind", ["device", "fifo", "link"])
def test_import_force_never_replaces_a_device_fifo_or_link(tmp_path, kind, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = special(tmp_path, kind)
    before = what(target)
    assert main(["import", str(SEED), "-o", str(target), "--force", "--no-placeholders"]) == 2
    err = capsys.readouterr().err
    assert "不是普通文件" in err and "not a regular file" in err and "never replaced" in err
    assert what(target) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("kind", ["fifo", "link"])
def test_check_fix_force_never_replaces_a_fifo_or_link(tmp_path, kind, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = project(tmp_path, MINIMAL.replace("时序更替，万物维新。", "时序更替,万物维新。"))
    target = special(tmp_path, kind)
    before = what(target)
    assert main(["check", str(path), "--fix", "-o", str(target), "--force"]) == 2
    err = capsys.readouterr().err
    assert "不是普通文件" in err and "not a regular file" in err
    assert what(target) == before


# --- proof ------------------------------------------------------------------------------------

def test_proof_with_a_folder_where_a_png_goes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(tmp_path)
    project(tmp_path, MINIMAL)
    (tmp_path / "out" / "proof" / "brochure-p02.png").mkdir(parents=True)
    (tmp_path / "out" / "proof" / "brochure-p02.png" / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["proof", "content.yaml"]) == 2
    err = capsys.readouterr().err
    assert "无法写出校样 brochure-p02.png（那里是一个文件夹）" in err and "a folder has that name" in err
    assert (tmp_path / "out" / "proof" / "brochure-p02.png" / "keep.txt").read_text(encoding="utf-8") == "mine"
    with pikepdf.open(tmp_path / "out" / "brochure.pdf") as pdf:        # the PDFs were built
        assert len(pdf.pages) == 4


def test_proof_when_the_disk_fills_while_pngs_are_written(tmp_path, monkeypatch, capsys):
    from PIL import Image

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(tmp_path)
    project(tmp_path, MINIMAL)
    real = Image.Image.save
    written = [0]

    def save(self, fp, *args, **kw):                 # the second PNG fills the disk half-way
        written[0] += 1
        if written[0] == 2:
            fp.write(b"\x89PNG half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, fp, *args, **kw)

    monkeypatch.setattr(Image.Image, "save", save)
    assert main(["proof", "content.yaml"]) == 2
    err = capsys.readouterr().err
    assert "无法写出校样" in err and "磁盘已满" in err and "the disk is full" in err and "Traceback" not in err
    proof = tmp_path / "out" / "proof"
    assert sorted(p.name for p in proof.iterdir()) == ["brochure-p01.png"]     # whole, and nothing half-written
    with Image.open(proof / "brochure-p01.png") as im:
        im.verify()


# --- Ctrl-C as a command starts ---------------------------------------------------------------

def test_ctrl_c_while_a_command_starts_never_shows_a_traceback_from_its_code(tmp_path):
    """SIGINT at moments spread over the first ~100 ms.  Before brochure's first line runs, the interpreter's
    own start-up (site, runpy) can still print its traceback: that is not this program's code, and is allowed."""
    project(tmp_path, MINIMAL)
    ours = str(ROOT / "brochure") + "/"
    quiet = 0
    for n in range(int(os.environ.get("BROCHURE_CTRL_C_SWEEP", "24"))):
        proc = subprocess.Popen([sys.executable, "-m", "brochure", "build"], cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.004 * n)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=300)
        frames = [line for line in err.splitlines() if line.strip().startswith("File ")]
        assert not any(ours in line for line in frames), err
        if proc.returncode == 130 and "Traceback" not in err:
            assert err.strip().splitlines()[-1].endswith("interrupted.") or "interrupted" in err
            quiet += 1
    assert quiet > 0                                   # the program's own answer was seen


def test_a_draft_into_a_folder_of_finished_pdfs_without_a_record_is_refused(finished):
    """Built before the tool kept a record of its outputs: the preflight reports say they are finished."""
    (finished / "out" / RECORD).unlink()
    before = snapshot(finished / "out")
    run = brochure("build", "--draft", "-o", "out", cwd=finished)
    assert run.returncode == 2 and "a draft may not be mixed with them" in run.stderr
    assert snapshot(finished / "out") == before


def test_proof_pages_of_a_poster_taken_out_are_removed_and_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(tmp_path)
    path = project(tmp_path, MINIMAL + POSTER)
    assert main(["proof", "content.yaml"]) == 0
    proof = tmp_path / "out" / "proof"
    assert (proof / "poster-a3-p01.png").is_file()
    (proof / "notes.png").write_bytes(b"staff's own")
    path.write_text(MINIMAL, encoding="utf-8")
    capsys.readouterr()
    assert main(["proof", "content.yaml"]) == 0
    said = capsys.readouterr().out
    assert not (proof / "poster-a3-p01.png").exists() and (proof / "notes.png").read_bytes() == b"staff's own"
    assert "已删除 removed" in said and "poster-a3-p01.png" in said and "poster-a3.pdf" in said
    assert sorted(p.name for p in proof.iterdir()) == ["brochure-p01.png", "brochure-p02.png", "brochure-p03.png",
                                                       "brochure-p04.png", "contact-sheet.png", "notes.png"]
