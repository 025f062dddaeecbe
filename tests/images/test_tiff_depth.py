"""32-bit TIFFs print what they show: float ("F") and integer ("I") greyscale photos, built into a real
brochure, render (PDFium) like the same photo saved at 8 bits, never as blank white or solid black;
a TIFF whose samples are not numbers is refused; and preflight fails a photo that prints blank."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from brochure.images.prepare import sample_range
from brochure.press.preflight import FAIL, PASS, preflight
from conftest import MINIMAL, ROOT, listing, make_print_project
from press_support import build_finished, photo

SIZE = (1800, 1200)


def gradient() -> Image.Image:
    """Black at the top to white at the bottom, with a darker square: a photo with tones and a shape."""
    im = Image.linear_gradient("L").resize(SIZE)
    im.paste(40, (200, 300, 700, 800))
    return im


def wide(mode: str, top: float) -> Image.Image:
    """``gradient`` in 32-bit ``mode`` ("F" or "I"), its white at ``top``."""
    return gradient().convert("F").point(lambda v: v * top / 255).convert(mode) if mode == "I" else \
        gradient().convert("F").point(lambda v: v * top / 255)


def build(folder: Path, name: str, save) -> tuple[subprocess.CompletedProcess, Path]:
    path = make_print_project(folder, MINIMAL.replace("images/p1.jpg", f"images/{name}"))
    (folder / "images" / "p1.jpg").unlink()
    save(folder / "images" / name)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BROCHURE_JOBS": "1"}
    run = subprocess.run([sys.executable, "-m", "brochure", "build", str(path), "-o", str(folder / "out")],
                         capture_output=True, text=True, env=env, timeout=600)
    return run, folder / "out"


def placed_photo(pdf: Path) -> Image.Image:
    """The first page's photo as PDFium renders the page, in grey."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[0]
        images = list(page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,)))
        assert images, "no photo on the first page"
        left, bottom, right, top = max((im.get_bounds() for im in images),
                                       key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        scale = 100 / 72
        rendered = page.render(scale=scale).to_pil().convert("L")
        height = page.get_height()
        box = (round(left * scale) + 2, round((height - top) * scale) + 2,
               round(right * scale) - 2, round((height - bottom) * scale) - 2)
        return rendered.crop(box)
    finally:
        doc.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Image.Image:
    """The same photo as an 8-bit PNG, built and rendered the same way."""
    run, out = build(tmp_path_factory.mktemp("eight"), "p1.png", lambda p: gradient().save(p))
    assert run.returncode == 0, run.stderr
    return placed_photo(out / "brochure.pdf")


CASES = {
    "float 0..1": ("F", 1.0),
    "float 0..255": ("F", 255.0),          # printed white: scaled as if 0..1
    "float 0..65535": ("F", 65535.0),
    "int 0..255": ("I", 255),              # printed black: scaled as if 16-bit
    "int 0..4095": ("I", 4095),            # a 12-bit camera's samples
    "int 0..65535": ("I", 65535),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_32_bit_tiff_prints_like_its_8_bit_self(tmp_path, reference, case):
    mode, top = CASES[case]
    run, out = build(tmp_path, "p1.tif", lambda p: wide(mode, top).save(p))
    assert run.returncode == 0, run.stderr
    assert Image.open(tmp_path / "images" / "p1.tif").mode == mode              # really a 32-bit TIFF
    kind = "浮点" if mode == "F" else "整数"
    assert run.stderr.count(f"图片 p1.tif 是 32 位{kind}灰度 TIFF") == 1, run.stderr  # said once, Chinese first
    assert "32-bit " + ("float" if mode == "F" else "integer") in run.stderr
    assert listing(out) == ["brochure.pdf", "brochure.preflight.json"]      # and the tool's record

    placed = placed_photo(out / "brochure.pdf")
    lo, hi = placed.getextrema()
    assert lo < 100 and hi > 180, (case, lo, hi)                     # neither blank white nor solid black
    assert ImageStat.Stat(placed).stddev[0] > 20
    assert placed.size == reference.size
    diff = ImageStat.Stat(ImageChops.difference(placed, reference)).mean[0]
    assert diff < 3, (case, diff)                                     # the same tones as the 8-bit photo


def test_the_range_a_tiff_states_is_taken_at_its_word(tmp_path):
    """SMinSampleValue / SMaxSampleValue (TIFF tags 340, 341) say where black and white are."""
    from PIL import TiffImagePlugin

    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[340], info[341] = 100.0, 1100.0
    info.tagtype[340] = info.tagtype[341] = 12                        # double
    wide("F", 1000.0).point(lambda v: v + 100).save(tmp_path / "tagged.tif", tiffinfo=info)
    with Image.open(tmp_path / "tagged.tif") as im:
        assert sample_range(im) == (100.0, 1100.0)          # not 0..4095, which its samples alone suggest
    wide("F", 1000.0).point(lambda v: v + 100).save(tmp_path / "untagged.tif")
    with Image.open(tmp_path / "untagged.tif") as im:
        assert sample_range(im) == (0.0, 4095.0)          # 100..1100: the 12-bit range holds it


def test_a_tiff_of_samples_that_are_not_numbers_is_refused(tmp_path):
    def save(path):
        im = wide("F", 1.0)
        im.putpixel((10, 10), float("nan"))
        im.save(path)

    run, out = build(tmp_path, "p1.tif", save)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert "content.yaml:" in run.stderr and "p1.tif" in run.stderr and "NaN" in run.stderr and "不是数字" in run.stderr
    assert "8- or 16-bit" in run.stderr
    assert not out.exists() or not any(out.iterdir())                 # nothing written


@pytest.mark.parametrize("colour, said", [((255, 255, 255), "prints as blank paper"),
                                          ((0, 0, 0), "prints as a solid black block")])
def test_preflight_fails_a_photo_that_prints_blank(tmp_path, colour, said):
    pdf, _ = build_finished(tmp_path, photo_path=photo(tmp_path / "flat.png", color=colour))
    for thorough in (False, True):
        check = preflight(pdf, thorough=thorough).by_name("tone")
        assert check.status == FAIL and check.details == [f"page 1: flat.png {said}" + (
            " (no ink at all)" if colour[0] else "")]
        assert "8-bit JPEG" in check.en and "8 位 JPEG" in check.zh


def test_preflight_passes_a_photo_with_tones(tmp_path):
    src = tmp_path / "tones.png"
    gradient().resize((1200, 800)).save(src)
    pdf, _ = build_finished(tmp_path, photo_path=src)
    check = preflight(pdf, thorough=False).by_name("tone")
    assert check.status == PASS and check.en.startswith("1 photo:")


def test_a_blank_photo_is_not_built(tmp_path):
    """The build's own preflight refuses it, and out/ keeps what it held."""
    run, out = build(tmp_path, "p1.png", lambda p: Image.new("RGB", SIZE, (255, 255, 255)).save(p))
    assert run.returncode != 0
    assert "p1.png prints as blank paper" in run.stderr and "Traceback" not in run.stderr
    assert not out.exists() or not any(out.iterdir())


def hand_tiff(path: Path, samples: int, bits: int, form: int, values: list, width: int = 64) -> Path:
    """A TIFF written by hand (Pillow cannot make these): ``samples`` channels of ``bits``-bit samples of
    SampleFormat ``form`` (1 unsigned, 2 signed, 3 float), the pixels' ``values`` row by row."""
    import struct

    code = {(8, 2): "b", (16, 2): "h", (32, 3): "f", (64, 3): "d", (16, 1): "H"}[bits, form]
    pixels = struct.pack("<" + code * len(values), *values)
    height = len(values) // (width * samples)
    entries = [(256, 3, 1, width), (257, 3, 1, height), (258, 3, samples, bits), (259, 3, 1, 1),
               (262, 3, 1, 2 if samples >= 3 else 1), (273, 4, 1, 0), (277, 3, 1, samples), (278, 3, 1, height),
               (279, 4, 1, len(pixels)), (339, 3, samples, form)]
    arrays = 8 + 2 + 12 * len(entries) + 4
    where = {258: arrays, 339: arrays + 2 * samples}
    out = b"II*\0" + struct.pack("<IH", 8, len(entries))
    for tag, kind, count, value in entries:
        value = arrays + 4 * samples if tag == 273 else where[tag] if count > 2 else value
        out += struct.pack("<HHI", tag, kind, count) + (struct.pack("<HH", value, 0) if kind == 3 and count <= 2
                                                         else struct.pack("<I", value))
    path.write_bytes(out + struct.pack("<I", 0) + struct.pack(f"<{samples}H", *[bits] * samples)
                     + struct.pack(f"<{samples}H", *[form] * samples) + pixels)
    return path


def colour_float_tiff(path: Path) -> Path:
    return hand_tiff(path, 3, 32, 3, [0.5] * (8 * 8 * 3), width=8)


def test_a_colour_float_tiff_is_named_for_what_it_is(tmp_path):
    from brochure.ground.errors import PressError
    from brochure.images.prepare import open_photo, tiff_depth

    src = colour_float_tiff(tmp_path / "scan.tif")
    assert tiff_depth(src) == (32, "float", 3)
    assert tiff_depth(tmp_path / "missing.tif") is None
    gradient().save(tmp_path / "eight.tif")
    assert tiff_depth(tmp_path / "eight.tif") is None
    with pytest.raises(PressError) as caught:
        open_photo(src)
    assert "32 位浮点、3 个通道的 TIFF" in caught.value.zh and "8 位或 16 位" in caught.value.zh
    assert "32-bit float samples (3 channels)" in caught.value.en and "8- or 16-bit" in caught.value.en
    deep = hand_tiff(tmp_path / "deep.tif", 1, 64, 3, [x / 64 for x in range(64)] * 8)
    with pytest.raises(PressError) as caught:
        open_photo(deep)
    assert "64 位浮点、1 个通道" in caught.value.zh and "64-bit float samples (1 channel)" in caught.value.en


@pytest.mark.parametrize("bits", [8, 16])
def test_signed_samples_keep_their_order_of_tones(tmp_path, bits):
    """Signed TIFF samples (-128..127, -32768..32767): dark to light across, never wrapped or clipped flat."""
    from brochure.images.prepare import prepare_photo
    from brochure.press.pdfx import DEFAULT_CMYK_PROFILE

    half = 2 ** (bits - 1)
    row = [round(-half + x * (2 * half - 1) / 255) for x in range(256)]
    src = hand_tiff(tmp_path / f"signed{bits}.tif", 1, bits, 2, row * 64, width=256)
    prepared = prepare_photo(src, 200, 50, fit="contain", profile=DEFAULT_CMYK_PROFILE, cache_dir=tmp_path / "c")
    with Image.open(prepared.path) as out:
        grey = out.convert("L") if out.mode != "CMYK" else ImageChops.invert(out.getchannel("K"))
    # Pillow stores CMYK JPEGs Adobe-inverted: K read back is 255 - ink, so "grey" here is the ink
    ink = [grey.getpixel((x, grey.height // 2)) for x in range(0, grey.width, max(1, grey.width // 8))]
    assert abs(ink[0] - ink[-1]) > 200, ink                             # the whole range, end to end
    assert ink == sorted(ink) or ink == sorted(ink, reverse=True), ink  # in order: nothing wrapped


@pytest.mark.parametrize("mode, top, meant", [("F", 1.0, 1.0), ("F", 1.2, 1.2), ("F", 255.0, 255.0),
                                              ("F", 0.05, 0.05), ("I", 4080, 4095), ("I", 300, 1023),
                                              ("I", 1, 1), ("I", 65535, 65535), ("I", 1_000_000, 1_000_000)])
def test_the_range_samples_are_meant_in(mode, top, meant):
    """The brightest sample never prints darker than an eighth of white, nor brighter than white."""
    low, high = sample_range(wide(mode, top))
    assert low == 0 and high == pytest.approx(meant, rel=1e-6)
    assert top / high >= 1 / 8 and top <= high + 1e-6


def test_a_sweep_of_wide_tiffs_is_never_blank(tmp_path):
    """Random 32-bit TIFFs (mode, offset, range, size; $BROCHURE_TIFF_SWEEP of them, 8 by default), made
    print-ready: the prepared CMYK photo keeps the gradient's order of tones, never one flat tone."""
    import random

    from brochure.images.prepare import prepare_photo
    from brochure.press.pdfx import DEFAULT_CMYK_PROFILE

    rng = random.Random(21)
    for n in range(int(os.environ.get("BROCHURE_TIFF_SWEEP", "8"))):
        mode = rng.choice("FI")
        tops = [255.0, 4095.0, 65535.0, 2.0 ** 31 - 1] + ([1.0] if mode == "F" else [])    # ints under 1: all 0
        top = rng.choice(tops) * rng.uniform(0.3, 1.0)
        base = rng.choice([0.0, 0.0, -top / 2]) if mode == "F" else 0.0
        size = (rng.randint(60, 400), rng.randint(60, 400))
        im = Image.linear_gradient("L").resize(size).convert("F").point(lambda v: v * top / 255 + base)
        src = tmp_path / f"sweep{n}.tif"
        (im.convert("I") if mode == "I" else im).save(src)
        prepared = prepare_photo(src, 60, 60, fit="contain", profile=DEFAULT_CMYK_PROFILE, cache_dir=tmp_path / "c")
        with Image.open(prepared.path) as out:
            k = out.convert("CMYK").getchannel("K") if out.mode == "CMYK" else out.convert("L")
            ink = [ImageStat.Stat(k.crop((0, y, k.width, y + max(1, k.height // 8)))).mean[0]
                   for y in (0, k.height - max(1, k.height // 8))]
        said = (mode, top, base, size)
        # Adobe CMYK JPEGs are stored inverted: what matters is that top and bottom differ widely
        assert abs(ink[0] - ink[1]) > 25, (said, ink)         # at least an eighth of the tones: not flat
