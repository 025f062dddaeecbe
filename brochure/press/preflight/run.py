"""``preflight``: open the file once, walk its pages, run every check, and keep what it read in a store."""
from __future__ import annotations

from pathlib import Path

import pikepdf

from brochure.ground.errors import BrochureError, Location
from brochure.ground.rules import INK_LIMIT, MIN_PPI

from .checks.boxes import check_boxes, page_box
from .checks.colour import check_colour, check_transparency
from .checks.fonts import check_fonts
from .checks.glyphs import check_glyphs
from .checks.images import check_images
from .checks.ink import check_ink_render, check_ink_values
from .checks.pdfx import check_pdfx
from .checks.tone import check_tone
from .kept import KIND, PageRead, Store
from .reading import Region, text_and_qr
from .report import FAIL, WARN, Report
from .scan import IDENTITY, Scan, page_key, walk


def preflight(pdf: Path, *, expect_urls: list[str] | None = None, min_ppi: float = MIN_PPI,
              ink_limit: float = INK_LIMIT, thorough: bool = True, qr_regions: list[Region] | None = None,
              store: Store | None = None, draft: bool = False) -> Report:
    """Check a finished PDF; never writes anything but to ``store``.

    ``thorough`` measures total ink on a Ghostscript render of every page; otherwise
    (every build) from the colour values and image samples in the file: quick, and
    never lower than the render, which averages.  ``qr_regions`` -- (page index, (x0, y0, x1, y1) in page
    space) where QR codes were placed -- limits the QR render to those areas; the
    whole pages are still scanned if a code is not found there.  ``store`` (None:
    nothing is kept) keeps what was read from each page (colours, images, extracted
    text, QR codes decoded where placed) under kind "preflight", keyed by a digest of
    everything the page is made of (``page_key``): a page identical to one already
    checked is not read again, and PDFium is loaded only if some page must be.  The
    quick ink check keeps each image's reading there too, under kind "ink".  ``draft``: the PDF is a
    watermarked proof (``build --draft``); the report says so, and a photo far below ``min_ppi`` only warns.
    A file whose pages carry a draft's watermark (the marked-content artifact ``draw.watermark``
    writes) is a draft whatever ``draft`` says: its settings keep ``"draft": true``, and when it
    was not checked as one (``brochure preflight``) the draft check fails: it is not for press.
    """
    pdf = Path(pdf)
    report = Report(path=str(pdf), settings={"min_ppi": min_ppi, "ink_limit": ink_limit,
                                             "expect_urls": list(expect_urls or [])})
    try:
        doc = pikepdf.open(pdf)
    except pikepdf.PasswordError:
        raise BrochureError(
            "这个 PDF 设有密码，无法打开检查。请使用不带密码的 PDF（请对方重新导出，或在 PDF 软件中去掉密码后另存一份）。",
            "this PDF is password-protected and cannot be opened for checking. Use a PDF without a password "
            "(ask for it to be exported again, or remove the password and save a copy).",
            Location(str(pdf)),
        ) from None
    except (pikepdf.PdfError, OSError) as e:
        report.add("open", FAIL, f"无法打开 PDF（{e}）", f"cannot open the PDF ({e})")
        return report
    known: dict[str, PageRead] = {}          # this run's page readings, by page key
    stored: dict[str, bytes] = {}            # the entries they were read from, as found in the store
    keys: list[str | None] = []
    with doc:
        flavour = check_pdfx(doc, report)
        x4 = flavour == "PDF/X-4"
        check_boxes(doc, report)
        scan = Scan()
        digests: dict = {}
        for n, page in enumerate(doc.pages, 1):
            bleed = page_box(page, "/BleedBox") or page_box(page, "/MediaBox")
            if bleed is not None:
                scan.bleed[n] = tuple(bleed)
            key = page_key(page, x4, digests) if store is not None else None
            keys.append(key)
            read = _recall(store, key, known, stored) if key is not None else None
            if read is not None:
                read.replay(page, n, scan)
            else:
                before = len(scan.colour_problems), len(scan.images)
                walk(page.obj, page.obj.get("/Resources"), IDENTITY, n, scan, x4, set())
                if key is not None:
                    known[key] = PageRead.of(scan, n, before)
        _check_draft(report, draft, sorted(scan.watermarked), len(doc.pages))
        check_fonts(scan, report)
        check_glyphs(doc, report)
        check_images(scan, report, x4=x4, min_ppi=min_ppi, draft=draft)
        check_tone(scan, report, store=store)
        check_colour(scan, report)
        check_transparency(doc, report, x4=x4)
        if not thorough:
            check_ink_values(scan, report, limit=ink_limit, store=store)
    if thorough:
        check_ink_render(pdf, report, limit=ink_limit)
    text_and_qr(pdf, report, expect_urls, qr_regions,
                [known.get(k) if k is not None else None for k in keys] if store is not None else None)
    if store is not None:
        for key, read in known.items():      # what is new, or was read further (text, QR codes)
            data = read.to_json(key)
            if data != stored.get(key):
                store.put(KIND, key, data)
    return report


def _check_draft(report: Report, draft: bool, marked: list[int], pages: int) -> None:
    """A draft says so first: a warning when it was checked as one, else a failure (not for press)."""
    if not draft and not marked:
        return
    report.settings["draft"] = True
    where_zh = where_en = ""
    if marked and len(marked) < pages:
        where_zh = f"，第 {', '.join(map(str, marked))} 页"
        where_en = f" (pages {', '.join(map(str, marked))})"
    check = (report.add("draft", WARN, f"这是样稿（有“样稿 DRAFT”水印{where_zh}），不能付印",
                        f"this is a draft (watermarked \"样稿 DRAFT\"{where_en}), not for press")
             if draft else
             report.add("draft", FAIL, f"这是样稿（有“样稿 DRAFT”水印{where_zh}），不能付印。"
                        "请填完【待填】的内容，不加 --draft 重新生成后再送印",
                        f"this is a draft (watermarked \"样稿 DRAFT\"{where_en}), not for press. Fill in what "
                        "is marked 【待填】 and build again without --draft before sending it to print"))
    report.checks.insert(0, report.checks.pop(report.checks.index(check)))


def _recall(store: Store, key: str, known: dict[str, PageRead], stored: dict[str, bytes]) -> PageRead | None:
    """The reading of the page with ``key``: from this run (an identical page) or from the store."""
    read = known.get(key)
    if read is None:
        data = store.get(KIND, key)
        read = PageRead.from_json(data, key) if data is not None else None
        if read is not None:
            known[key], stored[key] = read, data
    return read
