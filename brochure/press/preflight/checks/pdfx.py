"""The pdfx check: OutputIntent /GTS_PDFX, identification keys, PDF version, Trapped, dates, /ID."""
from __future__ import annotations

from xml.etree import ElementTree

import pikepdf
from pikepdf import Name

from ..report import FAIL, PASS, Report


def _xmp_value(pdf: pikepdf.Pdf, name: str) -> str:
    """The value of the XMP property ``name`` ({namespace}local), as element or attribute; "" if absent.

    Read with the standard library's XML parser: pikepdf's metadata model loads lxml,
    which costs more than the whole check.
    """
    meta = pdf.Root.get("/Metadata")
    if meta is None:
        return ""
    try:
        root = ElementTree.fromstring(meta.read_bytes())
    except (ElementTree.ParseError, pikepdf.PdfError, ValueError):
        return ""
    for element in root.iter():
        if element.tag == name and element.text:
            return element.text.strip()
        if name in element.attrib:
            return element.attrib[name].strip()
    return ""


def pdfx_flavour(pdf: pikepdf.Pdf) -> str | None:
    info = pdf.trailer.get("/Info")
    version = str(info.get("/GTS_PDFXVersion", "")) if info is not None else ""
    conformance = str(info.get("/GTS_PDFXConformance", "")) if info is not None else ""
    xmp_version = _xmp_value(pdf, "{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion")
    if str(xmp_version).startswith("PDF/X-4"):
        return "PDF/X-4"
    if conformance.startswith("PDF/X-1a") or version.startswith("PDF/X-1"):
        return conformance or version
    if version:
        return version
    return None


def check_pdfx(pdf: pikepdf.Pdf, report: Report) -> str | None:
    flavour = pdfx_flavour(pdf)
    problems: list[str] = []
    intents = [oi for oi in pdf.Root.get("/OutputIntents", []) if oi.get("/S") == Name.GTS_PDFX]
    if len(intents) != 1:
        problems.append(f"{len(intents)} GTS_PDFX output intents (need exactly 1)")
    for oi in intents:
        if not str(oi.get("/OutputConditionIdentifier", "")):
            problems.append("output intent without OutputConditionIdentifier")
        profile = oi.get("/DestOutputProfile")
        if profile is None and not str(oi.get("/RegistryName", "")):
            problems.append("output intent has neither DestOutputProfile nor RegistryName")
        if profile is not None and int(profile.get("/N", 0)) != 4:
            problems.append("output profile is not CMYK (N != 4)")
        if profile is None and flavour == "PDF/X-4":
            problems.append("PDF/X-4 needs an embedded output profile")
    if flavour is None:
        problems.append("no GTS_PDFXVersion (not identified as PDF/X)")
    info = pdf.trailer.get("/Info")
    for key in ("/Title", "/CreationDate", "/ModDate", "/Trapped"):
        if info is None or key not in info:
            problems.append(f"Info {key[1:]} missing")
    if info is not None and "/Trapped" in info and str(info.Trapped) not in ("/True", "/False"):
        problems.append(f"Trapped is {info.Trapped} (must be True or False)")
    if "/ID" not in pdf.trailer:
        problems.append("trailer /ID missing")
    if pdf.is_encrypted:
        problems.append("file is encrypted")
    if "/JavaScript" in pdf.Root.get("/Names", {}) or "/OpenAction" in pdf.Root:
        problems.append("JavaScript or OpenAction present")
    version = pdf.pdf_version
    if flavour and flavour.startswith("PDF/X-1a:2001") and version > "1.3":
        problems.append(f"PDF version {version} (PDF/X-1a:2001 needs 1.3)")
    if flavour == "PDF/X-4" and version > "1.6":
        problems.append(f"PDF version {version} (PDF/X-4 allows up to 1.6)")
    if problems:
        report.add("pdfx", FAIL, "不符合 PDF/X 要求", f"not valid {flavour or 'PDF/X'}", problems)
    else:
        report.add("pdfx", PASS, f"{flavour}，输出意图齐全", f"{flavour} with output intent")
    return flavour
