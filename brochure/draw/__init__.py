"""Drawing on a ReportLab canvas: glyph runs, photos, QR codes, printer's marks.

The Flowables of text/ and layout/ draw themselves (ReportLab's platypus
contract), so what they draw with lives here, below them.
"""
