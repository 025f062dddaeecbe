"""Find the file (and the face inside a collection) for a family and style.

The project's own ``fonts/`` folder wins over the system; the system is asked
through fontconfig.  A font is only accepted when its own names say it is the
requested family and style: fontconfig's best match is never taken on trust,
because it silently substitutes another font when the requested one is missing.

``LookupCache`` remembers the answers in the cache folder (``lookups.json``),
so that a warm build neither runs ``fc-list`` nor opens font files to read
their names.  An answer from the project's ``fonts/`` folder holds while the
folder's listing (names, sizes, modification and change times) is unchanged;
an answer from the system holds while the project folder has no match and the
found file's size, modification and change times are unchanged.  The file is
marked with a digest of this module's source, so changed code asks afresh.  "Not found" in the system is
never remembered, so installing the font helps at once.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from brochure.ground.errors import BuildWarning, FontError
from brochure.runtime.files import NotRegularFile, open_regular, read_regular
from brochure.runtime.store import locked, source_digest, write_atomic

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


def _names_in_file(path: Path) -> list:
    """(path, index, families, styles) of every face in a font file; FontError naming it if it cannot be read."""
    from fontTools.ttLib import TTCollection, TTFont

    try:
        found = []
        with open_regular(path) as f:       # a pipe or device in fonts/ is refused, not waited on
            if path.suffix.lower() in (".ttc", ".otc"):
                faces = list(enumerate(TTCollection(f, lazy=True).fonts))
            else:
                faces = [(0, TTFont(f, lazy=True))]
            for index, font in faces:
                name = font["name"]
                families = [n for n in (name.getDebugName(16), name.getDebugName(1)) if n]
                styles = [n for n in (name.getDebugName(17), name.getDebugName(2)) if n]
                full = name.getDebugName(4)
                if full:   # "Noto Serif CJK SC Black" as family with style "Regular" is legal too
                    families.append(full)
                found.append((path, index, families, styles))
        return found
    except Exception as exc:  # a damaged file in fonts/ must be named, not crash
        if isinstance(exc, KeyError):
            reason, reason_en = "缺少 name 表", "it has no name table"
        elif isinstance(exc, NotRegularFile):
            reason, reason_en = "不是普通文件，而是管道、设备或文件夹", "not a regular file but a pipe, device or folder"
        else:
            reason, reason_en = "文件不完整或格式有误", str(exc)
        raise FontError(
            f"无法读取字体文件 {path}（{reason}），它可能不完整或已损坏。请重新复制字体文件，或把它移出 fonts/ 文件夹。",
            f"cannot read font file {path} ({reason_en}); it may be truncated or damaged. "
            "Copy the font again, or move it out of the fonts/ folder.",
        ) from None


def _asked_for(path: Path, family: str) -> bool:
    """Whether a font file's name says it is ``family`` ("NotoSerifCJKsc-Regular.otf" for "Noto Serif CJK SC")."""
    def squeeze(text: str) -> str:
        return "".join(ch for ch in text.casefold() if ch.isalnum())
    return bool(squeeze(family)) and squeeze(family) in squeeze(path.stem)


def read_folder(folder: Path) -> tuple[list, list[tuple[Path, FontError]]]:
    """The faces of the font files in ``folder`` (not recursive), and each file that cannot be read with its error."""
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES)
    except OSError:
        return [], []
    candidates, broken = [], []
    for p in files:
        try:
            candidates += _names_in_file(p)
        except FontError as exc:
            broken.append((p, exc))
    return candidates, broken


def search_folder(folder: Path, family: str, style: str) -> tuple[FontSource | None, list[tuple[Path, FontError]]]:
    """A matching face among the font files in ``folder``, and the files there that cannot be read.

    A file that cannot be read is the error when nothing there serves and its name says it
    is the family asked for ("NotoSerifCJKsc-Regular.otf" for "Noto Serif CJK SC").
    """
    if not folder.is_dir():
        return None, []
    candidates, broken = read_folder(folder)
    found = _best(candidates, family, style)
    if found is None:
        for path, exc in broken:
            if _asked_for(path, family):
                raise exc
    return found, broken


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
    found, broken = search_folder(Path(project_root) / "fonts", family, style)
    found = found or find_in_system(family, style)
    if found is None:
        raise _not_found(family, style, [p for p, _ in broken])
    return found


def skipped_warning(path: Path) -> BuildWarning:
    """What a build says of a font file in fonts/ it could not read and did not need."""
    return BuildWarning(
        f"字体文件 {path} 无法读取（不完整、已损坏或不是普通文件），已跳过；所用的字体不受影响。如不需要它，请把它移出 fonts/ 文件夹。",
        f"font file {path} cannot be read (truncated, damaged or not a regular file) and was skipped; the fonts "
        "in use are not affected. If it is not needed, move it out of the fonts/ folder.",
    )


def _not_found(family: str, style: str, broken: list[Path] = ()) -> FontError:
    if broken:
        names = "、".join(str(p) for p in broken)
        return FontError(
            f"找不到字体“{family}”（{style}）；fonts/ 中的 {names} 无法读取，可能就是它：请重新复制这个字体文件。",
            f"font '{family}' ({style}) not found; {', '.join(str(p) for p in broken)} in fonts/ cannot be read "
            "and may be it: copy that font file again.",
        )
    return FontError(
        f"找不到字体“{family}”（{style}）。请安装 fonts-noto-cjk"
        f"（sudo apt install fonts-noto-cjk），或把字体文件放进项目的 fonts/ 文件夹。",
        f"font '{family}' ({style}) not found. Install fonts-noto-cjk "
        f"(sudo apt install fonts-noto-cjk) or put the font file into the project's fonts/ folder.",
    )


# --- remembered answers ------------------------------------------------------------------------
def _format() -> str:
    """What lookups.json is marked with: a digest of the code that writes it (this module)."""
    return source_digest(("fonts/discover.py",))


def _folder_listing(folder: Path) -> list:
    """[name, size, mtime_ns, ctime_ns] of each font file in ``folder``, sorted; [] when there is none.

    The change time moves whenever a file is written, even with its modification time set back.
    """
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
            out.append([e.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns])
    out.sort()
    return out


def _file_sig(path: str) -> list | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns]


#: The most lookups.json is read of: a file larger than this is not ours, and is made again.
MAX_LOOKUPS_BYTES = 4_000_000


def _valid_answer(found) -> bool:
    return found is None or (isinstance(found, list) and len(found) == 2 and isinstance(found[0], str)
                             and type(found[1]) is int and 0 <= found[1] < 0x10000)


def _valid_folder_entry(entry) -> bool:
    """A remembered answer for one fonts/ folder, as ``_save`` writes it (a tampered one is dropped)."""
    return (isinstance(entry, dict) and isinstance(entry.get("listing"), list)
            and isinstance(entry.get("found"), dict)
            and all(isinstance(k, str) and _valid_answer(v) for k, v in entry["found"].items())
            and isinstance(entry.get("broken", []), list)
            and all(isinstance(n, str) for n in entry.get("broken", [])))


def _valid_system_entry(hit) -> bool:
    return (isinstance(hit, list) and len(hit) == 5 and isinstance(hit[0], str)
            and all(type(v) is int for v in hit[1:]) and 0 <= hit[1] < 0x10000)


class LookupCache:
    """``find_font`` with its answers kept in ``<cache_dir>/lookups.json``.

    The file is only ever a hint: each entry is checked for its shape when read, an
    answer from fonts/ must name a file listed in that folder, and one from the
    system must still have the size and time it had; anything else is asked again.
    """

    def __init__(self, cache_dir: Path):
        self.path = Path(cache_dir) / "lookups.json"
        self.format = _format()
        self._data: dict | None = None
        self.skipped: list[Path] = []        # unreadable files in fonts/ the last ``find`` did without

    def _empty(self) -> dict:
        return {"format": self.format, "folders": {}, "system": {}}

    def _read(self) -> dict:
        try:
            raw = read_regular(self.path, MAX_LOOKUPS_BYTES)
            data = json.loads(raw) if len(raw) <= MAX_LOOKUPS_BYTES else None
        except (OSError, ValueError, RecursionError):
            return self._empty()
        if not (isinstance(data, dict) and data.get("format") == self.format
                and isinstance(data.get("folders"), dict) and isinstance(data.get("system"), dict)):
            return self._empty()
        return {"format": self.format,
                "folders": {k: v for k, v in data["folders"].items() if _valid_folder_entry(v)},
                "system": {k: v for k, v in data["system"].items() if _valid_system_entry(v)}}

    def _save(self, folder_key: str | None, folder_entry: dict | None, sys_key: str | None, sys_entry) -> None:
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with locked(self.path.with_name(self.path.name + ".lock")):
                data = self._read()                     # another process may have added answers
                if folder_key is not None:
                    old = data["folders"].get(folder_key)
                    if old and old.get("listing") == folder_entry["listing"]:
                        old["found"].update(folder_entry["found"])
                        old["broken"] = folder_entry["broken"]
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
        self.skipped = []
        broken: list[Path] = []
        if listing:
            folder_key = str(folder.resolve())
            entry = data["folders"].get(folder_key)
            if not (_valid_folder_entry(entry) and entry.get("listing") == listing):
                entry = {"listing": listing, "found": {}, "broken": None}
            found = entry["found"].get(key, False)
            names = {n for n, *_ in listing}
            if not (found is False or found is None or (Path(found[0]).parent == folder and Path(found[0]).name in names)):
                found = False                           # an answer that points outside fonts/ is not ours
            if found is False or entry.get("broken") is None:     # not asked yet for this listing
                src, unreadable = search_folder(folder, family, style)
                entry["found"][key] = [str(src.path), src.index] if src else None
                entry["broken"] = [p.name for p, _ in unreadable]
                self._save(folder_key, {"listing": listing, "found": dict(entry["found"]),
                                        "broken": entry["broken"]}, None, None)
                found = entry["found"][key]
            broken = [folder / n for n in entry["broken"] if n in names]
            if found is not None:
                self.skipped = broken
                return FontSource(Path(found[0]), int(found[1]), family, style)
            for path in broken:         # nothing in fonts/ serves: an unreadable file named for the family is it
                if _asked_for(path, family):
                    _names_in_file(path)            # raises the error that names the file
        hit = data["system"].get(key)
        if _valid_system_entry(hit) and hit[0].lower().endswith(FONT_SUFFIXES) and _file_sig(hit[0]) == hit[2:]:
            self.skipped = broken
            return FontSource(Path(hit[0]), int(hit[1]), family, style)
        src = find_in_system(family, style)
        if src is None:
            raise _not_found(family, style, broken)
        sig = _file_sig(str(src.path))
        if sig is not None:
            self._save(None, None, key, [str(src.path), src.index, *sig])
        self.skipped = broken
        return src
