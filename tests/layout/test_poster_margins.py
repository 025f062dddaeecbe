"""Posters keep off the trim by themselves: nothing but a bleeding background within the press's safety
distance, an optional ``margin`` (mm) for more room, and every warning about the edge names what to do."""
from __future__ import annotations

import pytest

from brochure.pipeline import Session, load_faces
from brochure.pipeline.inputs import compositions
from brochure.content import load
from brochure.ground.boxes import MM, PageBoxes
from brochure.ground.errors import ContentError, LayoutError
from brochure.ground.page import Composition, Page
from brochure.layout.blocks import Spacer
from brochure.layout.page_checks import safety_warnings
from brochure.layout.poster import closest_to_trim
from conftest import ROOT

HEAD = (ROOT / "content.yaml").read_text(encoding="utf-8").split("\nposters:")[0]


def poster(tmp_path, size: str, extra: str = "", shows: str = "[title, hero, figures, honours, summaries, qr]"):
    import shutil

    shutil.copytree(ROOT / "images", tmp_path / "images", dirs_exist_ok=True)
    path = tmp_path / "content.yaml"
    path.write_text(HEAD + f"\nposters:\n  - name: x\n    size: {size}\n    shows: {shows}\n    distance: 1\n{extra}",
                    encoding="utf-8")
    content = load(path)
    session = Session.in_memory()
    faces = load_faces(content, session)
    comp, press = next(compositions(content, faces, session, only="x"))
    return content, comp, press


@pytest.mark.parametrize("size", ["A3", "A3-landscape"])
def test_an_a3_poster_keeps_the_safety_distance_without_being_told(tmp_path, size):
    content, comp, press = poster(tmp_path, size)
    assert closest_to_trim(comp) >= press.safety * MM - 0.01
    assert not [w for w in comp.warnings if "裁切线" in str(w)]


def test_margin_asks_for_more_room_round_the_edge(tmp_path):
    content, comp, press = poster(tmp_path, "A3", "    margin: 30\n")
    assert content.posters[0].margin == 30
    assert closest_to_trim(comp) >= 30 * MM - 0.01
    _, plain, _ = poster(tmp_path, "A3")
    assert closest_to_trim(plain) < 30 * MM         # the automatic margin is smaller: the key made the difference


@pytest.mark.parametrize("value", ["-1", "100", "wide"])
def test_margin_must_be_a_sensible_number_of_mm(tmp_path, value):
    with pytest.raises(ContentError) as err:
        poster(tmp_path, "A3", f"    margin: {value}\n")
    assert "margin" in err.value.en and err.value.where.line is not None


def test_a_block_too_close_to_the_trim_is_warned_about_with_something_to_do():
    boxes = PageBoxes.from_mm(297, 420, bleed_mm=3)
    page = Page(boxes, label="poster")
    page.add(Spacer(10, 10), 2 * MM, 100, 10, 10, "heading")
    comp = Composition("poster-x", [page], "t")
    assert closest_to_trim(comp) == pytest.approx(2 * MM)
    brochure_warning, = safety_warnings(comp, 5 * MM)
    assert "settings → brochure → margins" in brochure_warning.zh and "margins" in brochure_warning.en
    poster_warning, = safety_warnings(comp, 5 * MM, ("请给海报写上 margin: 20", "Give the poster 'margin: 20'"))
    assert "margin: 20" in poster_warning.zh and "margin: 20" in poster_warning.en


def test_an_area_that_does_not_fit_never_asks_to_cut_no_characters(tmp_path):
    with pytest.raises(LayoutError) as err:
        poster(tmp_path, "A5-landscape", shows="[title, figures]")
    assert "删减约 0 个字" not in err.value.zh and "Cut about 0" not in err.value.en
    assert "figures" in err.value.en and "larger" in err.value.en and "size" in err.value.en
