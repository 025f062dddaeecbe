"""Find the file (and the face inside a collection) for a family and style.

The project's own ``fonts/`` folder wins over the system; the system is asked
through fontconfig.  A font is only accepted when its own names say it is the
requested family and style: fontconfig's best match is never taken on trust,
because it silently substitutes another font when the requested one is missing.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from brochure.errors import FontError

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
        raise FontError(
            f"找不到字体“{family}”（{style}）。请安装 fonts-noto-cjk"
            f"（sudo apt install fonts-noto-cjk），或把字体文件放进项目的 fonts/ 文件夹。",
            f"font '{family}' ({style}) not found. Install fonts-noto-cjk "
            f"(sudo apt install fonts-noto-cjk) or put the font file into the project's fonts/ folder.",
        )
    return found
