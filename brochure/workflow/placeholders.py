"""Clearly-labelled placeholder photos for every entry under photos: in a content file.

A draft (``brochure import``) names photos the staff do not have yet; with a
placeholder in their place it builds (``build --draft``), so the layout can be
proofed while the real photos are on their way.

Nothing of the staff's is ever replaced: each placeholder carries a mark of its
own in its JPEG comment (``MARK``), and a placeholder is written only under a
new name or over a placeholder so marked (that only with ``force``, to draw it
again).  A real photo is kept, ``--force`` or not; a name outside ``images/``,
or one reached through a symbolic link, is skipped; each file is written to a
temporary name and moved into place, so nothing is ever half-written.

Each placeholder is an RGB JPEG with an embedded sRGB profile, large enough for
its biggest use (the brochure's type area at its min_ppi, or the full width of a
poster that shows it as hero at the poster's min_ppi), with the frame's aspect,
labelled "示意图 PLACEHOLDER" with its file, caption and size.  The output is
deterministic: the same content file gives the same bytes.

The content file is read with the loader's own reading and messages (UTF-8 only,
YAML errors at their line, the photos: entries checked as ``check`` checks
them), but not through ``brochure.content.load``: that refuses a photo file that
is missing, which is exactly the case here.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml
from PIL import Image, ImageCms, ImageDraw, ImageFont

from brochure.content.files import display_path, read_text_file
from brochure.content.yamlnodes import Reader
from brochure.ground.errors import ContentError, Location
from brochure.ground.rules import IMAGE_SUFFIXES
from brochure.pipeline.outputs import new_file_mode
from brochure.runtime.progress import Progress

MM_PER_IN = 25.4
#: Trim sizes in mm (portrait), as content.yaml names them.
SIZES = {"A0": (841, 1189), "A1": (594, 841), "A2": (420, 594), "A3": (297, 420), "A4": (210, 297),
         "A5": (148, 210), "大16开": (210, 285), "16k": (210, 285), "rollup": (800, 2000),
         "易拉宝": (800, 2000), "board": (1200, 900), "展板": (1200, 900)}
CJK_FALLBACK = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)
#: The JPEG comment that marks a placeholder this tool made: only such a file is ever replaced.
MARK = b"brochure placeholder: not a photo; save the real photo under this name"
#: The folder placeholders go into, beside the content file.
FOLDER = "images"
#: The keys a photo's entry may have (as the loader knows them).
PHOTO_KEYS = {"file": True, "caption": True, "credit": True, "span": False, "position": False,
              "fit": False, "focus": False, "aspect": False}

FontSpec = tuple[str, int]       # (font file, face index)


@dataclass(frozen=True)
class LabelFonts:
    """The fonts the labels are written in: ``cjk`` None when the machine has no Chinese font."""

    cjk: FontSpec | None
    latin: FontSpec | None

    @classmethod
    def find(cls) -> "LabelFonts":
        cjk = find_font("Noto Sans CJK SC", need_zh=True)
        return cls(cjk, cjk or find_font("DejaVu Sans", need_zh=False))

    def font(self, size: int):
        spec = self.cjk or self.latin
        if spec:
            return ImageFont.truetype(spec[0], size, index=spec[1])
        return ImageFont.load_default(size)


@dataclass(frozen=True)
class Made:
    """What happened to one photo's file: ``made`` (new or redrawn), ``kept`` (a real photo, or a placeholder
    already there) or ``skipped`` (``why``: outside images/, through a symbolic link, not a file)."""

    file: str
    status: str
    size: tuple[int, int] | None = None
    why: str = ""

    def line(self) -> str:
        if self.status == "made":
            return f"生成 made  {self.file}  {self.size[0]} × {self.size[1]} px"
        if self.status == "kept":
            if self.why == "placeholder":
                return f"保留 kept  {self.file}（已是占位图 / already a placeholder）"
            return f"保留 kept  {self.file}（已有这张照片，占位图从不覆盖它 / a photo is there: a placeholder never replaces it）"
        zh, en = {
            "outside": ("占位图只写进 images/ 文件夹", "placeholders go into images/ only"),
            "link": ("路径经过符号链接，不写入", "the path goes through a symbolic link, so nothing is written there"),
            "other": ("那里不是普通文件", "what is there is not a regular file"),
        }[self.why or "outside"]
        return f"跳过 skip  {self.file}（{zh} / {en}）"


def is_placeholder(path: Path) -> bool:
    """Whether ``path`` is a regular file (not a link) and a JPEG carrying this tool's mark in a comment."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        head = os.read(fd, 1 << 16)
    except OSError:
        return False
    finally:
        os.close(fd)
    if not head.startswith(b"\xff\xd8"):
        return False
    at = 2
    while at + 4 <= len(head) and head[at] == 0xFF:       # the segments before the image data
        kind, size = head[at + 1], struct.unpack(">H", head[at + 2:at + 4])[0]
        if kind == 0xFE:
            return head[at + 4:at + 2 + size] == MARK
        if kind in (0xDA, 0xD9) or size < 2:
            return False
        at += 2 + size
    return False


class PhotoReader(Reader):
    """The parts of a content file a placeholder needs, read and checked as the loader does."""

    def photos(self, root: yaml.Node) -> dict[str, dict]:
        self.expect(root, "mapping", "content.yaml")
        node = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "photos"), None)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
            return {}
        self.expect(node, "mapping", "photos")
        keys = self.mapping(node, "photos", {k.value: False for k, _ in node.value if isinstance(k, yaml.ScalarNode)})
        return {str(pid): self.photo(str(pid), n) for pid, n in keys.items()}

    def photo(self, pid: str, node: yaml.Node) -> dict:
        v = self.mapping(node, f"photos.{pid}", PHOTO_KEYS)
        rel = str(self.text(v["file"], "file"))
        if Path(rel).suffix.lower() not in IMAGE_SUFFIXES:
            raise self.fail(v["file"], f"图片“{rel}”的格式不受支持。请使用 JPEG、PNG 或 TIFF。",
                            f"image '{rel}' is not a supported format. Use JPEG, PNG or TIFF.")
        photo = {"file": rel, "caption": str(self.text(v["caption"], "caption"))}
        if "aspect" in v:
            photo["aspect"] = self.number(v["aspect"], "aspect", minimum=0.2, maximum=5)
        return photo


def read_photos(content_path: Path) -> tuple[dict[str, dict], dict]:
    """The photos: entries of ``content_path`` and the whole file as plain data (for the sizes).

    Raises ContentError, at its place, for everything ``check`` would say of the same parts.
    """
    path = Path(content_path).absolute()
    text = read_text_file(path)
    from brochure.content.yamlnodes import compose

    root = compose(path, text)
    if root is None:
        raise ContentError("内容文件是空的。请从示例 content.yaml 开始编辑。",
                           "the content file is empty. Start from the example content.yaml.",
                           Location(display_path(path), 1, 1))
    reader = PhotoReader(path)
    reader.source_lines = text.split("\n")
    photos = reader.photos(root)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        doc = None
    return photos, doc if isinstance(doc, dict) else {}


def page_width(size) -> float:
    """Trim width in mm of a page size as written in content.yaml."""
    if isinstance(size, dict):
        return float(size["width"])
    name = str(size)
    landscape = name.endswith("-landscape")
    w, h = SIZES[name.removesuffix("-landscape")]
    return h if landscape else w


def target_width_px(doc: dict, pid: str) -> int:
    """Pixels across for the photo's widest use: brochure type area, or a poster it heads.

    Settings that are not what the loader accepts give the size of the defaults (the build says what is wrong).
    """
    try:
        return _target_width_px(doc, pid)
    except (TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError, OverflowError):
        return _target_width_px({}, pid)


def _target_width_px(doc: dict, pid: str) -> int:
    settings = doc.get("settings") or {}
    b = settings.get("brochure") or {}
    m = b.get("margins") or {}
    type_area = page_width(b.get("page", "A4")) - m.get("outer", 15) - m.get("inner", 15)
    widths = [type_area / MM_PER_IN * (b.get("press") or {}).get("min_ppi", 300)]
    for poster in doc.get("posters") or []:
        if poster.get("hero") == pid:
            press = poster.get("press") or {}
            mm = page_width(poster.get("size", "A1")) + 2 * press.get("bleed", 3)
            widths.append(mm / MM_PER_IN * press.get("min_ppi", 300))
    return max(16, min(20000, round(max(widths))))


def find_font(pattern: str, need_zh: bool) -> FontSpec | None:
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}:%{index}:%{lang}", pattern],
                             capture_output=True, text=True, check=True).stdout
        file, index, langs = out.split(":", 2)
        if not need_zh or "zh-cn" in langs.split("|"):
            return file, int(index)
    except (OSError, subprocess.CalledProcessError, ValueError):
        pass
    if need_zh and Path(CJK_FALLBACK[0]).is_file():
        return CJK_FALLBACK
    return None


def srgb_profile() -> bytes:
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    icc[24:36] = struct.pack(">6H", 2022, 9, 1, 0, 0, 0)   # fixed creation date, so the bytes never change
    return bytes(icc)


def colours(pid: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """A calm sky-to-ground pair of colours, different for each photo id but stable."""
    h = hashlib.sha256(pid.encode()).digest()
    sky = (150 + h[0] % 50, 175 + h[1] % 40, 195 + h[2] % 40)
    ground = (70 + h[3] % 50, 85 + h[4] % 45, 60 + h[5] % 40)
    return sky, ground


def placeholder(pid: str, photo: dict, width: int, fonts: LabelFonts) -> Image.Image:
    """The placeholder image of photo ``pid`` (its entry under photos: is ``photo``), ``width`` pixels across."""
    aspect = float(photo.get("aspect", 1.5))
    w, h = width, round(width / aspect)
    sky, ground = colours(pid)
    cjk = fonts.cjk is not None
    # vertical gradient (sky to ground) with a soft vignette: looks like a photo, reads as none
    img = Image.composite(Image.new("RGB", (w, h), ground), Image.new("RGB", (w, h), sky),
                          Image.linear_gradient("L").resize((w, h), Image.BICUBIC))
    vignette = Image.radial_gradient("L").resize((w, h), Image.BICUBIC).point(lambda v: v * 90 // 255)
    img = Image.composite(Image.new("RGB", (w, h), (30, 30, 35)), img, vignette)

    d = ImageDraw.Draw(img)
    line = max(3, w // 400)
    d.line([(0, 0), (w, h)], fill=(255, 255, 255), width=line)
    d.line([(0, h), (w, 0)], fill=(255, 255, 255), width=line)
    d.rectangle([0, 0, w - 1, h - 1], outline=(255, 255, 255), width=line * 2)

    lines = [("示意图 PLACEHOLDER" if cjk else "PLACEHOLDER", 0.13),
             (str(photo["file"]), 0.05),
             (str(photo.get("caption", "")) if cjk else "", 0.05),
             ("请替换为实拍照片 / replace with the real photo" if cjk else "replace with the real photo", 0.045),
             (f"{w} x {h} px  ·  {pid}  ·  aspect {aspect:g}", 0.035)]
    rendered = []
    for text, rel in lines:
        if not text:
            continue
        size = max(12, round(h * rel))
        f = fonts.font(size)
        while d.textlength(text, font=f) > w * 0.84 and size > 12:   # shrink long lines to fit
            size = int(size * 0.9)
            f = fonts.font(size)
        rendered.append((text, f, size))
    gap = round(h * 0.025)
    block = sum(s for _, _, s in rendered) + gap * (len(rendered) - 1)
    pad = round(h * 0.04)
    top = (h - block) // 2
    panel_w = max(d.textlength(t, font=f) for t, f, _ in rendered) + 2 * pad
    d.rectangle([(w - panel_w) // 2, top - pad, (w + panel_w) // 2, top + block + pad], fill=(25, 25, 30))
    y = top
    for text, f, size in rendered:
        d.text((w / 2, y + size / 2), text, font=f, fill=(255, 255, 255), anchor="mm")
        y += size + gap
    return img


def where_to_write(root: Path, rel: str) -> tuple[Path | None, str]:
    """The file a placeholder for ``rel`` may be written to, or None and why not (``Made.why``)."""
    images = root / FOLDER
    target = Path(os.path.normpath(root / rel))
    if not target.is_relative_to(images) or target == images:
        return None, "outside"
    part = root
    for name in target.relative_to(root).parts:
        part = part / name
        try:
            st = os.lstat(part)
        except FileNotFoundError:
            break
        except OSError:
            return None, "other"
        if stat.S_ISLNK(st.st_mode):
            return None, "link"
        if part != target and not stat.S_ISDIR(st.st_mode):
            return None, "other"
    return target, ""


def write_placeholder(img: Image.Image, target: Path, icc: bytes, replace: bool) -> None:
    """Save ``img`` at ``target`` whole: a new name only, or (``replace``) over a placeholder of this tool."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".part", dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            img.save(f, "JPEG", quality=88, icc_profile=icc, dpi=(300, 300), optimize=True, comment=MARK)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, new_file_mode())
        if replace and is_placeholder(target):
            os.replace(temp, target)
        else:
            os.link(temp, target)           # fails if anything took the name meanwhile: nothing is replaced
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def make_placeholders(content_path: Path, *, force: bool = False,
                      echo: Callable[[str], None] | None = None,
                      warn: Callable[[str], None] | None = None) -> list[Made]:
    """A placeholder for every photo of ``content_path`` whose file is not there yet.

    ``force``: the placeholders this tool made before are drawn again (a real photo is never replaced).
    ``echo`` is told each file as it is done (``Made.line()``); ``warn`` that the labels are Latin only.
    On a terminal a progress line counts the photos (each placeholder takes a moment to draw and save).
    Raises ContentError for a content file that cannot be read, and for a photo file that cannot be written.
    """
    content_path = Path(content_path)
    photos, doc = read_photos(content_path)
    root = content_path.absolute().parent
    fonts: LabelFonts | None = None
    icc = srgb_profile()
    done = []
    progress = Progress("正在生成占位图", "making placeholders", len(photos))
    for n, (pid, photo) in enumerate(photos.items(), 1):
        progress.show(n)
        rel = photo["file"]
        target, why = where_to_write(root, rel)
        if target is None:
            made = Made(rel, "skipped", why=why)
        elif os.path.lexists(target) and not stat.S_ISREG(os.lstat(target).st_mode):
            made = Made(rel, "skipped", why="other")
        elif os.path.lexists(target) and not (force and is_placeholder(target)):
            made = Made(rel, "kept", why="placeholder" if is_placeholder(target) else "photo")
        else:
            if fonts is None:
                fonts = LabelFonts.find()
                if fonts.cjk is None and warn is not None:
                    progress.close()
                    warn("未找到中文字体，占位图只写英文。 / No CJK font found: the labels are in English only.")
            img = placeholder(pid, photo, target_width_px(doc, pid), fonts)
            try:
                write_placeholder(img, target, icc, replace=os.path.lexists(target))
            except FileExistsError:
                made = Made(rel, "kept", why="photo")
            except OSError as exc:
                progress.close()
                raise ContentError(
                    f"无法写入占位图（{exc.strerror}）。请检查磁盘空间和 images/ 文件夹的写入权限。",
                    f"cannot write the placeholder ({exc.strerror}). Check the free space and that you may write to images/.",
                    Location(rel),
                ) from None
            else:
                made = Made(rel, "made", img.size)
        done.append(made)
        progress.close()           # the line is cleared before anything else is said
        if echo is not None:
            echo(made.line())
    return done
