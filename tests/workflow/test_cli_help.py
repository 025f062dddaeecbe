"""Every command's help is readable: ``--help`` and ``-h`` print the usage and exit 0, never a traceback."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from brochure.cli import main
from conftest import ROOT


def commands() -> list[str]:
    """The subcommands as ``brochure --help`` lists them (so a new command is tested too)."""
    run = subprocess.run([sys.executable, "-m", "brochure", "--help"], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    found = re.search(r"\{([a-z,]+)\}", run.stdout)
    assert found, run.stdout
    names = found[1].split(",")
    assert "preflight" in names and "build" in names
    return names


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_help_exits_0(flag, capsys):
    for name in commands():
        with pytest.raises(SystemExit) as exit_:
            main([name, flag])
        out, err = capsys.readouterr()
        assert exit_.value.code in (0, None), (name, err)
        assert f"brochure {name}" in out and "Traceback" not in out + err, (name, out, err)


def test_preflight_help_as_the_print_shop_runs_it():
    """The reported crash: an unescaped % in the --max-ink help."""
    for flag in ("--help", "-h"):
        run = subprocess.run([sys.executable, "-m", "brochure", "preflight", flag], capture_output=True,
                             text=True, cwd=ROOT, timeout=120)
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr and "--max-ink" in run.stdout
        assert "%" in run.stdout.split("--max-ink", 1)[1]       # the per-cent sign is shown, once
