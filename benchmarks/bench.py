"""How fast is `brochure build`, measured side by side with Typst setting the same text.

Run from anywhere (the `typst` package from the package index is a
benchmark-only dependency; this script installs nothing)::

    python benchmarks/bench.py              # 5 runs of each measurement
    python benchmarks/bench.py --runs 9     # more runs, steadier medians
    python benchmarks/bench.py --quick      # 2 runs, 1 run of each scaling step

Every measurement runs ``python -m brochure build`` as a fresh process with
``XDG_CACHE_HOME`` pointing at a cache of this script's own (a temporary
folder, removed at the end; the user's ~/.cache is never touched), and reports
the median over the runs, wall-clock time of the whole process, and its peak
resident memory (``/usr/bin/time -v`` when present, else the kernel's rusage
for the child).  Compiled bytecode is cached in the temporary folder too
(PYTHONPYCACHEPREFIX, even under PYTHONDONTWRITEBYTECODE), as it would be on a
user's machine after the first run.  The machine's load average is printed
with the results: other work running at the same time inflates every figure.

`brochure build` hands its work to a build server when one is running
(brochure/server.py) and starts one when none is; every measurement below is of
the command as staff run it, server included, unless it says "own process"
(``BROCHURE_SERVER=0``).  The servers are this script's own (``XDG_RUNTIME_DIR``
in the temporary folder); their peak memory is read from /proc before they are
stopped, and counts in the peak RSS like any build's.

What is measured
----------------
cold          empty cache (fonts converted, photos prepared), ``--only brochure``;
              no server (each run has a cache of its own, so a server of its own)
cold all      empty cache, every output (the first build a staff member makes)
warm own      cache filled by an earlier build, ``--only brochure``, built in the
              command's own process (``BROCHURE_SERVER=0``)
warm          the same with the server that the earlier build started
all           warm, every output (the brochure and each poster)
rebuild       warm ``--only brochure`` of the same project after one Han character
              of a paragraph was replaced by another Han character the text
              already uses (same character set, so the converted fonts stay valid)
watch         ``brochure watch``'s in-process rebuild after the same change,
              when the command exists and its module (brochure.watch or
              brochure.workflow.watch) exposes a rebuild function; "n/a"
              otherwise.  Timed in one process after an untimed first build,
              ``--only brochure`` ("watch") and every output ("watch all");
              its peak RSS is that of the whole watching process
new-char      warm ``--only brochure`` of the same project after adding a character
              the cache has never seen (a rare Han character the fonts have, such
              as 龘), a different one in each run
typst         ``typst.compile`` of baseline.typ with the same words, as a fresh
              ``python -c`` process, after one untimed run (warm); fonts from
              /usr/share/fonts/opentype/noto only (with the system's fonts as
              well Typst scans that folder twice, about 0.1 s more)
x10, x50      each section's paragraphs repeated 10 and 50 times: warm
              ``--only brochure`` (after one untimed build of that text, as
              for Typst) and Typst, pages, seconds per page

Scaling: "per-text ratio" is the cost per copy of the text at x50 over that at
x10, (t50/50)/(t10/10); "marginal ratio" compares the cost of each further copy,
((t50-t10)/40)/((t10-t1)/9).  Growth counts as linear when the marginal ratio
is at most 1.25: each added copy of the text costs no more than the earlier ones.

Targets (from the issue): warm no slower than Typst on the same text, all
outputs <= 0.5 s, watch rebuild <= 0.1 s, cold <= 3 s, peak memory <= 150 MB,
a new character <= 0.5 s.

The last line printed is one summary line, e.g.::

    summary: warm 0.12s (typst 0.22s, ratio 0.5; own process 0.43s) all 0.15s cold 1.5s rebuild 0.14s watch 70ms (all 66ms) new-char 0.30s rss 141MB x10 0.31s x50 0.90s linear=yes
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TEMPLATE = HERE / "baseline.typ"
PY = sys.executable
TIME_BIN = Path("/usr/bin/time")
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
RARE_CHARS = "龘靐齉爨麤龖灪鬱鱻驫羴猋"
SCALES = (10, 50)

TARGETS = {                   # name -> (limit in the unit of the row, description)
    "all": (0.5, "<= 0.5 s"),
    "watch": (0.1, "<= 0.1 s"),
    "cold": (3.0, "<= 3 s"),
}
RSS_LIMIT_MB = 150.0
LINEAR_LIMIT = 1.25

TYPST_SNIPPET = (
    "import sys, typst\n"
    "typst.compile(sys.argv[1], output=sys.argv[2], font_paths=sys.argv[3:], ignore_system_fonts=True)\n"
)

# In a fresh process: find brochure.watch's rebuild, build once, then time
# rebuilds after the same one-character edit (alternating with the original
# text).  Prints one JSON object.  Parameters are matched by name, since the
# function is probed, not known.
WATCH_PROBE = r'''
import importlib, inspect, json, sys, time
from pathlib import Path

path, out = Path(sys.argv[1]), Path(sys.argv[2])
texts = [Path(sys.argv[3]).read_text(encoding="utf-8"), Path(sys.argv[4]).read_text(encoding="utf-8")]
runs = int(sys.argv[5])
only = sys.argv[6] or None

def answer(**kw):
    print(json.dumps(kw))
    sys.exit(0)

watch, problems = None, []
for name in ("brochure.watch", "brochure.workflow.watch"):
    try:
        watch = importlib.import_module(name)
        break
    except ImportError as e:
        problems.append(f"{name}: {e}")
if watch is None:
    answer(error="no watch module (" + "; ".join(problems) + ")")

target = None
for name in ("rebuild", "rebuild_once", "build_once"):
    if callable(getattr(watch, name, None)):
        target = getattr(watch, name)
        break
if target is None:
    for name, obj in vars(watch).items():
        if inspect.isclass(obj) and callable(getattr(obj, "rebuild", None)):
            try:
                inst = obj(path, out)
            except Exception:
                continue
            target = inst.rebuild
            break
if target is None:
    answer(error=f"{watch.__name__} exposes no rebuild function")

def quiet(*a, **k):
    pass

def call(state):
    kwargs = {}
    for name, p in inspect.signature(target).parameters.items():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        low = name.lower()
        if low == "only":
            kwargs[name] = only
        elif low == "build":
            from brochure.build import build
            kwargs[name] = build
        elif low in ("echo", "log", "say", "emit", "report"):
            kwargs[name] = quiet
        elif "out" in low:
            kwargs[name] = out
        elif any(k in low for k in ("content", "path", "source", "yaml", "file")):
            kwargs[name] = path
        elif any(k in low for k in ("state", "prev", "cache", "last", "memo")):
            if state is not None or p.default is p.empty:
                kwargs[name] = state
        elif p.default is p.empty:
            raise TypeError(f"cannot tell what to pass as {name!r}")
    result = target(**kwargs)
    if getattr(result, "ok", True) is False:
        raise RuntimeError(f"the rebuild failed: {getattr(result, 'error', '')}")
    return result

try:
    path.write_text(texts[0], encoding="utf-8")
    state = call(None)
    times = []
    for i in range(runs):
        path.write_text(texts[(i + 1) % 2], encoding="utf-8")
        t0 = time.perf_counter()
        result = call(state)
        times.append(time.perf_counter() - t0)
        state = result if result is not None else state
except Exception as e:
    answer(error=f"{type(e).__name__}: {e}")
answer(times=times, function=f"{watch.__name__}.{getattr(target, '__qualname__', 'rebuild')}")
'''


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


class BenchError(RuntimeError):
    pass


# --- content manipulation ------------------------------------------------------------

def is_han(ch: str) -> bool:
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x3134F


def load_yaml(text: str) -> dict:
    import yaml

    return yaml.safe_load(text)


def body_texts(data: dict) -> list[str]:
    """The running text: the preface and every section's paragraphs."""
    out = [str(p) for p in (data.get("lead") or {}).get("preface") or []]
    for s in data.get("sections") or []:
        out += [str(p) for p in s.get("paragraphs") or []]
    return out


def all_strings(node) -> str:
    """Every string scalar in the parsed YAML, joined (a superset of the printed text)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return "".join(all_strings(v) for v in node.values())
    if isinstance(node, list):
        return "".join(all_strings(v) for v in node)
    return ""


def scaled(data: dict, n: int) -> dict:
    """A copy of the content with each section's paragraphs repeated ``n`` times."""
    out = copy.deepcopy(data)
    for s in out.get("sections") or []:
        s["paragraphs"] = list(s.get("paragraphs") or []) * n
    return out


def dump_yaml(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 20)


def _edit_target(text: str, data: dict) -> tuple[str, int]:
    """A section paragraph that occurs exactly once in the raw file, and its offset there."""
    for s in data.get("sections") or []:
        for p in s.get("paragraphs") or []:
            p = str(p)
            if len(p) >= 20 and text.count(p) == 1:
                return p, text.index(p)
    raise BenchError("no section paragraph occurs verbatim exactly once in the content file")


def edit_one_char(text: str) -> tuple[str, str, str]:
    """Replace one Han character of a section paragraph by another one the text uses.

    The replaced character occurs elsewhere in the running text too, and the new
    one already occurs in it, so the document's character set stays the same.
    Returns (new text, old character, new character).
    """
    data = load_yaml(text)
    counts: dict[str, int] = {}
    for t in body_texts(data):
        for ch in t:
            if is_han(ch):
                counts[ch] = counts.get(ch, 0) + 1
    para, at = _edit_target(text, data)
    common = sorted(counts, key=lambda c: (-counts[c], c))
    for i, ch in enumerate(para):
        if is_han(ch) and counts.get(ch, 0) >= 2:
            new = next(c for c in common if c != ch and c != para[i - 1:i] and c != para[i + 1:i + 2])
            return text[:at + i] + new + text[at + i + 1:], ch, new
    raise BenchError("no Han character of the paragraph occurs twice in the text")


def insert_char(text: str, ch: str) -> str:
    """Add ``ch`` in the middle of a section paragraph."""
    data = load_yaml(text)
    para, at = _edit_target(text, data)
    mid = at + len(para) // 2
    return text[:mid] + ch + text[mid:]


def pick_rare_chars(text: str, root: Path, n: int) -> tuple[list[str], str]:
    """``n`` Han characters not in the content that every configured face has; and how they were checked."""
    data = load_yaml(text)
    present = set(all_strings(data))
    candidates = [c for c in RARE_CHARS if c not in present]
    try:
        from fontTools.ttLib import TTFont

        from brochure.fonts.discover import find_font

        fonts = ((data.get("settings") or {}).get("fonts") or {}).values() or [
            {"family": "Noto Serif CJK SC", "style": "Regular"}]
        cmaps = []
        for spec in fonts:
            src = find_font(root, spec["family"], spec["style"])
            kw = {"fontNumber": src.index} if src.path.suffix.lower() in (".ttc", ".otc") else {}
            cmaps.append(TTFont(str(src.path), lazy=True, **kw).getBestCmap())
        found = [c for c in candidates if all(ord(c) in cm for cm in cmaps)]
        if len(found) < n:
            raise BenchError(f"only {len(found)} of {''.join(candidates)} are in every configured face; {n} needed")
        return found[:n], f"checked with fontTools in {len(cmaps)} faces"
    except BenchError:
        raise
    except Exception as e:                       # no fontTools / fontconfig: assume Noto CJK
        if len(candidates) < n:
            raise BenchError(f"only {len(candidates)} rare characters left; {n} needed") from None
        return candidates[:n], f"not checked ({type(e).__name__})"


def typst_data(data: dict) -> dict:
    """The words the Typst baseline sets: headline, preface, each section's headline and paragraphs."""
    lead = data.get("lead") or {}
    typo = (data.get("settings") or {}).get("typography") or {}
    return {
        "title": str((data.get("document") or {}).get("title") or ""),
        "size": float(typo.get("body_size", 9.5)),
        "leading": float(typo.get("leading", 15)),
        "headline": str(lead.get("headline") or ""),
        "preface_title": str(lead.get("preface_title") or "前言"),
        "preface": [str(p) for p in lead.get("preface") or []],
        "sections": [{"headline": str(s.get("headline") or ""),
                      "paragraphs": [str(p) for p in s.get("paragraphs") or []]}
                     for s in data.get("sections") or []],
    }


def write_typst_project(folder: Path, data: dict) -> Path:
    """baseline.typ and its data.json in ``folder``; returns the .typ path."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATE, folder / "baseline.typ")
    (folder / "data.json").write_text(json.dumps(typst_data(data), ensure_ascii=False), encoding="utf-8")
    return folder / "baseline.typ"


def make_project(src_root: Path, dst: Path, content_text: str) -> Path:
    """A project folder: content.yaml plus copies of the photos it names and of fonts/."""
    dst.mkdir(parents=True, exist_ok=True)
    data = load_yaml(content_text)
    for photo in (data.get("photos") or {}).values():
        rel = Path(str(photo["file"]))
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copy2(src_root / rel, target)   # copies: a symlink leaving the project is refused
    if (src_root / "fonts").is_dir() and not (dst / "fonts").exists():
        shutil.copytree(src_root / "fonts", dst / "fonts")
    path = dst / "content.yaml"
    path.write_text(content_text, encoding="utf-8")
    return path


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


#: Compiled bytecode for every measured process goes here (set by main); None = Python's default.
PYCACHE: Path | None = None
#: The build servers' folder (XDG_RUNTIME_DIR of every measured process; set by main).
RUNTIME: Path | None = None
#: Peak RSS (kB) of each build server process (and the processes it kept for posters) seen.
SERVER_RSS_KB: list[int] = []


def base_env() -> dict:
    """The environment of every measured process.

    Bytecode is cached under PYCACHE (a temporary folder), even when the caller
    has PYTHONDONTWRITEBYTECODE set: a user's repeated builds run from cached
    bytecode, and recompiling the package's sources in every run would be
    counted as build time.  Nothing is written into the project.
    """
    env = dict(os.environ)
    if PYCACHE is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env["BROCHURE_SERVER"] = "1"
    env["BROCHURE_SERVER_IDLE"] = "900"
    if RUNTIME is not None:
        env["XDG_RUNTIME_DIR"] = str(RUNTIME)
    return env


def with_cache(cache: Path, server: bool = True) -> dict:
    env = base_env()
    env["XDG_CACHE_HOME"] = str(cache)
    env["BROCHURE_SERVER"] = "1" if server else "0"
    return env


def _peak_kb(pid: int) -> int:
    try:
        m = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return 0
    return int(m.group(1)) if m else 0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def stop_servers() -> None:
    """Record the peak memory of every build server of this run (and its poster processes), then stop them."""
    if RUNTIME is None:
        return
    for lock in sorted(RUNTIME.glob("brochure-*/*.lock")):
        try:
            pid = int(lock.read_text().strip())
        except (OSError, ValueError):
            continue
        for p in [pid] + _children(pid):
            kb = _peak_kb(p)
            if kb:
                SERVER_RSS_KB.append(kb)
        try:
            os.kill(pid, 15)
        except OSError:
            continue
        deadline = time.monotonic() + 20
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            try:
                if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
                    break                       # ended; its parent has not collected it
            except OSError:
                break
            time.sleep(0.02)


def wait_for_server(env: dict, timeout: float = 120.0) -> None:
    """Until the server started by the last build answers (it warms up in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = subprocess.run([PY, "-m", "brochure", "server", "status"], env=env, capture_output=True, timeout=60)
        if r.returncode == 0:
            return
        if b"invalid choice" in r.stderr:
            return                              # a brochure without a build server
        time.sleep(0.2)
    raise BenchError("the build server did not start")


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
        import pikepdf

        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except Exception:
        return None


def watch_available(env: dict) -> bool:
    r = subprocess.run([PY, "-m", "brochure", "watch", "--help"], env=env,
                       capture_output=True, timeout=60)
    return r.returncode == 0


def measure_watch(name: str, content: Path, out: Path, original: str, edited: str, runs: int,
                  env: dict, scratch: Path, only: str | None) -> Measure:
    """The in-process rebuild of ``brochure watch``; ``note`` says why when it cannot be measured."""
    m = Measure(name)
    if not watch_available(env):
        m.note = "n/a: no `brochure watch` command"
        return m
    a, b = scratch / "watch-a.yaml", scratch / "watch-b.yaml"
    a.write_text(original, encoding="utf-8")
    b.write_text(edited, encoding="utf-8")
    answer_file = scratch / "watch-answer.json"
    _, rss, _, err = run_timed([PY, "-c", WATCH_PROBE, str(content), str(out), str(a), str(b), str(runs),
                                only or ""], env=env, stdout=answer_file)
    try:
        answer = json.loads(answer_file.read_text(encoding="utf-8").strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        m.note = f"n/a: probe failed ({err.strip()[-200:]})"
        return m
    if "error" in answer:
        m.note = f"n/a: {answer['error']}"
        return m
    m.times = answer["times"]
    m.rss_kb = [rss]                # the whole watching process: first build and every rebuild
    m.note = f"in-process {answer.get('function', 'rebuild')}(), {'--only ' + only if only else 'all outputs'}"
    return m


# --- analysis and report --------------------------------------------------------------

def linearity(t1: float, t10: float, t50: float) -> dict:
    """Per-text and marginal cost ratios of x50 against x10 (see the module docstring)."""
    per_text = (t50 / 50) / (t10 / 10) if t10 > 0 else math.nan
    m1 = (t10 - t1) / 9
    m2 = (t50 - t10) / 40
    marginal = m2 / m1 if m1 > 0 else math.nan
    return {"per_text": per_text, "marginal": marginal,
            "linear": bool(marginal == marginal and marginal <= LINEAR_LIMIT)}


def fmt_s(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f}s" if v >= 0.095 else f"{v * 1000:.0f}ms"


def fmt_mb(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.0f}MB"


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary_line(r: dict) -> str:
    warm, typst_t = r["warm"], r["typst"]
    ratio = f"{warm / typst_t:.1f}" if warm and typst_t else "n/a"
    if r.get("warm_own") is not None:
        ratio += f"; own process {fmt_s(r['warm_own'])}"
    watch = fmt_s(r.get("watch")) if r.get("watch") is not None else "n/a"
    if r.get("watch_all") is not None:
        watch += f" (all {fmt_s(r['watch_all'])})"
    return (f"summary: warm {fmt_s(warm)} (typst {fmt_s(typst_t)}, ratio {ratio}) "
            f"all {fmt_s(r['all'])} cold {fmt_s(r['cold'])} rebuild {fmt_s(r['rebuild'])} "
            f"watch {watch} new-char {fmt_s(r['new_char'])} rss {fmt_mb(r['rss'])} "
            f"x10 {fmt_s(r['x10'])} x50 {fmt_s(r['x50'])} linear={'yes' if r['linear'] else 'no'}")


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("yes" if ok else "NO")


# --- main ------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=None, help="runs per measurement (default 5, 2 with --quick)")
    ap.add_argument("--quick", action="store_true", help="2 runs, and one run of each scaling step")
    ap.add_argument("--content", type=Path, default=ROOT / "content.yaml", help="content file (default content.yaml)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = ap.parse_args(argv)
    runs = args.runs or (2 if args.quick else 5)
    scale_runs = 1 if args.quick else max(1, min(runs, 3))

    try:
        import typst  # noqa: F401
    except ImportError:
        print("the Typst baseline needs the typst package: pip install typst", file=sys.stderr)
        return 2

    src_root = args.content.resolve().parent
    original = args.content.read_text(encoding="utf-8")
    work = Path(tempfile.mkdtemp(prefix="brochure-bench-"))
    try:
        return _run(args, runs, scale_runs, src_root, original, work)
    except BenchError as e:
        print(f"benchmark failed: {e}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"(kept {work})", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _run(args, runs: int, scale_runs: int, src_root: Path, original: str, work: Path) -> int:
    global PYCACHE, RUNTIME
    PYCACHE = work / "pycache"
    RUNTIME = work / "run"
    RUNTIME.mkdir(mode=0o700)
    try:
        return _measure_all(args, runs, scale_runs, src_root, original, work)
    finally:
        stop_servers()


def _measure_all(args, runs: int, scale_runs: int, src_root: Path, original: str, work: Path) -> int:
    load_at_start = load_average()
    data = load_yaml(original)
    base = make_project(src_root, work / "base", original)
    warm_cache = work / "cache-warm"
    env_warm = with_cache(warm_cache)
    out = work / "out"

    _say(f"[bench] {runs} runs each; work folder {work}; load average {load_average()}")
    _say("[bench] filling the warm cache (one untimed build of every output)")
    _, _, rc, err = run_timed(build_cmd(base, out, only=None), env=env_warm)
    if rc != 0:
        raise BenchError(f"the first build failed ({rc}):\n{err.strip()[-2000:]}")

    res: dict[str, Measure] = {}

    stop_servers()               # the one it started waited for nothing; it is started again below

    _say("[bench] cold builds")
    # each run's own cache means a server of its own: the one the run before started is stopped, untimed
    res["cold"] = measure("cold", lambda i: build_cmd(base, work / f"out-cold-{i}"), runs,
                          env_for_run=lambda i: with_cache(work / f"cache-cold-{i}"),
                          before_run=lambda i: stop_servers())
    res["cold_all"] = measure("cold all", lambda i: build_cmd(base, work / f"out-coldall-{i}", only=None), runs,
                              env_for_run=lambda i: with_cache(work / f"cache-coldall-{i}"),
                              before_run=lambda i: stop_servers())
    stop_servers()
    _say("[bench] warm builds")
    env_own = with_cache(warm_cache, server=False)
    res["warm_own"] = measure("warm own", lambda i: build_cmd(base, out), runs, env_for_run=lambda i: env_own)
    res["warm_own"].note = "in the command's own process (BROCHURE_SERVER=0)"
    _, _, rc, err = run_timed(build_cmd(base, out), env=env_warm)     # untimed: starts the server
    if rc != 0:
        raise BenchError(f"the build that starts the server failed ({rc}):\n{err.strip()[-2000:]}")
    wait_for_server(env_warm)
    res["warm"] = measure("warm", lambda i: build_cmd(base, out), runs, env_for_run=lambda i: env_warm)
    res["warm"].pages = pdf_pages(out / "brochure.pdf")
    res["warm"].note = "through the build server"
    res["all"] = measure("all", lambda i: build_cmd(base, out, only=None), runs, env_for_run=lambda i: env_warm)
    sizes = {p.name: p.stat().st_size for p in sorted(out.glob("*.pdf"))}

    _say("[bench] rebuild after a one-character change")
    # in the warm project itself, as a staff member edits it (caches are kept per content file)
    edited, old_ch, new_ch = edit_one_char(original)
    texts = (original, edited)
    try:
        res["rebuild"] = measure(
            "rebuild", lambda i: build_cmd(base, work / "out-edit"), runs, env_for_run=lambda i: env_warm,
            before_run=lambda i: base.write_text(texts[(i + 1) % 2], encoding="utf-8"))
    finally:
        base.write_text(original, encoding="utf-8")
    res["rebuild"].note = f"{old_ch} -> {new_ch}, same character set"

    _say("[bench] watch-mode rebuilds")
    watch_project = make_project(src_root, work / "watch", original)
    res["watch"] = measure_watch("watch", watch_project, work / "out-watch", original, edited, runs,
                                 env_warm, work, only="brochure")
    res["watch_all"] = measure_watch("watch all", watch_project, work / "out-watch-all", original, edited, runs,
                                     env_warm, work, only=None)

    rares, how = pick_rare_chars(original, src_root, runs)
    _say(f"[bench] rebuild adding a character never seen before ({''.join(rares)}, one per run)")
    try:
        res["new_char"] = measure("new-char", lambda i: build_cmd(base, work / "out-new"), runs,
                                  env_for_run=lambda i: env_warm,
                                  before_run=lambda i: base.write_text(insert_char(original, rares[i]),
                                                                       encoding="utf-8"))
    finally:
        base.write_text(original, encoding="utf-8")
    res["new_char"].note = f"adds {rares[0]} U+{ord(rares[0]):04X} … ({how})"

    _say("[bench] Typst baseline")
    typ = write_typst_project(work / "typst-1", data)
    run_timed(typst_cmd(typ, work / "typst-1.pdf"), env=base_env())      # untimed: warm the OS caches
    res["typst"] = measure("typst", lambda i: typst_cmd(typ, work / "typst-1.pdf"), runs,
                           env_for_run=lambda i: base_env())
    res["typst"].pages = pdf_pages(work / "typst-1.pdf")

    scale: dict[int, tuple[Measure, Measure]] = {}
    for n in SCALES:
        _say(f"[bench] x{n}")
        big = scaled(data, n)
        proj = make_project(src_root, work / f"x{n}", dump_yaml(big))
        run_timed(build_cmd(proj, work / f"out-x{n}"), env=env_warm)      # untimed, as for Typst: warm
        b = measure(f"x{n}", lambda i: build_cmd(proj, work / f"out-x{n}"), scale_runs,
                    env_for_run=lambda i: env_warm)
        b.pages = pdf_pages(work / f"out-x{n}" / "brochure.pdf")
        typ_n = write_typst_project(work / f"typst-{n}", big)
        run_timed(typst_cmd(typ_n, work / f"typst-{n}.pdf"), env=base_env())
        t = measure(f"typst x{n}", lambda i: typst_cmd(typ_n, work / f"typst-{n}.pdf"), scale_runs,
                    env_for_run=lambda i: base_env())
        t.pages = pdf_pages(work / f"typst-{n}.pdf")
        scale[n] = (b, t)

    print(f"brochure {source_state()}")
    print(f"load average (1, 5, 15 min) at the start {load_at_start}, at the end {load_average()}; "
          f"{os.cpu_count()} CPUs. Other work on the machine inflates every figure.")
    stop_servers()               # records their peak memory
    print(report(res, scale, sizes, runs, scale_runs))
    return 0


def report(res: dict[str, Measure], scale: dict[int, tuple[Measure, Measure]], sizes: dict[str, int],
           runs: int, scale_runs: int) -> str:
    typst_t = res["typst"].median
    rows = [["measure", "median", "min", "max", "runs", "peak RSS", "target", "met", "note"]]

    def row(m: Measure, target: str = "", ok: bool | None = None):
        t = m.times
        rows.append([m.name, fmt_s(m.median), fmt_s(min(t)) if t else "n/a", fmt_s(max(t)) if t else "n/a",
                     str(len(t)), fmt_mb(m.rss_mb), target, verdict(ok), m.note])

    warm = res["warm"].median
    row(res["cold"], TARGETS["cold"][1], res["cold"].median <= TARGETS["cold"][0])
    row(res["cold_all"])
    row(res["warm_own"], f"<= typst {fmt_s(typst_t)}", res["warm_own"].median <= typst_t)
    row(res["warm"], f"<= typst {fmt_s(typst_t)}", warm <= typst_t)
    row(res["all"], TARGETS["all"][1], res["all"].median <= TARGETS["all"][0])
    row(res["rebuild"])
    w = res["watch"]
    row(w, TARGETS["watch"][1], None if w.median is None else w.median <= TARGETS["watch"][0])
    wa = res["watch_all"]
    row(wa, TARGETS["watch"][1], None if wa.median is None else wa.median <= TARGETS["watch"][0])
    row(res["new_char"], "<= 0.5 s", res["new_char"].median <= 0.5)
    row(res["typst"])
    rss_values = [m.rss_mb for k, m in res.items()
                  if k != "typst" and not k.startswith("watch") and m.rss_mb is not None]
    server_mb = max(SERVER_RSS_KB) / 1024 if SERVER_RSS_KB else None
    rss = max(rss_values + ([server_mb] if server_mb is not None else [])) if rss_values else server_mb
    out = [table(rows), ""]
    out.append(f"peak RSS, the highest of the one-shot builds above (medians) and of every build server process: "
               f"{fmt_mb(rss)} (target <= {RSS_LIMIT_MB:.0f} MB: {verdict(rss is not None and rss <= RSS_LIMIT_MB)}); "
               f"build servers {fmt_mb(server_mb)} ({len(SERVER_RSS_KB)} processes); typst {fmt_mb(res['typst'].rss_mb)}")
    out.append("output sizes (warm build of all outputs): "
               + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in sizes.items()))
    out.append("")

    srows = [["text", "brochure", "pages", "s/page", "RSS", "typst", "pages", "s/page", "RSS", "ratio"]]
    base_b, base_t = res["warm"], res["typst"]
    series = [(1, base_b, base_t)] + [(n, *scale[n]) for n in sorted(scale)]
    for n, b, t in series:
        srows.append([f"x{n}", fmt_s(b.median), str(b.pages or "?"),
                      fmt_s(b.median / b.pages) if b.pages else "n/a", fmt_mb(b.rss_mb),
                      fmt_s(t.median), str(t.pages or "?"),
                      fmt_s(t.median / t.pages) if t.pages else "n/a", fmt_mb(t.rss_mb),
                      f"{b.median / t.median:.1f}" if t.median else "n/a"])
    out.append(f"scaling (warm --only brochure, {scale_runs} run(s) each beyond x1)")
    out.append(table(srows))
    t10b, t50b = scale[10][0].median, scale[50][0].median
    lin_b = linearity(warm, t10b, t50b)
    lin_t = linearity(typst_t, scale[10][1].median, scale[50][1].median)
    out.append(f"brochure: per-text cost x50/x10 {lin_b['per_text']:.2f}, marginal ratio {lin_b['marginal']:.2f} "
               f"-> linear {'yes' if lin_b['linear'] else 'NO'} (limit {LINEAR_LIMIT})")
    out.append(f"typst:    per-text cost x50/x10 {lin_t['per_text']:.2f}, marginal ratio {lin_t['marginal']:.2f} "
               f"-> linear {'yes' if lin_t['linear'] else 'NO'}")
    out.append("")
    out.append(summary_line({
        "warm": warm, "typst": typst_t, "warm_own": res["warm_own"].median, "all": res["all"].median, "cold": res["cold"].median,
        "rebuild": res["rebuild"].median, "watch": w.median, "watch_all": wa.median, "new_char": res["new_char"].median,
        "rss": rss, "x10": t10b, "x50": t50b, "linear": lin_b["linear"],
    }))
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
