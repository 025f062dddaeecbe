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
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from brochure.ground.errors import ContentError, Location
from brochure.workflow.lint import fix_halfwidth, normalised, safe_fix

#: A line ending like this ends its paragraph.
_SENTENCE_END = re.compile(r"[。！？!?…](?:[”’」』\"])*$")
_SECTION = re.compile(r"^([A-Z])\s*([\u3400-\u9fff“「《].*)$")
_BYLINE = re.compile(r"记者|通讯员|^文\s*[/／]")
#: For the "may be cut off" note, a list item ending in ；/：is complete too.
_COMPLETE = re.compile(r"[。！？!?…；;：:](?:[”’」』\"])*$")
_CREDIT = re.compile(r"(摄|供图|图片提供)$")
_ITEM = re.compile(r"^[-•]\s*(?!-)(\S.*)$")
_NOTE = re.compile(r"^[（(].{1,12}[)）]$")
_HEADING_MAX = 32           # characters: longer lines are text, not headings
#: When the lead block (headline, byline, 前言) interrupts a section, the preface is
#: taken to be this many paragraphs, and what follows goes back to the interrupted section.
PREFACE_MAX = 2
TODO = "【待填】"


@dataclass
class Paragraph:
    text: str
    order: int
    notes: list[tuple[str, str]] = field(default_factory=list)   # (中文, English)


@dataclass
class Section:
    letter: str
    headline: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)   # (中文, English)


@dataclass
class Caption:
    caption: str
    credit: str


@dataclass
class Draft:
    source_name: str
    masthead: list[str] = field(default_factory=list)
    honours_title: str = ""
    honours_note: str = ""
    honours: list[str] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)
    headline: str = ""
    byline: str = ""
    preface: list[Paragraph] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    duplicates: int = 0
    todo: list[str] = field(default_factory=list)      # fields left as TODO


@dataclass
class ImportResult:
    path: Path
    draft: Draft
    photo_files: list[str]

    @property
    def paragraphs(self) -> int:
        return len(self.draft.preface) + sum(len(s.paragraphs) for s in self.draft.sections)


# --- reading ------------------------------------------------------------------

def read_plain_text(path: Path) -> str:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ContentError(
            f"无法读取文本文件：{exc.strerror}。请检查文件名和路径。",
            f"cannot read the text file: {exc.strerror}. Check the name and path.",
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


def _join(a: str, b: str) -> str:
    """Join two OCR lines: no space, except between two Latin letters or digits."""
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


def _ends_sentence(s: str) -> bool:
    return bool(_SENTENCE_END.search(s))


def _heading_like(s: str) -> bool:
    return len(s) <= _HEADING_MAX and not re.search(r"[。！？，,；;]", s)


def _byline(s: str) -> bool:
    """A short line naming 记者/通讯员, without sentence punctuation (so not "记者了解到，…")."""
    return bool(_BYLINE.search(s)) and len(s) <= 60 and not re.search(r"[。！？，,；;：:]", s)


def _section(s: str):
    m = _SECTION.match(s)
    if m and _heading_like(m.group(2)):
        return m.group(1), m.group(2).strip()
    return None


def _clean_title(s: str) -> str:
    return " ".join(fix_halfwidth(s).split())


def _credit_text(s: str) -> str:
    s = " ".join(s.split())
    return re.sub(r"\s*(摄|供图)$", r" \1", s).strip()


# --- parsing ----------------------------------------------------------------------

class _Parser:
    def __init__(self, lines: list[str], source_name: str):
        self.lines = lines
        self.i = 0
        self.d = Draft(source_name)
        self.current: list[str] = []      # lines of the paragraph being read
        self.section: Section | None = None
        self.interrupted: Section | None = None
        self.in_preface = False
        self.order = 0

    def peek(self, k: int = 0) -> str | None:
        j = self.i + k
        return self.lines[j] if j < len(self.lines) else None

    def marker(self, s: str | None) -> bool:
        """A line that is never the continuation of a paragraph."""
        if s is None:
            return True
        return (s in ("荣誉榜", "前言") or s.startswith("▲") or _section(s) is not None or _byline(s)
                or bool(_ITEM.match(s)))

    # paragraphs
    def flush(self) -> None:
        if not self.current:
            return
        text = ""
        for line in self.current:
            text = _join(text, line)
        self.current = []
        para = Paragraph(safe_fix(text, running_text=True), self.order)
        self.order += 1
        if not _COMPLETE.search(para.text):
            para.notes.append(("导入提示：本段不以句末标点结束，可能被截断或与别处串行，请核对原文。",
                               "Import note: this paragraph does not end a sentence; it may be cut off. Check the original."))
        if self.in_preface:
            if self.interrupted is not None and len(self.d.preface) >= PREFACE_MAX:
                self.in_preface = False
                self.section = self.interrupted
                self.section.notes.append((
                    f"导入判断：前言取“前言”之后的 {PREFACE_MAX} 段；其后自「{para.text[:10]}…」起的段落归回本节，请核对。",
                    f"Import judgement: the preface is the {PREFACE_MAX} paragraphs after 前言; the ones after it "
                    f"went back to this section. Check."))
            else:
                self.d.preface.append(para)
                return
        if self.section is None:
            self.d.preface.append(para)
        else:
            self.section.paragraphs.append(para)

    def text_line(self, s: str) -> None:
        if self.current and (_ends_sentence(self.current[-1]) or s.startswith("——")):
            self.flush()
        self.current.append(s)

    def parse(self) -> Draft:
        self.masthead()
        while self.peek() is not None:
            s = self.peek()
            if s == "荣誉榜":
                self.flush()
                self.honours()
            elif s.startswith("▲"):
                # no flush: a photo placed inside a column does not end the paragraph around it
                self.caption()
            elif (sec := _section(s)) is not None:
                self.flush()
                self.section = Section(sec[0], _clean_title(sec[1]))
                self.d.sections.append(self.section)
                self.in_preface, self.interrupted = False, None
                self.i += 1
            elif _byline(s) and not self.d.byline:
                self.flush()
                self.d.byline = " ".join(re.sub(r"(记者|通讯员)(?=\S)", r"\1 ", _clean_title(s)).split())
                self.i += 1
            elif self.peek(1) is not None and _byline(self.peek(1)) and _heading_like(s) and not self.d.headline:
                self.flush()
                self.d.headline = _clean_title(s)
                self.interrupted = self.section
                self.i += 1
            elif s == "前言":
                self.flush()
                self.in_preface = True
                self.i += 1
            else:
                self.text_line(s)
                self.i += 1
        self.flush()
        return self.d

    def masthead(self) -> None:
        lines = []
        while self.peek() is not None and not self.marker(self.peek()) and len(lines) < 3:
            s = self.peek()
            if not _heading_like(s) or (self.peek(1) is not None and _byline(self.peek(1))):
                break
            lines.append(s)
            self.i += 1
        joined = ""
        for s in lines:
            joined = joined + s if s.startswith("·") or not joined else f"{joined} {s}"
        self.d.masthead = joined.split() if joined else []

    def honours(self) -> None:
        self.d.honours_title = "荣誉榜"
        self.i += 1
        if self.peek() is not None and _NOTE.match(self.peek()):
            self.d.honours_note = _clean_title(self.peek())
            self.i += 1
        while self.peek() is not None and (m := _ITEM.match(self.peek())):
            self.d.honours.append(safe_fix(m.group(1).strip(), running_text=True))
            self.i += 1

    def caption(self) -> None:
        text = self.peek()[1:].strip()
        self.i += 1
        credit = ""
        for _ in range(4):
            if _CREDIT.search(text):
                cut = max(text.rfind(p) for p in "。！？") + 1
                if cut == 0:
                    m = re.search(r"\S+\s*(?:摄|供图|图片提供)$", text)
                    cut = m.start() if m else len(text)
                text, credit = text[:cut], text[cut:]
                break
            nxt = self.peek()
            if nxt is None or (self.marker(nxt) and not _CREDIT.search(nxt)):
                break
            if _ends_sentence(text):
                if _CREDIT.search(nxt) and len(nxt) <= 30 and not re.search(r"[。！？]", nxt):
                    credit = nxt
                    self.i += 1
                break
            text = _join(text, nxt)
            self.i += 1
        self.d.captions.append(Caption(safe_fix(text.strip(), running_text=True), _credit_text(credit)))


def remove_duplicates(d: Draft) -> None:
    """Drop every paragraph that repeats an earlier one (in reading order).

    If that empties a section (OCR sometimes repeats a column under the next
    heading), the section takes the paragraphs from the first repeated one's
    original onwards, and says so in a comment.
    """
    owners: list[tuple[list[Paragraph], Section | None]] = [(d.preface, None)] + [(s.paragraphs, s) for s in d.sections]
    everything = sorted(((p, lst, sec) for lst, sec in owners for p in lst), key=lambda t: t[0].order)
    first: dict[str, tuple[Paragraph, list[Paragraph], Section | None]] = {}
    repeats: dict[int, list[Paragraph]] = {}       # id(section) -> originals it repeated
    for p, lst, sec in everything:
        key = normalised(p.text)
        if key in first:
            lst.remove(p)
            d.duplicates += 1
            repeats.setdefault(id(sec), []).append(first[key][0])
        else:
            first[key] = (p, lst, sec)
    for sec in d.sections:
        if sec.paragraphs or id(sec) not in repeats:
            continue
        start = min(repeats[id(sec)], key=lambda p: p.order)
        _, lst, owner = first[normalised(start.text)]
        if owner is None or owner is sec:
            continue
        at = lst.index(start)
        moved = lst[at:]
        del lst[at:]
        sec.paragraphs = moved
        sec.notes.append((
            f"导入判断：原文本节标题下只有重复的段落（已删去）；上文 {owner.letter} 节自「{start.text[:10]}…」起的段落移入本节，请核对本节从哪一段开始。",
            f"Import judgement: under this heading the text only repeated earlier paragraphs (removed); section "
            f"{owner.letter}'s paragraphs from the first repeated one on were moved here. Check where this section starts."))


def parse(text: str, source_name: str = "text") -> Draft:
    lines = [" ".join(line.replace("\u3000", " ").split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    d = _Parser(lines, source_name).parse()
    remove_duplicates(d)
    return d


# --- writing -------------------------------------------------------------------------

_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")


def scalar(s: str) -> str:
    """``s`` as a YAML scalar: plain when that reads back the same, else double-quoted."""
    plain = (s and s == s.strip() and "\n" not in s and s[0] not in _INDICATORS
             and ": " not in s and " #" not in s and not s.endswith(":"))
    if plain:
        try:
            if yaml.safe_load(f"k: {s}") == {"k": s}:
                return s
        except yaml.YAMLError:
            pass
    return json.dumps(s, ensure_ascii=False)


def _comment(lines: list[str], notes: list[tuple[str, str]], indent: str) -> None:
    for zh, en in notes:
        lines += [f"{indent}# {zh}", f"{indent}# {en}"]


def render(d: Draft) -> str:
    """The draft as commented YAML, in the layout of the example content.yaml."""
    out: list[str] = []
    todo = d.todo

    def value(name: str, s: str) -> str:
        if s:
            return scalar(s)
        todo.append(name)
        return TODO

    mast = d.masthead
    slogan = " ".join(mast[:-1]) if len(mast) > 1 else (mast[0] if mast else "")
    title = mast[-1] if mast else ""
    doc_title = " ".join(mast)
    author = re.split(r"(?:全媒体)?(?:记者|通讯员)", d.byline)[0].strip() if d.byline else ""
    photos = [f"images/photo-{n}.jpg" for n in range(1, len(d.captions) + 1)]

    out += [
        "# ============================================================================",
        f"# 草稿：由 brochure import 从 {d.source_name} 生成。生成 PDF 之前请逐段核对原文。",
        f"# Draft made by `brochure import` from {d.source_name}. Check it against the original before building.",
        "#",
        "# 导入时已做的机械修复：合并识别断行；半角标点（紧挨汉字的 , . : ; ! ? ( )）改为全角；",
        f"# 删去汉字之间的空格；删去重复段落 {d.duplicates} 段。凡需判断之处都在旁边用注释说明。",
        "# Repaired mechanically: OCR line breaks joined, half-width punctuation next to Chinese made",
        f"# full-width, spaces between Han removed, {d.duplicates} repeated paragraph(s) removed.",
        "# Every judgement is noted in a comment beside it.",
        f"# 【待填】表示原文中没有、需要您补上的内容。{TODO} marks what the text did not say: fill it in.",
    ]
    if photos:
        out += [
            "#",
            f"# 照片：请把照片放进 images/，命名为 {'、'.join(Path(p).name for p in photos)}；",
            "# 或先运行 python tools/make_placeholders.py 生成占位图。",
            f"# Photos: put them into images/ as {', '.join(Path(p).name for p in photos)},",
            "# or run python tools/make_placeholders.py for placeholders first.",
        ]
    out += ["# ============================================================================", ""]

    out += ["document:", f"  title: {value('document.title', doc_title)}"]
    out += [f"  author: {value('document.author', author)}"]
    out += ["  # 出版单位，请核对。The publisher: check it.", f"  publisher: {value('document.publisher', author)}"]
    todo.append("document.date")
    out += ["  # 原文未写出版日期，请填写，如 2022年9月。The text does not give the issue date: fill it in, e.g. 2022年9月.",
            f"  date: {TODO}",
            "  language: zh-CN",
            "  # 二维码指向此网址：请换成本文电子版的网址。The QR code points here: use the article's online URL.",
            "  online_url: https://example.com/",
            ""]
    todo.append("document.online_url")

    out += ["masthead:", f"  slogan: {value('masthead.slogan', slogan)}", f"  title: {value('masthead.title', title)}", ""]

    out += ["honours:", f"  title: {value('honours.title', d.honours_title or '荣誉榜')}"]
    if d.honours_note:
        out.append(f"  note: {scalar(d.honours_note)}")
    out.append("  items:")
    if d.honours:
        out += [f"    - {scalar(item)}" for item in d.honours]
    else:
        todo.append("honours.items")
        out += ["    # 原文中没有荣誉榜。The text has no honour list.", f"    - {TODO}"]
    out.append("")

    out += ["lead:", f"  headline: {value('lead.headline', d.headline)}", f"  byline: {value('lead.byline', d.byline)}"]
    if photos:
        out += ["  # 头版照片：写下方 photos: 中的一个名称，如 photo: photo-1。The front-page photo: a name from photos: below.",
                "  # photo: photo-1"]
    out += ["  preface_title: 前言", "  preface:"]
    preface = d.preface or [Paragraph(TODO, -1)]
    if not d.preface:
        todo.append("lead.preface")
    for p in preface:
        _comment(out, p.notes, "    ")
        out.append(f"    - {scalar(p.text)}")
    out.append("")

    out.append("sections:")
    sections = d.sections or [Section("A", "", [])]
    for n, sec in enumerate(sections):
        out.append(f"  - letter: {scalar(sec.letter)}")
        out.append(f"    headline: {value(f'sections[{n}].headline', sec.headline)}")
        if photos:
            out.append("    # photos: [photo-1]     # 本节照片，可写多张 photos of this section")
        _comment(out, sec.notes, "    ")
        out.append("    paragraphs:")
        if not sec.paragraphs:
            todo.append(f"sections[{n}].paragraphs")
            out.append(f"      - {TODO}")
        for p in sec.paragraphs:
            _comment(out, p.notes, "      ")
            out.append(f"      - {scalar(p.text)}")
        out.append("")

    if d.captions:
        out += ["# 照片 Photos: file 照片文件（放在 images/）；caption 图说（不写“▲”）；credit 署名。",
                "photos:"]
        for n, (cap, file) in enumerate(zip(d.captions, photos), 1):
            out += [f"  photo-{n}:", f"    file: {file}", f"    caption: {value(f'photos.photo-{n}.caption', cap.caption)}"]
            if not cap.credit:
                out.append("    # 原文中没有找到署名。No credit was found in the text.")
            out.append(f"    credit: {value(f'photos.photo-{n}.credit', cap.credit)}")
        out.append("")

    out += ["# 海报（可选）Posters (optional), for example:",
            "# posters:",
            "#   - name: a1",
            "#     size: A1",
            "#     shows: [title, hero, figures, honours, summaries, qr]",
            ""]
    return "\n".join(out)


def import_text(text_path: Path, out_path: Path, *, force: bool = False) -> ImportResult:
    """Write a draft content.yaml from ``text_path``; never overwrites without ``force``."""
    out_path = Path(out_path)
    if out_path.exists() and not force:
        raise ContentError(
            "文件已存在，未覆盖。要覆盖请加 --force，或用 -o 指定另一个文件名。",
            "the file already exists and was left alone. Add --force to overwrite it, or choose another name with -o.",
            Location(str(out_path)),
        )
    draft = parse(read_plain_text(Path(text_path)), Path(text_path).name)
    text = render(draft)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ImportResult(out_path, draft, [f"images/photo-{n}.jpg" for n in range(1, len(draft.captions) + 1)])
