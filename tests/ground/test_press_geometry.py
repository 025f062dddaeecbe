"""Page boxes and colour functions."""
from __future__ import annotations

import pytest

from brochure.ground.colour import cmyk, total_ink
from brochure.ground.boxes import MM, PageBoxes


def test_boxes_nest_and_size():
    b = PageBoxes.from_mm(210, 297, bleed_mm=3, slug_mm=10)
    assert b.media_w == pytest.approx((210 + 26) * MM)
    assert b.media_h == pytest.approx((297 + 26) * MM)
    assert b.trim_origin == pytest.approx((13 * MM, 13 * MM))
    m, bl, t = b.media_box, b.bleed_box, b.trim_box
    assert m[0] <= bl[0] <= t[0] and t[2] <= bl[2] <= m[2]
    assert m[1] <= bl[1] <= t[1] and t[3] <= bl[3] <= m[3]
    assert t[0] - bl[0] == pytest.approx(3 * MM)
    assert t[2] - t[0] == pytest.approx(210 * MM)


def test_no_slug_means_media_is_bleed():
    b = PageBoxes(100.0, 200.0, 3 * MM, 0.0)
    assert b.media_box == b.bleed_box
    assert b.trim_origin == (3 * MM, 3 * MM)


def test_bad_boxes_rejected():
    with pytest.raises(ValueError):
        PageBoxes(0, 100, 3, 0)
    with pytest.raises(ValueError):
        PageBoxes(100, 100, -1, 0)


def test_cmyk_and_ink():
    c = cmyk(60, 40, 40, 100)
    assert (c.cyan, c.magenta, c.yellow, c.black) == pytest.approx((0.6, 0.4, 0.4, 1.0))
    assert total_ink((60, 40, 40, 100)) == 240
    with pytest.raises(ValueError):
        cmyk(120, 0, 0, 0)
