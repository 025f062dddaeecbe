"""The thresholds and rules every floor agrees on, each defined once.

Photo formats, press defaults (ink, resolution, bleed), QR code limits, the
names of the outputs and the document date.
The content loader, the photo preparation and the press all read them from
here, so a rule cannot drift between the place that accepts an input and the
place that prints it.  Imports nothing of the package.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

# --- photos ---------------------------------------------------------------

#: File suffixes of the photo formats a brochure can print, and the Pillow format each names.
IMAGE_SUFFIXES: dict[str, str] = {
    ".jpg": "JPEG", ".jpeg": "JPEG", ".jpe": "JPEG", ".png": "PNG", ".tif": "TIFF",
    ".tiff": "TIFF", ".webp": "WEBP", ".bmp": "BMP",
}
#: The Pillow formats a photo may really be, whatever its suffix says (MPO is a camera's JPEG
#: with a second picture appended; the first is an ordinary JPEG).
IMAGE_FORMATS: frozenset[str] = frozenset({"JPEG", "PNG", "TIFF", "WEBP", "BMP", "MPO"})
#: The names the formats above go by for a person; only MPO differs from Pillow's.
_SPOKEN_FORMATS = {"MPO": "JPEG"}

#: A 100-megapixel limit: far above any camera, far below a decompression bomb.
MAX_PIXELS = 100_000_000


def format_name(pillow_format: str) -> str:
    """What a person calls a Pillow format ("MPO" is a JPEG)."""
    return _SPOKEN_FORMATS.get(pillow_format, pillow_format)


# --- the press --------------------------------------------------------------

#: The PDF/X standards an output can be finished to (the first is the default).
X1A = "PDF/X-1a:2001"
X4 = "PDF/X-4"
PDFX_STANDARDS = (X1A, X4)

#: Total area coverage (C+M+Y+K, percent) a coated-paper press accepts by default.
INK_LIMIT = 300.0
#: The ink limits a setting may ask for (newsprint's 240% is within; 400% is every ink at full).
INK_LIMIT_RANGE = (150.0, 400.0)
#: Least effective resolution of a photo at its placed size, brochure and posters (seen from afar).
MIN_PPI = 300.0
POSTER_MIN_PPI = 150.0
#: The least resolutions a setting may ask for (a banner seen from metres away to fine art).
MIN_PPI_RANGE = (30.0, 1200.0)
#: The resolution photos are prepared at (or the required minimum, when that is higher).
TARGET_PPI = 300.0
#: Print shops (and preflight) need at least this much bleed, in mm.
MIN_BLEED_MM = 3.0


# --- QR codes ---------------------------------------------------------------

#: The longest QR code URL content.yaml may give, in UTF-8 bytes (a code of more is too dense to
#: scan at any size the layouts print); the back cover's code may ask for a shorter one.
QR_URL_MAX_BYTES = 300
#: The smallest QR module a press prints and a phone reads reliably, in mm.
QR_MIN_MODULE_MM = 0.4


# --- outputs ------------------------------------------------------------------

#: The brochure's output name (its file is ``brochure.pdf``).
BROCHURE = "brochure"
#: What a poster's file name starts with, before the poster's own name.
POSTER_PREFIX = "poster-"


def poster_file(name: str) -> str:
    """The output (file name without ``.pdf``) of the poster named ``name``: ``poster-NAME``."""
    return f"{POSTER_PREFIX}{name}"


# --- the document date ----------------------------------------------------------

def source_date(inputs: Iterable[Path], epoch: int | None = None) -> int:
    """The document date, in seconds since 1970: ``epoch`` ($SOURCE_DATE_EPOCH, checked by the
    command line) when given, else the newest modification time among ``inputs`` (0 when none can be read).

    Either way the same inputs give the same date, so the same bytes.
    """
    if epoch is not None:
        return int(epoch)
    times = []
    for path in inputs:
        try:
            times.append(path.stat().st_mtime)
        except OSError:
            pass
    return int(max(times, default=0))
