"""Convert the glyphs of a CFF (or TrueType) face that characters need to TrueType outlines.

ReportLab embeds only ``glyf`` fonts; Noto CJK ships CFF outlines in TTC
collections.  The work is split so that each part is done once per font:

* ``faceinfo.build_info`` reads, once per source face, what layout needs and a
  converted font cannot carry, and the header tables a new font copies;
* ``resolve`` (here) decides, per character, which glyph draws it (and which
  draws its vertical form); ``convert_glyphs`` turns those glyphs into
  TrueType ``glyf`` entries (``outlines.CFFReader``: CFF cubics through cu2qu,
  reversed), in a forked second process too when there are many
  (``start_parallel``).  Both are cheap per character, so a character never
  seen before costs milliseconds, not a whole conversion;
* ``assembly.assemble`` builds the TrueType font for one character set from
  converted glyphs, with the layout ``Metrics``.

Chinese text wants some marks full width that Noto CJK SC maps to
proportional glyphs (``·`` U+00B7 and ``—`` U+2014): ``resolve`` picks the
font's full-width forms (from ``locl``/``fwid``) for those code points.

``Metrics``, ``assemble`` and ``build_info`` are imported here too, as the
font library and the Face know them.
"""
from __future__ import annotations

import marshal
import os
import signal
import threading

from brochure.fonts.assembly import FULL_WIDTH_IN_CHINESE, Metrics, assemble
from brochure.fonts.discover import FontSource
from brochure.fonts.faceinfo import build_info, open_fonttools
from brochure.fonts.opentype import substitute
from brochure.fonts.sfnt import FontFile, FormatError

__all__ = ["Metrics", "assemble", "build_info", "SourceFace", "resolve", "needed_glyphs", "convert_glyphs",
           "ChildConversion", "start_parallel", "PARALLEL_MIN_GLYPHS", "MISSING", "FULL_WIDTH_IN_CHINESE"]

MISSING = (-1, 0)           # a character record for "the font has no glyph for it"


# --- per character -----------------------------------------------------------------------------------
class SourceFace:
    """A source face opened for converting glyphs: fast paths where possible, fontTools otherwise."""

    def __init__(self, source: FontSource):
        self.source = source
        self.ff = FontFile(source.path, source.index)
        self.upm = self.ff.units_per_em
        self.reader = None
        self._reader_errors: tuple = ()
        if "CFF " in self.ff:
            # outlines imports fontTools' cu2qu, wanted only when glyphs are converted
            from brochure.fonts.outlines import CFFReader, Unsupported
            # what a malformed or unusual glyph makes the fast reader raise: fontTools then decides
            self._reader_errors = (Unsupported, IndexError, ValueError, TypeError, KeyError, ZeroDivisionError)
            try:
                self.reader = CFFReader(self.ff.buf, self.ff.tables["CFF "][0])
            except self._reader_errors:
                self.reader = None
        self._tt = None            # fontTools font, glyph order and glyph set, when needed
        self._cmap = None          # fontTools cmap, when the fast one cannot read the font's

    def _fonttools(self):
        if self._tt is None:
            font = open_fonttools(self.source.path, self.source.index)
            self._tt = (font, font.getGlyphOrder(), font.getGlyphSet())
        return self._tt

    def glyph_id(self, cp: int) -> int:
        if self._cmap is None:
            try:
                return self.ff.glyph_id(cp)
            except FormatError:
                font, _, _ = self._fonttools()
                self._cmap = {c: font.getGlyphID(n) for c, n in font.getBestCmap().items()}
        return self._cmap.get(cp, 0)

    def advance(self, gid: int) -> int:
        return self.ff.advance(gid)

    def glyph_data(self, gid: int) -> bytes:
        """The TrueType ``glyf`` entry for source glyph ``gid``."""
        if self.reader is not None:
            try:
                return self.reader.glyph_data(gid, self.upm / 1000)
            except self._reader_errors:
                pass
        return self._fonttools_glyph(gid)

    def _fonttools_glyph(self, gid: int) -> bytes:
        # fontTools' pens only for the glyphs the fast reader cannot do
        from fontTools.pens.cu2quPen import Cu2QuPen
        from fontTools.pens.recordingPen import DecomposingRecordingPen
        from fontTools.pens.ttGlyphPen import TTGlyphPen

        font, order, glyph_set = self._fonttools()
        name = order[gid]
        pen = TTGlyphPen(None)
        if "CFF " in font or "CFF2" in font:
            glyph_set[name].draw(Cu2QuPen(pen, max_err=self.upm / 1000, reverse_direction=True))
        else:   # TrueType already: flatten composites, since only listed glyphs are kept
            recording = DecomposingRecordingPen(glyph_set)
            glyph_set[name].draw(recording)
            recording.replay(pen)
        return pen.glyph().compile(None)


def resolve(face: SourceFace, info: dict, cps) -> dict[int, tuple[int, int]]:
    """For each code point: (glyph that draws it, glyph of its vertical form or 0); MISSING if none."""
    upm = info["upm"]
    widen, vert = info["widen"], info["vert"]
    out = {}
    for cp in cps:
        base = face.glyph_id(cp)
        if not base:
            out[cp] = MISSING
            continue
        glyph = base
        if chr(cp) in FULL_WIDTH_IN_CHINESE and face.advance(glyph) < 0.9 * upm:
            for mapping in widen:
                alt = mapping.get(glyph)
                if alt and face.advance(alt) >= 0.9 * upm:
                    glyph = alt
                    break
        alt = substitute(glyph, vert)
        if alt == glyph:
            alt = substitute(base, vert)
        out[cp] = (glyph, 0 if alt in (glyph, base) else alt)
    return out


def needed_glyphs(resolved: dict) -> set[int]:
    """The glyph ids a font for ``resolved`` characters (``resolve``) is made of, .notdef included."""
    return {0} | {g for rec in resolved.values() if rec[0] >= 0 for g in rec if g}


def convert_glyphs(face: SourceFace, gids) -> dict[int, tuple[int, bytes]]:
    """(advance, glyf entry) of each glyph."""
    return {g: (face.advance(g), face.glyph_data(g)) for g in gids}


# --- in parallel -------------------------------------------------------------------------------------
#: Below this many glyphs a second process costs more than it saves.
PARALLEL_MIN_GLYPHS = 300


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class ChildConversion:
    """A forked child converting some glyphs; ``finish`` collects them, ``abort`` ends it."""

    def __init__(self, pid: int, read_fd: int, gids: list[int]):
        self.pid, self.read_fd, self.gids = pid, read_fd, gids
        self._reaped = False

    def _close(self) -> None:
        if self.read_fd >= 0:
            fd, self.read_fd = self.read_fd, -1
            os.close(fd)

    def _reap(self) -> int:
        if self._reaped:
            return -1
        _, status = os.waitpid(self.pid, 0)
        self._reaped = True               # from here on the pid may belong to another process
        return status

    def finish(self, face: SourceFace) -> dict[int, tuple[int, bytes]]:
        """The child's glyphs; whatever it failed to deliver is converted here."""
        chunks = []
        try:
            while True:
                chunk = os.read(self.read_fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            self._close()
            status = self._reap()
        result = None
        if status == 0:
            try:
                result = marshal.loads(b"".join(chunks))
            except (ValueError, EOFError, TypeError):
                result = None
        if not isinstance(result, dict) or set(result) != set(self.gids):
            result = convert_glyphs(face, self.gids)
        return result

    def abort(self) -> None:
        """Stop the child (its work is no longer wanted) and reap it."""
        if not self._reaped:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self._close()
        except OSError:
            pass
        try:
            self._reap()
        except OSError:
            pass


def start_parallel(face: SourceFace, gids: list[int]) -> ChildConversion | None:
    """Convert ``gids`` in a forked child while the caller goes on.

    Returns None (the caller converts them itself) where forking is not safe or
    not worth it: other threads running, one CPU, no ``os.fork``.
    """
    if (len(gids) < PARALLEL_MIN_GLYPHS // 2 or not hasattr(os, "fork") or _cpus() < 2
            or threading.active_count() > 1):
        return None
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:                                       # the child: convert, send, leave at once
        status = 1
        try:
            os.close(read_fd)
            data = marshal.dumps(convert_glyphs(face, gids))
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
            status = 0
        except BaseException:
            pass
        finally:
            os._exit(status)
    os.close(write_fd)
    return ChildConversion(pid, read_fd, list(gids))
