"""The fast total fit in ``linebreak`` chooses exactly what the plain formulation chooses.

``_total_fit`` scores candidate lines from local sums instead of building a
LineSpec for each and calling ``_line_demerits``.  The plain formulation is kept
here as the reference: every candidate measured with ``_Sums.line`` and scored
with ``_line_demerits``, one dict entry per (position, fitness class).  Both must
agree on every break and on every float of the resulting LineSpecs, including
paragraphs that need the kinsoku fallback pass or emergency breaks.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brochure.text import TextStyle
from brochure.text import linebreak as lb
from brochure.text.shaping import allow_emergency_breaks, shape

ROOT = Path(__file__).resolve().parents[2]
SIZE = 10.0
HAN = "渌口区高分子新材料产业链发展历程全区共有家企业园成为湖南省重点"
OPENERS = "“（《「"
CLOSERS = "”）》」"
STOPS = "，。、；：！？"
WORDS = ["PVDF", "2020", "5G", "100%", "Hello", "12.5", "Polyvinylidene", "https://example.org/a/b"]


def reference_total_fit(shaped, measure, indent, justify, strict):
    """Knuth–Plass total fit written plainly (the definition ``_total_fit`` must match)."""
    pieces, gaps, size = shaped.pieces, shaped.gaps, shaped.size
    n = len(pieces)
    sums = lb._Sums(shaped)
    ragged = lb.RAGGED_STRETCH_EM * size
    slack = 2 * size
    best = {(0, 1): (0.0, None, None)}
    ends_at = {0: [(0, 1)]}
    for b in range(1, n + 1):
        if b < n and not gaps[b - 1].allowed and strict:
            continue
        last = b == n
        for a in range(b - 1, -1, -1):
            spec = sums.line(a, b, indent)
            if spec.natural - spec.shrink > measure + slack and a < b - 1:
                break
            starts = ends_at.get(a)
            if not starts:
                continue
            demerits, fit = lb._line_demerits(spec, measure, last, justify, ragged)
            if demerits is None:
                if a < b - 1 and strict:
                    continue
                demerits = lb.OVERFULL * (1 + spec.natural - spec.shrink - measure)
            if a > 0 and not gaps[a - 1].allowed:
                demerits += lb.KINSOKU_VIOLATION
            if a > 0 and gaps[a - 1].emergency:
                demerits += lb.EMERGENCY_BREAK
            if last and a > 0 and sum(1 for p in pieces[a:b] if p.atom.kind in ("han", "word", "dash")) <= 1:
                demerits += lb.LONE_CHARACTER
            for key in starts:
                total = best[key][0] + demerits
                if abs(key[1] - fit) > 1 and key[0] > 0:
                    total += lb.FITNESS_MISMATCH
                k = (b, fit)
                if k not in best or total < best[k][0]:
                    if k not in best:
                        ends_at.setdefault(b, []).append(k)
                    best[k] = (total, key, spec)
    finals = ends_at.get(n)
    if not finals:
        return None
    key = min(finals, key=lambda k: best[k][0])
    lines = []
    while key is not None and best[key][2] is not None:
        _, key, spec = best[key]
        lines.append(spec)
    return lines[::-1]


def reference_break_lines(shaped, measure, indent, justify):
    result = reference_total_fit(shaped, measure, indent, justify, strict=True)
    if result is None:
        result = reference_total_fit(shaped, measure, indent, justify, strict=False)
    return result


def exact(specs):
    """LineSpecs as comparable tuples, floats to the last bit."""
    return [(s.start, s.end, s.natural.hex(), s.stretch.hex(), s.shrink.hex()) for s in specs]


@pytest.fixture(scope="module")
def face(tmp_path_factory, brochure_paragraphs):
    from brochure.fonts import FontLibrary
    lib = FontLibrary(ROOT, tmp_path_factory.mktemp("font-cache"))
    chars = set(HAN + OPENERS + CLOSERS + STOPS + "".join(WORDS) + "—… " + "".join(brochure_paragraphs))
    return lib.face("Noto Serif CJK SC", "Regular", "".join(sorted(chars)))


token = st.one_of(
    st.sampled_from(HAN),
    st.sampled_from(HAN),
    st.sampled_from(STOPS),
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(lambda w: f" {w} "),
    st.sampled_from(["——", "……", "———"]),
    st.tuples(st.sampled_from(OPENERS), st.sampled_from(HAN), st.sampled_from(HAN)).map(
        lambda t: t[0] + t[1] + t[2] + CLOSERS[OPENERS.index(t[0])]),
    # runs of marks that may not begin (or end) a line: force the kinsoku fallback pass
    st.text(alphabet="」）》。，、”", min_size=2, max_size=8),
    st.text(alphabet="“（《「", min_size=2, max_size=4),
)
paragraphs = st.lists(token, min_size=1, max_size=80).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=paragraphs, em=st.floats(min_value=0.5, max_value=30.0), indent=st.sampled_from([0.0, 2.0]),
       justify=st.booleans(), vertical=st.booleans())
def test_breaks_match_the_plain_formulation(face, text, em, indent, justify, vertical):
    style = TextStyle(face, SIZE, 16.0, indent=indent)
    shaped = shape(text, style, vertical=vertical)
    if not shaped.pieces:
        return
    measure = em * SIZE
    shaped = allow_emergency_breaks(shaped, measure - indent * SIZE)
    fast = lb.break_lines(shaped, measure, indent * SIZE, justify)
    assert exact(fast) == exact(reference_break_lines(shaped, measure, indent * SIZE, justify))


def test_the_brochure_paragraphs_break_alike(face, brochure_paragraphs):
    """The project's own body text, alone and ten times over, at a few measures."""
    style = TextStyle(face, 9.5, 15.0, indent=2)
    texts = brochure_paragraphs + [" ".join([brochure_paragraphs[0]] * 10)]
    for text in texts:
        shaped = shape(text, style)
        # whole characters to the line as in the brochure's columns, and measures in between
        for measure in (9.5 * 17, 9.5 * 12, 123.4, 201.0):
            fitted = allow_emergency_breaks(shaped, measure - 19.0)
            for justify in (True, False):
                fast = lb.break_lines(fitted, measure, 19.0, justify)
                assert exact(fast) == exact(reference_break_lines(fitted, measure, 19.0, justify)), (text, measure)
