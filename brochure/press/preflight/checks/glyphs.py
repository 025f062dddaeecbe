"""The glyphs check: no text shows a font's .notdef glyph (a blank box where a character was meant).

A simple font's codes are mapped to characters by its ToUnicode CMap; ReportLab
(and our own glyph runs, which encode through it) shows a character the font
lacks as code 0 of the first subset, which maps to U+0000.  So a code shown
that maps to U+0000, or to nothing at all, prints the font's .notdef glyph: the
words are not on the page, whatever text extraction says.
"""
from __future__ import annotations

import re

import pikepdf

from ..report import Report

_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")
_BFRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_SHOW = {"Tj", "TJ", "'", '"'}


def to_unicode(font) -> dict[int, str] | None:
    """code -> text of a simple font's ToUnicode CMap; None when it has none (nothing can be said)."""
    stream = font.get("/ToUnicode")
    if stream is None:
        return None
    try:
        data = stream.read_bytes()
    except (pikepdf.PdfError, AttributeError):
        return None
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in _BFRANGE.findall(block):
            start = int(dst, 16)
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + k) if start + k < 0x110000 else "\ufffd"
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in _BFCHAR.findall(block):
            text = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace") if dst else ""
            mapping[int(src, 16)] = text
    return mapping


def _strings(operands, op):
    if op == "TJ":
        return [o for o in operands[0] if isinstance(o, pikepdf.String)] if operands else []
    if op == '"':
        return [operands[2]] if len(operands) > 2 else []
    return [operands[0]] if operands else []


def check_glyphs(pdf: pikepdf.Pdf, report: Report) -> None:
    maps: dict[tuple, dict | None] = {}
    found: list[str] = []
    for page_no, page in enumerate(pdf.pages, 1):
        fonts = page.obj.get("/Resources", {}).get("/Font") or {}
        current = None
        try:
            instructions = pikepdf.parse_content_stream(page, "Tf Tj TJ ' \"")
        except pikepdf.PdfError:
            continue
        blanks = 0
        for operands, op in instructions:
            op = str(op)
            if op == "Tf" and operands:
                font = fonts.get(str(operands[0]))
                if font is None or font.get("/Subtype") == pikepdf.Name.Type0:
                    current = None
                    continue
                key = font.objgen if font.is_indirect else (id(font), 0)
                if key not in maps:
                    maps[key] = to_unicode(font)
                current = maps[key]
            elif op in _SHOW and current is not None:
                for string in _strings(operands, op):
                    blanks += sum(1 for code in bytes(string) if current.get(code, "\0") in ("\0", ""))
        if blanks:
            found.append(f"page {page_no}: {blanks} character(s) shown as the font's .notdef glyph (blank boxes)")
    report.verdict("glyphs", found,
                   ("有文字印成空白方框：所用字体缺少这些字（.notdef）",
                    "text shows the font's .notdef glyph: the font lacks those characters"),
                   ("所有文字都有字形", "every character has its glyph"))
