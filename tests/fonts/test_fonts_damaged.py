"""A damaged font that content.yaml asks for: a clear error naming the file, cold or warm, never a traceback.

A font's identity covers every byte of its file, so a cache made from the good
file is never used for a damaged copy at the same place (even with its size and
modification time kept): the result does not depend on the cache.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from brochure.fonts import FontLibrary
from brochure.fonts.sfnt import FontFile
from brochure.ground.errors import FontError
from conftest import MINIMAL, make_print_project

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
SERIF = "Noto Serif CJK SC"
TEXT = "奋进新征程，建功新时代。渌口区高分子新材料"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not NOTO.exists(), reason="fonts-noto-cjk is not installed")


def _serif_face_index() -> int:
    from brochure.fonts.discover import find_in_system
    return find_in_system(SERIF, "Regular").index


def _table(path: Path, tag: str) -> tuple[int, int]:
    ff = FontFile(path, _serif_face_index())
    try:
        return ff.tables[tag]
    finally:
        ff.close()


def _glyph_bytes(path: Path, ch: str) -> tuple[int, int]:
    """Where in the file the CFF charstring of ``ch`` lies (start, end)."""
    from brochure.fonts.cff import CFFTable
    ff = FontFile(path, _serif_face_index())
    try:
        table = CFFTable(ff.buf, ff.tables["CFF "][0])
        return table.charstrings.bounds(ff.glyph_id(ord(ch)))
    finally:
        ff.close()


def damage(path: Path, where: str) -> None:
    """Overwrite bytes of the copy ``path`` in place, keeping its size and modification time."""
    st = path.stat()
    data = bytearray(path.read_bytes())
    if where == "cff-start":
        at = _table(path, "CFF ")[0] + 40
        data[at:at + 64] = bytes(range(64))
    elif where == "cff-middle":
        offset, length = _table(path, "CFF ")
        at = offset + length // 2
        data[at:at + 64] = bytes(range(64))
    elif where == "cff-glyph":                  # inside the outline of a character the text sets
        start, end = _glyph_bytes(path, "渌")
        data[start:end] = bytes([0]) * (end - start)     # operator 0 is reserved: not a charstring
    elif where == "gsub":
        offset, length = _table(path, "GSUB")
        data[offset + length // 2] ^= 0x5A
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _project_with_copy(tmp_path: Path) -> tuple[Path, Path]:
    project = tmp_path / "project"
    (project / "fonts").mkdir(parents=True)
    copy = project / "fonts" / NOTO.name
    shutil.copyfile(NOTO, copy)
    return project, copy


def _outcome(project: Path, cache: Path, text: str = TEXT):
    """The font's bytes, or the error's message: what a build would get."""
    try:
        return FontLibrary(project, cache).face(SERIF, "Regular", text).path.read_bytes()
    except FontError as exc:
        return str(exc)


def _assert_names_the_file(message: str, copy: Path) -> None:
    assert str(copy) in message
    assert "已损坏" in message and "damaged" in message
    assert "fonts/" in message and "copy the font file again" in message
    assert "Traceback" not in message


@pytest.mark.parametrize("where", ["cff-start", "cff-glyph", "gsub"])
def test_a_damaged_font_is_a_clear_error_cold_and_warm(tmp_path, where):
    project, copy = _project_with_copy(tmp_path)
    warm = tmp_path / "warm"
    good = FontLibrary(project, warm).face(SERIF, "Regular", TEXT)     # the cache made from the good file
    assert good.has("渌")
    damage(copy, where)

    with pytest.raises(FontError) as cold:
        FontLibrary(project, tmp_path / "cold").face(SERIF, "Regular", TEXT)
    _assert_names_the_file(str(cold.value), copy)
    with pytest.raises(FontError) as again:
        FontLibrary(project, warm).face(SERIF, "Regular", TEXT)
    assert str(again.value) == str(cold.value)


def test_a_library_kept_open_sees_the_file_damaged_under_it(tmp_path):
    """``brochure watch`` keeps one library: a font damaged between two saves is not taken from its memory."""
    project, copy = _project_with_copy(tmp_path)
    lib = FontLibrary(project, tmp_path / "cache")
    lib.face(SERIF, "Regular", TEXT)
    damage(copy, "cff-start")
    with pytest.raises(FontError):
        lib.face(SERIF, "Regular", TEXT)


def test_damage_outside_the_characters_used_gives_the_same_result_cold_and_warm(tmp_path):
    project, copy = _project_with_copy(tmp_path)
    warm = tmp_path / "warm"
    _outcome(project, warm)
    damage(copy, "cff-middle")
    cold = _outcome(project, tmp_path / "cold")
    assert _outcome(project, warm) == cold
    if isinstance(cold, bytes):                  # the damage missed every glyph the text needs
        assert cold == _outcome(project, tmp_path / "cold-again")


def test_the_file_s_digest_is_remembered_only_while_the_file_is_unchanged(tmp_path, monkeypatch):
    import hashlib

    from brochure.fonts.identity import file_digest
    font = tmp_path / "f.ttf"
    font.write_bytes(b"\0\1\0\0" + bytes(100))
    first = file_digest(font, tmp_path / "cache")
    assert first == hashlib.sha256(font.read_bytes()).hexdigest()
    assert list((tmp_path / "cache").glob("*.sum"))
    with monkeypatch.context() as m:
        m.setattr(hashlib, "file_digest", lambda *a: pytest.fail("an unchanged file is not read again"))
        assert file_digest(font, tmp_path / "cache") == first
    assert file_digest(font, tmp_path / "cache", code="other") == first      # other code: hashed afresh
    st = font.stat()
    font.write_bytes(b"\0\1\0\0" + bytes(99) + b"\1")
    os.utime(font, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert file_digest(font, tmp_path / "cache") != first


# --- the whole build: exit 2, out/ untouched ----------------------------------------------------------
FONTS = """settings:
  fonts:
    body:    {family: Noto Serif CJK SC, style: Regular}
    heading: {family: Noto Sans CJK SC, style: Bold}
    display: {family: Noto Sans CJK SC, style: Bold}
    caption: {family: Noto Sans CJK SC, style: Regular}
"""


def _build(project: Path, cache: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), PYTHONPATH=str(ROOT), BROCHURE_JOBS="1")
    return subprocess.run([sys.executable, "-m", "brochure", "build", "content.yaml", "-o", "out", "--only", "brochure"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=600)


def _snapshot(out: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_a_build_asking_for_a_damaged_font_exits_2_and_leaves_out_as_it_was(tmp_path):
    project, copy = _project_with_copy(tmp_path)
    make_print_project(project, MINIMAL + FONTS)
    cache = tmp_path / "cache"
    first = _build(project, cache)                        # warm: built from the good copy
    assert first.returncode == 0, first.stderr
    out = project / "out"
    before = _snapshot(out)
    damage(copy, "cff-start")
    for run in (_build(project, cache), _build(project, tmp_path / "cold")):
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr
        _assert_names_the_file(run.stderr, copy)
        assert "content.yaml:" in run.stderr              # the settings line that asked for the font
        assert _snapshot(out) == before


@pytest.mark.parametrize("tag", FontFile.VERIFIED_TABLES)
def test_a_byte_changed_in_any_table_read_whole_is_found(tmp_path, tag):
    project, copy = _project_with_copy(tmp_path)
    offset, length = _table(copy, tag)
    data = bytearray(copy.read_bytes())
    data[offset + length // 3] ^= 0x01
    copy.write_bytes(bytes(data))
    with pytest.raises(FontError) as err:
        FontLibrary(project, tmp_path / "cache").face(SERIF, "Regular", "中")
    _assert_names_the_file(str(err.value), copy)
    assert tag in str(err.value)                          # the English half says which table


def test_a_truncated_copy_whose_names_cannot_be_read_is_skipped_with_a_warning(tmp_path):
    """Its names cannot be read, so nothing says it is the family asked for: the system's face
    serves, and the build names the file it skipped."""
    project, copy = _project_with_copy(tmp_path)
    copy.write_bytes(copy.read_bytes()[: copy.stat().st_size // 2])
    lib = FontLibrary(project, tmp_path / "cache")
    assert lib.face(SERIF, "Regular", "中").has("中")
    assert lib.source(SERIF, "Regular").path != copy
    assert any(str(copy) in str(w) for w in lib.warnings())


@pytest.mark.parametrize("how", ["units-per-em-zero", "table-past-the-end"])
def test_other_damage_is_a_font_error_naming_the_file(tmp_path, how):
    project, copy = _project_with_copy(tmp_path)
    data = bytearray(copy.read_bytes())
    if how == "units-per-em-zero":
        offset, _ = _table(copy, "head")
        data[offset + 18:offset + 20] = b"\0\0"
    else:                                                 # the directory's record of GSUB claims too much
        ff = FontFile(copy, _serif_face_index())
        at = ff.directory.index(b"GSUB")
        start = data.index(ff.directory)
        ff.close()
        data[start + at + 12:start + at + 16] = (len(data)).to_bytes(4, "big")
    copy.write_bytes(bytes(data))
    with pytest.raises(FontError) as err:
        FontLibrary(project, tmp_path / "cache").face(SERIF, "Regular", "中")
    assert str(copy) in str(err.value) and "Traceback" not in str(err.value)
    assert err.value.zh and err.value.en
