"""Recognising the parts of newspaper text line by line: masthead, honours, captions, sections, lead.

Paragraphs are rebuilt from OCR lines here too: a line that does not end a
sentence continues on the next one, and lines are joined without a space except
between Latin letters or digits.
"""
from __future__ import annotations

import re

from brochure.workflow.importer.draft import Caption, Draft, Paragraph, Section
from brochure.workflow.lint import fix_halfwidth, safe_fix

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



class Parser:
    """Reads cleaned lines top to bottom into a ``Draft`` (``parse``)."""

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
