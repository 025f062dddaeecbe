"""The command's own standard streams, and failures of the system said plainly.

* ``fill_closed_streams``: a command started with a stream closed (``>&-``) gets
  /dev/null in its place, so that no file it opens takes the number 0, 1 or 2
  and receives what was meant for the terminal;
* ``stdout_closed``, ``results_unwritten`` (``> /dev/full``) and ``os_error`` (a
  system error no step explained): bilingual errors, never a traceback.
"""
from __future__ import annotations

import contextlib
import os

from brochure.ground.errors import BrochureError


def fill_closed_streams() -> list[int]:
    """Standard input, output and error that were closed, each now opened on /dev/null; the closed ones."""
    closed = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.append(fd)
            with contextlib.suppress(OSError):
                os.open(os.devnull, os.O_RDWR)     # the lowest free number: this one
    return closed


def stdout_closed() -> BrochureError:
    return BrochureError(
        "标准输出已关闭（>&-），结果无法显示，所以什么都没有做。要丢弃结果，请重定向到 /dev/null（> /dev/null）。",
        "standard output is closed (>&-), so the results could not be shown, and nothing was done. To discard "
        "them, redirect it to /dev/null (> /dev/null) instead.")


def results_unwritten(exc: BaseException) -> BrochureError:
    why = getattr(exc, "strerror", None) or str(exc)
    return BrochureError(
        f"命令已完成，但它的结果无法写到标准输出（{why}），上面的结果可能不全。请查看 out/ 中的文件，或把输出重定向到别处后再运行一次。",
        f"the command finished, but its results could not be written to standard output ({why}), so what is "
        "shown above may be incomplete. Look at the files in out/, or redirect the output elsewhere and run it again.")


def os_error(exc: OSError) -> BrochureError:
    """A failure of the system (not of the input) that no step explained."""
    where = f"：{exc.filename}" if exc.filename else ""
    where_en = f": {exc.filename}" if exc.filename else ""
    why = exc.strerror or str(exc)
    return BrochureError(
        f"系统错误，命令没有完成（{why}{where}）。请检查磁盘空间、权限和那个文件后再试。",
        f"a system error stopped the command ({why}{where_en}). Check free space, permissions and that file, "
        "then try again.")


def raised_in(exc: BaseException, filename: str) -> bool:
    """Whether ``exc`` was raised by code of ``filename`` itself (not by something it called)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename == filename
