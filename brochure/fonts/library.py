"""FontLibrary: find, convert (once per glyph), cache and register the faces a document uses.

Three caches, each keyed by content, all in the cache folder given (the build
passes ``$XDG_CACHE_HOME/brochure/fonts``; it is used as it is):

* ``lookups.json``: family/style -> font file and face index (see
  ``discover.LookupCache``), so a warm build runs no ``fc-list``.
* ``<face>.glyphs``, one per source face (``glyphstore``): every glyph of that
  face converted so far.  ``<face>`` hashes the face's identity -- a sha256 of
  every byte of its font file (``identity.file_digest``, remembered by the
  file's signature so a warm build does not read 90 MB) and its index in the
  collection -- and the digest of the code that converts it
  (``identity.code_digest``).  It follows the font when it is copied, moved or
  reinstalled unchanged, and a font damaged by a single byte is another font:
  converted afresh, so its damage is found whatever the cache holds.
* ``<key>.ttf`` + ``<key>.json``: the TrueType font and layout metrics for one
  character set, ``<key>`` hashing the face identity, family, style and the
  characters, with the code digest.  A warm build reads these two files and never imports fontTools.
  Only the most recent ``KEEP_ASSEMBLED`` fonts are kept, and the most recent
  ``KEEP_STORES`` glyph stores.

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
from brochure.fonts.face import Face, SubsetMemo
from brochure.fonts.glyphstore import GlyphStore
from brochure.fonts.identity import code_digest, file_digest, signature

KEEP_ASSEMBLED = 64
KEEP_STORES = 16              # glyph stores (a document uses four faces)
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


def cannot_use(path: Path, exc: BaseException, in_project: bool) -> FontError:
    """The error for a font file that cannot be read or converted: it names the file and what to do.

    ``in_project``: the file is in the project's own fonts/ folder (else it is the system's).
    """
    reason = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror
    if in_project:
        zh_do = "请重新复制这个字体文件（从原来的地方再复制一份），或把它移出 fonts/ 文件夹，改用系统里的字体"
        en_do = "copy the font file again (from where it came), or move it out of the fonts/ folder to use the system's font"
    else:
        zh_do = ("请重新安装这个字体（Noto CJK：sudo apt install --reinstall fonts-noto-cjk），"
                 "或在 content.yaml 的 fonts 设置中换用别的字体")
        en_do = ("install the font again (Noto CJK: sudo apt install --reinstall fonts-noto-cjk), "
                 "or choose another font under fonts in content.yaml")
    return FontError(
        f"字体文件 {path} 已损坏或不完整，无法使用。{zh_do}。",
        f"font file {path} is damaged or incomplete and cannot be used ({reason}): {en_do}.",
    )


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
        self._identities: dict[tuple, str] = {}         # (path, index, file signature) -> identity
        self._code: str | None = None
        self._lookup_cache: LookupCache | None = None
        self.skipped: dict[Path, None] = {}             # unreadable font files in fonts/, in the order met
        self.subsets = SubsetMemo()                     # subset font programs the faces' PDFs embedded

    def _cannot_use(self, path: Path, exc: BaseException) -> FontError:
        return cannot_use(path, exc, Path(path).parent == self.project_root / "fonts")

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

    @property
    def code(self) -> str:
        """The digest of the code that makes this library's cache entries (computed once, when first needed)."""
        if self._code is None:
            self._code = code_digest()
        return self._code

    def _identity(self, src: FontSource) -> str:
        """The face's content identity: a digest of its font file's bytes and its index."""
        try:
            memo = (str(src.path), src.index, *signature(src.path.stat()))
            ident = self._identities.get(memo)
            if ident is None:
                digest = file_digest(src.path, self.cache_dir, self.code)
                ident = hashlib.sha256(f"{digest}:{src.index}".encode()).hexdigest()
                _remember(self._identities, memo, ident)
        except OSError as exc:
            raise self._cannot_use(src.path, exc) from exc
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
                face = Face.register(name, ttf_path, metrics=loaded[1], data=loaded[0], memo=self.subsets)
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
            try:
                face = Face.register(name, ttf_path, metrics, data=data, memo=self.subsets)
            except Exception as exc:     # what the source's damaged outlines made of the font
                raise self._cannot_use(src.path, exc) from None
        face.metrics_key = hashlib.sha256(json.dumps([self.code, identity, family, style]).encode()).hexdigest()[:24]
        _remember(self._faces, key, face)
        return face

    # --- the assembled-font cache ----------------------------------------------------------------------
    def _key(self, identity: str, family: str, style: str, charset: set[str]) -> str:
        ident = [self.code, identity, family, style, "".join(sorted(charset))]
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
        self._keep_newest(lambda name: name.endswith(".ttf") and len(name) == 68, KEEP_ASSEMBLED, (".json",))

    def _prune_stores(self) -> None:
        """Keep the newest KEEP_STORES glyph stores: those of a font file since changed, or of
        older code, are never read again (their key names both)."""
        self._keep_newest(lambda name: name.endswith(".glyphs") and len(name) == 47, KEEP_STORES, (".glyphs.lock",))

    def _keep_newest(self, ours, keep: int, companions: tuple[str, ...]) -> None:
        try:
            found = [(e.stat().st_mtime_ns, e.path) for e in os.scandir(self.cache_dir) if ours(e.name)]
        except OSError:
            return
        if len(found) <= keep:
            return
        found.sort(reverse=True)
        for _, path in found[keep:]:
            stem = path[:path.rindex(".")]
            for p in (path, *(stem + suffix for suffix in companions)):
                with contextlib.suppress(OSError):
                    os.unlink(p)

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
    def _store_key(self, identity: str) -> str:
        """What a face's glyph store is kept under: the face's identity and the converting code."""
        return hashlib.sha256(f"{self.code}:{identity}".encode()).hexdigest()

    def store_key(self, family: str, style: str) -> str:
        """The key the glyph store of family/style is kept under (what its file's header names)."""
        return self._store_key(self._identity(self.source(family, style)))

    def _store_path(self, identity: str) -> Path:
        return self.cache_dir / f"{self._store_key(identity)[:40]}.glyphs"

    def _store(self, identity: str) -> GlyphStore:
        store = self._stores.get(identity)
        if store is None:
            key = self._store_key(identity)
            store = GlyphStore.load(self._store_path(identity), key) or GlyphStore(key)
            _remember(self._stores, identity, store)
        return store

    def _build(self, src: FontSource, identity: str, charset: set[str], family: str, style: str):
        """Convert what the glyph store lacks for ``charset``, then assemble the font from the store.

        A store read from disk is trusted only as far as it assembles: one whose records do
        not (tampered with, yet sealed again) is dropped and its glyphs converted afresh.
        What fails then lies in the font file itself (its identity covers every byte, so no
        cache entry of another file is used): a FontError naming it.
        """
        try:
            return self._build_from_store(src, identity, charset, family, style)
        except (FontError, KeyboardInterrupt):
            raise
        except Exception:                  # once more from nothing
            self._stores[identity] = GlyphStore(self._store_key(identity))
            with contextlib.suppress(OSError):
                self._store_path(identity).unlink()
        try:
            return self._build_from_store(src, identity, charset, family, style)
        except FontError:
            raise
        except Exception as exc:
            raise self._cannot_use(src.path, exc) from None

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
                self._prune_stores()
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
            raise self._cannot_use(src.path, exc) from None
        try:
            if store.info is None:         # the first conversion of these bytes: are its tables whole?
                try:
                    face.ff.verify()
                except FormatError as exc:
                    raise self._cannot_use(src.path, exc) from None
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
