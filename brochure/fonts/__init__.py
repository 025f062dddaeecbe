"""Fonts: find a family's file, convert it to an embeddable TrueType subset, cache it.

    lib = FontLibrary(project_root)
    face = lib.face("Noto Serif CJK SC", "Regular", chars)
    canvas.setFont(face.name, 9.5)

Stages, one module each: ``discover`` (project fonts/ then fontconfig),
``opentype`` (halt/vert/fwid from GSUB/GPOS), ``convert`` (CFF -> glyf with
cu2qu, metrics), ``library`` (disk cache, registration), ``face`` (the Face
object), ``coverage`` (missing characters as a FontError).
"""
from brochure.fonts.coverage import check_coverage
from brochure.fonts.face import Face
from brochure.fonts.library import BASE_CHARS, FontLibrary

__all__ = ["FontLibrary", "Face", "check_coverage", "BASE_CHARS"]
