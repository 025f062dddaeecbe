"""Where converted fonts and print-ready images are kept between builds: $XDG_CACHE_HOME/brochure."""
from __future__ import annotations

import os
from pathlib import Path


def cache_dir(kind: str) -> Path:
    """The cache folder for ``kind`` ("fonts", "images")."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "brochure" / kind
