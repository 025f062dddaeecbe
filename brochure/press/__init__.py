"""Print production: page boxes, marks, CMYK images, colour, PDF/X finishing, preflight."""
