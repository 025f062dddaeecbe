"""The ground floor: the vocabulary every stage shares, importing nothing of the package.

Units and page boxes (``boxes``), CMYK colours (``colour``), the page model that
layout hands to render (``page``), the errors a staff member reads (``errors``),
the rules and thresholds that more than one stage applies (``rules``), and what
Ctrl-C and SIGTERM do to a build (``interrupts``).
"""
