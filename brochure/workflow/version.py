"""``brochure --version``: this program, the libraries that shape its PDFs, and the fonts content.yaml uses."""
from __future__ import annotations

from importlib import metadata
from pathlib import Path

from brochure.content import load
from brochure.fonts.discover import find_font
from brochure.ground.errors import BrochureError


def version_text(content_path: Path) -> str:
    """brochure's version, the versions of the libraries that shape the PDFs, and the fonts content.yaml uses."""
    lines = []
    for dist in ("brochure", "reportlab", "fonttools", "pikepdf", "Pillow", "pypdfium2", "zxing-cpp", "qrcode", "PyYAML"):
        try:
            lines.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{dist} 未安装 not installed")
    try:
        content = load(content_path)
        for role in ("body", "heading", "display", "caption"):
            spec = getattr(content.fonts, role)
            try:
                found = find_font(content.root, str(spec.family), str(spec.style))
                where = found.path
            except BrochureError:
                where = "未找到 not found"
            lines.append(f"字体 font {role}: {spec.family} {spec.style} ({where})")
    except BrochureError:
        lines.append(f"字体 fonts: 无法读取 {content_path} / cannot read {content_path}")
    return "\n".join(lines)
