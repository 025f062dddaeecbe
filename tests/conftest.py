"""Shared fixtures: the project's own content.yaml, and small valid projects to break on purpose."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent



@pytest.fixture(scope="session", autouse=True)
def own_cache():
    """The suite's own cache folder, never the user's ~/.cache: $XDG_CACHE_HOME for the whole run (commands
    started by the tests inherit it), made empty at the start and removed at the end."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="brochure-test-cache-"))
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = before
        shutil.rmtree(folder, ignore_errors=True)


def env():
    """This process's environment as a build heeds it (``Environment.read``), for ``build(..., env=env())``."""
    from brochure.runtime.session import Environment

    return Environment.read(os.environ, Path.home())


# A command run in a fresh process (``python -m brochure`` in a temporary folder) imports this checkout's code,
# not whichever one the virtualenv was installed from.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)

MINIMAL = textwrap.dedent("""\
    document:
      title: 测试手册
      author: 测试
      publisher: 测试出版社
      date: 2022年9月
      online_url: https://zzrb.gov.cn/a
    masthead:
      slogan: 奋进新征程
      title: 非凡10年
    honours:
      title: 荣誉榜
      items:
        - 国家级产粮大县（区）
    lead:
      headline: 新城正“青春”
      byline: 记者 某某
      photo: p1
      preface:
        - 时序更替，万物维新。
    sections:
      - letter: A
        headline: 锚定“高分子”
        photos: [p1]
        paragraphs:
          - 该基地一期于2020年4月投产，具备年产5万吨改性工程塑料的生产能力。
    photos:
      p1:
        file: images/p1.jpg
        caption: 三旺村百合花开助农增收。
        credit: 李健 摄
    """)


def make_project(folder: Path, text: str = MINIMAL) -> Path:
    """A project folder with content.yaml and a small real JPEG at images/p1.jpg."""
    from PIL import Image

    (folder / "images").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (600, 400), (180, 120, 90)).save(folder / "images" / "p1.jpg", quality=90)
    path = folder / "content.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """out/ of one build of every output of the project's own content.yaml, shared by the session."""
    out = tmp_path_factory.mktemp("out")
    run = build_project(ROOT / "content.yaml", "-o", str(out))
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="session")
def brochure_paragraphs() -> list[str]:
    """Every section paragraph of the project's own content.yaml, as text."""
    from brochure.content.loader import load

    content = load(ROOT / "content.yaml")
    return [str(p) for s in content.sections for p in s.paragraphs]


#: An A3 poster of the title and the section summaries, to append to MINIMAL.
POSTER = "posters:\n  - name: a3\n    size: A3\n    shows: [title, summaries]\n    distance: 2\n"


def make_print_project(folder: Path, text: str = MINIMAL) -> Path:
    """``make_project`` with a photo large enough to print sharply at its placed size
    (a build's preflight refuses a blurred one)."""
    from PIL import Image

    path = make_project(folder, text)
    Image.new("RGB", (1800, 1200), (180, 120, 90)).save(folder / "images" / "p1.jpg", quality=90)
    return path


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def copy_project(folder: Path, edit=None, data=None) -> Path:
    """A copy of the project's content.yaml with its images, in ``folder``.

    ``edit`` changes the YAML text; ``data`` changes the loaded data, which is then written back.
    """
    import shutil

    import yaml

    shutil.copytree(ROOT / "images", folder / "images", dirs_exist_ok=True)
    text = (ROOT / "content.yaml").read_text(encoding="utf-8")
    if edit is not None:
        text = edit(text)
    if data is not None:
        tree = yaml.safe_load(text)
        data(tree)
        text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=10_000)
    path = folder / "content.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def start(folder: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    """``brochure build content.yaml -o out`` started in ``folder``, not waited for."""
    return subprocess.Popen([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "out", *args],
                            cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


#: The tool's own record of what it wrote into an output folder (kept there, hidden, on purpose).
RECORD = ".brochure-outputs.json"


def temps(out: Path) -> list[str]:
    """The hidden (temporary) files in ``out``; not the tool's record of its outputs."""
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".") and p.name != RECORD)


def listing(out: Path) -> list[str]:
    """The names in ``out``, but the tool's record of its outputs."""
    return sorted(p.name for p in out.iterdir() if p.name != RECORD)


def wait_for_temp(proc: subprocess.Popen, out: Path, timeout: float = 120.0) -> list[str]:
    """Poll until the build has started writing into out/ (a temporary file exists)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [n for n in temps(out) if n.startswith(".brochure.~")]
        if found:
            return found
        if proc.poll() is not None:
            pytest.fail(f"the build ended before it wrote anything: {proc.returncode}\n{proc.stderr.read()}")
        time.sleep(0.002)
    proc.kill()
    pytest.fail("the build never started writing")


def build_project(path: Path, *args: str):
    """Run ``brochure build`` on ``path`` in a fresh process; returns the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "brochure", "build", str(path), *args],
                          capture_output=True, text=True, timeout=600)


def on_terminal(args: list[str], cwd: Path, *, env: dict | None = None, answers: dict[bytes, bytes] | None = None,
                timeout: float = 300.0) -> str:
    """``brochure *args`` run with a pseudo-terminal as its input and output (as a staff member runs it);
    everything it wrote there.  ``answers``: what to type once a prompt containing the key appears."""
    import os
    import pty

    env = {**(env if env is not None else os.environ), "PYTHONPATH": str(ROOT)}
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "brochure", *args], cwd=cwd, env=env,
                            stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    seen, pending = b"", dict(answers or {})
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                chunk = os.read(leader, 4096)
            except OSError:              # the child has closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            for prompt in [p for p in pending if p in seen]:
                os.write(leader, pending.pop(prompt))
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    return text


#: MINIMAL with a second paragraph and the A3 poster: a project whose outputs the cache tests build.
TWO_PARAGRAPHS = MINIMAL.replace("生产能力。\n", "生产能力。\n      - 园区内共有规模企业27家，其中高新技术企业9家。\n") + POSTER


def two_paragraph_project(folder: Path) -> Path:
    return make_print_project(folder, TWO_PARAGRAPHS)


def tool(name: str):
    """tools/NAME.py as a module: the audits read only the PDF and import nothing of brochure."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module          # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def composition_audit():
    return tool("composition_audit")


@pytest.fixture(scope="session")
def every_preset_built(tmp_path_factory):
    """(content, out/) of the project with one poster of each preset (``variants.every_preset``), built once
    for the whole session: the poster tests all read the same ten posters."""
    from brochure.content import load
    from variants import every_preset

    folder = tmp_path_factory.mktemp("presets")
    path = copy_project(folder, data=every_preset)
    run = build_project(path)
    assert run.returncode == 0, run.stderr
    return load(path), folder / "out"

