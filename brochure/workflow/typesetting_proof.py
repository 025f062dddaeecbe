"""The typesetting proof: every rule set twice, before and after, side by side.

    brochure proof --typesetting
    python -m brochure.workflow.typesetting_proof [-o out/proof-typesetting.pdf]

Each cell names a rule (Chinese and English) and sets one sample in two narrow
boxes of the same measure: *before* is ReportLab's own ``wordWrap='CJK'``
Paragraph (or, where ReportLab has no such rule to compare with, our engine
with the rule turned off), *after* is ``brochure.text``.  The boxes are tinted
and their edges drawn as thin red rules, so ragged edges, marks starting
lines and hanging punctuation are plain to see.  Under each box a note lists
what a check of its lines finds (line-start and line-end marks, split units,
lone last characters, lines short of the measure).  All text is set in Noto
Serif CJK SC from ``brochure.fonts.FontLibrary``.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from brochure.fonts import FontLibrary
from brochure.fonts.library import default_cache_dir
from brochure.text.classes import NO_START
from brochure.text.flowable import CJKParagraph
from brochure.text.style import TextStyle
from brochure.text.vertical import VerticalText
from brochure.workflow import typesetting_samples
from brochure.workflow.environment import process_environment
from brochure.workflow.typesetting_samples import (BODY, LEADING, SAMPLES, SANS, SANS_BOLD, SIZE, Sample,
                                                   line_issues)

MARGIN = 36.0
CELL_GAP = 18.0        # between two cells of a row
BOX_GAP = 12.0         # between the before and after boxes of a cell
RED = (0.85, 0.1, 0.1)
TINT = (0.96, 0.94, 0.90)


# --------------------------------------------------------------------------------------------
# Setting the samples
# --------------------------------------------------------------------------------------------
@dataclass
class Faces:
    body: object
    sans: object
    bold: object


def _rl_style(face, size=SIZE, leading=LEADING, indent=0.0, **kw) -> ParagraphStyle:
    return ParagraphStyle("before", fontName=face.name, fontSize=size, leading=leading,
                          alignment=kw.pop("alignment", TA_JUSTIFY), wordWrap="CJK",
                          firstLineIndent=indent * size, **kw)


def _rl_lines(para: Paragraph) -> list[tuple[str, float]]:
    """(text, space left over) of each line ReportLab set."""
    out = []
    for line in para.blPara.lines:
        if isinstance(line, tuple):
            extra, words = line
            out.append(("".join(words), extra))
        else:
            out.append(("".join(getattr(w, "text", "") for w in line.words), line.extraSpace))
    return out


def _rl_ragged(lines: list[tuple[str, float]], face, size: float) -> int:
    """Lines (all but the last) whose ink does not reach the right edge within 0.05 pt."""
    n = 0
    for text, extra in lines[:-1]:
        blank = face.halt(text[-1])[1] * size if text else 0.0
        if abs(extra + blank) > 0.05:
            n += 1
    return n


class Box:
    """One set sample: something to draw at (x, top) and the notes on it."""

    def __init__(self, label: str, width: float, height: float, draw, notes: list[str], grid: float = 0.0):
        self.label, self.width, self.height, self.draw, self.notes = label, width, height, draw, notes
        self.grid = grid          # > 0: draw baseline-grid lines this far apart, from the first baseline
        self.grid_first = 0.0     # pt from the box top to the first grid line
        self.columns: tuple[float, float] | None = None   # (column width, gap): a two-column sample


def _paragraphs(sample: Sample) -> list[str]:
    return [p for p in sample.text.split("\n") if p]


def before_box(sample: Sample, faces: Faces) -> Box:
    width = sample.em * SIZE
    if sample.before == "reportlab":
        para = Paragraph(escape(sample.text), _rl_style(faces.body, indent=sample.indent))
        _, h = para.wrap(width, 10_000)
        lines = _rl_lines(para)
        notes = line_issues([t for t, _ in lines], _rl_ragged(lines, faces.body, SIZE))
        return Box("之前 before\nReportLab wordWrap='CJK'", width, h,
                   lambda c, x, top: para.drawOn(c, x, top - h), notes)
    if sample.before == "no-indent":
        style = TextStyle(faces.body, SIZE, LEADING, indent=0)
        paras = [CJKParagraph(p, style) for p in _paragraphs(sample)]
        return _stack_box("之前 before\nbrochure.text, indent 0", paras, width, [])
    if sample.before == "grid":
        return _grid_box(sample, faces, before=True)
    if sample.before == "stacked":
        return _stacked_box(sample, faces)
    raise ValueError(sample.before)


def after_box(sample: Sample, faces: Faces) -> Box:
    width = sample.em * SIZE
    if sample.before == "grid":
        return _grid_box(sample, faces, before=False)
    if sample.before == "stacked":
        style = TextStyle(faces.body, SIZE, LEADING * 1.2, indent=0, align="left")   # as the honour list
        vt = VerticalText(sample.text, style, sample.height_em * SIZE)
        w, h = vt.wrap(1000, 1000)
        cols = [l.text for l in vt.columns()]
        starts = sum(1 for t in cols[1:] if t and t[0] in NO_START)
        notes = ["竖排标点、直立数字 / vertical forms, upright digits"]
        if starts:
            notes.append(f"行首禁用标点 {starts} 处 / {starts} column start(s)")
        return Box("之后 after\nbrochure.text VerticalText", w, h,
                   lambda c, x, top: vt.drawOn(c, x, top - h), notes)
    style = TextStyle(faces.body, SIZE, LEADING, indent=sample.indent)
    paras = [CJKParagraph(p, style) for p in _paragraphs(sample)]
    return _stack_box("之后 after\nbrochure.text", paras, width, [])


def _stack_box(label: str, paras: list[CJKParagraph], width: float, notes: list[str]) -> Box:
    """Paragraphs of our engine one under another; the notes check each paragraph's lines."""
    heights = [p.wrap(width, 10_000)[1] for p in paras]
    found = list(notes)
    for p in paras:
        lines = p.lines(width)
        ragged = sum(1 for l in lines[:-1] if abs(l.width - width) > 0.05)
        found += [n for n in line_issues([l.text for l in lines], ragged) if n not in found]
    if len(found) > 1:
        found = [n for n in found if not n.startswith("无违例")]

    def draw(c, x, top):
        y = top
        for p, h in zip(paras, heights):
            p.drawOn(c, x, y - h)
            y -= h
    return Box(label, width, sum(heights), draw, found)


def _grid_box(sample: Sample, faces: Faces, before: bool) -> Box:
    """Two columns side by side: paragraph, subhead, paragraph | paragraph."""
    col_w = sample.em * SIZE
    gap = SIZE
    width = 2 * col_w + gap
    p1, head, p2, p3 = _paragraphs(sample)
    if before:
        body = _rl_style(faces.body, indent=sample.indent)
        sub = _rl_style(faces.bold, size=SIZE * 1.2, leading=SIZE * 1.7, spaceBefore=4, spaceAfter=2,
                        alignment=0)
        cols = [[Paragraph(p1, body), Paragraph(head, sub), Paragraph(p2, body)], [Paragraph(p3, body)]]
        label = "之前 before\nReportLab, subhead on a 17 pt leading"
    else:
        body = TextStyle(faces.body, SIZE, LEADING, indent=sample.indent)
        sub = TextStyle(faces.bold, SIZE * 1.2, 2 * LEADING, align="left")
        cols = [[CJKParagraph(p1, body), CJKParagraph(head, sub), CJKParagraph(p2, body)],
                [CJKParagraph(p3, body)]]
        label = "之后 after\nbrochure.text, subhead on 2 grid lines"
    placed = []
    depths = []          # body baselines, pt below the box top
    height = 0.0
    for k, col in enumerate(cols):
        y = 0.0
        for i, f in enumerate(col):
            if i:
                y += f.getSpaceBefore()
            _, h = f.wrap(col_w, 10_000)
            placed.append((f, k * (col_w + gap), y, h))
            if i != 1 or k:                  # the subhead is not body text
                if before:
                    depths += [y + f.style.fontSize + n * f.style.leading for n in range(len(f.blPara.lines))]
                else:
                    depths += [y + f.style.baseline_offset + n * f.style.leading
                               for n in range(len(f.lines(col_w)))]
            y += h + f.getSpaceAfter()
        height = max(height, y)
    # the body's first baseline, where the grid lines start (ReportLab: one font size down)
    first = SIZE if before else TextStyle(faces.body, SIZE, LEADING).baseline_offset
    off = sum(1 for d in depths if min((d - first) % LEADING, -(d - first) % LEADING) > 0.1)

    def draw(c, x, top):
        for f, dx, dy, h in placed:
            f.drawOn(c, x + dx, top - dy - h)
    box = Box(label, width, height, draw,
              [f"正文基线离格 {off} 行 / {off} body line(s) off the grid" if off
               else "两栏基线同格 / both columns on one grid"])
    box.grid = LEADING
    box.grid_first = first
    box.columns = (col_w, gap)
    return box


def _stacked_box(sample: Sample, faces: Faces) -> Box:
    """Vertical text set naively: horizontal glyphs stacked in em cells, digits one per cell."""
    face, size = faces.body, SIZE
    col_h = sample.height_em * SIZE
    pitch = LEADING * 1.2
    columns = []
    for para in _paragraphs(sample):
        per = int(col_h // size)
        for i in range(0, len(para), per):
            columns.append(para[i:i + per])
    width = len(columns) * pitch
    starts = sum(1 for t in columns[1:] if t and t[0] in NO_START)

    def draw(c, x, top):
        c.setFillColorRGB(0, 0, 0)
        for k, col in enumerate(columns):
            centre = x + width - (k + 0.5) * pitch
            for j, ch in enumerate(col):
                c.setFont(face.name, size)
                adv = face.advance(ch) * size if face.has(ch) else size
                c.drawString(centre - adv / 2, top - (j + 1) * size + face.descent * size, ch)
    notes = ["横排标点竖放、数字逐字 / horizontal marks, digits one per cell"]
    if starts:
        notes.append(f"行首禁用标点 {starts} 处 / {starts} column start(s)")
    return Box("之前 before\nglyphs stacked, no vertical forms", width, col_h, draw, notes)


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------
def load_faces(library=None, project_root: Path | None = None) -> Faces:
    """The proof's three faces, from ``library`` (a FontLibrary) or a new one."""
    if library is None:
        library = FontLibrary(project_root or Path.cwd(), default_cache_dir(process_environment().cache))
    # every character the proof can print: its samples, labels and notes are all literals in these two modules
    chars = Path(__file__).read_text(encoding="utf-8") + Path(typesetting_samples.__file__).read_text(encoding="utf-8")
    return Faces(library.face(*BODY, chars), library.face(*SANS, chars), library.face(*SANS_BOLD, chars))


def write_proof(path, library=None, *, faces: Faces | None = None) -> Path:
    """Write the proof PDF to ``path``; fonts come from ``library`` (a FontLibrary) or ``faces``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    faces = faces or load_faces(library)
    page_w, page_h = A4
    c = Canvas(str(path), pagesize=A4, pageCompression=1)
    c.setTitle("排版规则校样 Typesetting rules proof")
    cells = [(s, before_box(s, faces), after_box(s, faces)) for s in SAMPLES]
    y = _title(c, faces, page_w, page_h)
    row: list = []

    def cell_width(cell):
        _, b, a = cell
        return b.width + BOX_GAP + a.width

    def flush(row, y):
        heights = [_cell_height(cell, faces, cell_width(cell)) for cell in row]
        h = max(heights)
        if y - h < MARGIN:
            c.showPage()
            y = page_h - MARGIN
        cx = MARGIN
        for cell in row:
            _draw_cell(c, cell, faces, cx, y, cell_width(cell))
            cx += cell_width(cell) + CELL_GAP
        return y - h - 14

    avail = page_w - 2 * MARGIN
    for cell in cells:
        w = cell_width(cell)
        used = sum(cell_width(r) for r in row) + CELL_GAP * len(row)
        if row and used + w > avail:
            y = flush(row, y)
            row = []
        row.append(cell)
    if row:
        flush(row, y)
    c.save()
    return path


def _caption_paras(sample: Sample, faces: Faces, width: float):
    zh = CJKParagraph(sample.zh, TextStyle(faces.bold, 9.0, 12.0, align="left", color=(0, 100, 100, 10)))
    en = CJKParagraph(sample.en, TextStyle(faces.sans, 7.0, 9.0, align="left", color=(0, 0, 0, 70)))
    return [(zh, zh.wrap(width, 1000)[1]), (en, en.wrap(width, 1000)[1])]


def _note_paras(box: Box, faces: Faces):
    style = TextStyle(faces.sans, 6.0, 8.0, align="left", color=(0, 0, 0, 75))
    out = []
    for n in box.notes:
        p = CJKParagraph(n, style)
        out.append((p, p.wrap(box.width, 1000)[1]))
    return out


def _label_paras(box: Box, faces: Faces):
    first, _, second = box.label.partition("\n")
    out = []
    for text, face in ((first, faces.bold), (second, faces.sans)):
        p = CJKParagraph(text, TextStyle(face, 6.0, 7.5, align="left", color=(0, 0, 0, 65)))
        out.append((p, p.wrap(max(box.width, 40), 100)[1]))
    return out


def _cell_height(cell, faces: Faces, width: float) -> float:
    s, b, a = cell
    cap = sum(h for _, h in _caption_paras(s, faces, width))
    labels = max(sum(h for _, h in _label_paras(bx, faces)) for bx in (b, a))
    notes = max(sum(h for _, h in _note_paras(bx, faces)) for bx in (b, a))
    return cap + 4 + labels + 5 + max(b.height, a.height) + 6 + notes


def _draw_cell(c, cell, faces: Faces, x: float, top: float, width: float) -> None:
    s, b, a = cell
    y = top
    for p, h in _caption_paras(s, faces, width):
        p.drawOn(c, x, y - h)
        y -= h
    y -= 4
    labels = max(sum(h for _, h in _label_paras(bx, faces)) for bx in (b, a))
    bx = x
    for box in (b, a):
        ly = y
        for p, h in _label_paras(box, faces):
            p.drawOn(c, bx, ly - h)
            ly -= h
        top_box = y - labels - 5
        _draw_box(c, box, bx, top_box)
        ny = top_box - box.height - 6
        for p, h in _note_paras(box, faces):
            p.drawOn(c, bx, ny - h)
            ny -= h
        bx += box.width + BOX_GAP


def _draw_box(c, box: Box, x: float, top: float) -> None:
    c.saveState()
    c.setFillColorRGB(*TINT)
    c.rect(x, top - box.height, box.width, box.height, stroke=0, fill=1)
    if box.grid:
        c.setStrokeColorRGB(0.55, 0.75, 0.95)
        c.setLineWidth(0.3)
        y = top - box.grid_first
        while y > top - box.height:
            c.line(x - 3, y, x + box.width + 3, y)
            y -= box.grid
    c.setStrokeColorRGB(*RED)
    c.setLineWidth(0.35)
    edges = [x, x + box.width]
    if box.columns:
        col_w, gap = box.columns
        edges = [x, x + col_w, x + col_w + gap, x + box.width]
    for ex in edges:
        c.line(ex, top + 3, ex, top - box.height - 3)
    c.restoreState()
    c.saveState()
    box.draw(c, x, top)
    c.restoreState()


def _title(c, faces: Faces, page_w: float, page_h: float) -> float:
    y = page_h - MARGIN
    title = CJKParagraph("排版规则校样　Typesetting rules proof",
                         TextStyle(faces.bold, 15.0, 20.0, align="left", color=(0, 0, 0, 100)))
    _, h = title.wrap(page_w - 2 * MARGIN, 100)
    title.drawOn(c, MARGIN, y - h)
    y -= h + 2
    sub = CJKParagraph(
        "Noto Serif CJK SC 10 pt，行距 15 pt。每条规则左为“之前”（ReportLab wordWrap='CJK' 段落，另有注明者除外），"
        "右为“之后”（brochure.text）；淡色框为同一行长，红色细线为左右边缘，框下为对各行的检查。 "
        "Each rule: before (ReportLab's wordWrap='CJK' Paragraph unless noted) and after (brochure.text) in "
        "the same measure; red hairlines mark the edges, the notes below each box list what a check of its "
        "lines finds.",
        TextStyle(faces.sans, 7.5, 10.5, align="justify", color=(0, 0, 0, 75)))
    _, h = sub.wrap(page_w - 2 * MARGIN, 200)
    sub.drawOn(c, MARGIN, y - h)
    return y - h - 14


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m brochure.workflow.typesetting_proof",
                                 description="Write the typesetting proof (each rule, before and after).")
    ap.add_argument("-o", "--out", type=Path, default=Path("out/proof-typesetting.pdf"),
                    help="output PDF (default out/proof-typesetting.pdf)")
    args = ap.parse_args(argv)
    path = write_proof(args.out)
    print(f"已生成 built {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
