"""A usable face: a ReportLab-registered TrueType font plus its layout metrics.

``Face`` is what text layout and drawing work with.  All metrics are in em
(1.0 = the type size).  ``PdfFont`` is ReportLab's ``TTFont`` with one change:
its ToUnicode map sends the Private Use code points we give vertical forms
back to the characters they stand for (and writes characters beyond the BMP as
UTF-16), so text copied from a PDF reads as written.
"""
from __future__ import annotations

import io
import zlib
from pathlib import Path

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

from brochure.fonts.convert import Metrics


def _utf16_hex(cp: int) -> str:
    return chr(cp).encode("utf-16-be").hex().upper()


def _to_unicode_cmap(fontname: str, subset: list[int], alias: dict[int, int]) -> str:
    """A ToUnicode CMap for one 256-code subset (see PDF 32000 §9.10.3)."""
    entries = [f"<{i:02X}> <{_utf16_hex(alias.get(cp, cp))}>" for i, cp in enumerate(subset)]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})",
        "/Supplement 0", ">> def", f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar", *entries, "endbfchar",
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


class SubsetMemo:
    """Subset font programs (and their compressed bytes) and ToUnicode maps already made, for one build.

    A rebuild (``brochure watch``) embeds the same subsets again, and making and
    compressing them is most of the font work.  The font library of a build owns
    one (``FontLibrary.subsets``); the faces it makes hand it to their PDF fonts.
    Keyed by the font's registered name, which is unique to its bytes.
    """

    LIMIT = 256

    def __init__(self):
        self.programs: dict[tuple, tuple[bytes, bytes]] = {}
        self.cmaps: dict[tuple, str] = {}

    @classmethod
    def _put(cls, table: dict, key, value):
        if len(table) >= cls.LIMIT:
            table.clear()
        table[key] = value
        return value


class PdfFont(TTFont):
    """ReportLab TTFont whose ToUnicode maps vertical-form code points to their characters.

    ReportLab keeps the fonts it can draw with in a registry keyed by the name a
    face has there (``face.name``), and hands a font registered under a face name it
    has seen the font first registered with it.  Two character sets of one family are
    different files with one PostScript name, so each is entered under a face name of
    its own (its registered name), and the PDF names it by ``postscript_name``, the
    font's own: the same text gives the same bytes, whatever this process built before.
    """

    def __init__(self, name: str, filename, alias: dict[int, int], memo: SubsetMemo | None = None):
        super().__init__(name, filename)     # a path, or a binary file object with the font
        self.alias = alias
        self.memo = memo if memo is not None else SubsetMemo()
        self.postscript_name = self.face.name
        self.face.name = name.encode("utf-8")

    def _subset_objects(self, doc, base_name: str, subset: list[int]):
        """ReportLab's FontDescriptor and FontFile2 for one subset, the font program made once per subset."""
        key = (self.fontName, tuple(subset))
        made = self.memo.programs.get(key)
        if made is None:
            descriptor = self.face.addSubsetObjects(doc, base_name, subset)
        else:                                   # ReportLab's objects, around the program made before
            self.face.makeSubset = lambda _subset: made[0]
            try:
                descriptor = self.face.addSubsetObjects(doc, base_name, subset)
            finally:
                del self.face.makeSubset        # the class's own method again
        font_file = doc.idToObject.get(f"fontFile:{self.face.filename}({base_name})")
        if font_file is None or not doc.compression or font_file.filters != [pdfdoc.PDFZCompress]:
            return descriptor
        if made is None:
            made = SubsetMemo._put(self.memo.programs, key, (font_file.content, zlib.compress(font_file.content)))
        # stored compressed already; ReportLab leaves a stream with a /Filter as it is
        font_file.content = made[1]
        font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        return descriptor

    def addObjects(self, doc):  # noqa: N802 (ReportLab's name)
        """Add one PDF TrueType font object per 256-character subset (as ReportLab does)."""
        state = self._assignState(doc)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = (b"".join((SUBSETN(n), b"+", self.postscript_name, self.face.subfontNameX))).decode("pdfdoc")
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))
            cmap = pdfdoc.PDFStream()
            key = (self.fontName, base_name, tuple(subset))
            content = self.memo.cmaps.get(key)
            if content is None:
                content = SubsetMemo._put(self.memo.cmaps, key, _to_unicode_cmap(base_name, subset, self.alias))
            cmap.content = content
            if doc.compression:
                cmap.filters = [pdfdoc.PDFZCompress]
            pdf_font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base_name)
            pdf_font.FontDescriptor = self._subset_objects(doc, base_name, subset)
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
        del self.state[doc]


class Face:
    """One face of one family, converted, registered with ReportLab, with metrics in em."""

    def __init__(self, name: str, path: Path, metrics: Metrics):
        self.name = name                  # ReportLab font name (canvas.setFont(face.name, size))
        self.path = path                  # the cached TrueType file
        self.family = metrics.family
        self.style = metrics.style
        self.ascent = metrics.ascent
        self.descent = metrics.descent    # positive, below the baseline
        self._m = metrics
        self._vert_chars = {chr(cp): ch for ch, cp in metrics.verts.items()}
        # what a character's metrics depend on: the source font and the converter, not which
        # other characters this face holds (set by FontLibrary; set paragraphs are cached by it)
        self.metrics_key = name

    # --- registration --------------------------------------------------------
    @classmethod
    def register(cls, name: str, path: Path, metrics: Metrics, data: bytes | None = None,
                 memo: SubsetMemo | None = None) -> "Face":
        """Register the TTF with ReportLab (once per name) and wrap it.

        ``data``, when given, is the font file's content already read (ReportLab
        then does not read ``path`` again).  ``memo`` is the build's memo of subsets
        made; the font registered under ``name`` uses it from here on.
        """
        if name in pdfmetrics.getRegisteredFontNames():
            font = pdfmetrics.getFont(name)
            if memo is not None and isinstance(font, PdfFont):
                font.memo = memo
        else:
            alias = {cp: ord(ch) for ch, cp in metrics.verts.items()}
            if data is not None:
                source = io.BytesIO(data)
                source.name = str(path)
            else:
                source = str(path)
            pdfmetrics.registerFont(PdfFont(name, source, alias, memo))
        return cls(name, path, metrics)

    @property
    def pdf_font(self) -> PdfFont:
        return pdfmetrics.getFont(self.name)

    # --- metrics ---------------------------------------------------------------
    def has(self, ch: str) -> bool:
        """Whether the face can draw ``ch`` (a single character)."""
        return ch in self._m.advances

    def advance(self, ch: str) -> float:
        """Horizontal advance of ``ch`` in em (as drawn: full-width forms where Chinese wants them)."""
        try:
            return self._m.advances[ch]
        except KeyError:
            if ch in self._vert_chars:
                return 1.0
            raise KeyError(f"{ch!r} (U+{ord(ch):04X}) is not in face {self.family} {self.style}") from None

    def halt(self, ch: str) -> tuple[float, float]:
        """Trimmable empty space (left, right) in em, from the font's 'halt' feature or the glyph's ink."""
        return self._m.halts.get(ch, (0.0, 0.0))

    def vert(self, ch: str) -> str | None:
        """The character (a Private Use code point of this face) that draws ``ch``'s vertical form."""
        cp = self._m.verts.get(ch)
        return chr(cp) if cp is not None else None

    def chars(self) -> set[str]:
        """Every character this face can draw."""
        return set(self._m.advances)

    def __repr__(self) -> str:
        return f"Face({self.family!r}, {self.style!r}, name={self.name!r})"
