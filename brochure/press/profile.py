"""Which output profile a press setting names: read by the build before anything is finished.

Apart from pdfx.py so that a build whose outputs did not change never imports
pikepdf (a fifth of a warm build's start).
"""
from __future__ import annotations

from pathlib import Path

from brochure.ground.errors import PressError

DEFAULT_CMYK_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


def output_profile_path(output_profile: str) -> Path:
    """The ICC file a press setting names: a path, or "default" (or "") for Ghostscript's SWOP."""
    if output_profile not in ("", "default"):
        return Path(output_profile)
    if DEFAULT_CMYK_PROFILE.is_file():
        return DEFAULT_CMYK_PROFILE
    raise PressError(
        "找不到默认的 CMYK 色彩配置文件。请安装 Debian 软件包 libgs-common，或在 press.output_profile 中指定印刷厂的 .icc 文件。",
        "the default CMYK output profile is missing. Install the Debian package libgs-common, "
        "or set press.output_profile to the print shop's .icc file.",
    )
