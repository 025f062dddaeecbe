"""Find the file (and the face inside a collection) for a family and style.

The project's own ``fonts/`` folder wins over the system; the system is asked
through fontconfig.  A font is only accepted when its own names say it is the
requested family and style: fontconfig's best match is never taken on trust,
because it silently substitutes another font when the requested one is missing.

``LookupCache`` remembers the answers in the cache folder (``lookups.json``),
so that a warm build neither runs ``fc-list`` nor opens font files to read
their names.  An answer from the project's ``fonts/`` folder holds while the
folder's listing (names, sizes, modification times) is unchanged; an answer
from the system holds while the project folder has no match and the found
file's size and modification time are unchanged.  "Not found" in the system is
never remembered, so installing the font helps at once.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from brochure.ground.errors import FontError
from brochure.ground.store import locked, write_atomic

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")


@dataclass(frozen=True)
class FontSource:
    """One face of one font file on disk."""

    path: Path
    index: int          # face number inside a TTC/OTC; 0 for single fonts
    family: str
    style: str


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def _rank(names: list[str], wanted: str) -> int | None:
    """Position of ``wanted`` in a font's list of names (0 = its primary name)."""
    w = _norm(wanted)
    for i, n in enumerate(names):
        if _norm(n) == w:
            return i
    return None


def _best(candidates, family: str, style: str) -> FontSource | None:
    """Pick the candidate whose names match best; primary names beat aliases."""
    best, best_rank = None, None
    for path, index, families, styles in candidates:
        rf, rs = _rank(families, family), _rank(styles, style)
        if rf is None or rs is None:
            continue
        rank = (rf + rs, rf, str(path), index)
        if best_rank is None or rank < best_rank:
            best, best_rank = FontSource(Path(path), index, family, style), rank
    return best


def _names_in_file(path: Path):
    """Yield (path, index, families, styles) for every face in a font file."""
    from fontTools.ttLib import TTCollection, TTFont

    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            faces = list(enumerate(TTCollection(str(path), lazy=True).fonts))
        else:
            faces = [(0, TTFont(str(path), lazy=True))]
    except Exception as exc:  # a damaged file in fonts/ must be named, not crash
        raise FontError(
            f"无法读取字体文件 {path}：{exc}",
            f"cannot read font file {path}: {exc}",
        ) from exc
    for index, font in faces:
        name = font["name"]
        families = [n for n in (name.getDebugName(16), name.getDebugName(1)) if n]
        styles = [n for n in (name.getDebugName(17), name.getDebugName(2)) if n]
        full = name.getDebugName(4)
        if full:   # "Noto Serif CJK SC Black" as family with style "Regular" is legal too
            families.append(full)
        yield path, index, families, styles


def find_in_folder(folder: Path, family: str, style: str) -> FontSource | None:
    """A matching face among the font files in ``folder`` (not recursive)."""
    if not folder.is_dir():
        return None
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES)
    candidates = [c for p in files for c in _names_in_file(p)]
    return _best(candidates, family, style)


def find_in_system(family: str, style: str) -> FontSource | None:
    """A matching face among the fonts fontconfig knows, verified by name."""
    fmt = "%{file}\\t%{index}\\t%{family}\\t%{style}\\n"
    try:
        out = subprocess.run(
            ["fc-list", "--format", fmt, family],
            capture_output=True, text=True, timeout=30, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    candidates = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or not parts[0]:
            continue
        file, index, families, styles = parts
        # fontconfig encodes variable-font instances in the high bits of index
        candidates.append((file, int(index or 0) & 0xFFFF, families.split(","), styles.split(",")))
    return _best(candidates, family, style)


def find_font(project_root: Path, family: str, style: str) -> FontSource:
    """The face for ``family``/``style``: project fonts/ first, then the system."""
    found = find_in_folder(Path(project_root) / "fonts", family, style) or find_in_system(family, style)
    if found is None:
        raise _not_found(family, style)
    return found


def _not_found(family: str, style: str) -> FontError:
    return FontError(
        f"找不到字体“{family}”（{style}）。请安装 fonts-noto-cjk"
        f"（sudo apt install fonts-noto-cjk），或把字体文件放进项目的 fonts/ 文件夹。",
        f"font '{family}' ({style}) not found. Install fonts-noto-cjk "
        f"(sudo apt install fonts-noto-cjk) or put the font file into the project's fonts/ folder.",
    )


# --- remembered answers ------------------------------------------------------------------------
LOOKUP_FORMAT = 1


def _folder_listing(folder: Path) -> list:
    """[name, size, mtime_ns] of each font file in ``folder``, sorted; [] when there is none."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    out = []
    for e in entries:
        if os.path.splitext(e.name)[1].lower() in FONT_SUFFIXES:
            try:
                st = e.stat()
            except OSError:
                continue
            out.append([e.name, st.st_size, st.st_mtime_ns])
    out.sort()
    return out


def _file_sig(path: str) -> list | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


class LookupCache:
    """``find_font`` with its answers kept in ``<cache_dir>/lookups.json``."""

    def __init__(self, cache_dir: Path):
        self.path = Path(cache_dir) / "lookups.json"
        self._data: dict | None = None

    def _empty(self) -> dict:
        return {"format": LOOKUP_FORMAT, "folders": {}, "system": {}}

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if (isinstance(data, dict) and data.get("format") == LOOKUP_FORMAT
                    and isinstance(data.get("folders"), dict) and isinstance(data.get("system"), dict)):
                return data
        except (OSError, ValueError):
            pass
        return self._empty()

    def _save(self, folder_key: str | None, folder_entry: dict | None, sys_key: str | None, sys_entry) -> None:
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with locked(self.path.with_name(self.path.name + ".lock")):
                data = self._read()                     # another process may have added answers
                if folder_key is not None:
                    old = data["folders"].get(folder_key)
                    if old and old.get("listing") == folder_entry["listing"]:
                        old["found"].update(folder_entry["found"])
                    else:
                        data["folders"][folder_key] = folder_entry
                if sys_key is not None:
                    data["system"][sys_key] = sys_entry
                write_atomic(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
                self._data = data

    def find(self, project_root: Path, family: str, style: str) -> FontSource:
        if self._data is None:
            self._data = self._read()
        data = self._data
        key = f"{family}\t{style}"
        folder = Path(project_root) / "fonts"
        listing = _folder_listing(folder)
        if listing:
            folder_key = str(folder.resolve())
            entry = data["folders"].get(folder_key)
            if not (isinstance(entry, dict) and entry.get("listing") == listing
                    and isinstance(entry.get("found"), dict)):
                entry = {"listing": listing, "found": {}}
            found = entry["found"].get(key, False)
            if found is False:                          # not asked yet for this listing
                src = find_in_folder(folder, family, style)
                entry["found"][key] = [str(src.path), src.index] if src else None
                self._save(folder_key, {"listing": listing, "found": dict(entry["found"])}, None, None)
                if src is not None:
                    return src
            elif isinstance(found, list) and len(found) == 2:
                return FontSource(Path(found[0]), int(found[1]), family, style)
        hit = data["system"].get(key)
        if isinstance(hit, list) and len(hit) == 4 and _file_sig(hit[0]) == hit[2:]:
            return FontSource(Path(hit[0]), int(hit[1]), family, style)
        src = find_in_system(family, style)
        if src is None:
            raise _not_found(family, style)
        sig = _file_sig(str(src.path))
        if sig is not None:
            self._save(None, None, key, [str(src.path), src.index, *sig])
        return src
