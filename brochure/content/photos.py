"""Each photo named in content.yaml is opened and checked while the file is read.

So a missing, empty, truncated, corrupt, mislabelled or oversized image is
reported at its ``file:`` line in content.yaml, before any PDF work starts,
with what to do next.  Only a regular file is opened (a pipe or device is
refused without waiting on it), and one that may not be read says so.  JPEG is
decoded at 1/8 scale, other formats (PNG too: its chunk checksums hold for a
damaged zlib stream) in full.

A photo whose content is a supported format other than its extension says
(a PNG saved as ``.jpg``) is used as it is, with a warning: the pixels are
fine and refusing them would only cost the staff member time.  A file whose
content is not a supported image (a GIF, a text file, HEIC renamed ``.jpg``)
is refused.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from brochure.ground.errors import BuildWarning, ContentError, Location
from brochure.runtime.files import NotRegularFile, open_regular
from brochure.ground.rules import IMAGE_FORMATS, IMAGE_SUFFIXES, MAX_PIXELS, format_name
from brochure.images.prepare import decode_reduced
from brochure.ground.words import os_reason


def check_photo(path: Path, rel: str, where: Location, known: dict | None = None) -> list[BuildWarning]:
    """Open and decode ``path`` cheaply; ContentError at ``where`` if it cannot be printed.

    Returns warnings (a mislabelled but usable file).  ``known`` (a session's memo) holds the
    files already found good, by (path, size, modification time): ``brochure watch`` rebuilds
    after every save, and a photo that did not change need not be decoded again.
    """
    try:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    fmt = known.get(key) if key is not None and known is not None else None
    if fmt is None:
        fmt = _decode(path, rel, where)
        if key is not None and known is not None:
            known[key] = fmt
    return _label_warnings(path, rel, where, fmt)


def _decode(path: Path, rel: str, where: Location) -> str:
    """The image's format, once the file has been opened and decoded; ContentError if it cannot be."""
    def fail(zh: str, en: str) -> ContentError:
        return ContentError(f"图片“{rel}”{zh}", f"image '{rel}' {en}", where)

    try:
        f = open_regular(path)
    except NotRegularFile as exc:
        if exc.folder:
            raise fail("是一个文件夹，不是图片文件。请写出文件夹中图片的文件名。",
                       "is a folder, not an image file. Write the name of the image inside it.") from None
        raise fail("不是普通文件（而是管道、设备或套接字），不能作为图片读取。请换成图片文件本身。",
                   "is not a regular file (a pipe, device or socket) and cannot be read as an image. "
                   "Put the image file itself there.") from None
    except PermissionError:
        raise fail("没有读取权限，无法打开。请在文件属性中允许读取（或请管理员修改权限）。",
                   "cannot be read: permission denied. Allow reading it in the file's properties "
                   "(or ask whoever manages the computer).") from None
    except OSError as exc:
        zh, en = os_reason(exc)
        raise fail(f"无法读取（{zh}）。请检查文件权限。",
                   f"cannot be read ({en}). Check the file's permissions.") from None
    with f:
        return _decode_open(f, fail)


def _decode_open(f, fail) -> str:
    if os.fstat(f.fileno()).st_size == 0:
        raise fail("是空文件（0 字节），可能复制失败。请重新复制原图。",
                   "is empty (0 bytes); the copy probably failed. Copy the original again.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(f) as im:
                fmt = im.format or "?"
                if fmt not in IMAGE_FORMATS:
                    raise fail(f"实际是 {fmt} 格式，不能用于印刷。请用看图软件打开后另存为 JPEG 或 PNG。",
                               f"is really a {fmt} file, which cannot be printed. "
                               "Open it in an image viewer and save it as JPEG or PNG.")
                width, height = im.size
                if width * height > MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                if fmt == "PNG":
                    im.verify()                 # every chunk's checksum
                else:
                    if fmt in ("JPEG", "MPO"):
                        decode_reduced(im, 8)
                    im.load()
            if fmt == "PNG":
                # checksums hold for a damaged zlib stream too: only decoding it shows it, as the build would
                f.seek(0)
                with Image.open(f) as im:
                    im.load()
    except ContentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise fail(f"像素过多（超过 {MAX_PIXELS // 1_000_000} 百万像素），可能是损坏或恶意文件。"
                   "请把图片缩小到 1 亿像素以内再用。",
                   f"has too many pixels (over {MAX_PIXELS // 1_000_000} megapixels); the file may be damaged "
                   "or hostile. Reduce it below 100 megapixels.") from None
    except UnidentifiedImageError:
        raise fail("不是可识别的图片（文件已损坏，或内容与扩展名不符，例如 HEIC、GIF 或文档改了扩展名）。"
                   "请用看图软件打开后另存为 JPEG。",
                   "is not a readable image (damaged, or the content does not match the extension, e.g. HEIC, "
                   "GIF or a document renamed). Open it in an image viewer and save it as JPEG.") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise fail("不完整或已损坏，无法解码。请重新复制或重新导出原图。",
                   "is truncated or damaged and cannot be decoded. Copy or export the original again.") from None
    return fmt


def _label_warnings(path: Path, rel: str, where: Location, fmt: str) -> list[BuildWarning]:
    actual = format_name(fmt)
    labelled = IMAGE_SUFFIXES.get(path.suffix.lower())
    if labelled and labelled != actual:
        return [BuildWarning(
            f"图片“{rel}”的内容是 {actual} 格式，扩展名却是 {path.suffix}；照常使用。建议把扩展名改为 .{actual.lower()}。",
            f"image '{rel}' is really {actual} although its extension is {path.suffix}; it is used as it is. "
            f"Consider renaming it to .{actual.lower()}.",
            where,
        )]
    return []
