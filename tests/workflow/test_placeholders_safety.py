"""Placeholders never replace a staff member's file, and a bad content file is said, never a traceback.

* a real photo is kept, ``--force`` or not, byte for byte;
* only a placeholder this tool made (its JPEG comment carries ``MARK``) is drawn
  again, and only with ``--force``;
* nothing is written outside images/ or through a symbolic link (a photo's file
  naming content.yaml, a font, ../ or a link to elsewhere);
* no message invites ``--force`` to overwrite;
* bad content files (a list for photos:, a photo without file:, file: 123, UTF-16,
  YAML syntax errors, a missing file) give the loader's own located, bilingual
  message with status 2, from ``brochure placeholders`` and from
  tools/make_placeholders.py (what tools/setup.sh runs).
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from brochure.cli import main
from brochure.workflow.placeholders import MARK, is_placeholder, make_placeholders
from conftest import MINIMAL, ROOT

TOOL = ROOT / "tools" / "make_placeholders.py"


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def content(folder: Path, photos: str) -> Path:
    """MINIMAL with its photos: replaced by ``photos`` (p1 must stay defined: the lead uses it)."""
    text = MINIMAL.split("photos:\n  p1:")[0] + "photos:\n" + photos
    path = folder / "content.yaml"
    path.write_text(text, encoding="utf-8")
    return path


P1 = "  p1:\n    file: images/p1.jpg\n    caption: 三旺村百合花开。\n    credit: 李健 摄\n"


def test_a_real_photo_is_kept_even_with_force(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "images").mkdir()
    Image.new("RGB", (60, 40), (1, 2, 3)).save(tmp_path / "images" / "p1.jpg")
    path = content(tmp_path, P1)
    before = digests(tmp_path)
    assert main(["placeholders", str(path), "--force"]) == 0
    out = capsys.readouterr().out
    assert "保留 kept  images/p1.jpg" in out and "a placeholder never replaces it" in out
    assert "--force" not in out and "overwrite" not in out
    assert digests(tmp_path) == before


def test_only_a_placeholder_of_its_own_is_drawn_again_and_only_with_force(tmp_path):
    path = content(tmp_path, P1)
    made = make_placeholders(path)
    assert [m.status for m in made] == ["made"]
    target = tmp_path / "images" / "p1.jpg"
    assert is_placeholder(target)
    with Image.open(target) as im:
        assert im.info.get("comment") == MARK and im.format == "JPEG"
    first = target.read_bytes()
    path.write_text(path.read_text(encoding="utf-8").replace("三旺村百合花开。", "另一段图说。"), encoding="utf-8")
    assert [m.status for m in make_placeholders(path)] == ["kept"]
    assert target.read_bytes() == first                      # without --force: kept
    assert [m.line() for m in make_placeholders(path, force=True)][0].startswith("生成 made  images/p1.jpg")
    assert target.read_bytes() != first and is_placeholder(target)     # drawn again with the new caption


def test_a_jpeg_with_another_comment_is_a_real_photo(tmp_path):
    (tmp_path / "images").mkdir()
    Image.new("RGB", (60, 40)).save(tmp_path / "images" / "p1.jpg", comment=b"brochure placeholder")
    assert not is_placeholder(tmp_path / "images" / "p1.jpg")
    path = content(tmp_path, P1)
    before = digests(tmp_path)
    assert [m.status for m in make_placeholders(path, force=True)] == ["kept"]
    assert digests(tmp_path) == before


@pytest.mark.parametrize("file, why", [
    ("images/../content.yaml", "a supported format"),         # not an image name: refused as check refuses it
    ("images/../fonts/x.jpg", "images/ only"),
    ("p2.jpg", "images/ only"),
    ("images/link.jpg", "symbolic link"),
    ("images/sub/link.jpg", "symbolic link"),
])
def test_nothing_outside_images_or_through_a_link_is_written(tmp_path, capsys, file, why):
    (tmp_path / "images").mkdir()
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "font.ttf").write_bytes(b"a font, not to be touched")
    (tmp_path / "images" / "link.jpg").symlink_to("../fonts/font.ttf")
    (tmp_path / "images" / "sub").symlink_to("../fonts")
    Image.new("RGB", (60, 40)).save(tmp_path / "images" / "p1.jpg")
    path = content(tmp_path, P1 + f"  p2:\n    file: {file}\n    caption: 图说。\n    credit: 某某 摄\n")
    before = digests(tmp_path)
    code = main(["placeholders", str(path), "--force"])
    said = capsys.readouterr()
    assert why in said.out + said.err and "Traceback" not in said.err
    assert code == (2 if why == "a supported format" else 0)
    assert digests(tmp_path) == before
    assert (tmp_path / "images" / "link.jpg").is_symlink() and (tmp_path / "images" / "sub").is_symlink()


BAD = {
    "a list for photos:": (lambda t: t.split("photos:\n")[0] + "photos:\n  - images/p1.jpg\n",
                           "“photos”应为键值表", "'photos' must be a mapping"),
    "a photo without file:": (lambda t: t.replace("    file: images/p1.jpg\n", ""),
                              "缺少必填项“file”", "missing the required key 'file'"),
    "file: 123": (lambda t: t.replace("file: images/p1.jpg", "file: 123"),
                  "格式不受支持", "not a supported format"),
    # said as advice since the messages were rewritten; the parser's own words ("YAML syntax error: expected …") no more
    "a syntax error": (lambda t: t.replace("  p1:\n", "  p1: [\n"), "YAML 读不懂这里的写法",
                       "YAML cannot read what is written here"),
    "a tab indent": (lambda t: t.replace("    file: images/p1.jpg", "\tfile: images/p1.jpg"), "", ""),
    "an empty file": (lambda t: "", "内容文件是空的", "the content file is empty"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_content_file_is_said_as_check_says_it(tmp_path, case):
    edit, zh, en = BAD[case]
    path = tmp_path / "content.yaml"
    path.write_text(edit(MINIMAL), encoding="utf-8")
    before = digests(tmp_path)
    for command in ([sys.executable, "-m", "brochure", "placeholders", "content.yaml"],
                    [sys.executable, str(TOOL), "--content", "content.yaml"]):
        run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert run.stderr.startswith("错误 error: content.yaml:") and zh in run.stderr and en in run.stderr
        check = subprocess.run([sys.executable, "-m", "brochure", "check", "content.yaml"], cwd=tmp_path,
                               capture_output=True, text=True, timeout=120)
        if case != "file: 123":                     # check says the file is not there; placeholders, why not
            assert check.stderr.splitlines()[0] == run.stderr.splitlines()[0]
        assert digests(tmp_path) == before


@pytest.mark.parametrize("encoding, zh", [("utf-16", "UTF-16"), ("gb18030", "GBK")])
def test_a_content_file_not_in_utf8_is_said(tmp_path, encoding, zh):
    (tmp_path / "content.yaml").write_bytes(MINIMAL.encode(encoding))
    run = subprocess.run([sys.executable, str(TOOL), "--content", "content.yaml"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "Traceback" not in run.stderr and zh in run.stderr and "UTF-8" in run.stderr
    assert not (tmp_path / "images").exists()


def test_a_missing_content_file_is_said(tmp_path, capsys):
    assert main(["placeholders", str(tmp_path / "nothing.yaml")]) == 2
    err = capsys.readouterr().err
    assert "找不到这个内容文件" in err and "does not exist" in err

