"""FontLibrary: find, convert (once), cache and register the faces a document uses.

A converted face is cached on disk as ``<key>.ttf`` with its metrics in
``<key>.json``; the key hashes the source file's identity (path, size,
modification time), the face index and the character set.  A cache hit reads
the JSON and registers the TTF with ReportLab, and never imports fontTools.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterable

from brochure.fonts.convert import Metrics
from brochure.fonts.discover import FontSource, find_font
from brochure.fonts.face import Face

CACHE_FORMAT = 1    # bump when the converted font or the metrics change meaning

# Always present, whatever the text: ASCII, and the CJK punctuation layout may
# introduce (ASCII , ; : ! ? ( ) next to Han become full-width) or commonly needs.
BASE_CHARS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + list("，。、；：！？“”‘’（）《》〈〉「」『』【】〔〕〖〗［］｛｝—…·～％‰℃°×÷±＋－＝／　▲●■◆★")
)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "brochure"


def _write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file so a parallel process never reads half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FontLibrary:
    """Faces for one project: its own ``fonts/`` folder first, then the system's fonts."""

    def __init__(self, project_root: Path, cache_dir: Path | None = None):
        self.project_root = Path(project_root)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.conversions = 0          # how many faces this library had to convert (not cached)
        self._sources: dict[tuple[str, str], FontSource] = {}
        self._faces: dict[str, Face] = {}

    def source(self, family: str, style: str) -> FontSource:
        """The font file and face index for family/style (FontError if there is none)."""
        key = (family, style)
        if key not in self._sources:
            self._sources[key] = find_font(self.project_root, family, style)
        return self._sources[key]

    def face(self, family: str, style: str, chars: Iterable[str]) -> Face:
        """A ready face covering ``chars`` (plus BASE_CHARS) where the font has them."""
        src = self.source(family, style)
        charset = set(BASE_CHARS)
        for text in chars:
            charset.update(text)         # accepts single characters or whole strings
        charset.discard("\n")
        key = self._key(src, charset)
        if key in self._faces:
            return self._faces[key]
        ttf_path, json_path = self._paths(key)
        metrics = self._load(json_path, ttf_path)
        if metrics is None:
            metrics = self._convert(src, charset, ttf_path, json_path)
        name = f"{family.replace(' ', '')}-{style.replace(' ', '')}-{key[:10]}"
        face = Face.register(name, ttf_path, metrics)
        self._faces[key] = face
        return face

    # --- cache ------------------------------------------------------------------
    def _key(self, src: FontSource, charset: set[str]) -> str:
        st = src.path.stat()
        ident = [CACHE_FORMAT, str(src.path.resolve()), st.st_size, st.st_mtime_ns, src.index,
                 "".join(sorted(charset))]
        return hashlib.sha256(json.dumps(ident, ensure_ascii=False).encode("utf-8")).hexdigest()

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.cache_dir / "fonts"
        return folder / f"{key}.ttf", folder / f"{key}.json"

    @staticmethod
    def _load(json_path: Path, ttf_path: Path) -> Metrics | None:
        if not (json_path.is_file() and ttf_path.is_file()):
            return None
        try:
            return Metrics.from_json(json.loads(json_path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError):
            return None              # a damaged cache entry is rebuilt

    def _convert(self, src: FontSource, charset: set[str], ttf_path: Path, json_path: Path) -> Metrics:
        from brochure.fonts.convert import build_ttf

        print(f"正在准备字体 {src.family} {src.style}（约 1 秒）… / "
              f"preparing font {src.family} {src.style} (about 1 s) …", file=sys.stderr)
        data, metrics = build_ttf(src, charset)
        ttf_path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(ttf_path, data)
        _write_atomic(json_path, json.dumps(metrics.to_json(), ensure_ascii=False).encode("utf-8"))
        self.conversions += 1
        return metrics
