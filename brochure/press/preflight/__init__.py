"""Preflight: read a finished PDF the way a print shop would and report what is wrong.

``preflight`` only reads the file (with pikepdf, pypdfium2, Ghostscript and
zxing-cpp, independent of how it was made) and returns a ``Report`` of checks,
each pass / warn / fail with a Chinese and an English message:

* pdfx      -- OutputIntent /GTS_PDFX, identification keys, PDF version, Trapped, dates, /ID
* boxes     -- MediaBox, BleedBox, TrimBox on every page, nested, bleed >= 3 mm
* fonts     -- every font embedded; Type3 fonts flagged
* images    -- colour space of every image, effective ppi from its placement
* tone      -- no photo prints as blank paper white or solid black
* colour    -- colour operators and colour spaces in content streams (no RGB)
* transparency -- none in PDF/X-1a
* ink       -- maximum total ink inside the bleed box: a Ghostscript render (thorough,
               ``brochure preflight``) or the file's own numbers (quick, every build)
* text      -- text extracts and contains Chinese (Han) characters
* qr        -- QR codes on the rendered pages decode (and match the expected URLs)

The package, from the bottom up: ``report`` (Check, Report), ``scan`` (the
content-stream interpreter), ``kept`` (page readings kept in a store), ``checks``
(one module per family), ``reading`` (PDFium text and QR codes), ``run``
(``preflight`` itself) and ``cli`` (``main_preflight``, which prints the summary
and writes FILE.preflight.json beside the PDF).
"""
from __future__ import annotations

from .cli import main_preflight, report_path, setting_value
from .kept import Store
from .report import FAIL, PASS, WARN, Check, Report
from .run import preflight

__all__ = ["FAIL", "PASS", "WARN", "Check", "Report", "Store", "main_preflight", "preflight", "report_path",
           "setting_value"]
