"""``brochure preflight FILE``: print the summary and write FILE.preflight.json beside the PDF."""
from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import stat
from pathlib import Path

from brochure.ground.errors import BrochureError, Location, bilingual
from brochure.ground.rules import INK_LIMIT, INK_LIMIT_RANGE, MIN_PPI, MIN_PPI_RANGE
from brochure.runtime.files import is_loop, open_regular, read_regular

from .run import preflight


def report_path(pdf: Path) -> Path:
    """Where the JSON report for ``pdf`` goes: FILE.preflight.json beside it."""
    pdf = Path(pdf)
    return pdf.with_name(pdf.stem + ".preflight.json")


def main_preflight(path, *, expect_urls: list[str] | None = None, min_ppi: float = MIN_PPI,
                   ink_limit: float = INK_LIMIT, source: str | tuple[str, str] = "") -> int:
    """Command-line use: print the summary, write FILE.preflight.json, return 0 (ok) or 1.

    ``source`` says where the settings came from (content.yaml, the options or the defaults), in
    Chinese and English (one string: the same in both, e.g. a file's name).
    A report already beside the PDF that was made under other settings is replaced, and the
    message says so and what changed.  Settings out of range, and a path that is not a
    readable regular file, raise BrochureError (exit status 2) before anything is written.
    """
    path = Path(path)
    check_setting("--min-ppi", min_ppi, MIN_PPI_RANGE, "ppi", "最低分辨率", "minimum resolution")
    check_setting("--max-ink", ink_limit, INK_LIMIT_RANGE, "%", "总墨量上限", "total ink limit")
    check_readable(path)
    report = preflight(path, expect_urls=expect_urls, min_ppi=min_ppi, ink_limit=ink_limit)
    if source:
        zh, en = (source, source) if isinstance(source, str) else source
        print(bilingual(f"检查设置：照片最低 {min_ppi:g} ppi，总墨量不超过 {ink_limit:g}%（来自{zh}）。",
                        f"settings: photos at least {min_ppi:g} ppi, total ink at most {ink_limit:g}% (from {en})."))
    print(report.summary())
    before = _settings_of(report_path(path))
    if before is not None and before != report.settings:
        keys = list(report.settings) + [k for k in before if k not in report.settings]
        changed = ", ".join(f"{k}: {before.get(k)!r} -> {report.settings.get(k)!r}"
                            for k in keys if before.get(k) != report.settings.get(k))
        print(bilingual(f"注意：{report_path(path).name} 原来是按另一套设置检查的，现已按上面的设置重写（{changed}）。",
                        f"note: {report_path(path).name} had been made under other settings and is now rewritten "
                        f"({changed})."))
    _write_report(report_path(path), report.to_json() + "\n")
    return 0 if report.ok else 1


def setting_value(option: str, text: str | None) -> float | None:
    """The number an option's ``text`` gives ("300" or "300%"); None for None. Not a number: BrochureError."""
    if text is None:
        return None
    try:
        return float(text.strip().removesuffix("%"))
    except ValueError:
        raise BrochureError(
            f"{option} 的值“{text}”不是数字：请写一个数，例如 {option} {_usual(option):g}。",
            f"{option} '{text}' is not a number: give one, for example {option} {_usual(option):g}.") from None


def check_setting(option: str, value: float, bounds: tuple[float, float], unit: str, zh: str, en: str) -> None:
    """Refuse a preflight setting that is not a number within ``bounds`` (nan, infinite, negative, absurd)."""
    low, high = bounds
    if isinstance(value, (int, float)) and math.isfinite(value) and low <= value <= high:
        return
    raise BrochureError(
        f"{option} 的值 {value:g} 不能作为{zh}：请写 {low:g} 到 {high:g} 之间的数（{unit}），例如 {_usual(option):g}。",
        f"{option} {value:g} is not a usable {en}: give a number from {low:g} to {high:g} ({unit}), "
        f"for example {_usual(option):g}.")


def _usual(option: str) -> float:
    return MIN_PPI if option == "--min-ppi" else INK_LIMIT


#: What a path that is not a regular file is, by its file type: (Chinese, English).
_KINDS = {
    stat.S_IFDIR: ("一个文件夹", "a folder"),
    stat.S_IFIFO: ("一个命名管道（FIFO）", "a named pipe (FIFO)"),
    stat.S_IFCHR: ("一个字符设备", "a character device"),
    stat.S_IFBLK: ("一个块设备（磁盘）", "a block device (a disk)"),
    stat.S_IFSOCK: ("一个套接字", "a socket"),
}


def check_readable(path: Path) -> None:
    """Refuse, saying what it is, a path that is missing, unreadable or not a regular file.

    Looked at with stat and opened without waiting: a named pipe never blocks the command.
    """
    where = Location(str(path))
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISREG(mode):
            open_regular(path).close()          # readable, and still a regular file
            return
    except FileNotFoundError:
        raise BrochureError("找不到这个文件。请检查文件名和所在文件夹，例如 out/brochure.pdf。",
                            "file not found. Check the file name and its folder, for example out/brochure.pdf.",
                            where) from None
    except PermissionError:
        raise BrochureError("没有读取权限，无法打开。请在文件属性中允许读取，或复制一份再检查。",
                            "permission denied: it cannot be opened. Allow reading it, or check a copy.",
                            where) from None
    except OSError as e:
        if is_loop(e):
            raise BrochureError("这是循环的符号链接（链接最终指向它自己），无法打开。请写出 PDF 文件本身。",
                                "this is a loop of symbolic links (it ends up pointing at itself) and cannot be "
                                "opened. Name the PDF file itself.", where) from None
        raise BrochureError(f"无法打开（{e.strerror or e}）。请换成 PDF 文件本身。",
                            f"cannot be opened ({e.strerror or e}). Name the PDF file itself.", where) from None
    zh, en = _KINDS.get(stat.S_IFMT(mode), ("一个特殊文件", "a special file"))
    inside = path / "brochure.pdf"
    advice_zh, advice_en = (f"请写出其中的 PDF，例如 {inside}", f"name a PDF inside it, for example {inside}") \
        if stat.S_ISDIR(mode) else ("请写出 PDF 文件本身的名字", "name the PDF file itself")
    raise BrochureError(f"这是{zh}，不是 PDF 文件，无法检查。{advice_zh}。",
                        f"this is {en}, not a PDF file, so it cannot be checked. {advice_en[0].upper()}{advice_en[1:]}.",
                        where)


def _write_report(target: Path, text: str) -> None:
    """The JSON report written over a regular file or a new name only (never into a pipe or a device)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        zh, en = _KINDS.get(stat.S_IFMT(mode), ("一个特殊文件", "a special file"))
        print(f"未写出检查报告：{target.name} 已是{zh}，请移走它。 / the report was not written: "
              f"{target.name} is {en}; move it away.")
        return
    # whole or not at all: a full disk leaves the report that was there, not half of a new one
    tmp = target.with_name(f".{target.name}.~{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)      # the mode a new file gets (umask)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(text.encode("utf-8"))
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as e:
        print(f"无法写入检查报告：{e.strerror or e}。 / cannot write the report: {e.strerror or e}.")


def _settings_of(report: Path) -> dict | None:
    """The settings an existing JSON report was made under (None: no report, or one from before they were kept)."""
    try:
        return json.loads(read_regular(report).decode("utf-8")).get("settings")
    except (OSError, ValueError, AttributeError):
        return None
