"""Running what the benchmark measures: timed processes, their environment, and a `brochure watch` session.

``bench.py`` decides what to run and reports; this module runs one thing and measures it.
"""
from __future__ import annotations

import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from bench_content import BenchError

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TIME_BIN = Path("/usr/bin/time")
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
LINE_TIMEOUT = 180.0           # s: the longest wait for a line from `brochure watch`

TYPST_SNIPPET = (
    "import sys, typst\n"
    "typst.compile(sys.argv[1], output=sys.argv[2], font_paths=sys.argv[3:], ignore_system_fonts=True)\n"
)


# --- results ---------------------------------------------------------------------

@dataclass
class Measure:
    """Several runs of one thing: wall seconds and peak RSS (kB) of each."""

    name: str
    times: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    note: str = ""
    pages: int | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def rss_mb(self) -> float | None:
        known = [r for r in self.rss_kb if r]
        return statistics.median(known) / 1024 if known else None


# --- running -------------------------------------------------------------------------

def run_timed(cmd: list[str], *, env: dict | None = None, cwd: Path | None = None,
              stdout: Path | None = None) -> tuple[float, int, int, str]:
    """Run ``cmd`` once: (wall seconds, peak RSS kB, exit status, stderr); stdout to a file or nowhere."""
    use_time = TIME_BIN.is_file()
    report = None
    if use_time:
        fd, report = tempfile.mkstemp(suffix=".time")
        os.close(fd)
        cmd = [str(TIME_BIN), "-v", "-o", report] + list(cmd)
    sink = open(stdout, "wb") if stdout else subprocess.DEVNULL
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=sink, stderr=subprocess.PIPE)
    finally:
        if stdout:
            sink.close()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    rss = usage.ru_maxrss                    # kB on Linux: the child (and what it waited for)
    if report:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", Path(report).read_text())
        Path(report).unlink(missing_ok=True)
        rss = int(m.group(1)) if m else rss
    return elapsed, rss, proc.returncode, stderr.decode("utf-8", "replace")


def measure(name: str, cmd_for_run, runs: int, *, env_for_run=None, before_run=None) -> Measure:
    """Run ``cmd_for_run(i)`` ``runs`` times; any failure stops the benchmark with its stderr."""
    m = Measure(name)
    for i in range(runs):
        if before_run:
            before_run(i)
        env = env_for_run(i) if env_for_run else None
        elapsed, rss, rc, err = run_timed(cmd_for_run(i), env=env)
        if rc != 0:
            raise BenchError(f"{name}: run {i + 1} exited with {rc}:\n{err.strip()[-2000:]}")
        m.times.append(elapsed)
        m.rss_kb.append(rss)
    return m


def build_cmd(content: Path, out: Path, only: str | None = "brochure") -> list[str]:
    cmd = [PY, "-m", "brochure", "build", str(content), "-o", str(out)]
    return cmd + (["--only", only] if only else [])


def base_env(pycache: Path | None = None) -> dict:
    """The environment of every measured process.

    Bytecode is cached under ``pycache`` (a temporary folder), even when the
    caller has PYTHONDONTWRITEBYTECODE set: a user's repeated builds run from
    cached bytecode, and recompiling the package's sources in every run would be
    counted as build time.  Nothing is written into the project.
    """
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def with_cache(cache: Path, pycache: Path | None = None) -> dict:
    env = base_env(pycache)
    env["XDG_CACHE_HOME"] = str(cache)
    return env


def typst_cmd(typ: Path, out: Path) -> list[str]:
    return [PY, "-c", TYPST_SNIPPET, str(typ), str(out), str(NOTO_DIR)]


def source_state() -> str:
    """The measured code: commit, and whether the working tree differs from it."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "brochure"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "(not a git checkout)"
    return f"at {head or '?'}" + (" with uncommitted changes in brochure/" if dirty else "")


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def pdf_pages(path: Path) -> int | None:
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except Exception:
        return None


# --- watch, driven as a user drives it ------------------------------------------------------

class WatchProcess:
    """``python -m brochure watch`` in its own process; its output read line by line as it comes."""

    def __init__(self, content: Path, out: Path, only: str | None, env: dict):
        cmd = [PY, "-m", "brochure", "watch", str(content), "-o", str(out)] + (["--only", only] if only else [])
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            self.lines.put((time.perf_counter(), raw.decode("utf-8", "replace").rstrip("\n")))
        self.lines.put((time.perf_counter(), None))

    def next_line(self, match) -> tuple[float, str]:
        """(time read, line) of the next line for which ``match(line)`` holds."""
        deadline = time.monotonic() + LINE_TIMEOUT
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise BenchError("brochure watch printed nothing expected for "
                                 f"{LINE_TIMEOUT:.0f} s:\n" + "\n".join(self.seen[-20:])) from None
            if line is None:
                raise BenchError("brochure watch ended:\n" + "\n".join(self.seen[-20:]))
            self.seen.append(line)
            if "错误 error" in line or "内部错误" in line:
                raise BenchError("brochure watch reported an error:\n" + "\n".join(self.seen[-20:]))
            if match(line):
                return at, line

    def rebuilt(self) -> float:
        return self.next_line(lambda line: "rebuilt" in line)[0]

    def stop(self) -> int:
        """End the session as Ctrl-C would (watch takes SIGTERM so); its peak RSS in kB."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _, _, usage = os.wait4(self.proc.pid, 0)
        except ChildProcessError:
            return 0
        self.proc.returncode = 0
        return usage.ru_maxrss


def measure_watch(name: str, content: Path, out: Path, texts: list[str], runs: int, env: dict,
                  only: str | None) -> Measure:
    """Rebuilds of a running ``brochure watch`` after saves of ``texts[1:]`` in turn, each an edit never
    saved before (see the module docstring)."""
    if len(texts) - 1 < runs or len(set(texts)) < len(texts):
        raise BenchError(f"measure_watch needs the first text and one text never saved before for each of its "
                         f"{runs} runs (got {len(texts)} texts, {len(set(texts))} different): a save of the "
                         "text saved just before rebuilds nothing")
    m = Measure(name)
    content.write_text(texts[0], encoding="utf-8")
    watcher = WatchProcess(content, out, only, env)
    latencies = []
    try:
        watcher.rebuilt()                                    # the first build of the session
        for i in range(runs):
            time.sleep(0.05)                                 # a later save than the last one, on any clock
            saved = time.perf_counter()
            content.write_text(texts[1 + i], encoding="utf-8")
            seen, _ = watcher.next_line(lambda line: line.startswith("["))
            done = watcher.rebuilt()
            m.times.append(done - seen)
            latencies.append(done - saved)
    finally:
        m.rss_kb = [watcher.stop()]
        content.write_text(texts[0], encoding="utf-8")
    m.note = (f"{'--only ' + only if only else 'all outputs'}; from the save "
              f"{statistics.median(latencies) * 1000:.0f}ms (polling every 0.3 s)")
    return m


def measure_search(content: Path, data: dict, runs: int, cache: Path) -> tuple[Measure, Measure]:
    """The brochure's layout search alone, in this process, after fresh one-sentence edits: as a one-shot
    build meets it (laid-out sections read from the cache store) and as ``watch`` does (kept in memory)."""
    import os as _os

    from bench_content import dump_yaml, fresh_edit

    _os.environ["XDG_CACHE_HOME"] = str(cache)
    from dataclasses import fields, replace

    from brochure.content import load
    from brochure.layout.brochure import BrochureComposer, search
    from brochure.layout.search import Memo
    from brochure.layout.styles import brochure_styles
    from brochure.pipeline.inputs import boxes_for, load_faces
    from brochure.pipeline.stage import line_setter
    from brochure.runtime.session import Session

    session = Session()
    one_shot, kept = Measure("search, one-shot"), Measure("search, watch memo")
    resident = Memo()
    original = content.read_text(encoding="utf-8")
    try:
        for i in range(runs):
            content.write_text(dump_yaml(fresh_edit(data, 600 + i, "sentence")), encoding="utf-8")
            c = load(content)
            faces = load_faces(c, session)
            setter = line_setter(c, ["brochure"], session)
            styles = brochure_styles(c, faces)
            styles = replace(styles, **{f.name: replace(getattr(styles, f.name), setter=setter) for f in fields(styles)})
            boxes = boxes_for(c.brochure.page.width, c.brochure.page.height, c.brochure.press)
            store = session.store

            def loader(digest):
                from brochure.layout.search import load as load_table
                return load_table(store.get("sections", digest))
            for memo, m in ((Memo(), one_shot), (resident, kept)):
                start = time.perf_counter()
                search(BrochureComposer(c, styles, None, boxes, {}, c.layout), memo, loader)
                m.times.append(time.perf_counter() - start)
    finally:
        content.write_text(original, encoding="utf-8")
    one_shot.note = "sections laid out before read from the cache store"
    kept.note = "sections laid out before kept in memory, as watch and the editor keep them"
    return one_shot, kept
