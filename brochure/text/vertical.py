"""VerticalText: 竖排 — columns top to bottom, ordered right to left.

Columns are broken with the same rules and machinery as horizontal lines (the
column height is the measure).  Punctuation and brackets use the font's
vertical forms (``Face.vert``, from GSUB 'vert').  Western runs of one or two
characters stand upright across the column (縦中横); longer runs are turned
90° clockwise.  Each line of the text (split at newlines) starts a new column,
e.g. one item of an honour list per column.  ``——`` and ``……`` run down the
column as one unbroken bar and evenly spaced dots (``brochure.draw.text``
draws them; the vertical-form glyphs stay underneath as invisible text).
"""
from __future__ import annotations

from reportlab.lib.rl_accel import fp_str
from reportlab.platypus.flowables import Flowable

from brochure.draw.text import JOINED, draw_run, mark_operators, set_fill, tj_operators
from brochure.text.layout import layout_lines
from brochure.text.line import Line


class VerticalText(Flowable):
    """Vertical text in columns ``style.leading`` apart, ``height`` pt tall."""

    def __init__(self, text: str, style, height: float):
        super().__init__()
        self.text = text
        self.style = style
        self.column_height = height
        self._columns: list[Line] | None = None

    def columns(self) -> list[Line]:
        if self._columns is None:
            self._columns = [line for para in self.text.split("\n") if para.strip()
                             for line in layout_lines(para, self.style, self.column_height, vertical=True)]
        return self._columns

    def wrap(self, availWidth, availHeight):  # noqa: N803
        self.width = len(self.columns()) * self.style.leading
        self.height = self.column_height
        return self.width, self.height

    def draw(self):
        canvas, style, face, size = self.canv, self.style, self.style.face, self.style.size
        columns = self.columns()
        width = len(columns) * style.leading
        canvas.saveState()
        set_fill(canvas, style.color, style.overprint)
        for i, col in enumerate(columns):
            centre = width - (i + 0.5) * style.leading
            self._draw_column(canvas, col, centre, self.column_height, face, size)
        canvas.restoreState()

    @staticmethod
    def _draw_column(canvas, col: Line, centre: float, top: float, face, size: float) -> None:
        groups: dict[int, list] = {}
        for g in col.glyphs:
            groups.setdefault(g.piece, []).append(g)
        for glyphs in groups.values():
            first = glyphs[0]
            if first.kind == "space":
                continue
            cell_top = top - first.x
            if first.kind in ("word", "upright"):
                text = "".join(g.char for g in glyphs)
                natural = sum(face.advance(c) if face.has(c) else 0.6 for c in text) * size
                if first.kind == "upright":
                    # 縦中横: upright, centred in one em cell, narrowed if too wide
                    scale = min(1.0, 0.95 * size / natural) if natural else 1.0
                    run, x = [], 0.0
                    for c in text:
                        run.append((c, x))
                        x += (face.advance(c) if face.has(c) else 0.6) * size
                    left = centre - natural * scale / 2
                    baseline = cell_top - face.ascent * size
                    canvas.addLiteral(
                        f"BT {fp_str(scale)} 0 0 1 {fp_str(left)} {fp_str(baseline)} Tm "
                        f"{tj_operators(canvas, face, size, run)} ET")
                else:
                    # a longer Western run is turned 90° clockwise, baseline down the column
                    base_x = centre - (face.ascent - face.descent) / 2 * size
                    run = [(g.char, g.x - first.x) for g in glyphs]
                    canvas.addLiteral(
                        f"BT 0 -1 1 0 {fp_str(base_x)} {fp_str(cell_top)} Tm "
                        f"{tj_operators(canvas, face, size, run)} ET")
                continue
            whole = first.kind == "dash" and len(glyphs) >= 2 and first.char in JOINED
            for g in glyphs:
                ch = face.vert(g.char) or g.char
                baseline = top - g.x - face.ascent * size
                if whole:
                    canvas.addLiteral(f"BT 1 0 0 1 {fp_str(centre - size / 2)} {fp_str(baseline)} Tm "
                                      f"{tj_operators(canvas, face, size, [(ch, 0.0)], hidden=(0,))} ET")
                else:
                    draw_run(canvas, face, size, centre - size / 2, baseline, [(ch, 0.0)])
            if whole:
                last = glyphs[-1]
                canvas.addLiteral(mark_operators(face, size, first.char, top - first.x,
                                                 top - last.x - last.advance, centre, vertical=True))
