"""Photos made print-ready: read any common file, crop or fit, convert to CMYK JPEG, place.

``prepare_photo`` turns a source photo (JPEG, PNG with or without alpha, TIFF,
WebP, BMP; RGB, greyscale or CMYK; any EXIF orientation; with or without an
embedded ICC profile) into a CMYK JPEG sized for its frame, cached under a name
derived from everything that affects the result.  A cache that cannot take it (a
full disk, a folder in its way) only costs time: it waits in a private spare folder
in the system's temporary folder instead (``keep_jpeg``), the same bytes either way.
``brochure.draw.image`` places it on a ReportLab canvas so it lands in the PDF as a
DeviceCMYK DCT image.

Colour decisions:

* Source profile: the embedded ICC profile when there is one, otherwise sRGB
  for RGB input (a broken embedded profile also falls back to sRGB).  CMYK
  input without a profile, or tagged with the output profile itself, is taken
  to be made for this press and keeps its numbers (converting CMYK to CMYK
  would turn pure-K black into four-colour black); CMYK tagged with another
  press profile is converted.
* Rendering intent: relative colorimetric with black point compensation.  It
  keeps in-gamut colours (skin, sky, the brand red) exact, clips only what the
  press cannot print, and BPC maps the source black onto the press's black so
  shadows keep their detail.  This is the usual prepress default; perceptual
  tables vary too much between profiles to be a safer choice.
* Greyscale photos go onto the black plate only (C=M=Y=0, K=1-grey), which is
  what print shops ask for and cannot drift in colour on press.
* Transparency is flattened onto white: PDF/X-1a has no transparency.
* A 32-bit greyscale TIFF (integer or float samples) is spread onto 8 bits by the
  range its samples are meant in (``sample_range``), never as if it were 16-bit or
  0..1 (which printed such photos black or white), and the build says so.
"""
from __future__ import annotations

import ctypes
import hashlib
import io
import math
import os
import struct
import tempfile
import warnings
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from brochure.ground.boxes import MM
from brochure.ground.errors import BuildWarning, PressError
from brochure.ground.words import plural
from brochure.ground.rules import IMAGE_FORMATS, IMAGE_SUFFIXES, MAX_PIXELS, MIN_PPI, TARGET_PPI
from brochure.runtime.files import open_regular
from brochure.runtime.store import code_digest, private_folder, trusted, write_atomic

# Pillow warns above MAX_PIXELS and refuses above twice that; both become PressError.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False

SRGB_PROFILE = Path("/usr/share/color/icc/ghostscript/srgb.icc")
JPEG_QUALITY = 92
DOWNSAMPLE_ABOVE = 1.5     # downsample when effective ppi > target * this
PIPELINE_VERSION = code_digest(__name__)   # this module's code and all it imports: changed code, new entries
OPTIMIZE_MAX_PIXELS = 4_000_000
#: Larger RGB photos are converted to CMYK a band of rows at a time, from their three planes.
BANDS_ABOVE_PIXELS = 4_000_000
BAND_ROWS = 256

INTENT = ImageCms.Intent.RELATIVE_COLORIMETRIC
FLAGS = ImageCms.Flags.BLACKPOINTCOMPENSATION


@dataclass
class PreparedImage:
    path: Path                       # CMYK JPEG in the cache
    pixel_w: int
    pixel_h: int
    draw_w: float                    # pt, the size placed on the page
    draw_h: float
    offset_x: float = 0.0            # pt, from the frame's lower-left (contain only)
    offset_y: float = 0.0
    effective_ppi: float = 0.0       # of the source pixels used, at placed size
    warnings: list[BuildWarning] = field(default_factory=list)
    source: Path | None = None


# --- errors -------------------------------------------------------------

def _fail(src: Path, zh: str, en: str) -> PressError:
    return PressError(f"图片 {src}：{zh}", f"image {src}: {en}")


def _check_file(src: Path) -> None:
    if not src.exists():
        raise _fail(src, "文件不存在。请检查 content.yaml 中的文件名，并把图片放进 images/ 文件夹。",
                    "file not found. Check the file name in content.yaml and put the photo in images/.")
    if not src.is_file():
        raise _fail(src, "不是文件。", "is not a file.")
    if src.stat().st_size == 0:
        raise _fail(src, "文件是空的（0 字节），可能复制失败。请重新复制原图。",
                    "the file is empty (0 bytes); the copy probably failed. Copy the original again.")
    ext = src.suffix.lower()
    if ext not in IMAGE_SUFFIXES:
        raise _fail(src, f"不支持的文件类型“{ext or '无扩展名'}”。请另存为 JPEG（.jpg）或 PNG。",
                    f"unsupported file type '{ext or 'no extension'}'. Save it as JPEG (.jpg) or PNG.")


def decode_reduced(im: Image.Image, most: float) -> None:
    """Let a JPEG decode at 1/2, 1/4 or 1/8 of its size: the smallest of those not below 1/``most``.

    Pillow takes the scale from the size asked for by integer division, so the size
    asked for is the floor: asking for half of an odd width rounded up decodes it whole.
    """
    scale = next((s for s in (8, 4, 2) if s <= most), 1)
    if scale > 1:
        im.draft(im.mode, (max(1, im.width // scale), max(1, im.height // scale)))


def open_photo(src: Path, *, load: bool = True, reduce: float = 1.0) -> Image.Image:
    """Open (and with ``load`` fully decode); every failure becomes a PressError saying what to do.

    ``reduce`` >= 2 lets a JPEG decode at 1/2, 1/4 or 1/8 of its size (never below
    1/``reduce``): the decoder's own scaling, faster and a fraction of the memory.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(src)
            if im.format not in IMAGE_FORMATS:
                im.close()
                raise _fail(src, f"格式 {im.format} 不适合印刷。请另存为 JPEG 或 PNG。",
                            f"format {im.format} is not suitable for print. Save it as JPEG or PNG.")
            if im.format == "JPEG":
                decode_reduced(im, reduce)
            if load:
                im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _fail(src, f"像素过多（超过 {MAX_PIXELS // 1_000_000} 百万像素），可能是损坏或恶意文件。"
                         "请缩小到 1 亿像素以内再用。",
                    f"too many pixels (over {MAX_PIXELS // 1_000_000} megapixels); the file may be "
                    "damaged or hostile. Reduce it below 100 megapixels.") from None
    except UnidentifiedImageError:
        depth = tiff_depth(src)
        if depth is not None:
            bits, form, samples = depth
            raise _fail(src, f"这是每通道 {bits} 位{_FORMS_ZH[form]}、{samples} 个通道的 TIFF，无法读取。"
                             "请在图像软件中另存为 8 位或 16 位的 TIFF 或 JPEG。",
                        f"this is a TIFF of {bits}-bit {form} samples ({plural(samples, 'channel')}), which cannot "
                        "be read. Save it from an image editor as an 8- or 16-bit TIFF or a JPEG.") from None
        raise _fail(src, "无法识别为图片（文件损坏，或扩展名与内容不符，例如 HEIC 或 Word 文件）。"
                         "请用看图软件打开后另存为 JPEG。",
                    "not a readable image (damaged, or the extension does not match the content, "
                    "e.g. HEIC or a Word file). Open it in an image viewer and save it as JPEG.") from None
    except PressError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise _fail(src, f"文件不完整或已损坏（{e}）。请重新复制或重新导出原图。",
                    f"the file is truncated or damaged ({e}). Copy or export the original again.") from None
    return im


_FORMS_ZH = {"float": "浮点", "integer": "整数", "unsigned": "无符号整数"}


def tiff_depth(src: Path) -> tuple[int, str, int] | None:
    """(bits per sample, "float" / "integer" / "unsigned", samples per pixel) of a TIFF whose samples
    are wider than 16 bits or floating point; None for anything else (read from its header)."""
    try:
        with open_regular(src) as f:
            head = f.read(1 << 16)
        order = {b"II*\0": "<", b"MM\0*": ">"}.get(head[:4])
        if order is None:
            return None
        (ifd,) = struct.unpack_from(order + "I", head, 4)
        (count,) = struct.unpack_from(order + "H", head, ifd)
        tags: dict[int, int] = {}
        for n in range(count):
            tag, kind, number, value = struct.unpack_from(order + "HHII", head, ifd + 2 + 12 * n)
            if kind == 3 and number <= 2:           # a SHORT kept in the entry itself: the first one
                value = struct.unpack_from(order + "H", head, ifd + 2 + 12 * n + 8)[0]
            elif kind == 3:                          # SHORTs elsewhere: the first of them
                value = struct.unpack_from(order + "H", head, value)[0]
            tags[tag] = value
    except (OSError, struct.error):
        return None
    bits, form, samples = tags.get(258, 1), tags.get(339, 1), tags.get(277, 1)
    if bits <= 16 and form != 3:
        return None
    return bits, {3: "float", 2: "integer"}.get(form, "unsigned"), samples


# --- pixel work ---------------------------------------------------------

def photo_pixels(path: Path) -> tuple[int, int] | None:
    """The photo's width and height in pixels as it is seen (EXIF orientation applied); header only."""
    try:
        with Image.open(path) as im:
            return oriented_size(im)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return None


def oriented_size(im: Image.Image) -> tuple[int, int]:
    """The pixel size as the photo is meant to be seen (EXIF orientation applied)."""
    orientation = im.getexif().get(0x0112, 1)
    w, h = im.size
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def _to_workable(im: Image.Image, src: Path) -> tuple[Image.Image, bytes | None]:
    """Normalise mode to RGB, L or CMYK (alpha flattened on white); return with its ICC profile."""
    icc = im.info.get("icc_profile") or None
    mode = im.mode
    signed = _sample_format(im) == 2
    if mode in ("I;16", "I;16B", "I;16L", "I;16N") or (mode == "I" and _bits(im) == 16 and not signed):
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif mode in ("I", "F"):
        im = _wide_to_8bit(im, src)
    elif mode == "L" and signed:
        # signed bytes (-128..127), which Pillow reads as 0..255: the dark half wrapped over the light
        im = im.point([(v + 128) % 256 for v in range(256)])
    elif mode == "1":
        im = im.convert("L")
    elif mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "PA":
        im = im.convert("RGBA")
    elif mode in ("YCbCr", "LAB", "HSV"):
        im = im.convert("RGB")
        icc = None if mode == "LAB" else icc
    elif mode == "RGBa":
        im = im.convert("RGBA")
    elif mode == "La":
        im = im.convert("LA")
    if im.mode in ("RGBA", "LA"):
        base_mode = im.mode[:-1]
        white = Image.new(base_mode, im.size, 255 if base_mode == "L" else (255, 255, 255))
        white.paste(im.convert(base_mode), mask=im.getchannel("A"))
        im = white
    if im.mode not in ("RGB", "L", "CMYK"):
        im = im.convert("RGB")
    return im, icc


#: The ranges a wide sample may be meant in, by their top value: 0..1 (floats, by convention), 8, 10, 12,
#: 14 and 16 bits.
WIDE_CEILINGS = (1,) + tuple(2 ** bits - 1 for bits in (8, 10, 12, 14, 16))
#: A range whose brightest sample would print darker than this share of white is not the photo's.
WIDE_LEAST_SHARE = 1 / 8


def _sample_format(im: Image.Image) -> int:
    """A TIFF's SampleFormat: 1 unsigned (also for other files), 2 signed integer, 3 float."""
    form = getattr(im, "tag_v2", {}).get(339, 1)
    return int(form[0] if isinstance(form, tuple) and form else form) if isinstance(form, (int, tuple)) and form \
        else 1


def _bits(im: Image.Image) -> int | None:
    """A TIFF's bits per sample (None for other files)."""
    bits = getattr(im, "tag_v2", {}).get(258)
    return int(bits[0]) if isinstance(bits, tuple) and bits else None


def sample_range(im: Image.Image) -> tuple[float, float]:
    """The range a 32-bit photo's samples (mode I or F, or signed 16-bit) are meant in, from black to white.

    A TIFF that says so (SMinSampleValue, SMaxSampleValue) is taken at its word.  Otherwise
    the samples decide: 0 up to the smallest of 1 (the floats' convention), 255, 1023, 4095,
    16383 and 65535 that holds the brightest (an 8- to 16-bit photo kept in a wide file), or
    up to the brightest itself when that range would print it darker than an eighth of white
    (or there is none).  Signed samples mean the signed range of the fewest bits that hold
    them (the same guard), other negative ones stretch from the darkest.  So neither "F" read as
    0..1 (white) nor "I" as 16-bit (black) happens to a photo that is neither.
    """
    lo, hi = im.getextrema()
    tags = getattr(im, "tag_v2", {})
    least, most = tags.get(340), tags.get(341)
    if least is not None and most is not None:
        least = least[0] if isinstance(least, tuple) else least
        most = most[0] if isinstance(most, tuple) else most
        if isinstance(least, (int, float)) and isinstance(most, (int, float)) and most > least:
            return float(least), float(most)
    if _sample_format(im) == 2 and lo < 0:           # signed: the range of the fewest bits that hold them
        bits = next((b for b in (8, 10, 12, 14, 16, 32) if -(2 ** (b - 1)) <= lo and hi < 2 ** (b - 1)), None)
        if bits is not None:
            low, top = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
            return (float(low), float(top)) if hi - lo >= (top - low) * WIDE_LEAST_SHARE else \
                (float(lo), float(hi if hi > lo else lo + 1))
    low = min(lo, 0)
    top = next((c for c in WIDE_CEILINGS if hi <= c), hi)
    if hi - low < (top - low) * WIDE_LEAST_SHARE:
        top = hi
    return float(low), float(top if top > low else low + 1)


def _all_numbers(im: Image.Image) -> bool:
    """Whether every sample of a float photo is a finite number: Pillow's extrema pass over a NaN,
    a sum does not (nor over an infinity).  A band of rows at a time, not a copy of the whole."""
    step = max(1, (1 << 22) // max(1, im.width))
    return all(math.isfinite(sum(array("f", im.crop((0, top, im.width, min(im.height, top + step))).tobytes())))
               for top in range(0, im.height, step))


def _wide_to_8bit(im: Image.Image, src: Path) -> Image.Image:
    """A 32-bit integer or float photo as 8-bit grey, its ``sample_range`` spread over 0..255."""
    lo, hi = im.getextrema()
    if not (math.isfinite(lo) and math.isfinite(hi)) or (im.mode == "F" and not _all_numbers(im)):
        raise _fail(src, "有的像素值不是数字（NaN 或无穷大），无法换算成可印刷的明暗。"
                         "请在图像软件中另存为 8 位或 16 位 TIFF（或 JPEG）。",
                    "some samples are not numbers (NaN or infinite) and cannot be turned into printable tones. "
                    "Save it from an image editor as an 8- or 16-bit TIFF (or a JPEG).")
    low, high = sample_range(im)
    scale = 255 / (high - low)
    return im.convert("F").point(lambda v: v * scale - low * scale).convert("L")


def _crop_box(w: int, h: int, frame_aspect: float, focus: tuple[float, float]) -> tuple[int, int, int, int]:
    """The largest box of frame_aspect inside w x h, centred on focus as far as the edges allow."""
    fx = min(max(focus[0], 0.0), 1.0)
    fy = min(max(focus[1], 0.0), 1.0)
    if w / h > frame_aspect:
        cw, ch = max(1, round(h * frame_aspect)), h
    else:
        cw, ch = w, max(1, round(w / frame_aspect))
    left = min(max(round(fx * w - cw / 2), 0), w - cw)
    top = min(max(round(fy * h - ch / 2), 0), h - ch)
    return (left, top, left + cw, top + ch)


def _description(profile) -> str:
    try:
        return (profile.profile.profile_description or "").strip()
    except Exception:
        return ""


def to_cmyk(im: Image.Image | tuple[Image.Image, ...], icc: bytes | None, profile: Path,
             src: Path) -> Image.Image:
    """The photo in the press's CMYK; ``im`` may be an RGB photo's three planes (``Image.split``),
    converted a band of rows at a time into the result (the same pixels as converting it whole)."""
    mode = "RGB" if isinstance(im, tuple) else im.mode
    if mode == "L":
        # black plate only: K = 1 - grey
        k = ImageOps.invert(im)
        zero = Image.new("L", im.size, 0)
        return Image.merge("CMYK", (zero, zero, zero, k))
    try:
        out_profile = ImageCms.getOpenProfile(str(profile))
        if mode == "CMYK":
            if not icc:
                return im
            in_profile = ImageCms.getOpenProfile(io.BytesIO(icc))
            if _description(in_profile) == _description(out_profile):
                return im       # already made for this press: keep the numbers (and pure K)
        elif icc:
            in_profile = ImageCms.getOpenProfile(io.BytesIO(icc))
        else:
            in_profile = ImageCms.getOpenProfile(str(SRGB_PROFILE))
        transform = ImageCms.buildTransform(in_profile, out_profile, mode, "CMYK",
                                            renderingIntent=INTENT, flags=FLAGS)
        return _apply(im, transform)
    except (ImageCms.PyCMSError, OSError, ValueError) as e:
        if icc and mode == "RGB":
            # a broken embedded profile: fall back to sRGB rather than stop the build
            return to_cmyk(im, None, profile, src)
        if icc and mode == "CMYK":
            return im
        raise _fail(src, f"颜色转换失败（{e}）。请检查输出色彩配置文件 {profile}。",
                    f"colour conversion failed ({e}). Check the output profile {profile}.") from None


def _apply(im: Image.Image | tuple[Image.Image, ...], transform) -> Image.Image:
    """``transform`` applied to a photo, or to RGB planes a band of ``BAND_ROWS`` rows at a time."""
    if not isinstance(im, tuple):
        return ImageCms.applyTransform(im, transform)
    width, height = im[0].size
    out = Image.new("CMYK", (width, height))
    for top in range(0, height, BAND_ROWS):
        box = (0, top, width, min(height, top + BAND_ROWS))
        band = Image.merge("RGB", [p.crop(box) for p in im])
        out.paste(ImageCms.applyTransform(band, transform), (0, top))
    return out


def release_memory() -> None:
    """Hand the freed pixels of a large photo back to the system (glibc keeps them otherwise).

    Without it the next photo's copies are added on top, and one build of a few
    poster-sized photos grows by hundreds of megabytes.  Elsewhere it does nothing.
    """
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


# --- the public functions -----------------------------------------------

def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


#: Hex digits of the JPEG's own sha256 in its cached name: what is read back is what was written.
CHECK_HEX = 16


def _cached(folder: Path, key: str) -> Path | None:
    """The cached JPEG for ``key`` if its bytes still match the digest in its name; others are deleted.

    A truncated file printed as a blank photo and a swapped one printed as it was,
    and both passed preflight: a cached photo is never used unverified.
    """
    try:
        candidates = [e.path for e in os.scandir(folder) if e.name.startswith(key + "-") and e.name.endswith(".jpg")]
    except OSError:
        return None
    for name in candidates:
        path = Path(name)
        try:
            good = path.is_file() and not path.is_symlink() and _digest(path)[:CHECK_HEX] == path.stem[len(key) + 1:]
        except OSError:
            good = False
        if good:
            return path
        try:
            path.unlink()
        except OSError:
            pass
    return None


def spare_folder(cache_dir: Path) -> Path:
    """Where prepared photos go when ``cache_dir`` cannot take them (a full or read-only disk, a folder
    in an entry's way): a private folder of this user's, for that cache, in the system's temporary folder."""
    name = hashlib.sha256(str(Path(cache_dir).absolute()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"brochure-{os.getuid()}-photos-{name}"


def _cached_spare(cache_dir: Path, key: str) -> Path | None:
    folder = spare_folder(cache_dir)
    return _cached(folder, key) if trusted(folder) else None


def keep_jpeg(data: bytes | memoryview, name: str, cache_dir: Path, src: Path) -> Path:
    """``data`` saved whole as ``name`` in ``cache_dir``, else in its ``spare_folder``: the path it has.

    A full or broken cache only costs time, never the build: the bytes are the same
    wherever they are kept.  Only when neither folder can take them is it an error.
    """
    failure: OSError | None = None
    for folder in (cache_dir, spare_folder(cache_dir)):
        try:
            if folder != cache_dir:
                if private_folder(folder) is None:
                    continue
            else:
                folder.mkdir(parents=True, exist_ok=True)
            write_atomic(folder / name, data)
            return folder / name
        except OSError as exc:
            failure = exc
    reason = (failure.strerror or str(failure)) if failure is not None else "not a private folder"
    raise _fail(src, f"处理好的照片无处保存：缓存文件夹和临时文件夹都写不进去（{reason}）。请腾出磁盘空间后再试。",
                f"the print-ready photo cannot be kept anywhere: neither the cache folder nor the temporary "
                f"folder can be written ({reason}). Free some disk space, then try again.")


def prepare_photo(src: Path, frame_w_pt: float, frame_h_pt: float, *, fit: str = "cover",
                  focus: tuple[float, float] = (0.5, 0.5), target_ppi: float = TARGET_PPI,
                  min_ppi: float = MIN_PPI, profile: Path, cache_dir: Path) -> PreparedImage:
    """Make ``src`` print-ready for a frame of frame_w_pt x frame_h_pt points.

    cover: crop to the frame's aspect around ``focus`` (0..1 from left/top) and
    fill the frame.  contain: fit the whole photo inside, centred; draw_w/draw_h
    and offset_x/offset_y say where.  Images far above ``target_ppi`` are
    downsampled to it; nothing is ever upsampled.  A photo under ``min_ppi`` at
    its placed size gets a warning, not an error.
    """
    src = Path(src)
    profile = Path(profile)
    if fit not in ("cover", "contain"):
        raise ValueError(f"fit must be 'cover' or 'contain', not {fit!r}")
    if frame_w_pt <= 0 or frame_h_pt <= 0:
        raise ValueError(f"frame must have a positive size, got {frame_w_pt} x {frame_h_pt}")
    _check_file(src)
    if not profile.is_file():
        raise PressError(f"找不到输出色彩配置文件 {profile}。", f"output colour profile {profile} not found.")

    with open_photo(src, load=False) as header:
        w, h = oriented_size(header)
        wide = header.mode in ("I", "F") and (_bits(header) != 16 or _sample_format(header) == 2)

    # geometry, in source pixels after orientation
    if fit == "cover":
        box = _crop_box(w, h, frame_w_pt / frame_h_pt, focus)
        used_w, used_h = box[2] - box[0], box[3] - box[1]
        draw_w, draw_h, off_x, off_y = frame_w_pt, frame_h_pt, 0.0, 0.0
    else:
        box = (0, 0, w, h)
        used_w, used_h = w, h
        scale = min(frame_w_pt / w, frame_h_pt / h)
        draw_w, draw_h = w * scale, h * scale
        off_x, off_y = (frame_w_pt - draw_w) / 2, (frame_h_pt - draw_h) / 2
    effective_ppi = used_w / (draw_w / 72)
    if effective_ppi > target_ppi * DOWNSAMPLE_ABOVE:
        out_w = max(1, round(draw_w / 72 * target_ppi))
        out_h = max(1, round(draw_h / 72 * target_ppi))
    else:
        out_w, out_h = used_w, used_h

    key_src = "|".join([
        PIPELINE_VERSION, _digest(src), _digest(profile), fit,
        f"{box}", f"{out_w}x{out_h}", f"{JPEG_QUALITY}",
    ])
    key = hashlib.sha256(key_src.encode()).hexdigest()[:32]
    cache_dir = Path(cache_dir)
    out = _cached(cache_dir, key) or _cached_spare(cache_dir, key)

    if out is None:
        # decode fully only on a cache miss: a cached result means these exact bytes decoded before;
        # a photo much larger than needed is decoded at a fraction of its size
        im = open_photo(src, reduce=min(used_w / out_w, used_h / out_h))
        try:
            ImageOps.exif_transpose(im, in_place=True)      # no second copy when nothing turns
        except Exception:          # a broken EXIF block must not stop the build
            pass
        im, icc = _to_workable(im, src)
        if im.size != (w, h):      # decoded reduced: the crop box in those pixels
            fx, fy = im.width / w, im.height / h
            box = (round(box[0] * fx), round(box[1] * fy), round(box[2] * fx), round(box[3] * fy))
        if box != (0, 0, im.width, im.height):
            im = im.crop(box)
        if (out_w, out_h) != im.size:
            im = im.resize((out_w, out_h), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if im.mode == "RGB" and im.width * im.height > BANDS_ABOVE_PIXELS:
            # Pillow keeps RGB at 4 bytes a pixel, like CMYK: a banner photo held both ways at once
            # is two 46 MB copies.  Its three 1-byte planes hold the same pixels in 3/4 of that.
            planes = im.split()
            del im
            cmyk = to_cmyk(planes, icc, profile, src)
            del planes
        else:
            cmyk = to_cmyk(im, icc, profile, src)
            del im                 # the RGB pixels are not needed while the JPEG is written
        buf = io.BytesIO()
        # Huffman optimisation keeps every coefficient in memory (8 bytes a pixel): worth a few
        # per cent of file size for a brochure photo, not 90 MB for a banner's
        cmyk.save(buf, "JPEG", quality=JPEG_QUALITY, dpi=(target_ppi, target_ppi),
                  optimize=cmyk.width * cmyk.height <= OPTIMIZE_MAX_PIXELS)
        del cmyk
        data = buf.getbuffer()         # the bytes themselves, not a copy of a banner's JPEG
        out = keep_jpeg(data, f"{key}-{hashlib.sha256(data).hexdigest()[:CHECK_HEX]}.jpg", cache_dir, src)
        del data, buf
        release_memory()

    result = PreparedImage(path=out, pixel_w=out_w, pixel_h=out_h, draw_w=draw_w, draw_h=draw_h,
                           offset_x=off_x, offset_y=off_y, effective_ppi=effective_ppi, source=src)
    if wide:
        bits = _bits(header) or 32
        result.warnings.append(BuildWarning(
            f"图片 {src.name} 是 {bits} 位{'浮点' if header.mode == 'F' else '整数'}灰度 TIFF，已按其取值范围换算成 8 位灰度"
            "（只印黑版）。请在校样上核对明暗；最好在图像软件中另存为 8 位或 16 位的图片。",
            f"image {src.name} is a {bits}-bit {'float' if header.mode == 'F' else 'integer'} greyscale TIFF; it was "
            "turned into 8-bit grey by its range of samples (black plate only). Check its tones on the proof; "
            "better, save it from an image editor as an 8- or 16-bit image."))
    if effective_ppi < min_ppi:
        result.warnings.append(BuildWarning(
            f"图片 {src.name} 在版面上只有 {effective_ppi:.0f} ppi（放置尺寸 "
            f"{draw_w / MM:.0f}×{draw_h / MM:.0f} mm），低于 {min_ppi:.0f} ppi，印出来会发虚。"
            "请换用更大的原图，或把图放小。",
            f"image {src.name} is only {effective_ppi:.0f} ppi at its placed size "
            f"({draw_w / MM:.0f}×{draw_h / MM:.0f} mm), below {min_ppi:.0f} ppi; it will print soft. "
            "Use a larger original or place it smaller."))
    return result
