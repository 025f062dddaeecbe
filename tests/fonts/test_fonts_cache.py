"""Font caches: per-face glyph store, assembled fonts, fontconfig answers, process memory, fast outlines."""
from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from brochure.fonts import FontLibrary
from brochure.fonts import convert, library
from brochure.fonts.discover import LookupCache
from brochure.fonts.glyphstore import GlyphStore
from brochure.fonts.library import default_cache_dir

ROOT = Path(__file__).resolve().parents[2]
NOTO = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"
TEXT = "奋进新征程，建功新时代。非凡10年·渌口篇——“荣誉榜”（摘选）……株洲市渌口区高分子新材料"
NEW = "龘"                      # in Noto CJK, in no test text, no vertical form: exactly one new glyph
FOUR = [(SERIF, "Regular"), (SANS, "Bold"), (SERIF, "Bold"), (SANS, "Regular")]

pytestmark = pytest.mark.skipif(not NOTO.exists(), reason="fonts-noto-cjk is not installed")


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                          capture_output=True, text=True, env=env, check=True, timeout=120)


def _store_file(cache: Path) -> Path:
    (found,) = cache.glob("*.glyphs")
    return found


def _serif_key(cache: Path) -> str:
    return FontLibrary(ROOT, cache).store_key(SERIF, "Regular")


# --- the glyph store ----------------------------------------------------------------------------------
def test_a_new_character_converts_one_glyph(tmp_path):
    lib = FontLibrary(ROOT, tmp_path)
    first = lib.face(SERIF, "Regular", TEXT)
    assert lib.conversions == 1 and lib.glyph_conversions > len(set(TEXT))   # plus ASCII, punctuation, vertical forms

    again = FontLibrary(ROOT, tmp_path)
    grown = again.face(SERIF, "Regular", TEXT + NEW)
    assert again.conversions == 1 and again.glyph_conversions == 1
    assert grown.has(NEW) and not first.has(NEW)
    assert grown.path != first.path

    fewer = again.face(SERIF, "Regular", TEXT[:5])      # a subset: assembled from the store, nothing converted
    assert again.glyph_conversions == 1
    assert fewer.has(TEXT[0]) and not fewer.has("株")


def test_font_from_the_store_equals_a_font_converted_from_scratch(tmp_path):
    grown = FontLibrary(ROOT, tmp_path / "a")
    grown.face(SERIF, "Regular", "株洲")                 # the store first holds other characters
    grown.face(SERIF, "Regular", TEXT[:10])
    incremental = grown.face(SERIF, "Regular", TEXT)
    scratch = FontLibrary(ROOT, tmp_path / "b").face(SERIF, "Regular", TEXT)
    assert incremental.path.read_bytes() == scratch.path.read_bytes()
    assert incremental.name == scratch.name


def test_cache_written_by_one_process_is_used_by_another(tmp_path):
    code = """
        import sys; from pathlib import Path
        from brochure.fonts import FontLibrary
        lib = FontLibrary(Path(sys.argv[1]), Path(sys.argv[2]))
        lib.face(sys.argv[3], 'Regular', sys.argv[4])
        print(lib.conversions, lib.glyph_conversions, 'fontTools' in sys.modules)
    """
    first = _run(code, str(ROOT), str(tmp_path), SERIF, TEXT).stdout.split()
    assert first[0] == "1" and int(first[1]) > 0
    same = _run(code, str(ROOT), str(tmp_path), SERIF, TEXT).stdout.split()
    assert same == ["0", "0", "False"]
    grown = _run(code, str(ROOT), str(tmp_path), SERIF, TEXT + NEW).stdout.split()
    assert grown[:2] == ["1", "1"]
    lib = FontLibrary(ROOT, tmp_path)                   # and this process, too
    lib.face(SERIF, "Regular", TEXT + NEW)
    assert lib.conversions == 0


def test_warm_run_imports_no_fonttools_and_runs_no_program(tmp_path):
    lib = FontLibrary(ROOT, tmp_path)
    for family, style in FOUR:
        lib.face(family, style, TEXT)
    code = """
        import os, subprocess, sys; from pathlib import Path
        def refuse(*a, **k):
            raise AssertionError('a warm run must not start a process')
        subprocess.run = subprocess.Popen = subprocess.check_output = os.fork = os.posix_spawn = refuse
        from brochure.fonts import FontLibrary
        lib = FontLibrary(Path(sys.argv[1]), Path(sys.argv[2]))
        for family, style in [(a, b) for a, b in zip(sys.argv[3::2], sys.argv[4::2])]:
            face = lib.face(family, style, %r)
            assert face.has('株')
        print(lib.conversions, 'fontTools' in sys.modules)
    """ % TEXT
    args = [a for pair in FOUR for a in pair]
    out = _run(code, str(ROOT), str(tmp_path), *args)
    assert out.stdout.split() == ["0", "False"]
    assert "正在准备字体" not in out.stderr


def test_fontconfig_answer_is_remembered_and_checked(tmp_path, monkeypatch):
    FontLibrary(ROOT, tmp_path).source(SERIF, "Regular")
    lookups = json.loads((tmp_path / "lookups.json").read_text(encoding="utf-8"))
    assert lookups["system"][f"{SERIF}\tRegular"][0] == str(NOTO)

    def refuse(*a, **k):
        raise AssertionError("fc-list must not run when the answer is remembered")
    monkeypatch.setattr(subprocess, "run", refuse)
    assert FontLibrary(ROOT, tmp_path).source(SERIF, "Regular").path == NOTO
    monkeypatch.undo()

    # a remembered file that changed (size or date) is asked for again
    lookups["system"][f"{SERIF}\tRegular"][2] += 1
    (tmp_path / "lookups.json").write_text(json.dumps(lookups), encoding="utf-8")
    calls = []
    real = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert FontLibrary(ROOT, tmp_path).source(SERIF, "Regular").path == NOTO
    assert calls


def test_a_font_added_to_the_project_wins_over_a_remembered_system_font(tmp_path):
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not dejavu.exists():
        pytest.skip("DejaVu not installed")
    project, cache = tmp_path / "project", tmp_path / "cache"
    project.mkdir()
    assert FontLibrary(project, cache).source("DejaVu Sans", "Book").path == dejavu
    (project / "fonts").mkdir()
    shutil.copy(dejavu, project / "fonts" / "Mine.ttf")
    lib = FontLibrary(project, cache)
    assert lib.source("DejaVu Sans", "Book").path == project / "fonts" / "Mine.ttf"
    assert lib.face("DejaVu Sans", "Book", "Hello").advance("H") > 0.5
    (project / "fonts" / "Mine.ttf").unlink()           # and gone again: the system's
    assert FontLibrary(project, cache).source("DejaVu Sans", "Book").path == dejavu


# --- damaged caches ------------------------------------------------------------------------------------
def _other_face_store(tmp_path: Path) -> bytes:
    lib = FontLibrary(ROOT, tmp_path / "other")
    lib.face(SANS, "Bold", TEXT)
    return _store_file(tmp_path / "other").read_bytes()


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "other-face", "old-format"])
def test_a_damaged_glyph_store_is_ignored_and_rebuilt(tmp_path, damage):
    cache = tmp_path / "cache"
    reference = FontLibrary(ROOT, tmp_path / "reference").face(SERIF, "Regular", TEXT).path.read_bytes()
    FontLibrary(ROOT, cache).face(SERIF, "Regular", TEXT)
    store = _store_file(cache)
    data = store.read_bytes()
    damaged = {
        "truncate": data[: len(data) // 2],
        "flip": data[:-100] + bytes([data[-100] ^ 0x40]) + data[-99:],
        "garbage": os.urandom(len(data)),
        "empty": b"",
        "other-face": _other_face_store(tmp_path),
        "old-format": data[:16] + b"\x00\x01" + data[18:],
    }[damage]
    store.write_bytes(damaged)
    for entry in list(cache.glob("*.ttf")) + list(cache.glob("*.json")):
        if entry.name != "lookups.json":
            entry.unlink()                          # so the font is assembled from the store again
    lib = FontLibrary(ROOT, cache)
    face = lib.face(SERIF, "Regular", TEXT)
    assert lib.conversions == 1                     # converted afresh, nothing taken from the damaged file
    assert face.path.read_bytes() == reference
    restored = GlyphStore.load(store, _serif_key(cache))     # rewritten whole
    assert restored is not None and ord("株") in restored.chars


@pytest.mark.parametrize("what", ["ttf", "json", "both"])
def test_a_damaged_assembled_font_is_rebuilt(tmp_path, what):
    lib = FontLibrary(ROOT, tmp_path)
    face = lib.face(SERIF, "Regular", TEXT)
    good = face.path.read_bytes()
    meta = face.path.with_suffix(".json")
    if what in ("ttf", "both"):
        face.path.write_bytes(good[: len(good) // 3])
    if what in ("json", "both"):
        meta.write_text('{"metrics": {"family": ', encoding="utf-8")
    again = FontLibrary(ROOT, tmp_path)
    rebuilt = again.face(SERIF, "Regular", TEXT)
    assert again.glyph_conversions == 0             # the glyph store still serves
    assert rebuilt.path.read_bytes() == good
    assert rebuilt.advance("新") == pytest.approx(1.0) and rebuilt.halt("，") == pytest.approx((0.0, 0.5))


def test_a_damaged_lookup_file_is_ignored(tmp_path):
    FontLibrary(ROOT, tmp_path).face(SERIF, "Regular", TEXT)
    (tmp_path / "lookups.json").write_bytes(b"\x00{not json")
    lib = FontLibrary(ROOT, tmp_path)
    assert lib.face(SERIF, "Regular", TEXT).has("株") and lib.conversions == 0
    assert json.loads((tmp_path / "lookups.json").read_text(encoding="utf-8"))["format"] == LookupCache(tmp_path).format


def test_processes_writing_the_cache_at_once_keep_it_whole(tmp_path):
    code = """
        import sys; from pathlib import Path
        from brochure.fonts import FontLibrary
        face = FontLibrary(Path(sys.argv[1]), Path(sys.argv[2])).face(sys.argv[3], 'Regular', sys.argv[4])
        assert all(face.has(c) for c in sys.argv[4])
        print(face.path)
    """
    texts = ["株洲市渌口区", "高分子新材料产业", "奋进新征程建功新时代", "荣誉榜摘选国家级产粮大县", "油茶种植面积"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), str(ROOT), str(tmp_path), SERIF, t],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for t in texts]
    paths = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        paths.append(Path(out.strip()))
    for path, text in zip(paths, texts):
        cmap = TTFont(str(path)).getBestCmap()
        assert all(ord(c) in cmap for c in text)
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))
    store = GlyphStore.load(_store_file(tmp_path), _serif_key(tmp_path))
    assert store is not None
    # every process merged under the lock, so the store holds every text's characters
    assert all(ord(c) in store.chars for t in texts for c in t)


# --- a library's memory (a watch session keeps one library) ---------------------------------------------
def test_an_unchanged_request_to_one_library_returns_the_same_face(tmp_path):
    lib = FontLibrary(ROOT, tmp_path)
    face = lib.face(SERIF, "Regular", TEXT)
    conversions = lib.conversions
    for entry in tmp_path.iterdir():                    # not read again: the disk may even be gone
        if entry.suffix in (".ttf", ".json") and entry.name != "lookups.json":
            entry.unlink()
    assert lib.face(SERIF, "Regular", set(TEXT)) is face
    assert lib.conversions == conversions
    glyphs = lib.glyph_conversions
    grown = lib.face(SERIF, "Regular", TEXT + NEW)     # grown: only the new glyph, from the store in memory
    assert lib.glyph_conversions == glyphs + 1 and grown.has(NEW)


# --- fast paths agree with fontTools ------------------------------------------------------------------------
def test_fast_cff_outlines_equal_fonttools_outlines():
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    from brochure.fonts.outlines import CFFReader
    from brochure.fonts.sfnt import FontFile

    ff = FontFile(NOTO, 2)
    reader = CFFReader(ff.buf, ff.tables["CFF "][0])
    font = TTFont(str(NOTO), fontNumber=2, lazy=True)
    order, glyph_set, cmap = font.getGlyphOrder(), font.getGlyphSet(), font.getBestCmap()
    upm = font["head"].unitsPerEm
    gids = {font.getGlyphID(cmap[ord(c)]) for c in TEXT + NEW + "，。、“”（）《》…—·" if ord(c) in cmap}
    gids |= set(range(0, len(order), 997))              # a spread over the whole font
    for cp, name in list(cmap.items())[::400]:
        gids.add(font.getGlyphID(name))
        assert ff.glyph_id(cp) == font.getGlyphID(name)
    assert ff.glyph_id(0x1F600) == 0
    for gid in sorted(gids):
        pen = TTGlyphPen(None)
        glyph_set[order[gid]].draw(Cu2QuPen(pen, max_err=upm / 1000, reverse_direction=True))
        assert reader.glyph_data(gid, upm / 1000) == pen.glyph().compile(None), order[gid]
        assert ff.advance(gid) == font["hmtx"][order[gid]][0]
    ff.close()


def test_converted_font_matches_the_layout_data_of_the_source(tmp_path):
    face = FontLibrary(ROOT, tmp_path).face(SERIF, "Regular", TEXT)
    font = TTFont(face.path)
    assert font["maxp"].numGlyphs == len(font.getGlyphOrder())
    cmap = font.getBestCmap()
    for ch in set(TEXT):
        assert ord(ch) in cmap
        assert font["hmtx"][cmap[ord(ch)]][0] == round(face.advance(ch) * 1000)
    verts = {ch: face.vert(ch) for ch in face.chars() if face.vert(ch)}
    assert verts
    for ch, pua in verts.items():
        assert cmap[ord(pua)] != cmap[ord(ch)]
    head = font["head"]
    glyf = font["glyf"]
    boxes = [glyf[n] for n in font.getGlyphOrder() if glyf[n].numberOfContours > 0]
    assert head.xMin == min(g.xMin for g in boxes) and head.yMax == max(g.yMax for g in boxes)
    assert font["hhea"].advanceWidthMax == max(a for a, _ in font["hmtx"].metrics.values())


@pytest.fixture
def forking(monkeypatch):
    """Make the library fork a child for small conversions too; yields the children it started."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    monkeypatch.setattr(convert, "_cpus", lambda: 2)
    monkeypatch.setattr(convert.threading, "active_count", lambda: 1)
    monkeypatch.setattr(convert, "PARALLEL_MIN_GLYPHS", 20)
    children = []
    real = convert.start_parallel
    monkeypatch.setattr(convert, "start_parallel", lambda *a: children.append(c := real(*a)) or c)
    return children


def _serial_font(tmp_path: Path, monkeypatch) -> bytes:
    monkeypatch.setattr(convert, "PARALLEL_MIN_GLYPHS", 10**9)
    return FontLibrary(ROOT, tmp_path / "serial").face(SERIF, "Regular", TEXT).path.read_bytes()


def test_parallel_conversion_gives_the_same_font(tmp_path, monkeypatch, forking):
    parallel = FontLibrary(ROOT, tmp_path / "p").face(SERIF, "Regular", TEXT)
    assert any(forking)
    assert parallel.path.read_bytes() == _serial_font(tmp_path, monkeypatch)


def test_a_failing_child_process_is_made_up_for(tmp_path, monkeypatch, forking):
    parent = os.getpid()
    real = convert.convert_glyphs

    def fails_in_the_child(face, gids):
        if os.getpid() != parent:
            raise RuntimeError("child died")
        return real(face, gids)
    monkeypatch.setattr(convert, "convert_glyphs", fails_in_the_child)
    face = FontLibrary(ROOT, tmp_path / "p").face(SERIF, "Regular", TEXT)
    assert any(forking)
    monkeypatch.setattr(convert, "convert_glyphs", real)
    assert face.path.read_bytes() == _serial_font(tmp_path, monkeypatch)


def test_an_interrupted_conversion_ends_its_child(tmp_path, monkeypatch, forking):
    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(convert, "build_info", interrupted)
    with pytest.raises(KeyboardInterrupt):
        FontLibrary(ROOT, tmp_path).face(SERIF, "Regular", TEXT)
    (child,) = [c for c in forking if c]
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)          # already reaped: no process left behind


# --- where the cache lives ----------------------------------------------------------------------------------
def cache_of_environment():
    """The cache folder this process's environment names, as the command line reads it."""
    from brochure.workflow.environment import process_environment

    return process_environment().cache


def test_cache_folder_is_used_as_given(tmp_path, monkeypatch):
    FontLibrary(ROOT, tmp_path).face(SERIF, "Regular", "中")
    names = {p.suffix for p in tmp_path.iterdir()}
    assert {".glyphs", ".ttf", ".json"} <= names
    assert not (tmp_path / "fonts").exists()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir(cache_of_environment()) == tmp_path / "xdg" / "brochure" / "fonts"


def test_the_default_fonts_folder_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = default_cache_dir(cache_of_environment())
    FontLibrary(ROOT, folder).face(SERIF, "Regular", "中")
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir() if p.is_file()} == {0o600}
    folder.chmod(0o777)                                   # writable by anyone: not used
    assert default_cache_dir(cache_of_environment()) != folder


def test_fonts_of_the_old_nested_layout_are_removed(tmp_path):
    cache = tmp_path / "fonts"
    (cache / "fonts").mkdir(parents=True)
    (cache / "fonts" / ("ab" * 32 + ".ttf")).write_bytes(b"old")
    (cache / "fonts" / ("ab" * 32 + ".json")).write_text("{}")
    FontLibrary(ROOT, cache).face(SERIF, "Regular", "中")
    assert not (cache / "fonts").exists()


def test_old_assembled_fonts_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(library, "KEEP_ASSEMBLED", 3)
    lib = FontLibrary(ROOT, tmp_path)
    faces = [lib.face(SERIF, "Regular", TEXT[:n]) for n in range(2, 8)]
    kept = list(tmp_path.glob("*.ttf"))
    assert len(kept) == 3 and faces[-1].path in kept
    assert len([p for p in tmp_path.glob("*.json") if p.name != "lookups.json"]) == 3


# --- keyed by the code that makes them ------------------------------------------------------------------
def test_changed_code_reads_nothing_older_code_cached(tmp_path, monkeypatch):
    first = FontLibrary(ROOT, tmp_path)
    face = first.face(SERIF, "Regular", TEXT)
    LookupCache(tmp_path).find(ROOT, SERIF, "Regular")
    monkeypatch.setattr(library, "code_digest", lambda: "f" * 64)       # as if fonts/ had been edited
    again = FontLibrary(ROOT, tmp_path)
    other = again.face(SERIF, "Regular", TEXT)
    assert again.conversions == 1 and again.glyph_conversions == first.glyph_conversions
    assert other.metrics_key != face.metrics_key            # the line cache sets the paragraphs again
    assert other.path != face.path


def test_no_cache_version_is_written_by_hand():
    for path in (ROOT / "brochure" / "fonts").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*[A-Z_]*(FORMAT|VERSION)\s*=\s*\d", text, re.M), path


def test_old_glyph_stores_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(library, "KEEP_STORES", 2)
    for n in range(3):                      # three versions of the code, one store each
        monkeypatch.setattr(library, "code_digest", lambda n=n: f"{n}" * 64)
        FontLibrary(ROOT, tmp_path).face(SERIF, "Regular", "中")
    assert len(list(tmp_path.glob("*.glyphs"))) == 2
    assert len(list(tmp_path.glob("*.glyphs.lock"))) == 2
    newest = FontLibrary(ROOT, tmp_path).store_key(SERIF, "Regular")     # the last code's
    assert (tmp_path / f"{newest[:40]}.glyphs").exists()
