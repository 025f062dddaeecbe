"""How fast is `brochure build`, measured side by side with Typst setting the same text.

Run from anywhere (the `typst` package from the package index is a
benchmark-only dependency; this script installs nothing)::

    python benchmarks/bench.py              # 5 runs of each measurement
    python benchmarks/bench.py --runs 9     # more runs, steadier medians
    python benchmarks/bench.py --quick      # 2 runs, 1 run of each scaling step

Every build is ``python -m brochure build`` as a fresh process, as staff run
it, with ``XDG_CACHE_HOME`` pointing at a cache of this script's own (a
temporary folder, removed at the end; the user's ~/.cache is never touched).
Each measurement reports the median over the runs, wall-clock time of the whole
process, and its peak resident memory (``/usr/bin/time -v`` when present, else
the kernel's rusage for the child).  Compiled bytecode is cached in the
temporary folder too (PYTHONPYCACHEPREFIX, even under PYTHONDONTWRITEBYTECODE),
as it would be on a user's machine after the first run.  The machine's load
average is printed with the results: other work running at the same time
inflates every figure.

What is measured
----------------
cold          empty cache (fonts converted, photos prepared), ``--only brochure``
cold all      empty cache, every output (the first build a staff member makes)
warm          cache filled by an earlier build, ``--only brochure``
all           warm, every output (the brochure and each poster)
rebuild       warm ``--only brochure`` of the same project after one Han character
              of a paragraph was replaced by another Han character the text
              already uses (same character set, so the converted fonts stay valid)
watch         ``brochure watch`` run as a user runs it (``python -m brochure
              watch``, its own process, ``--only brochure``; "watch all": every
              output): after its first build, the content file is saved with
              the same one-character edit, alternating with the original text.
              Timed from the line watch prints when it sees the save to the
              line it prints when the rebuild is done; the note gives the time
              from the save to that line, which adds watch's polling (it
              checks every 0.3 s and waits for the file to settle).  Peak RSS
              is that of the watching process over the whole session
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

Targets (from the issue): the warm one-shot build at most 1.5 times Typst's
time on the same text, x10 at most 2 times Typst's x10, a watch rebuild
<= 0.1 s, peak memory of any build <= 150 MB.

The last line printed is one summary line, e.g.::

    summary: warm 0.40s (typst 0.22s, ratio 1.8) all 0.55s cold 1.5s rebuild 0.42s watch 70ms (all 66ms) new-char 0.50s rss 141MB x10 0.60s (typst 0.35s, ratio 1.7) x50 1.30s linear=yes
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:         # the modules beside this file, also when it is imported by path (the tests)
    sys.path.insert(0, str(HERE))

from bench_content import (BenchError, dump_yaml, fresh_edit, fresh_photo, insert_char, load_yaml,  # noqa: E402
                           make_project, pick_rare_chars, scaled, write_typst_project)
from bench_run import (Measure, base_env, build_cmd, load_average, measure, measure_search,  # noqa: E402
                       measure_watch, pdf_pages, run_timed, source_state, typst_cmd, with_cache)

ROOT = HERE.parent
SCALES = (10, 50)

TYPST_RATIO_LIMIT = 1.0        # warm one-shot build, nothing changed / Typst
X10_RATIO_LIMIT = 1.5          # x10 build after an edit / Typst x10
WATCH_LIMIT = 0.15             # s, a watch rebuild after a one-sentence edit
EDIT_LIMITS = {"sentence": 1.0, "paragraph": 1.0, "photo": 1.5}     # one-shot build after an edit / Typst
RSS_LIMIT_MB = 150.0
LINEAR_LIMIT = 1.25


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


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def fmt_ratio(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}"


def summary_line(r: dict) -> str:
    warm, typst_t = r["warm"], r["typst"]
    watch = fmt_s(r.get("watch"))
    if r.get("watch_all") is not None:
        watch += f" (all {fmt_s(r['watch_all'])})"
    x10 = fmt_s(r["x10"])
    if r.get("typst_x10") is not None:
        x10 += f" (typst {fmt_s(r['typst_x10'])}, ratio {fmt_ratio(ratio(r['x10'], r['typst_x10']))})"
    return (f"summary: warm {fmt_s(warm)} (typst {fmt_s(typst_t)}, ratio {fmt_ratio(ratio(warm, typst_t))}) "
            f"all {fmt_s(r['all'])} cold {fmt_s(r['cold'])} rebuild {fmt_s(r['rebuild'])} "
            f"watch {watch} new-char {fmt_s(r['new_char'])} rss {fmt_mb(r['rss'])} "
            f"x10 {x10} x50 {fmt_s(r['x50'])} linear={'yes' if r['linear'] else 'no'}")


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("yes" if ok else "NO")


def at_most(v: float | None, limit: float) -> bool | None:
    return None if v is None else v <= limit


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
        import typst  # noqa: F401  (only to say early that it is missing)
    except ImportError:
        print("the Typst baseline needs the typst package: pip install typst", file=sys.stderr)
        return 2

    src_root = args.content.resolve().parent
    original = args.content.read_text(encoding="utf-8")
    work = Path(tempfile.mkdtemp(prefix="brochure-bench-"))
    try:
        return _measure_all(runs, scale_runs, src_root, original, work)
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


def _measure_all(runs: int, scale_runs: int, src_root: Path, original: str, work: Path) -> int:
    load_at_start = load_average()
    data = load_yaml(original)
    base = make_project(src_root, work / "base", original)
    pycache = work / "pycache"
    warm_cache = work / "cache-warm"
    env_warm = with_cache(warm_cache, pycache)
    plain = base_env(pycache)
    out = work / "out"

    _say(f"[bench] {runs} runs each; work folder {work}; load average {load_average()}")
    _say("[bench] filling the warm cache (one untimed build of every output)")
    _, _, rc, err = run_timed(build_cmd(base, out, only=None), env=env_warm)
    if rc != 0:
        raise BenchError(f"the first build failed ({rc}):\n{err.strip()[-2000:]}")

    res: dict[str, Measure] = {}
    _say("[bench] cold builds")
    res["cold"] = measure("cold", lambda i: build_cmd(base, work / f"out-cold-{i}"), runs,
                          env_for_run=lambda i: with_cache(work / f"cache-cold-{i}", pycache))
    res["cold_all"] = measure("cold all", lambda i: build_cmd(base, work / f"out-coldall-{i}", only=None), runs,
                              env_for_run=lambda i: with_cache(work / f"cache-coldall-{i}", pycache))
    _say("[bench] warm builds")
    res["warm"] = measure("warm", lambda i: build_cmd(base, out), runs, env_for_run=lambda i: env_warm)
    res["warm"].pages = pdf_pages(out / "brochure.pdf")
    res["all"] = measure("all", lambda i: build_cmd(base, out, only=None), runs, env_for_run=lambda i: env_warm)
    sizes = {p.name: p.stat().st_size for p in sorted(out.glob("*.pdf"))}

    # Edits as staff make them, each run one never made before (a cache of an earlier edit cannot help):
    # a sentence added to a paragraph, a paragraph added, a paragraph and a new photo added.
    plain_text = dump_yaml(data)
    for kind, label in (("sentence", "edit: a sentence"), ("paragraph", "edit: a paragraph"),
                        ("photo", "edit: a paragraph and a photo")):
        _say(f"[bench] rebuild after a fresh edit ({kind})")
        seed = {"sentence": 0, "paragraph": 100, "photo": 200}[kind]

        def before(i, kind=kind, seed=seed):
            edited = fresh_edit(data, seed + i, kind)
            if kind == "photo":
                fresh_photo(base.parent, edited, seed + i)
            (base).write_text(dump_yaml(edited), encoding="utf-8")
        try:
            res[kind] = measure(label, lambda i: build_cmd(base, work / "out-edit"), runs,
                                env_for_run=lambda i: env_warm, before_run=before)
        finally:
            base.write_text(original, encoding="utf-8")
    res["rebuild"] = res["sentence"]

    _say("[bench] watch rebuilds after fresh edits")
    watch_project = make_project(src_root, work / "watch", plain_text)
    texts = [plain_text] + [dump_yaml(fresh_edit(data, 300 + i, "sentence")) for i in range(runs)]
    res["watch"] = measure_watch("watch", watch_project, work / "out-watch", texts, runs, env_warm, "brochure")
    texts = [plain_text] + [dump_yaml(fresh_edit(data, 400 + i, "sentence")) for i in range(runs)]
    res["watch_all"] = measure_watch("watch all", watch_project, work / "out-watch-all", texts, runs, env_warm, None)

    _say("[bench] the layout search alone, in one process, after fresh edits")
    res["search"], res["search_memo"] = measure_search(base, data, runs, warm_cache)

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
    run_timed(typst_cmd(typ, work / "typst-1.pdf"), env=plain)      # untimed: warm the OS caches
    res["typst"] = measure("typst", lambda i: typst_cmd(typ, work / "typst-1.pdf"), runs,
                           env_for_run=lambda i: plain)
    res["typst"].pages = pdf_pages(work / "typst-1.pdf")

    scale: dict[int, tuple[Measure, Measure]] = {}
    for n in SCALES:
        _say(f"[bench] x{n}")
        big = scaled(data, n)
        proj = make_project(src_root, work / f"x{n}", dump_yaml(big))
        run_timed(build_cmd(proj, work / f"out-x{n}"), env=env_warm)      # untimed, as for Typst: warm
        b = measure(f"x{n}", lambda i: build_cmd(proj, work / f"out-x{n}"), scale_runs,
                    env_for_run=lambda i: env_warm,     # after a fresh one-sentence edit, as staff work
                    before_run=lambda i, big=big, proj=proj: proj.write_text(
                        dump_yaml(fresh_edit(big, 500 + i, "sentence")), encoding="utf-8"))
        b.pages = pdf_pages(work / f"out-x{n}" / "brochure.pdf")
        typ_n = write_typst_project(work / f"typst-{n}", big)
        run_timed(typst_cmd(typ_n, work / f"typst-{n}.pdf"), env=plain)
        t = measure(f"typst x{n}", lambda i: typst_cmd(typ_n, work / f"typst-{n}.pdf"), scale_runs,
                    env_for_run=lambda i: plain)
        t.pages = pdf_pages(work / f"typst-{n}.pdf")
        scale[n] = (b, t)

    print(f"brochure {source_state()}")
    print(f"load average (1, 5, 15 min) at the start {load_at_start}, at the end {load_average()}; "
          f"{os.cpu_count()} CPUs. Other work on the machine inflates every figure.")
    print(report(res, scale, sizes, scale_runs))
    return 0


def report(res: dict[str, Measure], scale: dict[int, tuple[Measure, Measure]], sizes: dict[str, int],
           scale_runs: int) -> str:
    typst_t = res["typst"].median
    warm = res["warm"].median
    rows = [["measure", "median", "min", "max", "runs", "peak RSS", "target", "met", "note"]]

    def row(m: Measure, target: str = "", ok: bool | None = None):
        t = m.times
        rows.append([m.name, fmt_s(m.median), fmt_s(min(t)) if t else "n/a", fmt_s(max(t)) if t else "n/a",
                     str(len(t)), fmt_mb(m.rss_mb), target, verdict(ok), m.note])

    row(res["cold"])
    row(res["cold_all"])
    row(res["warm"], f"<= {TYPST_RATIO_LIMIT} x typst", at_most(ratio(warm, typst_t), TYPST_RATIO_LIMIT))
    row(res["all"])
    for key in ("sentence", "paragraph", "photo"):
        row(res[key], f"<= {EDIT_LIMITS[key]} x typst", at_most(ratio(res[key].median, typst_t), EDIT_LIMITS[key]))
    row(res["search"])
    row(res["search_memo"])
    for key in ("watch", "watch_all"):
        row(res[key], f"<= {WATCH_LIMIT * 1000:.0f} ms", at_most(res[key].median, WATCH_LIMIT))
    row(res["new_char"])
    row(res["typst"])
    rss_values = [m.rss_mb for k, m in res.items()
                  if k != "typst" and not k.startswith("watch") and m.rss_mb is not None]
    rss = max(rss_values) if rss_values else None
    watch_rss = max((res[k].rss_mb for k in ("watch", "watch_all") if res[k].rss_mb is not None), default=None)
    out = [table(rows), ""]
    out.append(f"peak RSS, the highest of the builds above (medians): {fmt_mb(rss)} "
               f"(target <= {RSS_LIMIT_MB:.0f} MB: {verdict(at_most(rss, RSS_LIMIT_MB))}); "
               f"a watch session {fmt_mb(watch_rss)}; typst {fmt_mb(res['typst'].rss_mb)}")
    out.append("output sizes (warm build of all outputs): "
               + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in sizes.items()))
    out.append("")

    srows = [["text", "brochure", "pages", "s/page", "RSS", "typst", "pages", "s/page", "RSS", "ratio"]]
    series = [(1, res["warm"], res["typst"])] + [(n, *scale[n]) for n in sorted(scale)]
    for n, b, t in series:
        srows.append([f"x{n}", fmt_s(b.median), str(b.pages or "?"),
                      fmt_s(b.median / b.pages) if b.pages else "n/a", fmt_mb(b.rss_mb),
                      fmt_s(t.median), str(t.pages or "?"),
                      fmt_s(t.median / t.pages) if t.pages else "n/a", fmt_mb(t.rss_mb),
                      fmt_ratio(ratio(b.median, t.median))])
    out.append(f"scaling (warm --only brochure, {scale_runs} run(s) each beyond x1)")
    out.append(table(srows))
    t10b, t50b = scale[10][0].median, scale[50][0].median
    t10t = scale[10][1].median
    x10_ratio = ratio(t10b, t10t)
    out.append(f"x10 against Typst's x10: ratio {fmt_ratio(x10_ratio)} "
               f"(target <= {X10_RATIO_LIMIT}: {verdict(at_most(x10_ratio, X10_RATIO_LIMIT))})")
    lin_b = linearity(warm, t10b, t50b)
    lin_t = linearity(typst_t, t10t, scale[50][1].median)
    out.append(f"brochure: per-text cost x50/x10 {lin_b['per_text']:.2f}, marginal ratio {lin_b['marginal']:.2f} "
               f"-> linear {'yes' if lin_b['linear'] else 'NO'} (limit {LINEAR_LIMIT})")
    out.append(f"typst:    per-text cost x50/x10 {lin_t['per_text']:.2f}, marginal ratio {lin_t['marginal']:.2f} "
               f"-> linear {'yes' if lin_t['linear'] else 'NO'}")
    out.append("")
    out.append(summary_line({
        "warm": warm, "typst": typst_t, "all": res["all"].median, "cold": res["cold"].median,
        "rebuild": res["rebuild"].median, "watch": res["watch"].median, "watch_all": res["watch_all"].median,
        "new_char": res["new_char"].median, "rss": rss, "x10": t10b, "typst_x10": t10t, "x50": t50b,
        "linear": lin_b["linear"],
    }))
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
