"""Fonts: find a family's file, convert the glyphs a document needs to TrueType, cache them.

    lib = FontLibrary(project_root)
    face = lib.face("Noto Serif CJK SC", "Regular", chars)
    canvas.setFont(face.name, 9.5)

Stages, one module each: ``discover`` (project fonts/ then fontconfig, answers
remembered), ``sfnt`` (reading a face's tables, writing a TrueType file),
``cff`` (a CFF table's structures), ``outlines`` (CFF charstrings ->
TrueType glyphs, one glyph at a time), ``glyf`` (packing a glyph),
``opentype`` (halt/vert/fwid from GSUB/GPOS), ``faceinfo`` (per-face data),
``convert`` (per-character glyphs), ``assembly`` (a font and its metrics
from converted glyphs), ``glyphstore`` (the
per-face store of converted glyphs), ``identity`` (what the caches are keyed
by: a font file's bytes, the code's digest), ``library`` (caches, registration),
``face`` (the Face object), ``coverage`` (missing characters as a FontError).
"""
from brochure.fonts.coverage import check_coverage
from brochure.fonts.face import Face
from brochure.fonts.library import BASE_CHARS, FontLibrary

__all__ = ["FontLibrary", "Face", "check_coverage", "BASE_CHARS"]
