"""Fonts: find a family's file, convert the glyphs a document needs to TrueType, cache them.

    lib = FontLibrary(project_root)
    face = lib.face("Noto Serif CJK SC", "Regular", chars)
    canvas.setFont(face.name, 9.5)

Stages, one module each: ``discover`` (project fonts/ then fontconfig, answers
remembered), ``sfnt`` (reading a face's tables, writing a TrueType file),
``outlines`` (CFF charstrings -> TrueType glyphs, one glyph at a time),
``opentype`` (halt/vert/fwid from GSUB/GPOS), ``convert`` (per-face data,
per-character glyphs, assembling a font and its metrics), ``glyphstore`` (the
per-face store of converted glyphs), ``library`` (caches, registration),
``face`` (the Face object), ``coverage`` (missing characters as a FontError).
"""
from brochure.fonts.coverage import check_coverage
from brochure.fonts.face import Face
from brochure.fonts.library import BASE_CHARS, FontLibrary

__all__ = ["FontLibrary", "Face", "check_coverage", "BASE_CHARS"]
