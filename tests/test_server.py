"""The build server (brochure/server.py): a `brochure build` answered by a warm process.

Every build here is a real `python -m brochure build` process; the server is a real
background process in a private folder of this test's own, stopped at the end.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest


from brochure import server
from conftest import MINIMAL, POSTER, start, temps, wait_for_temp
from conftest import make_print_project as project

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the build server needs fork and Unix sockets")


@pytest.fixture
def env(tmp_path, monkeypatch):
    """An environment with the server on, its own cache and its own server folder."""
    run = Path("/tmp") / f"bs-{os.getpid()}-{tmp_path.name[-12:]}"   # socket paths are limited to 107 bytes
    run.mkdir(mode=0o700)
    e = dict(os.environ, BROCHURE_SERVER="1", XDG_RUNTIME_DIR=str(run), XDG_CACHE_HOME=str(tmp_path / "cache"),
             BROCHURE_SERVER_IDLE="120", SOURCE_DATE_EPOCH="1700000000")
    for k, v in e.items():
        monkeypatch.setenv(k, v)            # so server.status() / stop() here talk to the same server
    yield e
    server.stop()
    deadline = time.monotonic() + 10
    while server.status() is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    import shutil
    shutil.rmtree(run, ignore_errors=True)


def brochure(folder: Path, env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "brochure", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=timeout)




def wait_for_server(timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = server.status()
        if pid is not None:
            return pid
        time.sleep(0.1)
    raise AssertionError("no build server answered")


def started(tmp_path: Path, env: dict, text: str = MINIMAL) -> Path:
    """A project built once (in the command's own process), with the server it started now answering."""
    project(tmp_path, text)
    first = brochure(tmp_path, env, "build", "content.yaml", "-o", "out")
    assert first.returncode == 0, first.stderr
    assert "已生成 built" in first.stdout
    wait_for_server()
    return tmp_path




def test_a_build_through_the_server_is_the_same_build(tmp_path, env):
    folder = started(tmp_path, env, MINIMAL + POSTER)
    (folder / "content.yaml").write_text((MINIMAL + POSTER).replace("新城正“青春”", "新城又逢春"), encoding="utf-8")
    served = brochure(folder, env, "build", "content.yaml", "-o", "out")
    assert served.returncode == 0, served.stderr
    assert "已生成 built" in served.stdout and "brochure.pdf" in served.stdout
    again = brochure(folder, env, "build", "content.yaml", "-o", "out")
    # only the server keeps renders between commands: a fresh process never says "unchanged"
    assert again.returncode == 0 and "未变 unchanged" in again.stdout, again.stdout + again.stderr
    alone = brochure(folder, dict(env, BROCHURE_SERVER="0"), "build", "content.yaml", "-o", "alone")
    assert alone.returncode == 0, alone.stderr
    for name in ("brochure.pdf", "poster-a3.pdf"):            # the poster made by the server's poster process
        assert (folder / "out" / name).read_bytes() == (folder / "alone" / name).read_bytes(), name
        with pikepdf.open(folder / "out" / name) as pdf:
            assert len(pdf.pages) >= 1


def test_errors_come_back_as_from_a_build_of_its_own(tmp_path, env):
    folder = started(tmp_path, env)
    before = (folder / "out" / "brochure.pdf").read_bytes()
    (folder / "content.yaml").write_text(MINIMAL.replace("  title: 测试手册", "  title: [测试手册"), encoding="utf-8")
    served = brochure(folder, env, "build", "content.yaml", "-o", "out")
    alone = brochure(folder, dict(env, BROCHURE_SERVER="0"), "build", "content.yaml", "-o", "out")
    assert served.returncode == alone.returncode == 2
    assert served.stderr == alone.stderr and "content.yaml:3:9:" in served.stderr
    assert (folder / "out" / "brochure.pdf").read_bytes() == before
    assert server.status() is not None           # a mistake in the content does not end the server


LONG = MINIMAL.replace("          - 该基地一期于2020年4月投产，具备年产5万吨改性工程塑料的生产能力。\n",
                       "".join(f"          - 第{i}段。该基地一期于2020年4月投产，具备年产5万吨改性工程塑料的生产能力，"
                               "带动上下游企业落户，形成了完整的产业链条。\n" for i in range(400)))


def writing(tmp_path: Path, env: dict) -> tuple[Path, bytes, subprocess.Popen]:
    """A long project built once, edited, and a build of it through the server that has begun writing
    into out/: (out/, the PDF there before, the building command)."""
    folder = started(tmp_path, env, LONG)
    out = folder / "out"
    before = (out / "brochure.pdf").read_bytes()
    (folder / "content.yaml").write_text(LONG.replace("第7段", "第七段"), encoding="utf-8")
    proc = start(folder, env=env)
    wait_for_temp(proc, out)
    return out, before, proc


def test_ctrl_c_stops_the_build_in_the_server_and_keeps_the_old_pdf(tmp_path, env):
    out, before, proc = writing(tmp_path, env)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "已中断" in err and "interrupted" in err
    assert (out / "brochure.pdf").read_bytes() == before
    assert temps(out) == []


def test_a_caller_killed_outright_stops_its_build(tmp_path, env):
    out, before, proc = writing(tmp_path, env)
    proc.kill()
    proc.communicate()
    deadline = time.monotonic() + 60
    while temps(out) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert temps(out) == []
    assert (out / "brochure.pdf").read_bytes() == before


def test_the_server_ends_when_idle(tmp_path, env, monkeypatch):
    env["BROCHURE_SERVER_IDLE"] = "2"
    started(tmp_path, env)
    deadline = time.monotonic() + 30
    while server.status() is not None:
        assert time.monotonic() < deadline, "the server outlived its idle time"
        time.sleep(0.2)
    assert not list(Path(env["XDG_RUNTIME_DIR"]).glob("*/*.sock"))


def test_without_the_server_nothing_is_left_running(tmp_path, env):
    project(tmp_path)
    off = dict(env, BROCHURE_SERVER="0")
    done = brochure(tmp_path, off, "build", "content.yaml", "-o", "out")
    assert done.returncode == 0, done.stderr
    time.sleep(1.0)
    assert server.status() is None
    status = brochure(tmp_path, env, "server", "status")
    assert status.returncode == 1 and "no build server is running" in status.stdout


def test_a_folder_others_can_enter_is_not_used(tmp_path, monkeypatch):
    base = tmp_path / "run"
    base.mkdir()
    shared = base / f"brochure-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(base))
    assert server.address() is None
    shared.chmod(0o700)
    assert server.address() is not None and server.address().startswith(str(shared))


def test_a_changed_module_file_is_seen(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("x = 1\n")
    state = {str(f): server._stat(str(f))}
    assert not server._code_changed(state)
    f.write_text("x = 22\n")
    assert server._code_changed(state)


def test_two_builds_at_once_both_finish(tmp_path, env):
    folder = started(tmp_path, env)
    (folder / "content.yaml").write_text(MINIMAL.replace("新城正“青春”", "新城又逢春"), encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", out], cwd=folder,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for out in ("out", "out2")]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0, 0], results
    assert (folder / "out" / "brochure.pdf").read_bytes() == (folder / "out2" / "brochure.pdf").read_bytes()
