"""Finish a ReportLab PDF as PDF/X-1a:2001 or PDF/X-4: boxes, output intent, metadata, determinism.

ReportLab cannot write an OutputIntent, page boxes or PDF/X identification, so
``finish`` rewrites its output with pikepdf:

* MediaBox / BleedBox / TrimBox on every page from ``PageBoxes`` (CropBox and
  ArtBox are removed so nothing contradicts the trim);
* one OutputIntent /GTS_PDFX with the CMYK output profile embedded (allowed
  for both X-1a and X-4, and it helps the RIP);
* Info keys (Title, Author, dates, Trapped, GTS_PDFX* for X-1a) and a matching
  XMP packet written here in full (pdfxid:GTS_PDFXVersion for X-4), so
  pikepdf's metadata sync never wipes Info (editing the XMP through pikepdf's
  ``open_metadata`` copies it back into Info on close and deletes the Info
  entries the packet lacks);
* catalog /Lang; PDF version 1.3 (X-1a) or 1.6 (X-4);
* ReportLab's unused, unembedded Helvetica resource is dropped; ASCII85 around
  JPEG data is removed;
* dates come from ``source_date_epoch`` (the caller's document date, see
  ``brochure.ground.rules.source_date``), and the trailer /ID from the content,
  so equal inputs give equal bytes.

Press settings arrive as plain values (the standard, the profile file, the
output condition): this floor knows nothing of content.yaml.

For X-1a any transparency is an error: it is forbidden and cannot be fixed here.
"""
from __future__ import annotations

import base64
import hashlib
import io
import time
import uuid
import zlib
from html import escape as _html_escape
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String
from PIL import ImageCms

from brochure import __version__
from brochure.ground.boxes import PageBoxes
from brochure.ground.errors import PressError
from brochure.ground.rules import X1A, X4
from brochure.press.profile import DEFAULT_CMYK_PROFILE, output_profile_path  # noqa: F401  (still named here)
from brochure.press.transparency import find_transparency

REGISTRY = "http://www.color.org"
CREATOR = f"brochure {__version__}"
PRODUCER = f"brochure {__version__} (ReportLab, pikepdf)"


def escape(text: str) -> str:
    """&, < and > as XML entities (xml.sax.saxutils.escape, without importing urllib and http)."""
    return _html_escape(text, quote=False)


# --- inputs -------------------------------------------------------------

def read_output_profile(path: Path) -> tuple[bytes, str]:
    """The bytes and description of a CMYK output profile; PressError if it is not one."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise PressError(f"无法读取输出色彩配置文件 {path}（{e.strerror}）。",
                         f"cannot read the output colour profile {path} ({e.strerror}).") from None
    if len(data) < 128 or data[36:40] != b"acsp":
        raise PressError(f"{path} 不是 ICC 色彩配置文件。", f"{path} is not an ICC colour profile.")
    if data[16:20] != b"CMYK" or data[12:16] != b"prtr":
        raise PressError(f"{path} 不是 CMYK 印刷（输出）配置文件，PDF/X 需要印刷厂的 CMYK 配置文件。",
                         f"{path} is not a CMYK printer (output) profile; PDF/X needs the press's "
                         "CMYK profile.")
    description = path.stem
    try:
        description = ImageCms.getOpenProfile(io.BytesIO(data)).profile.profile_description or description
    except Exception:
        pass
    return data, description.strip()


def pdf_date(epoch: int) -> str:
    return time.strftime("D:%Y%m%d%H%M%SZ", time.gmtime(epoch))


def xmp_date(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _deflated(data: bytes) -> bytes:
    """``data`` compressed as qpdf would (zlib's default level): the output profile is the largest stream
    of a text-only page (190 kB for SWOP), and qpdf would compress it twice per save when the /ID is
    derived from the content.  (A few milliseconds per output: not worth remembering between builds.)"""
    return zlib.compress(data)


# --- page work ----------------------------------------------------------

def _content_font_names(obj) -> set[str]:
    """Font resource names used by Tf in a page's or form's content."""
    names: set[str] = set()
    try:
        for operands, op in pikepdf.parse_content_stream(obj):
            if str(op) == "Tf" and operands:
                names.add(str(operands[0]))
    except pikepdf.PdfError:
        pass
    return names


def _is_unembedded_font(font) -> bool:
    if font.get("/Subtype") == Name.Type0:
        desc = font.DescendantFonts[0].get("/FontDescriptor")
    else:
        desc = font.get("/FontDescriptor")
    if font.get("/Subtype") == Name.Type3:
        return False
    if desc is None:
        return True
    return not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _drop_unused_fonts(container, seen: set) -> None:
    """Remove unused unembedded fonts from a page or form XObject's resources, recursively."""
    res = container.get("/Resources")
    if res is None:
        return
    fonts = res.get("/Font")
    if fonts is not None and any(_is_unembedded_font(fonts[key]) for key in fonts.keys()):
        used = _content_font_names(container)      # parsing the content is the costly part: only when needed
        for key in list(fonts.keys()):
            if key not in used and _is_unembedded_font(fonts[key]):
                del fonts[key]
        if len(fonts.keys()) == 0:
            del res["/Font"]
    xobjs = res.get("/XObject")
    if xobjs is not None:
        for key in list(xobjs.keys()):
            xo = xobjs[key]
            if xo.get("/Subtype") == Name.Form and xo.objgen not in seen:
                seen.add(xo.objgen)
                _drop_unused_fonts(xo, seen)


def _unwrap_ascii85_jpegs(pdf: Pdf) -> None:
    """ReportLab wraps JPEG data in ASCII85 (25 % larger); store plain DCTDecode."""
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        filt = obj.get("/Filter")
        if isinstance(filt, Array) and [str(f) for f in filt] == ["/ASCII85Decode", "/DCTDecode"]:
            raw = bytes(obj.read_raw_bytes()).strip()
            if raw.startswith(b"<~"):
                raw = raw[2:]
            if raw.endswith(b"~>"):
                raw = raw[:-2]
            data = base64.a85decode(raw, ignorechars=b" \t\n\r\x0b")
            obj.write(data, filter=Name.DCTDecode)
            if "/DecodeParms" in obj:
                del obj["/DecodeParms"]


# --- metadata -------------------------------------------------------------

def _xmp(*, title: str, author: str, language: str, created: str, pdfx: str, doc_id: str,
         trapped: str = "False") -> bytes:
    t, a, lang = escape(title), escape(author), escape(language)
    pdfxid = (f"\n   <pdfxid:GTS_PDFXVersion>{X4}</pdfxid:GTS_PDFXVersion>" if pdfx == X4 else "")
    pdfx_keys = (f"\n   <pdfx:GTS_PDFXVersion>PDF/X-1:2001</pdfx:GTS_PDFXVersion>"
                 f"\n   <pdfx:GTS_PDFXConformance>{X1A}</pdfx:GTS_PDFXConformance>" if pdfx == X1A else "")
    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{t}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{a}</rdf:li></rdf:Seq></dc:creator>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreateDate>{created}</xmp:CreateDate>
   <xmp:ModifyDate>{created}</xmp:ModifyDate>
   <xmp:MetadataDate>{created}</xmp:MetadataDate>
   <xmp:CreatorTool>{escape(CREATOR)}</xmp:CreatorTool>
   <pdf:Producer>{escape(PRODUCER)}</pdf:Producer>
   <pdf:Trapped>{trapped}</pdf:Trapped>
   <xmpMM:DocumentID>uuid:{doc_id}</xmpMM:DocumentID>
   <xmpMM:InstanceID>uuid:{doc_id}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>{pdfxid}{pdfx_keys}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return body.encode("utf-8")


# --- the public function --------------------------------------------------

def finish(src: Path, dst: Path, *, boxes: list[PageBoxes] | PageBoxes, pdfx: str, profile: Path,
           output_condition: str, title: str, author: str, language: str = "zh-CN",
           source_date_epoch: int) -> None:
    """Rewrite the ReportLab PDF ``src`` as a PDF/X file at ``dst``.

    ``boxes`` is one PageBoxes for all pages or one per page; ``pdfx`` is X1A or
    X4; ``profile`` the CMYK output profile (see ``output_profile_path``) and
    ``output_condition`` its registered name; ``source_date_epoch`` the document
    date.  Raises PressError (and writes nothing) when the profile is unusable,
    the page count does not match, or an X-1a file would contain transparency.
    """
    if pdfx not in (X1A, X4):
        raise PressError(f"不支持的 PDF/X 标准“{pdfx}”，请用 {X1A} 或 {X4}。",
                         f"unsupported PDF/X standard '{pdfx}'; use {X1A} or {X4}.")
    profile_bytes, profile_desc = read_output_profile(profile)
    epoch = int(source_date_epoch)

    with Pdf.open(src) as pdf:
        pages = list(pdf.pages)
        page_boxes = [boxes] * len(pages) if isinstance(boxes, PageBoxes) else list(boxes)
        if len(page_boxes) != len(pages):
            raise ValueError(f"{len(pages)} pages but {len(page_boxes)} PageBoxes")

        for page, pb in zip(pages, page_boxes):
            page.obj.MediaBox = Array(pb.media_box)
            page.obj.BleedBox = Array(pb.bleed_box)
            page.obj.TrimBox = Array(pb.trim_box)
            for key in ("/CropBox", "/ArtBox"):
                if key in page.obj:
                    del page.obj[key]
            _drop_unused_fonts(page.obj, set())
        pdf.remove_unreferenced_resources()
        _unwrap_ascii85_jpegs(pdf)

        if pdfx == X1A:
            found = find_transparency(pdf)
            if found:
                raise PressError(
                    f"PDF/X-1a 不允许透明效果，但文件中有：{'；'.join(found)}。"
                    "请去掉透明度，或在设置中改用 PDF/X-4。",
                    f"PDF/X-1a forbids transparency, but the file has: {'; '.join(found)}. "
                    "Remove the transparency or switch the press setting to PDF/X-4.")

        # output intent
        icc = pikepdf.Stream(pdf, b"")
        icc.N = 4
        icc.write(_deflated(profile_bytes), filter=Name.FlateDecode)   # compressed once, not on every save
        intent = Dictionary(
            Type=Name.OutputIntent, S=Name.GTS_PDFX,
            OutputConditionIdentifier=String(output_condition),
            OutputCondition=String(profile_desc),
            RegistryName=String(REGISTRY),
            Info=String(profile_desc),
            DestOutputProfile=icc,
        )
        pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])
        pdf.Root.Lang = String(language)
        for key in ("/Metadata", "/PieceInfo"):
            if key in pdf.Root:
                del pdf.Root[key]

        # document info, rebuilt from scratch
        date = pdf_date(epoch)
        info = Dictionary(
            Title=String(title), Author=String(author), Creator=String(CREATOR),
            Producer=String(PRODUCER), CreationDate=String(date), ModDate=String(date),
            Trapped=Name("/False"),
        )
        if pdfx == X1A:
            info.GTS_PDFXVersion = String("PDF/X-1:2001")
            info.GTS_PDFXConformance = String(X1A)
        else:
            info.GTS_PDFXVersion = String(X4)
        pdf.trailer.Info = pdf.make_indirect(info)

        # XMP; the document id is derived from what determines the content
        # (ReportLab's own Info dates and /ID are not part of it: they change with the clock)
        h = hashlib.sha256()
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                # the profile by its own bytes, as it was hashed before it was stored compressed
                h.update(profile_bytes if obj.objgen == icc.objgen else bytes(obj.read_raw_bytes()))
        h.update(repr([pb for pb in page_boxes]).encode())
        h.update(repr((title, author, language, epoch, pdfx, output_condition)).encode())
        doc_id = str(uuid.UUID(bytes=h.digest()[:16], version=4))
        xmp = pikepdf.Stream(pdf, _xmp(title=title, author=author, language=language,
                                       created=xmp_date(epoch), pdfx=pdfx, doc_id=doc_id))
        xmp.Type = Name.Metadata
        xmp.Subtype = Name.XML
        pdf.Root.Metadata = pdf.make_indirect(xmp)

        # qpdf keeps an existing first /ID element; drop ReportLab's so both derive from the content
        if "/ID" in pdf.trailer:
            del pdf.trailer["/ID"]
        buf = io.BytesIO()
        pdf.save(
            buf,
            force_version="1.3" if pdfx == X1A else "1.6",
            fix_metadata_version=False,
            # every stream arrives compressed (ReportLab's, the JPEGs, the profile above) except the
            # XMP packet, which stays readable as the XMP specification recommends; asking qpdf to
            # compress costs ~20 ms even when there is nothing left to compress
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=(pikepdf.ObjectStreamMode.disable if pdfx == X1A
                                else pikepdf.ObjectStreamMode.generate),
            deterministic_id=True,
        )
    Path(dst).write_bytes(buf.getvalue())
