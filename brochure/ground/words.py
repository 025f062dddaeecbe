"""Small pieces of the bilingual messages that several stages print."""
from __future__ import annotations

import errno


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` with the English noun in the right number: 1 warning, 2 warnings (Chinese needs none)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


#: Why an operation on a file failed, in the words of a message: errno -> (Chinese, English).
#: The system's own text (``strerror``) is English only; a Chinese half never shows it.
OS_REASONS = {
    errno.ENOENT: ("文件或文件夹不存在", "there is no such file or folder"),
    errno.EACCES: ("没有权限", "permission denied"),
    errno.EPERM: ("没有权限", "permission denied"),
    errno.EROFS: ("文件系统是只读的", "the file system is read-only"),
    errno.ENOSPC: ("磁盘已满", "the disk is full"),
    errno.EDQUOT: ("磁盘配额已用完", "the disk quota is used up"),
    errno.ENAMETOOLONG: ("文件名太长", "the name is too long"),
    errno.ENOTDIR: ("路径中有一段是文件而不是文件夹", "part of the path is a file, not a folder"),
    errno.EISDIR: ("这是一个文件夹", "it is a folder"),
    errno.ELOOP: ("符号链接循环（链接最终指向它自己）", "a loop of symbolic links (it ends up pointing at itself)"),
    errno.EEXIST: ("那里已有同名的文件或链接", "something of that name is already there"),
    errno.EIO: ("磁盘读写出错", "an input/output error of the disk"),
    errno.EBUSY: ("文件正被占用", "the file is busy"),
    errno.EMFILE: ("同时打开的文件太多", "too many files are open"),
    errno.ENFILE: ("同时打开的文件太多", "too many files are open"),
}


def os_reason(exc: OSError) -> tuple[str, str]:
    """Why ``exc`` happened, in Chinese and English; an errno without words of its own is named by its code."""
    if exc.errno in OS_REASONS:
        return OS_REASONS[exc.errno]
    code = errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno is not None else ""
    return (f"系统错误 {code}".strip(), exc.strerror or str(exc) or code)
