"""FontLibrary: find, convert (once per glyph), cache and register the faces a document uses.

Three caches, each keyed by content, all in the cache folder given (the build
passes ``$XDG_CACHE_HOME/brochure/fonts``; it is used as it is):

* ``lookups.json``: family/style -> font file and face index (see
  ``discover.LookupCache``), so a warm build runs no ``fc-list``.
* ``<face>.glyphs``, one per source face (``glyphstore``): every glyph of that
  face converted so far.  ``<face>`` is the face's content identity: a hash of
  the file size, the face's table directory (tag, checksum, offset and length
  of every table) and its ``head`` table (whole-font checksum, dates).  Unlike
  path + modification time, it follows the font when it is copied, moved,
  touched or reinstalled unchanged, and it tells apart two fonts of the same
  size and date; reading it costs one small read, no parsing.
* ``<key>.ttf`` + ``<key>.json``: the TrueType font and layout metrics for one
  character set, ``<key>`` hashing the face identity, family, style and the
  characters.  A warm build reads these two files and never imports fontTools.
  Only the most recent ``KEEP_ASSEMBLED`` fonts are kept.

A character set never seen before converts only the characters the face's
store lacks (one new character: milliseconds) and assembles the font for the
set from the store.  The first conversion of a face splits its glyphs with a
forked process where that is safe and worth it.

One library also remembers faces, stores and identities in memory (the
session of ``brochure watch`` keeps one library for every rebuild), so an
unchanged request returns the same Face at once and a grown one converts just
the new glyphs.  The folder is private (0700, files 0600; see
``brochure.runtime.store``) and each assembled font is checked against the
sha256 in its ``.json`` before use.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Callable, Iterable

from brochure.runtime.store import Store, write_atomic
from brochure.ground.errors import BuildWarning, FontError
from brochure.runtime.files import read_regular
from brochure.fonts.convert import Metrics
from brochure.fonts.discover import FontSource, LookupCache, skipped_warning
from brochure.fonts.face import Face
from brochure.fonts.glyphstore import GlyphStore

CACHE_FORMAT = 2    # bump when the assembled font or the metrics change meaning
KEEP_ASSEMBLED = 64
_LEGACY_NAME = re.compile(r"[0-9a-f]{64}\.(ttf|json)|.*\.tmp")

# Always present, whatever the text: ASCII, and the CJK punctuation layout may
# introduce (ASCII , ; : ! ? ( ) next to Han become full-width) or commonly needs.
BASE_CHARS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + list("，。、；：！？“”‘’（）《》〈〉「」『』【】〔〕〖〗［］｛｝—…·～％‰℃°×÷±＋－＝／　▲●■◆★")
)

MEMORY_LIMIT = 64                 # faces, stores and identities one library remembers


def _remember(table: dict, key, value) -> None:
    if len(table) >= MEMORY_LIMIT:
        table.pop(next(iter(table)))
    table[key] = value


def default_cache_dir(cache: Path | None) -> Path | None:
    """The private fonts folder of the cache folder ``cache`` (the session's ``env.cache``, named by the
    command line); None when there is none, or it cannot be trusted (a library then converts in a folder of its own)."""
    return Store(cache).folder("fonts", scratch=False) if cache is not None else None


def _cannot_read(path: Path, exc: Exception) -> FontError:
    return FontError(f"无法读取字体文件 {path}：{exc}", f"cannot read font file {path}: {exc}")


class FontLibrary:
    """Faces for one project: its own ``fonts/`` folder first, then the system's fonts."""

    def __init__(self, project_root: Path, cache_dir: Path | None = None):
        self.project_root = Path(project_root)
        self._scratch = Store(None) if cache_dir is None else None      # a temporary folder, kept while the library is
        self.cache_dir = Path(cache_dir) if cache_dir is not None else self._scratch.folder("fonts")
        self.conversions = 0          # face requests that had to convert glyphs (not all cached)
        self.glyph_conversions = 0    # glyphs converted from a source font by this library
        self._sources: dict[tuple[str, str], FontSource] = {}
        self._faces: dict[str, Face] = {}
        self._stores: dict[str, GlyphStore] = {}        # identity -> glyph store
        self._identities: dict[tuple, str] = {}         # (path, index, size, mtime_ns, inode) -> identity
        self._lookup_cache: LookupCache | None = None
        self.skipped: dict[Path, None] = {}             # unreadable font files in fonts/, in the order met

    # --- finding the font ------------------------------------------------------------------------
    def _lookups(self) -> LookupCache:
        if self._lookup_cache is None:
            self._lookup_cache = LookupCache(self.cache_dir)
        return self._lookup_cache

    def source(self, family: str, style: str) -> FontSource:
        """The font file and face index for family/style (FontError if there is none)."""
        key = (family, style)
        if key not in self._sources:
            lookups = self._lookups()
            self._sources[key] = lookups.find(self.project_root, family, style)
            self.skipped.update(dict.fromkeys(lookups.skipped))
        return self._sources[key]

    def warnings(self) -> list[BuildWarning]:
        """One warning for each unreadable file in fonts/ that the faces found so far did without."""
        return [skipped_warning(path) for path in self.skipped]

    def _identity(self, src: FontSource) -> str:
        try:
            st = src.path.stat()
        except OSError as exc:
            raise _cannot_read(src.path, exc) from exc
        memo = (str(src.path), src.index, st.st_size, st.st_mtime_ns, st.st_ino)
        ident = self._identities.get(memo)
        if ident is None:
            from brochure.fonts.sfnt import FontFile, FormatError
            try:
                ff = FontFile(src.path, src.index)
            except (OSError, FormatError) as exc:
                raise _cannot_read(src.path, exc) from exc
            try:
                ident = ff.identity()
            finally:
                ff.close()
            _remember(self._identities, memo, ident)
        return ident

    # --- faces -------------------------------------------------------------------------------------
    def face(self, family: str, style: str, chars: Iterable[str],
             preparing: Callable[[], None] | None = None) -> Face:
        """A ready face covering ``chars`` (plus BASE_CHARS) where the font has them.

        ``preparing`` is called first when the face is not ready in the cache and must be
        made (converted glyphs assembled, some glyphs converted first: seconds when cold),
        so the caller can show progress.
        """
        src = self.source(family, style)
        charset = set(BASE_CHARS)
        for text in chars:
            charset.update(text)         # accepts single characters or whole strings
        charset.discard("\n")
        identity = self._identity(src)
        key = self._key(identity, family, style, charset)
        face = self._faces.get(key)
        if face is not None:
            return face
        name = f"{family.replace(' ', '')}-{style.replace(' ', '')}-{key[:10]}"
        ttf_path, json_path = self._paths(key)
        loaded = self._load(json_path, ttf_path)
        face = None
        if loaded is not None:
            try:
                face = Face.register(name, ttf_path, metrics=loaded[1], data=loaded[0])
            except Exception:       # a cached font that passed its digest yet does not parse: made again
                face = None
        if face is None:
            if preparing is not None:
                preparing()
            data, metrics = self._build(src, identity, charset, family, style)
            with contextlib.suppress(OSError):      # a full or read-only cache still builds, from memory
                self.cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
                write_atomic(ttf_path, data)
                write_atomic(json_path, json.dumps(
                    {"metrics": metrics.to_json(), "ttf_sha256": hashlib.sha256(data).hexdigest()},
                    ensure_ascii=False).encode("utf-8"))
                self._prune()
            face = Face.register(name, ttf_path, metrics, data=data)
        face.metrics_key = hashlib.sha256(json.dumps([CACHE_FORMAT, identity, family, style]).encode()).hexdigest()[:24]
        _remember(self._faces, key, face)
        return face

    # --- the assembled-font cache ----------------------------------------------------------------------
    @staticmethod
    def _key(identity: str, family: str, style: str, charset: set[str]) -> str:
        ident = [CACHE_FORMAT, identity, family, style, "".join(sorted(charset))]
        return hashlib.sha256(json.dumps(ident, ensure_ascii=False).encode("utf-8")).hexdigest()

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.cache_dir / f"{key}.ttf", self.cache_dir / f"{key}.json"

    @staticmethod
    def _load(json_path: Path, ttf_path: Path) -> tuple[bytes, Metrics] | None:
        """The cached font and metrics, if both are there, whole and belong together."""
        try:
            entry = json.loads(read_regular(json_path))
            data = read_regular(ttf_path)
            if hashlib.sha256(data).hexdigest() != entry["ttf_sha256"]:
                return None
            return data, Metrics.from_json(entry["metrics"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None              # missing or damaged: rebuilt from the glyph store

    def _prune(self) -> None:
        """Keep the newest KEEP_ASSEMBLED assembled fonts (each is cheap to assemble again)."""
        try:
            fonts = [(e.stat().st_mtime_ns, e.path) for e in os.scandir(self.cache_dir)
                     if e.name.endswith(".ttf") and len(e.name) == 68]
        except OSError:
            return
        if len(fonts) <= KEEP_ASSEMBLED:
            return
        fonts.sort(reverse=True)
        for _, path in fonts[KEEP_ASSEMBLED:]:
            for p in (path, path[:-4] + ".json"):
                try:
                    os.unlink(p)
                except OSError:
                    pass

    def _remove_legacy(self) -> None:
        """Remove the fonts of the first cache layout, which nested a second ``fonts/`` in this folder."""
        old = self.cache_dir / "fonts"
        if self.cache_dir.name != "fonts" or not old.is_dir():
            return
        try:
            for entry in os.scandir(old):
                if _LEGACY_NAME.fullmatch(entry.name):
                    os.unlink(entry.path)
            old.rmdir()
        except OSError:
            pass              # something else lives there: leave it

    # --- the glyph store ---------------------------------------------------------------------------------
    def _store_path(self, identity: str) -> Path:
        return self.cache_dir / f"{identity[:40]}.glyphs"

    def _store(self, identity: str) -> GlyphStore:
        store = self._stores.get(identity)
        if store is None:
            store = GlyphStore.load(self._store_path(identity), identity) or GlyphStore(identity)
            _remember(self._stores, identity, store)
        return store

    def _build(self, src: FontSource, identity: str, charset: set[str], family: str, style: str):
        """Convert what the glyph store lacks for ``charset``, then assemble the font from the store.

        A store read from disk is trusted only as far as it assembles: one whose records do
        not (tampered with, yet sealed again) is dropped and its glyphs converted afresh.
        """
        try:
            return self._build_from_store(src, identity, charset, family, style)
        except (FontError, KeyboardInterrupt):
            raise
        except Exception:                  # once more from nothing; a real defect fails again and is raised
            self._stores[identity] = GlyphStore(identity)
            with contextlib.suppress(OSError):
                self._store_path(identity).unlink()
            return self._build_from_store(src, identity, charset, family, style)

    def _build_from_store(self, src: FontSource, identity: str, charset: set[str], family: str, style: str):
        from brochure.fonts.convert import assemble

        store = self._store(identity)
        cps = {ord(c) for c in charset}
        new_cps = sorted(cps - store.chars.keys())
        if new_cps:                        # another process may have converted them meanwhile
            store.refresh(self._store_path(identity))
            new_cps = sorted(cps - store.chars.keys())
        if new_cps:
            self._remove_legacy()
            converted = self._convert(src, store, new_cps)
            self.conversions += 1
            self.glyph_conversions += converted
            try:
                store.save(self._store_path(identity))
            except OSError:
                pass                       # a read-only cache still builds, just not faster next time
        return assemble(store.info, store.chars, store.glyphs, charset, family, style)

    def _convert(self, src: FontSource, store: GlyphStore, cps: list[int]) -> int:
        """Resolve ``cps`` and convert the glyphs they need into ``store``; return how many glyphs."""
        from brochure.fonts import convert
        from brochure.fonts.sfnt import FormatError

        try:
            face = convert.SourceFace(src)
        except (OSError, FormatError) as exc:
            raise _cannot_read(src.path, exc) from exc
        try:
            return self._convert_with(face, src, store, cps)
        finally:
            face.ff.close()

    def _convert_with(self, face, src: FontSource, store: GlyphStore, cps: list[int]) -> int:
        from brochure.fonts import convert

        first = store.info is None
        handle = None
        try:
            if first:
                # the characters' own glyphs are known before the face's layout data is read:
                # a second process starts on three fifths of them while this one reads that data
                guess = sorted({face.glyph_id(cp) for cp in cps} - {0} - store.glyphs.keys())
                handle = convert.start_parallel(face, [g for i, g in enumerate(guess) if i % 5 >= 2])
                store.info = convert.build_info(src, face.ff)
            resolved = convert.resolve(face, store.info, cps)
            needed = convert.needed_glyphs(resolved)
            todo = sorted(needed - store.glyphs.keys() - (set(handle.gids) if handle else set()))
            if handle is None and len(todo) >= convert.PARALLEL_MIN_GLYPHS:
                handle = convert.start_parallel(face, todo[1::2])
                if handle is not None:
                    todo = todo[0::2]
            glyphs = convert.convert_glyphs(face, todo)
            if handle is not None:
                glyphs.update(handle.finish(face))
        finally:
            if handle is not None:           # stopped half-way (an error, Ctrl-C): end the child process
                handle.abort()
        store.glyphs.update(glyphs)
        store.chars.update(resolved)
        return len(glyphs)
