"""The benchmark script's functions run on a toy input (no timing is asserted)."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, make_project

ROOT = Path(__file__).resolve().parents[2]
TOY = """\
document:
  title: 测试手册
lead:
  headline: 新城正“青春”
  preface_title: 前言
  preface:
    - 时序更替，万物维新。
sections:
  - letter: A
    headline: 锚定“高分子”
    paragraphs:
      - 该基地一期于2020年4月投产，具备年产5万吨改性工程塑料的生产能力，年产值逐年增长。
      - 第二段文字。
photos: {}
settings:
  typography: {body_size: 9.5, leading: 15}
"""


def _bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = mod
    spec.loader.exec_module(mod)
    return mod


def _content():
    _bench()                                   # puts benchmarks/ on the path for its modules
    import bench_content
    return bench_content


def _run():
    _bench()
    import bench_run
    return bench_run


def test_content_functions(tmp_path):
    content = _content()
    data = content.load_yaml(TOY)

    big = content.scaled(data, 3)
    assert len(big["sections"][0]["paragraphs"]) == 6
    assert len(data["sections"][0]["paragraphs"]) == 2          # the original is untouched
    assert content.load_yaml(content.dump_yaml(big)) == big

    edited, old, new = content.edit_one_char(TOY)
    assert old != new and len(edited) == len(TOY)
    assert sum(a != b for a, b in zip(edited, TOY)) == 1
    chars = lambda t: set("".join(content.body_texts(content.load_yaml(t))))
    assert chars(edited) == chars(TOY)                          # same character set

    added = content.insert_char(TOY, "龘")
    assert "龘" in content.load_yaml(added)["sections"][0]["paragraphs"][0]

    typ = content.write_typst_project(tmp_path / "typst", data)
    words = json.loads((tmp_path / "typst" / "data.json").read_text(encoding="utf-8"))
    assert typ.is_file() and words["sections"][0]["paragraphs"] == data["sections"][0]["paragraphs"]

    project = content.make_project(tmp_path, tmp_path / "proj", TOY)
    assert project.read_text(encoding="utf-8") == TOY


def test_running_and_reporting():
    bench = _bench()
    elapsed, rss, rc, err = _run().run_timed([sys.executable, "-c", "pass"])
    assert rc == 0 and elapsed > 0 and rss > 0

    lin = bench.linearity(1.0, 5.5, 25.5)                       # 0.5 s per copy throughout
    assert abs(lin["marginal"] - 1.0) < 1e-9 and lin["linear"]
    assert not bench.linearity(1.0, 5.5, 60.0)["linear"]

    line = bench.summary_line({"warm": 0.42, "typst": 0.17, "all": 0.9, "cold": 4.1, "rebuild": 0.43,
                               "watch": None, "new_char": 1.2, "rss": 180.0, "x10": 2.1, "typst_x10": 0.7,
                               "x50": 9.8, "linear": True})
    assert line.startswith("summary: warm 0.42s (typst 0.17s, ratio 2.5)") and line.endswith("linear=yes")
    assert "watch n/a" in line and "x10 2.10s (typst 0.70s, ratio 3.0)" in line


def test_watch_is_driven_through_the_command(tmp_path):
    """A real `brochure watch` session: its first build, then one timed rebuild per save."""
    content, run = _content(), _run()
    text = MINIMAL + "settings:\n  brochure:\n    press: {min_ppi: 100}\n"       # its 600×400 photo
    project = make_project(tmp_path / "proj", text)
    # one edit never saved before for each timed rebuild, as the benchmark makes them (a save of the text saved
    # just before rebuilds nothing, and says so)
    data = content.load_yaml(text)
    fresh = [content.dump_yaml(content.fresh_edit(data, i, "sentence")) for i in range(2)]
    assert len({text, *fresh}) == 3
    m = run.measure_watch("watch", project, tmp_path / "out", [text, *fresh], 2, run.base_env(), "brochure")
    assert len(m.times) == 2 and all(0 < t < 60 for t in m.times)
    assert m.rss_kb[0] > 0 and "from the save" in m.note
    assert project.read_text(encoding="utf-8") == text         # the original text is put back
    assert (tmp_path / "out" / "brochure.pdf").is_file()
    with pytest.raises(content.BenchError, match="one text never saved before for each"):
        run.measure_watch("watch", project, tmp_path / "out2", [text, fresh[0]], 2, run.base_env(), "brochure")
    assert not (tmp_path / "out2").exists()                    # refused before a session is started
