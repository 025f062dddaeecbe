"""Reading the content file from disk: only a regular file, only UTF-8, never too large; paths as staff see them."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from brochure.ground.errors import ContentError, Location
from brochure.ground.words import os_reason


#: A brochure's words are a few hundred kilobytes at most; beyond this, something was pasted by mistake.
MAX_BYTES = 2_000_000


def display_path(path: Path) -> str:
    """The path as a staff member would recognise it: relative to the current folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):      # RuntimeError: a symbolic-link loop; OSError: no cwd
        return str(path)


def read_text_file(path: Path) -> str:
    """The file's text as UTF-8 (a BOM is accepted); other encodings are refused clearly.

    A GBK/GB18030 file (what older Chinese Windows editors save by default) is
    refused, not guessed: the message says it is GBK and how to save it as UTF-8.
    Guessing would print the wrong characters whenever the guess is wrong.
    """
    where = Location(display_path(path))
    try:
        if path.is_dir():
            inside = display_path(path / "content.yaml")
            raise ContentError(
                f"这是一个文件夹，不是内容文件。请给出内容文件的路径，例如 {inside}。",
                f"this is a folder, not a content file. Give the path of the content file, e.g. {inside}.",
                where,
            )
        # O_NONBLOCK: opening a FIFO must not wait for a writer; what was opened is checked, not the name
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with open(fd, "rb", closefd=True) as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ContentError(
                    "这不是一个普通文件（而是管道、设备或套接字），不能作为内容文件读取。请给出 content.yaml 文件本身。",
                    "this is not a regular file (a pipe, device or socket) and cannot be read as a content file. "
                    "Give the content.yaml file itself.",
                    where,
                )
            if st.st_size > MAX_BYTES:
                raise _too_large(st.st_size, where)
            os.set_blocking(f.fileno(), True)
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ContentError(
            "找不到这个内容文件。请检查路径和文件名，或在该文件夹中创建 content.yaml。",
            "this content file does not exist. Check the path and the name, or create content.yaml in that folder.",
            where,
        ) from None
    except OSError as exc:
        zh, en = os_reason(exc)
        raise ContentError(
            f"无法读取内容文件（{zh}）。请检查文件是否存在、是否有读取权限。",
            f"cannot read the content file ({en}). Check that it exists and that you may read it.",
            where,
        ) from None
    if len(raw) > MAX_BYTES:        # grew while we looked
        raise _too_large(len(raw), where)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        kind = "UTF-32" if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else "UTF-16"
        raise ContentError(
            f"内容文件是 {kind}（“Unicode”）编码。请在编辑器中用“另存为 → 编码 UTF-8”重新保存。",
            f"the content file is {kind} (\"Unicode\") encoded. In your editor use Save As → Encoding: UTF-8.",
            Location(display_path(path), 1, 1),
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1: exc.start].decode("utf-8", "replace")) + 1
        hint_zh, hint_en = "", ""
        try:
            raw.decode("gb18030")
            hint_zh = "文件看起来是 GBK/GB18030 编码。"
            hint_en = "The file looks GBK/GB18030-encoded. "
        except UnicodeDecodeError:
            pass
        raise ContentError(
            f"{hint_zh}内容文件必须是 UTF-8 编码：请在编辑器中用“另存为 → 编码 UTF-8”重新保存。",
            f"{hint_en}The content file must be UTF-8: in your editor use Save As → Encoding: UTF-8.",
            Location(display_path(path), line, column),
        ) from None


def _too_large(size: int, where: Location) -> ContentError:
    return ContentError(
        f"内容文件太大（{size / 1e6:.1f} MB，上限 {MAX_BYTES / 1e6:.0f} MB）。一本宣传册的文字不会这么多：请检查是否误粘贴了其他内容。",
        f"the content file is too large ({size / 1e6:.1f} MB, limit {MAX_BYTES / 1e6:.0f} MB). "
        "A brochure's words are far smaller: check for something pasted by mistake.",
        where,
    )
