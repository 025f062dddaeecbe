"""CFF glyph outlines to TrueType ``glyf`` data, one glyph at a time, without parsing the whole font.

fontTools reads a CFF table as a whole and draws through a chain of pens; for
the few hundred or thousand glyphs a document needs, that set-up and the pen
chain cost more than the drawing.  ``CFFReader.glyph_data`` does only what one
glyph needs: the table's structures come from ``cff.CFFTable``; ``t2_contours``
(here: a Type 2 charstring interpreter, one loop over its operators) runs the
glyph's charstring, turns each cubic curve into quadratic ones with cu2qu and
reverses the contours (TrueType winds the other way); ``glyf.encode_glyph``
packs the result.

The result is, byte for byte, what fontTools' ``Cu2QuPen(TTGlyphPen,
max_err, reverse_direction=True)`` and ``Glyph.compile`` make of the same
glyph (tests/test_fonts_cache.py compares the two).  Anything this reader does
not handle (CFF2, ``seac`` accents, the arithmetic operators) raises
``Unsupported`` and the caller draws that glyph with fontTools instead; a
charstring no font may hold (a reserved operator, no ``endchar``) raises
``Malformed``: the font file is damaged, and the build says so.
"""
from __future__ import annotations

from fontTools.cu2qu import curve_to_quadratic

from brochure.fonts.cff import CFFTable, Malformed, Unsupported, subr_bias
from brochure.fonts.glyf import encode_glyph

__all__ = ["CFFReader", "Malformed", "Unsupported", "t2_contours"]

#: Type 2 operators the specification reserves: a charstring holding one is damaged, not unusual.
RESERVED = frozenset({0, 2, 9, 13, 15, 16, 17})


class CFFReader(CFFTable):
    """A CFF table whose glyphs can be had as TrueType ``glyf`` entries."""

    def glyph_data(self, gid: int, max_err: float) -> bytes:
        """The TrueType ``glyf`` entry for glyph ``gid``."""
        return encode_glyph(t2_contours(self.charstrings[gid], self.local_subrs(gid), self.global_subrs, max_err))


def t2_contours(code: bytes, lsubrs, gsubrs, max_err: float) -> list:
    """Run a Type 2 charstring; return its contours as TrueType points ``([(x, y)...], [on...])``.

    Mirrors fontTools' T2OutlineExtractor -> Cu2QuPen(reverse_direction=True)
    -> TTGlyphPen: same points, same order, same duplicates dropped.
    """
    lbias, gbias = subr_bias(len(lsubrs)), subr_bias(len(gsubrs))
    stack: list = []
    calls: list = []
    hints = 0
    mask_bytes = 0
    have_width = False
    x = y = 0
    start = None          # first point of the open contour, None when none is open
    segs: list = []       # its segments: (end,) for lines, (off..., end) for quadratic runs
    contours: list = []
    to_quad = curve_to_quadratic

    def close():
        if not segs:
            return               # a lone moveto draws nothing
        p0 = start
        pts = [p0]
        on = [1]
        last = segs[-1][-1]
        if last != p0:
            pts.append(last)
            on.append(1)
        for i in range(len(segs) - 1, -1, -1):
            seg = segs[i]
            if len(seg) > 1:
                for k in range(len(seg) - 2, -1, -1):
                    pts.append(seg[k])
                    on.append(0)
            pts.append(segs[i - 1][-1] if i else p0)
            on.append(1)
        if pts[-1] == pts[0]:
            pts.pop()
            on.pop()
        contours.append((pts, on))

    def width_args(args, even_odd):
        nonlocal have_width
        if not have_width:
            have_width = True
            if even_odd ^ (len(args) % 2):
                return args[1:]
        return args

    pos, n = 0, len(code)
    while True:
        if pos >= n:
            if calls:                  # a subroutine's end returns, as fontTools lets it
                code, pos = calls.pop()
                n = len(code)
                continue
            raise Malformed("charstring ends without endchar")
        b0 = code[pos]
        if b0 >= 32:
            if b0 <= 246:
                stack.append(b0 - 139)
                pos += 1
            elif b0 <= 250:
                stack.append((b0 - 247) * 256 + code[pos + 1] + 108)
                pos += 2
            elif b0 <= 254:
                stack.append(-(b0 - 251) * 256 - code[pos + 1] - 108)
                pos += 2
            else:
                stack.append(int.from_bytes(code[pos + 1:pos + 5], "big", signed=True) / 65536)
                pos += 5
            continue
        if b0 == 28:
            stack.append(int.from_bytes(code[pos + 1:pos + 3], "big", signed=True))
            pos += 3
            continue
        pos += 1
        curves = None           # list of relative (dx1, dy1, dx2, dy2, dx3, dy3)
        lines = None            # list of relative (dx, dy)
        lines_first = True      # only rcurveline draws its line after its curves
        if b0 == 8:                                   # rrcurveto
            a = stack
            curves = [a[i:i + 6] for i in range(0, len(a) - 5, 6)]
        elif b0 == 5:                                 # rlineto
            a = stack
            lines = [(a[i], a[i + 1]) for i in range(0, len(a) - 1, 2)]
        elif b0 == 6 or b0 == 7:                      # hlineto, vlineto
            horizontal = b0 == 6
            lines = []
            for v in stack:
                lines.append((v, 0) if horizontal else (0, v))
                horizontal = not horizontal
        elif b0 == 30 or b0 == 31:                    # vhcurveto, hvcurveto
            a = stack
            vertical = b0 == 30
            curves = []
            i = 0
            while i + 4 <= len(a):
                last = a[i + 4] if len(a) - (i + 4) == 1 else 0
                if vertical:
                    curves.append((0, a[i], a[i + 1], a[i + 2], a[i + 3], last))
                else:
                    curves.append((a[i], 0, a[i + 1], a[i + 2], last, a[i + 3]))
                i += 4 if len(a) - (i + 4) != 1 else 5
                vertical = not vertical
        elif b0 == 26 or b0 == 27:                    # vvcurveto, hhcurveto
            a = stack
            first = 0
            if len(a) % 2:
                first, a = a[0], a[1:]
            curves = []
            for i in range(0, len(a) - 3, 4):
                if b0 == 26:
                    curves.append((first, a[i], a[i + 1], a[i + 2], 0, a[i + 3]))
                else:
                    curves.append((a[i], first, a[i + 1], a[i + 2], a[i + 3], 0))
                first = 0
        elif b0 == 24:                                # rcurveline
            a = stack
            curves = [a[i:i + 6] for i in range(0, len(a) - 2, 6)]
            lines = [(a[-2], a[-1])]
            lines_first = False
        elif b0 == 25:                                # rlinecurve
            a = stack
            lines = [(a[i], a[i + 1]) for i in range(0, len(a) - 7, 2)]
            curves = [a[-6:]]
        elif b0 == 21 or b0 == 22 or b0 == 4:         # rmoveto, hmoveto, vmoveto
            if start is not None:
                close()
            args = width_args(stack, 0 if b0 == 21 else 1)
            if b0 == 21:
                x, y = x + args[0], y + args[1]
            elif b0 == 22:
                x = x + args[0]
            else:
                y = y + args[0]
            start = (x, y)
            segs = []
            stack = []
            continue
        elif b0 in (1, 3, 18, 23):                    # stem hints
            hints += len(width_args(stack, 0)) // 2
            stack = []
            continue
        elif b0 == 19 or b0 == 20:                    # hintmask, cntrmask
            if not mask_bytes:
                hints += len(width_args(stack, 0)) // 2
                stack = []
                mask_bytes = (hints + 7) // 8
            pos += mask_bytes
            continue
        elif b0 == 10 or b0 == 29:                    # callsubr, callgsubr
            i = stack.pop()
            calls.append((code, pos))
            code, pos = (lsubrs[i + lbias] if b0 == 10 else gsubrs[i + gbias]), 0
            n = len(code)
            continue
        elif b0 == 11:                                # return
            if not calls:
                raise Unsupported("return outside a subroutine")
            code, pos = calls.pop()
            n = len(code)
            continue
        elif b0 == 14:                                # endchar
            if start is not None:
                close()
                start = None
            if width_args(stack, 0):
                raise Unsupported("endchar with seac arguments")
            return contours
        elif b0 == 12:
            b1 = code[pos]
            pos += 1
            a = stack
            if b1 == 35:                              # flex
                curves = [a[0:6], a[6:12]]
            elif b1 == 34:                            # hflex
                dx1, dx2, dy2, dx3, dx4, dx5, dx6 = a[:7]
                curves = [(dx1, 0, dx2, dy2, dx3, 0), (dx4, 0, dx5, -dy2, dx6, 0)]
            elif b1 == 36:                            # hflex1
                dx1, dy1, dx2, dy2, dx3, dx4, dx5, dy5, dx6 = a[:9]
                curves = [(dx1, dy1, dx2, dy2, dx3, 0), (dx4, 0, dx5, dy5, dx6, -(dy1 + dy2 + dy5))]
            elif b1 == 37:                            # flex1
                dx1, dy1, dx2, dy2, dx3, dy3, dx4, dy4, dx5, dy5, d6 = a[:11]
                dx = dx1 + dx2 + dx3 + dx4 + dx5
                dy = dy1 + dy2 + dy3 + dy4 + dy5
                dx6, dy6 = (d6, -dy) if abs(dx) > abs(dy) else (-dx, d6)
                curves = [(dx1, dy1, dx2, dy2, dx3, dy3), (dx4, dy4, dx5, dy5, dx6, dy6)]
            elif b1 == 12:                            # div
                num2, num1 = stack.pop(), stack.pop()
                d1, d2 = num1 // num2, num1 / num2
                stack.append(d1 if d1 == d2 else d2)
                continue
            else:
                raise Unsupported(f"charstring operator 12 {b1}")
        elif b0 in RESERVED:
            raise Malformed(f"reserved charstring operator {b0}")
        else:
            raise Unsupported(f"charstring operator {b0}")

        for kind in ((0, 1) if lines_first else (1, 0)):
            if kind == 0 and lines:
                for dx, dy in lines:
                    if start is None:
                        start = (x, y)
                        segs = []
                    x, y = x + dx, y + dy
                    segs.append(((x, y),))
            elif kind == 1 and curves:
                for c in curves:
                    if start is None:
                        start = (x, y)
                        segs = []
                    p = (x, y)
                    x1, y1 = x + c[0], y + c[1]
                    x2, y2 = x1 + c[2], y1 + c[3]
                    x, y = x2 + c[4], y2 + c[5]
                    segs.append(tuple(to_quad((p, (x1, y1), (x2, y2), (x, y)), max_err, True)[1:-1])
                                + ((x, y),))
        stack = []

