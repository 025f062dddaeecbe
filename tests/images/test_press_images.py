"""Photos to CMYK JPEG: inputs of every common kind, geometry, warnings, errors, colour on the page."""
from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image, ImageCms
from reportlab.pdfgen.canvas import Canvas

from brochure.ground.errors import BuildWarning, PressError
from brochure.images import prepare as images
from brochure.ground.boxes import MM
from brochure.draw.image import draw_image
from brochure.images.prepare import prepare_photo

from press_support import CMYK_PROFILE, photo, render


def prep(src, w_mm=50, h_mm=50, tmp=None, **kw):
    return prepare_photo(src, w_mm * MM, h_mm * MM, profile=CMYK_PROFILE,
                         cache_dir=tmp or src.parent / "cache", **kw)


def size_of(prepared):
    """The prepared photo's pixel size, as recorded and as written."""
    with Image.open(prepared.path) as im:
        assert im.size == (prepared.pixel_w, prepared.pixel_h)
    return (prepared.pixel_w, prepared.pixel_h)


def cmyk_at(prepared, xy):
    with Image.open(prepared.path) as im:
        assert im.mode == "CMYK" and im.format == "JPEG"
        return im.getpixel(xy)


def test_png_with_alpha_is_flattened_on_white(tmp_path):
    im = Image.new("RGBA", (800, 800), (0, 0, 255, 0))
    im.paste((20, 160, 60, 255), (0, 0, 400, 800))
    src = tmp_path / "alpha.png"
    im.save(src)
    p = prep(src, 60, 60)
    assert size_of(p) == (800, 800)
    white = cmyk_at(p, (700, 400))
    assert max(white) < 8                                # transparent became paper white
    green = cmyk_at(p, (100, 400))
    assert green[0] > 120 and green[2] > 120              # cyan + yellow


def test_red_photo_prints_red(tmp_path):
    """Pillow writes Adobe-inverted CMYK JPEG; ReportLab's /Decode must undo it on the page."""
    p = prep(photo(tmp_path / "red.png", (600, 600), (255, 0, 0)), 40, 40)
    pdf = tmp_path / "red.pdf"
    c = Canvas(str(pdf), pagesize=(60 * MM, 60 * MM))
    draw_image(c, p, 10 * MM, 10 * MM)
    c.showPage()
    c.save()
    with pikepdf.open(pdf) as doc:
        xobjects = doc.pages[0].obj.Resources.XObject
        (xo,) = [xobjects[k] for k in xobjects.keys()]
        assert xo.ColorSpace == "/DeviceCMYK"
        filters = xo.Filter if isinstance(xo.Filter, pikepdf.Array) else [xo.Filter]
        assert "/DCTDecode" in [str(f) for f in filters]
    r, g, b = render(pdf, dpi=72).convert("RGB").getpixel((int(30 * MM), int(30 * MM)))
    assert r > 180 and g < 90 and b < 90


def test_cmyk_jpeg_input_passes_through(tmp_path):
    src = photo(tmp_path / "cyan.jpg", (600, 600), (255, 0, 0, 0), mode="CMYK", quality=95)
    with Image.open(src) as im:
        assert im.getpixel((10, 10))[0] > 240            # Pillow reads Adobe CMYK right
    p = prep(src, 40, 40)
    c, m, y, k = cmyk_at(p, (300, 300))
    assert c > 240 and m < 10 and y < 10 and k < 10


def test_low_ppi_photo_warns_with_file_ppi_and_size(tmp_path):
    src = photo(tmp_path / "small.jpg", (283, 142), quality=90)   # 100 mm at ~72 ppi
    p = prep(src, 100, 50)
    assert p.effective_ppi == pytest.approx(72, abs=1)
    assert len(p.warnings) == 1 and isinstance(p.warnings[0], BuildWarning)
    w = str(p.warnings[0])
    assert "small.jpg" in w and "72 ppi" in w and "100×50 mm" in w
    assert size_of(p) == (283, 142)                      # never upsampled


def test_large_photo_is_downsampled_to_target(tmp_path):
    src = photo(tmp_path / "big.jpg", (4000, 4000), quality=80)
    p = prep(src, 50, 50, target_ppi=300)
    assert p.pixel_w == round(50 / 25.4 * 300)
    assert p.effective_ppi > 2000 and not p.warnings


def test_cover_crops_around_focus(tmp_path):
    im = Image.new("RGB", (1200, 600), (255, 255, 255))
    im.paste((0, 0, 0), (0, 0, 300, 600))                 # black strip on the left
    src = tmp_path / "wide.png"
    im.save(src)
    left = prep(src, 40, 40, focus=(0.0, 0.5))
    right = prep(src, 40, 40, focus=(1.0, 0.5))
    assert size_of(left) == (600, 600)
    assert cmyk_at(left, (50, 300))[3] > 200              # black kept on the left
    assert cmyk_at(right, (50, 300))[3] < 20              # cropped away
    assert left.path != right.path


def test_contain_fits_and_centres(tmp_path):
    src = photo(tmp_path / "wide.jpg", (1200, 600))
    p = prep(src, 40, 40, fit="contain")
    assert p.draw_w == pytest.approx(40 * MM)
    assert p.draw_h == pytest.approx(20 * MM)
    assert p.offset_x == pytest.approx(0) and p.offset_y == pytest.approx(10 * MM)


def test_exif_orientation_is_applied(tmp_path):
    im = Image.new("RGB", (400, 200), (255, 255, 255))
    im.paste((0, 0, 0), (0, 0, 200, 200))                 # black on the stored left
    exif = Image.Exif()
    exif[0x0112] = 6                                      # rotate 90° clockwise to display
    src = tmp_path / "rotated.jpg"
    im.save(src, exif=exif, quality=95)
    p = prep(src, 20, 40, fit="contain")
    assert size_of(p) == (200, 400)
    assert cmyk_at(p, (100, 50))[3] > 200                 # stored left is now the top
    assert cmyk_at(p, (100, 350))[3] < 30


def test_greyscale_goes_on_black_plate_only(tmp_path):
    src = photo(tmp_path / "grey.tif", (300, 300), 100, mode="L")
    c, m, y, k = cmyk_at(prep(src, 20, 20), (150, 150))
    assert (c, m, y) == (0, 0, 0) and 150 < k < 160


def test_embedded_profile_is_read_and_broken_one_tolerated(tmp_path):
    """An sRGB-tagged file converts like an untagged one; a garbage profile falls back to sRGB."""
    srgb = ImageCms.ImageCmsProfile(str(images.SRGB_PROFILE)).tobytes()
    tagged = tmp_path / "tagged.png"
    Image.new("RGB", (300, 300), (30, 120, 200)).save(tagged, icc_profile=srgb)
    untagged = photo(tmp_path / "untagged.png", (300, 300), (30, 120, 200))
    a = cmyk_at(prep(tagged, 20, 20), (150, 150))
    b = cmyk_at(prep(untagged, 20, 20), (150, 150))
    assert max(abs(x - y) for x, y in zip(a, b)) <= 2
    broken = tmp_path / "broken.png"
    Image.new("RGB", (300, 300), (30, 120, 200)).save(broken, icc_profile=b"not a profile" * 20)
    c = cmyk_at(prep(broken, 20, 20), (150, 150))
    assert max(abs(x - y) for x, y in zip(c, b)) <= 2


def test_palette_and_16bit_inputs(tmp_path):
    pal = Image.new("P", (200, 200), 0)
    pal.putpalette([255, 0, 0] + [0] * 765)
    pal.save(tmp_path / "pal.png")
    assert size_of(prep(tmp_path / "pal.png", 20, 20)) == (200, 200)
    Image.new("I;16", (200, 200), 40000).save(tmp_path / "deep.png")
    k = cmyk_at(prep(tmp_path / "deep.png", 20, 20), (100, 100))[3]
    assert 90 < k < 110                                   # 40000/65535 grey, not clipped to white


def test_cache_is_content_keyed(tmp_path):
    src = photo(tmp_path / "a.jpg", (800, 600))
    first = prep(src, 40, 30)
    mtime = first.path.stat().st_mtime_ns
    again = prep(src, 40, 30)
    assert again.path == first.path and first.path.stat().st_mtime_ns == mtime
    assert prep(src, 30, 30).path != first.path
    photo(src, (800, 600), (0, 200, 0))                   # same name, new content
    assert prep(src, 40, 30).path != first.path


# --- errors -------------------------------------------------------------

def assert_press_error(src, *words, tmp=None):
    with pytest.raises(PressError) as e:
        prep(src, 40, 30, tmp=tmp)
    text = str(e.value)
    assert src.name in text
    assert e.value.zh and e.value.en
    for w in words:
        assert w in text
    return text


def test_missing_file(tmp_path):
    assert_press_error(tmp_path / "nope.jpg", "不存在", "not found")


def test_zero_byte_file(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    assert_press_error(tmp_path / "empty.jpg", "0 字节", "empty")


def test_truncated_jpeg(tmp_path):
    buf = io.BytesIO()
    Image.effect_noise((800, 600), 60).convert("RGB").save(buf, "JPEG", quality=90)
    (tmp_path / "cut.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    assert_press_error(tmp_path / "cut.jpg", "损坏", "truncated")


def test_corrupt_and_mislabelled_files(tmp_path):
    (tmp_path / "junk.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 500)
    assert_press_error(tmp_path / "junk.jpg")
    (tmp_path / "doc.jpg").write_bytes(b"PK\x03\x04 this is really a Word file" * 20)
    assert_press_error(tmp_path / "doc.jpg", "JPEG")
    (tmp_path / "notes.txt").write_text("hello")
    assert_press_error(tmp_path / "notes.txt", ".txt")


def test_gif_is_refused(tmp_path):
    Image.new("P", (50, 50)).save(tmp_path / "anim.png", format="GIF")
    assert_press_error(tmp_path / "anim.png", "GIF")


def test_decompression_bomb(tmp_path, monkeypatch):
    src = photo(tmp_path / "bomb.png", (1000, 1000))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)       # 10x the limit: error
    assert_press_error(src, "像素", "pixels")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 700_000)       # over the limit: warning, still refused
    assert_press_error(src, "像素", "pixels")


def test_cmyk_tagged_with_output_profile_keeps_pure_black(tmp_path):
    src = tmp_path / "k.jpg"
    Image.new("CMYK", (300, 300), (0, 0, 0, 255)).save(src, quality=95,
                                                      icc_profile=CMYK_PROFILE.read_bytes())
    c, m, y, k = cmyk_at(prep(src, 20, 20), (150, 150))
    assert c < 5 and m < 5 and y < 5 and k > 245


def test_a_much_larger_jpeg_is_decoded_reduced_and_cropped_in_the_same_place(tmp_path, monkeypatch):
    """A 6000 px photo for a 50 mm frame decodes at 1/4 size; the crop around the focus lands
    where a full decode puts it (a black strip at the left edge stays at the left edge)."""
    im = Image.new("RGB", (6000, 3000), (255, 255, 255))
    im.paste((0, 0, 0), (0, 0, 1500, 3000))                # the left quarter black
    src = tmp_path / "huge.jpg"
    im.save(src, quality=90)
    reductions = []
    real_open = images.open_photo

    def spy(path, **kw):
        reductions.append(kw.get("reduce", 1.0))
        return real_open(path, **kw)

    monkeypatch.setattr(images, "open_photo", spy)
    p = prep(src, 50, 50, focus=(0.0, 0.5))
    assert size_of(p) == (round(50 / 25.4 * 300),) * 2
    assert reductions and max(reductions) >= 4              # decoded at 1/4 of its size
    # the left half of the frame is the black strip (1500 of the 3000 px square crop), the right white
    assert cmyk_at(p, (20, p.pixel_h // 2))[3] > 200
    assert cmyk_at(p, (p.pixel_w // 2 - 20, p.pixel_h // 2))[3] > 200
    assert cmyk_at(p, (p.pixel_w // 2 + 20, p.pixel_h // 2))[3] < 30


@pytest.mark.parametrize("size", [(4783, 2392), (4000, 3000), (801, 599)])
def test_a_jpeg_decodes_at_half_size_when_half_is_asked_for(size):
    """Pillow takes the scale by integer division: half of an odd width, rounded up, decoded it whole."""
    buf = io.BytesIO()
    Image.new("CMYK", size, (10, 20, 30, 40)).save(buf, "JPEG", quality=80)
    for most, scale in ((2, 2), (3.9, 2), (4, 4), (1.5, 1)):
        im = Image.open(io.BytesIO(buf.getvalue()))
        images.decode_reduced(im, most)
        im.load()
        assert im.size == (-(-size[0] // scale), -(-size[1] // scale)), (most, im.size)


def test_a_large_rgb_photo_converted_in_bands_is_the_same_as_converted_whole(tmp_path, monkeypatch):
    size = (900, 700)
    varied = Image.merge("RGB", [Image.linear_gradient("L").resize(size), Image.radial_gradient("L").resize(size),
                                 Image.effect_noise(size, 60).convert("L")])
    src = tmp_path / "big.jpg"
    varied.save(src, quality=92)
    im = Image.open(src).convert("RGB")
    whole = images.to_cmyk(im, None, CMYK_PROFILE, src)
    monkeypatch.setattr(images, "BAND_ROWS", 64)                  # several bands, the last one short
    banded = images.to_cmyk(im.split(), None, CMYK_PROFILE, src)
    assert banded.mode == "CMYK" and banded.tobytes() == whole.tobytes()
    # and prepare_photo takes that path above the threshold, with the same result
    monkeypatch.setattr(images, "BANDS_ABOVE_PIXELS", 100_000)
    a = prepare_photo(src, 200, 150, profile=CMYK_PROFILE, cache_dir=tmp_path / "a")
    monkeypatch.setattr(images, "BANDS_ABOVE_PIXELS", 10**9)
    b = prepare_photo(src, 200, 150, profile=CMYK_PROFILE, cache_dir=tmp_path / "b")
    assert a.path.read_bytes() == b.path.read_bytes()
