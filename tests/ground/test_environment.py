"""Environment variables are read once, at the command line, into the build's Session; a bad one is refused there.

Below the command line (``brochure/cli.py`` and the workflow commands) no module reads
``os.environ`` or ``os.getenv``: the cache folder, $BROCHURE_JOBS and $SOURCE_DATE_EPOCH
reach the build as ``Session.env`` (``brochure.runtime.session.Environment``).
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from brochure.ground.errors import BrochureError
from brochure.runtime.session import LAST_PDF_SECOND, Environment, source_date_epoch

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "brochure"
#: Where the process environment may be read: the command line and the workflow commands it calls
#: (``brochure/workflow/environment.py``).
EDGE = ("cli.py", "__main__.py", "workflow/")


def environment_reads(path: Path) -> list[int]:
    """Lines of ``path`` that read the process environment (os.environ, os.getenv, os.environb, ``from os import environ``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb", "getenv", "getenvb") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            found.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                and any(a.name in ("environ", "environb", "getenv", "getenvb") for a in node.names):
            found.append(node.lineno)
    return found


def test_no_module_below_the_command_line_reads_the_environment():
    below = [f"{p.relative_to(PACKAGE)}:{line}" for p in sorted(PACKAGE.rglob("*.py"))
             if not str(p.relative_to(PACKAGE)).startswith(EDGE) for line in environment_reads(p)]
    assert below == []


def test_the_scan_sees_every_way_of_reading_it(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom os import environ\na = os.environ['X']\nb = os.getenv('Y')\n")
    assert sorted(environment_reads(probe)) == [2, 3, 4]


def test_the_environment_is_read_into_values():
    env = Environment.read({"XDG_CACHE_HOME": "/tmp/c", "BROCHURE_JOBS": "3", "SOURCE_DATE_EPOCH": "1700000000"})
    assert env == Environment(cache=Path("/tmp/c/brochure"), jobs=3, source_date_epoch=1700000000)
    assert Environment.read({}, Path("/home/x")).cache == Path("/home/x/.cache/brochure")
    assert Environment.read({}) == Environment()                     # no home, nothing set: memory only
    assert Environment.read({"BROCHURE_JOBS": "0"}).jobs is None     # as before: a wrong count means every core
    assert Environment.read({"BROCHURE_JOBS": "many"}).jobs is None


@pytest.mark.parametrize("text, seconds", [("0", 0), ("1700000000", 1700000000), (" 1700000000\n", 1700000000),
                                           (str(LAST_PDF_SECOND), LAST_PDF_SECOND), ("", None)])
def test_a_whole_number_of_seconds_up_to_the_year_9999_is_a_date(text, seconds):
    assert source_date_epoch(text) == seconds


#: Not a PDF date: a word, a fraction, a sign, full-width digits, years past 9999 (D:31708431107094639Z was written).
BAD_EPOCHS = ["abc", "1700000000.5", "-1", "+1700000000", "１７００００００００", "99999999999999", "253402300800"]


@pytest.mark.parametrize("text", BAD_EPOCHS)
def test_a_source_date_epoch_that_is_no_date_is_refused(text):
    with pytest.raises(BrochureError) as caught:
        source_date_epoch(text)
    assert "SOURCE_DATE_EPOCH" in caught.value.zh and "SOURCE_DATE_EPOCH" in caught.value.en
    assert f"“{text.strip()}”" in caught.value.zh and f"'{text.strip()}'" in caught.value.en


def test_the_last_date_accepted_is_a_four_digit_year():
    import time

    from brochure.press.pdfx import pdf_date, xmp_date

    assert (pdf_date(LAST_PDF_SECOND), xmp_date(LAST_PDF_SECOND)) == ("D:99991231235959Z", "9999-12-31T23:59:59Z")
    assert time.gmtime(LAST_PDF_SECOND + 1).tm_year == 10000          # the first second refused


@pytest.mark.parametrize("text", ["abc", "1700000000.5", "99999999999999", "253402300800"])
def test_the_build_refuses_it_at_once_and_touches_nothing(tmp_path, text):
    from conftest import make_print_project

    path = make_print_project(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "brochure.pdf").write_bytes(b"%PDF-1.4 staff's own\n")
    env = {**os.environ, "SOURCE_DATE_EPOCH": text, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "brochure", "build", str(path), "-o", str(out)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    zh, en = (line.strip() for line in run.stderr.strip().splitlines())
    assert zh.startswith("错误 error: 环境变量 SOURCE_DATE_EPOCH 的值") and f"“{text}”" in zh and "不是可用的日期" in zh
    assert en.startswith("the environment variable SOURCE_DATE_EPOCH is") and "not a usable date" in en
    assert sorted(p.name for p in out.iterdir()) == ["brochure.pdf"]
    assert (out / "brochure.pdf").read_bytes() == b"%PDF-1.4 staff's own\n"


def test_check_refuses_it_and_preflight_does_not_need_it(tmp_path):
    """``check`` builds nothing but says what a build would refuse; the print shop's ``preflight`` never dates anything."""
    from conftest import make_print_project

    path = make_print_project(tmp_path)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "abc", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "brochure", "check", str(path)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 2 and "SOURCE_DATE_EPOCH" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "brochure", "preflight", str(tmp_path / "none.pdf")],
                         capture_output=True, text=True, timeout=120, env=env)
    assert "SOURCE_DATE_EPOCH" not in run.stdout + run.stderr and "Traceback" not in run.stderr
