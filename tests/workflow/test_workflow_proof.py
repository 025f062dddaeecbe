"""brochure proof: one PNG per page of every output, trim-sized, posters capped at 2000 px, and a contact sheet."""
from __future__ import annotations

import pikepdf
import pytest
from PIL import Image

from brochure.cli import main
from brochure.workflow.proof import MAX_SIDE_PX, proof
from conftest import MINIMAL, make_project

#: A small project with a brochure and an A1 poster (its 600×400 photo only draws a low-resolution warning).
SMALL = MINIMAL + """\
settings:
  brochure:
    press: {min_ppi: 100}
posters:
  - name: a1
    size: A1
    hero: p1
    press: {min_ppi: 30}
"""


@pytest.fixture(scope="module")
def proofed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("proof")
    path = make_project(folder, SMALL)
    out = folder / "out"
    (out / "proof").mkdir(parents=True)
    stale = out / "proof" / "brochure-p09.png"
    Image.new("RGB", (10, 10)).save(stale)
    return proof(path, out), out, stale


def pages_in(pdf):
    with pikepdf.open(pdf) as doc:
        return len(doc.pages)


def test_one_png_per_page_of_every_output(proofed):
    result, out, _ = proofed
    assert [o.name for o in result.outputs] == ["brochure", "poster-a1"]
    total = sum(pages_in(o.path) for o in result.outputs)
    pngs = sorted(p.name for p in (out / "proof").glob("*-p*.png"))
    assert len(pngs) == total == len(result.pages) and total >= 5
    assert pngs[:2] == ["brochure-p01.png", "brochure-p02.png"] and pngs[-1] == "poster-a1-p01.png"


def test_stale_pages_of_an_earlier_proof_are_removed(proofed):
    _, _, stale = proofed
    assert not stale.exists()


def test_brochure_pages_are_trim_size_at_100_dpi(proofed):
    result, out, _ = proofed
    with Image.open(out / "proof" / "brochure-p01.png") as im:
        assert abs(im.width - 210 / 25.4 * 100) <= 2 and abs(im.height - 297 / 25.4 * 100) <= 2


def test_poster_png_is_capped_on_its_long_side(proofed):
    _, out, _ = proofed
    with Image.open(out / "proof" / "poster-a1-p01.png") as im:
        assert max(im.size) == MAX_SIDE_PX                      # A1 at 100 dpi would be 3311 px
        assert abs(im.width / im.height - 594 / 841) < 0.01


def test_contact_sheet_shows_every_page(proofed):
    result, out, _ = proofed
    sheet = out / "proof" / "contact-sheet.png"
    assert result.contact_sheet == sheet
    with Image.open(sheet) as im:
        assert im.width > 5 * 150 and im.height > 280       # five thumbnails in a row, 280 px high, labels below
        # each thumbnail is mostly white paper on the grey sheet
        assert im.convert("L").getpixel((16 + 60, 16 + 140)) > 200


def test_cli_only_proofs_one_output_and_says_what_it_wrote(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, SMALL)
    assert main(["proof", "--only", "brochure", "--typesetting"]) == 0
    out = capsys.readouterr().out
    pngs = sorted((tmp_path / "out" / "proof").glob("*.png"))
    assert [p.name for p in pngs] == ["brochure-p01.png", "brochure-p02.png", "brochure-p03.png",
                                      "brochure-p04.png", "contact-sheet.png"]
    assert pages_in(tmp_path / "out" / "brochure.pdf") == 4
    assert "brochure-p01.png … brochure-p04.png" in out and "contact-sheet.png" in out and "4 张 PNG" in out
    assert pages_in(tmp_path / "out" / "proof-typesetting.pdf") >= 1 and "proof-typesetting.pdf" in out
