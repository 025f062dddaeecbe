"""``brochure import``: plain newspaper text (e.g. OCR of a printed page) -> a draft content.yaml.

What is recognised, line by line (blank lines carry no meaning in OCR text):

- the masthead: the short lines before anything else ("奋进新征程 建功新时代 非凡10年" + "·渌口篇");
- the honour list: "荣誉榜", an optional note "（摘选）", then "- " items;
- photo captions: "▲…" with the credit ("… 摄", "… 供图") on the same or a following
  line; a caption broken over lines is joined;
- section headings: a capital letter and a short headline ("A 锚定“高分子”迈向“高精尖”");
- the byline (a line naming 记者/通讯员) and, just before it, the lead headline;
- the preface: the paragraphs after "前言";
- paragraphs: a line that does not end a sentence (。！？… optionally followed by a closing
  quote) continues on the next line; a line starting with "——" starts a new paragraph.

Then the mechanical OCR damage is repaired: half-width punctuation next to Chinese
becomes full-width, spaces between Han characters in running text go, and a paragraph
that repeats an earlier one is dropped.  Every judgement the importer has to make is
written into the draft as a YAML comment, so a person can check it.

Modules: ``draft`` (what an import makes), ``recognise`` (lines -> draft),
``repair`` (repeated paragraphs), ``render`` (the draft as commented YAML).
"""
from __future__ import annotations

import errno

from dataclasses import dataclass
from pathlib import Path

from brochure.ground.errors import ContentError, Location
from brochure.ground.words import os_reason
from brochure.runtime.files import NotRegularFile, read_regular
from brochure.workflow.importer.draft import Draft
from brochure.workflow.importer.recognise import Parser
from brochure.workflow.importer.render import render
from brochure.workflow.importer.repair import remove_duplicates
from brochure.workflow.writing import exists, write_text

__all__ = ["ImportResult", "import_text", "parse", "read_plain_text", "render"]


@dataclass
class ImportResult:
    path: Path
    draft: Draft
    photo_files: list[str]

    @property
    def paragraphs(self) -> int:
        return len(self.draft.preface) + sum(len(s.paragraphs) for s in self.draft.sections)


def read_plain_text(path: Path) -> str:
    try:
        raw = read_regular(path)        # a pipe or device is refused, not waited on
    except NotRegularFile:
        raise ContentError(
            "这不是一个普通的文本文件（而是文件夹、管道、设备或套接字），无法导入。请给出 .txt 文件本身。",
            "this is not a regular text file (a folder, pipe, device or socket) and cannot be imported. "
            "Give the .txt file itself.",
            Location(str(path)),
        ) from None
    except OSError as exc:
        zh, en = {errno.ENOENT: ("找不到这个文件", "there is no such file"),
                  errno.EACCES: ("没有读取权限", "permission denied"),
                  errno.EPERM: ("没有读取权限", "permission denied")}.get(exc.errno) or os_reason(exc)
        raise ContentError(
            f"无法读取文本文件（{zh}）。请检查文件名和路径。",
            f"cannot read the text file ({en}). Check the name and the path.",
            Location(str(path)),
        ) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ContentError(
        "文本文件既不是 UTF-8 也不是 GBK 编码：请在编辑器中“另存为 → 编码 UTF-8”后再导入。",
        "the text file is neither UTF-8 nor GBK: save it as UTF-8 in your editor, then import again.",
        Location(str(path)),
    )


def parse(text: str, source_name: str = "text") -> Draft:
    """The draft of ``text``: its lines cleaned of OCR spacing, recognised, repeats removed."""
    lines = [" ".join(line.replace("\u3000", " ").split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    d = Parser(lines, source_name).parse()
    remove_duplicates(d)
    return d


def import_text(text_path: Path, out_path: Path, *, force: bool = False) -> ImportResult:
    """Write a draft content.yaml from ``text_path``; never overwrites without ``force``."""
    out_path = Path(out_path)
    if exists(out_path) and not force:
        raise ContentError(
            "文件已存在，未覆盖。要覆盖请加 --force，或用 -o 指定另一个文件名。",
            "the file already exists and was left alone. Add --force to overwrite it, or choose another name with -o.",
            Location(str(out_path)),
        )
    draft = parse(read_plain_text(Path(text_path)), Path(text_path).name)
    write_text(out_path, render(draft, out_path.name))
    return ImportResult(out_path, draft, draft.photo_files())
