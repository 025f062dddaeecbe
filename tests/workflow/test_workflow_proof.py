"""brochure proof: one PNG per page of every output, trim-sized, posters capped at 2000 px, and a contact sheet."""
from __future__ import annotations

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageStat

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


#: The grey of the outline the contact sheet draws round each thumbnail.
EDGE = (150, 150, 150)


def frames(sheet: Image.Image) -> list[tuple[int, int, int, int]]:
    """The insides (left, top, right, bottom) of the outlines round the sheet's thumbnails, found by their grey."""
    px, (w, h) = sheet.load(), sheet.size
    found = []
    for y in range(1, h - 1):
        x = 0
        while x < w:
            if px[x, y] != EDGE:
                x += 1
                continue
            start = x
            while x < w and px[x, y] == EDGE:
                x += 1
            # a top edge: long, nothing of the outline above it, its left side going down
            if x - start > 50 and px[start, y - 1] != EDGE and px[start, y + 1] == EDGE:
                bottom = y + 1
                while bottom < h and px[start, bottom] == EDGE:
                    bottom += 1
                found.append((start + 1, y + 1, x - 1, bottom - 1))
    return found


def test_contact_sheet_shows_every_page(proofed):
    result, out, _ = proofed
    sheet = out / "proof" / "contact-sheet.png"
    assert result.contact_sheet == sheet
    with Image.open(sheet) as im:
        im = im.convert("RGB")
    assert im.width > 5 * 150 and im.height > 280           # five thumbnails in a row, 280 px high, labels below
    boxes = frames(im)
    assert len(boxes) == len(result.pages) == 5 and len({top for _, top, _, _ in boxes}) == 1
    assert im.getpixel((boxes[0][0] - 8, boxes[0][1] + 8)) == (235, 235, 235)        # on the grey sheet
    # each thumbnail is its page, whatever the layout puts where (the page's own PNG, shrunk to 280 px high)
    for box, page in zip(boxes, sorted((out / "proof").glob("*-p*.png"))):
        thumb = im.crop(box)
        assert thumb.height == 280
        with Image.open(page) as full:
            shrunk = full.convert("RGB").resize(thumb.size, Image.Resampling.LANCZOS)
        assert ImageStat.Stat(ImageChops.difference(thumb, shrunk)).mean[0] < 2, page.name
        if page.name.startswith("brochure-"):               # the brochure's pages are mostly white paper
            shades = thumb.convert("L").histogram()
            assert max(range(256), key=shades.__getitem__) >= 250, page.name


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
