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


class PdfFont(TTFont):
    """ReportLab TTFont whose ToUnicode maps vertical-form code points to their characters."""

    #: Subset font programs already made, compressed, by subset: a rebuild (``brochure watch``)
    #: embeds the same subsets again, and making and compressing them is most of the font work.
    SUBSET_MEMO = 64

    def __init__(self, name: str, filename, alias: dict[int, int]):
        super().__init__(name, filename)     # a path, or a binary file object with the font
        self.alias = alias
        self._subsets: dict[tuple[int, ...], tuple[bytes, bytes]] = {}
        self._cmaps: dict[tuple, str] = {}

    def _subset_objects(self, doc, base_name: str, subset: list[int]):
        """ReportLab's FontDescriptor and FontFile2 for one subset, the font program made once per subset."""
        key = tuple(subset)
        made = self._subsets.get(key)
        make = self.face.makeSubset
        if made is not None:
            self.face.makeSubset = lambda _subset: made[0]
        try:
            descriptor = self.face.addSubsetObjects(doc, base_name, subset)
        finally:
            self.face.makeSubset = make
        font_file = doc.idToObject.get(f"fontFile:{self.face.filename}({base_name})")
        if font_file is None or not doc.compression or font_file.filters != [pdfdoc.PDFZCompress]:
            return descriptor
        if made is None:
            if len(self._subsets) >= self.SUBSET_MEMO:
                self._subsets.clear()
            made = self._subsets[key] = (font_file.content, zlib.compress(font_file.content))
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
            base_name = (b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))).decode("pdfdoc")
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))
            cmap = pdfdoc.PDFStream()
            key = (base_name, tuple(subset))
            content = self._cmaps.get(key)
            if content is None:
                if len(self._cmaps) >= self.SUBSET_MEMO:
                    self._cmaps.clear()
                content = self._cmaps[key] = _to_unicode_cmap(base_name, subset, self.alias)
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
    def register(cls, name: str, path: Path, metrics: Metrics, data: bytes | None = None) -> "Face":
        """Register the TTF with ReportLab (once per name) and wrap it.

        ``data``, when given, is the font file's content already read (ReportLab
        then does not read ``path`` again).
        """
        if name not in pdfmetrics.getRegisteredFontNames():
            alias = {cp: ord(ch) for ch, cp in metrics.verts.items()}
            if data is not None:
                source = io.BytesIO(data)
                source.name = str(path)
            else:
                source = str(path)
            font = PdfFont(name, source, alias)
            # ReportLab hands a font registered under a PostScript name it has seen to the
            # font object first registered with it.  Two charsets of one family are different
            # files with one PostScript name: forget the earlier one here (it stays registered
            # under its own name).  The name in the PDF stays the font's own, whatever else
            # this process built before: the same text gives the same bytes.
            pdfmetrics._dynFaceNames.pop(font.face.name, None)
            pdfmetrics.registerFont(font)
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
