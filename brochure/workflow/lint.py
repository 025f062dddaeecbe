"""Chinese punctuation lint: rules on one string, then on every word of a ``Content``, with places.

Rules (each finding names ``content.yaml:LINE:COL``):

- ``halfwidth``  ASCII , . : ; ! ? ( ) next to Chinese: use the full-width mark (safe to fix);
- ``space``      a space between two Han characters in running text (safe to fix);
- ``quotes``     quote styles mixed in one document (straight "", 「」 and “”);
- ``repeat``     the same paragraph twice;
- ``balance``    an opening quote or bracket never closed, or a closing one that closes nothing.

Spaces are allowed in headlines, bylines, credits and the masthead, where a space
marks a deliberate break ("奋进新征程 建功新时代", "李健 摄"), so the space rule only
applies to running text.  A quotation that runs over several paragraphs (opened in
each, closed only in the last) is reported as unclosed: rare in a brochure, and
easy to confirm by eye.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from brochure.content.files import read_text_file
from brochure.ground.errors import WARNING_HEAD, Location, bilingual

# --- characters -----------------------------------------------------------

HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN = re.compile(f"[{HAN_CLASS}]")


def is_han(ch: str) -> bool:
    return bool(ch) and _HAN.match(ch) is not None


def is_cjk(ch: str) -> bool:
    """Han, CJK punctuation (U+3000–303F), full-width forms, or a curly double quote."""
    if not ch:
        return False
    o = ord(ch)
    return is_han(ch) or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or ch in "“”"


HALF_TO_FULL = {",": "，", ".": "。", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}

#: Opening mark -> its closing mark.
PAIRS = {"“": "”", "‘": "’", "（": "）", "(": ")", "《": "》", "〈": "〉", "「": "」", "『": "』",
         "【": "】", "〔": "〕", "[": "]"}
CLOSERS = {close: open_ for open_, close in PAIRS.items()}

QUOTE_STYLES = {"curly": ("“", "”"), "corner": ("「", "」"), "straight": ('"', '"')}
_STYLE_OF = {"“": "curly", "”": "curly", "「": "corner", "」": "corner", "『": "corner", "』": "corner", '"': "straight"}
#: Ties between quote styles go to the mainland standard, “”.
_STYLE_ORDER = ("curly", "corner", "straight")


# --- rules on one string ----------------------------------------------------

@dataclass(frozen=True)
class Issue:
    """A problem at ``offset`` in one string."""

    offset: int
    rule: str
    zh: str
    en: str
    fixable: bool = False


def _next_to_cjk(s: str, i: int) -> bool:
    return (i > 0 and is_cjk(s[i - 1])) or (i + 1 < len(s) and is_cjk(s[i + 1]))


def _paren_partners(s: str) -> dict[int, int]:
    stack, partners = [], {}
    for i, ch in enumerate(s):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            j = stack.pop()
            partners[i], partners[j] = j, i
    return partners


def _halfwidth_offsets(s: str) -> tuple[list[int], list[int]]:
    """(fixable offsets, ellipsis offsets) of half-width punctuation used as Chinese punctuation.

    A full stop counts only right after Chinese (so "3.5" and "1.国家级" are left
    alone); a pair of ASCII parentheses is converted together when either end
    touches Chinese or it encloses Chinese, so a pair never ends up half-and-half.
    """
    partners = _paren_partners(s)
    fixable, ellipses = [], []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == ".":
            run = len(s[i:]) - len(s[i:].lstrip("."))
            if run > 1:
                if (i > 0 and is_cjk(s[i - 1])) or (i + run < len(s) and is_cjk(s[i + run])):
                    ellipses.append(i)
                i += run
                continue
            if i > 0 and is_cjk(s[i - 1]):
                fixable.append(i)
        elif ch in "()" and i in partners:
            a, b = sorted((i, partners[i]))
            if _next_to_cjk(s, a) or _next_to_cjk(s, b) or _HAN.search(s, a + 1, b):
                fixable.append(i)
        elif ch in HALF_TO_FULL and _next_to_cjk(s, i):
            fixable.append(i)
        i += 1
    return fixable, ellipses


def halfwidth_issues(s: str) -> list[Issue]:
    fixable, ellipses = _halfwidth_offsets(s)
    issues = [Issue(i, "halfwidth",
                    f"中文里用了半角“{s[i]}”，请改为全角“{HALF_TO_FULL[s[i]]}”（check --fix 可自动修复）",
                    f"half-width '{s[i]}' in Chinese text: use '{HALF_TO_FULL[s[i]]}' (check --fix repairs it)", True)
              for i in fixable]
    issues += [Issue(i, "halfwidth", "中文省略号请用 ……（两个全角省略号）", "use '……' for an ellipsis in Chinese text")
               for i in ellipses]
    return sorted(issues, key=lambda x: x.offset)


def fix_halfwidth(s: str) -> str:
    fixable, _ = _halfwidth_offsets(s)
    chars = list(s)
    for i in fixable:
        chars[i] = HALF_TO_FULL[chars[i]]
    return "".join(chars)


_HAN_SPACE = re.compile(f"(?<=[{HAN_CLASS}])[ \u3000\t]+(?=[{HAN_CLASS}])")


def space_issues(s: str) -> list[Issue]:
    return [Issue(m.start(), "space", "两个汉字之间有多余的空格：请删除（check --fix 可自动修复）",
                  "stray space between Chinese characters: delete it (check --fix repairs it)", True)
            for m in _HAN_SPACE.finditer(s)]


def fix_spaces(s: str) -> str:
    return _HAN_SPACE.sub("", s)


def safe_fix(s: str, running_text: bool) -> str:
    """The safe fixes: half-width punctuation next to Chinese, and (in running text) spaces between Han."""
    s = fix_halfwidth(s)
    return fix_spaces(s) if running_text else s


def _is_apostrophe(s: str, i: int) -> bool:
    return 0 < i < len(s) - 1 and s[i - 1].isascii() and s[i - 1].isalpha() and s[i + 1].isascii() and s[i + 1].isalpha()


def balance_issues(s: str) -> list[Issue]:
    def unclosed(ch, i):
        return Issue(i, "balance", f"{ch} 没有对应的 {PAIRS[ch]}：请补上 {PAIRS[ch]}，或删除这个 {ch}",
                     f"'{ch}' is never closed: add '{PAIRS[ch]}' or delete this '{ch}'")

    issues, stack = [], []
    for i, ch in enumerate(s):
        if ch in "‘’" and _is_apostrophe(s, i):
            continue
        if ch in PAIRS:
            stack.append((ch, i))
        elif ch in CLOSERS:
            opener = CLOSERS[ch]
            if any(o == opener for o, _ in stack):
                while stack[-1][0] != opener:
                    issues.append(unclosed(*stack.pop()))
                stack.pop()
            else:
                issues.append(Issue(i, "balance", f"{ch} 前面没有对应的 {opener}：请补上 {opener}，或删除这个 {ch}",
                                    f"'{ch}' closes nothing: add '{opener}' before it or delete it"))
    issues += [unclosed(ch, i) for ch, i in stack]
    straight = [i for i, ch in enumerate(s) if ch == '"']
    if len(straight) % 2:
        issues.append(Issue(straight[-1], "balance", '直引号 " 的个数是单数：请补上或删除一个',
                            "an odd number of straight quotes '\"': add or delete one"))
    return sorted(issues, key=lambda x: x.offset)


def quote_marks(s: str) -> list[tuple[int, str]]:
    """(offset, style) of each double quotation mark."""
    return [(i, _STYLE_OF[ch]) for i, ch in enumerate(s) if ch in _STYLE_OF]


def normalised(s: str) -> str:
    """For comparing paragraphs: no whitespace, half-width punctuation as full-width."""
    s = "".join(s.split())
    return s.translate(str.maketrans(HALF_TO_FULL))


# --- places in content.yaml -------------------------------------------------

class Source:
    """content.yaml's text and node tree, to turn an offset in a value into LINE:COL.

    The column is APPROXIMATE: a value's characters are aligned greedily with the
    raw text of its scalar, skipping what YAML removed (quotes, escapes, folded line
    breaks and indentation, a caption's ▲).  For single-line plain and quoted
    scalars without escapes this gives the exact column; where the alignment fails
    (e.g. an escape such as \\u4e00), the place falls back to the start of the value.
    """

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.nodes: dict[tuple[int, int], yaml.ScalarNode] = {}
        self._maps: dict[tuple[int, int], list[int | None]] = {}
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        stack = [root] if root is not None else []
        seen = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.ScalarNode):
                self.nodes[(node.start_mark.line + 1, node.start_mark.column + 1)] = node
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    stack.extend((k, v))

    @classmethod
    def read(cls, path: Path) -> "Source":
        return cls(path, read_text_file(path))

    def node_for(self, text) -> yaml.ScalarNode | None:
        where = getattr(text, "where", None)
        if where is None or where.line is None:
            return None
        return self.nodes.get((where.line, where.column))

    def can_fix(self, text) -> bool:
        """Whether ``fixed_source`` edits this value (not a double-quoted scalar with a backslash escape)."""
        node = self.node_for(text)
        if node is None:
            return False
        return not (node.style == '"' and "\\" in self.text[node.start_mark.index:node.end_mark.index])

    def _alignment(self, text, node) -> list[int | None]:
        key = (node.start_mark.line, node.start_mark.column)
        if key not in self._maps:
            start, end = node.start_mark.index, node.end_mark.index
            raw = self.text[start:end]
            value = str(text)
            mapping: list[int | None] = [None] * len(value)
            j = 0
            for i, ch in enumerate(value):
                k = raw.find(ch, j)
                if k < 0:
                    break
                mapping[i] = start + k
                j = k + 1
            self._maps[key] = mapping
        return self._maps[key]

    def place(self, text, offset: int = 0) -> Location:
        where = text.where
        node = self.node_for(text)
        if node is None:
            return where
        mapping = self._alignment(text, node)
        index = mapping[offset] if 0 <= offset < len(mapping) else None
        if index is None:
            return where
        line = bisect.bisect_right(self.line_starts, index) - 1
        return Location(where.file, line + 1, index - self.line_starts[line] + 1)


# --- rules on a whole Content -----------------------------------------------

TITLE, PROSE, PARAGRAPH = "title", "prose", "paragraph"


def fields(content) -> list[tuple[str, object]]:
    """(kind, Text) for every word the staff wrote: titles may contain deliberate spaces,
    running text may not, paragraphs are also compared with each other.
    The QR URL is left out (it is not Chinese text)."""
    d, h, lead = content.document, content.honours, content.lead
    out = [(TITLE, t) for t in (d.title, d.author, d.publisher, d.date, d.call_to_action,
                                content.masthead.slogan, content.masthead.title, h.title, h.note)]
    out += [(PROSE, t) for t in h.items]
    out += [(TITLE, t) for t in (lead.kicker, lead.headline, lead.byline, lead.preface_title) if t is not None]
    out += [(PARAGRAPH, t) for t in lead.preface]
    for s in content.sections:
        out += [(TITLE, s.letter), (TITLE, s.headline)]
        out += [(PARAGRAPH, t) for t in s.paragraphs]
        if s.summary is not None:
            out.append((PROSE, s.summary))
    for p in content.photos.values():
        out += [(PROSE, p.caption), (TITLE, p.credit)]
    for f in content.figures:
        out += [(TITLE, f.value), (TITLE, f.unit), (TITLE, f.label), (PROSE, f.source)]
    # Defaults the staff never wrote have no place; nothing to report there.
    return [(k, t) for k, t in out if getattr(t, "where", None) is not None and str(t)]


@dataclass(frozen=True)
class Finding:
    where: Location
    rule: str
    zh: str
    en: str
    fixable: bool = False

    def __str__(self) -> str:              # read like every other warning of the tool
        return bilingual(self.zh, self.en, self.where, WARNING_HEAD)


def _sort_key(f: Finding):
    return (f.where.file, f.where.line or 0, f.where.column or 0, f.rule)


def lint(content, source: Source) -> list[Finding]:
    """Every punctuation finding in ``content``, in file order."""
    found: list[Finding] = []
    items = fields(content)

    def add(text, issue: Issue):
        if issue.fixable and not source.can_fix(text):
            zh, en = issue.zh.replace("（check --fix 可自动修复）", ""), issue.en.replace(" (check --fix repairs it)", "")
            issue = Issue(issue.offset, issue.rule, zh, en, False)
        found.append(Finding(source.place(text, issue.offset), issue.rule, issue.zh, issue.en, issue.fixable))

    for kind, text in items:
        for issue in halfwidth_issues(text) + balance_issues(text):
            add(text, issue)
        if kind != TITLE:
            for issue in space_issues(text):
                add(text, issue)

    # Quote styles: the most used style is the document's; the others are findings.
    marks = [(text, offset, style) for _, text in items for offset, style in quote_marks(text)]
    used = {style for _, _, style in marks}
    if len(used) > 1:
        counts = {s: sum(1 for *_, st in marks if st == s) for s in used}
        main = max(sorted(used, key=_STYLE_ORDER.index), key=lambda s: counts[s])
        o, c = QUOTE_STYLES[main]
        for text, offset, style in marks:
            if style != main:
                mark = text[offset]
                add(text, Issue(offset, "quotes",
                                f"引号样式不统一：此处用了 {mark}，全文多用 {o}{c}，请统一改为 {o}{c}",
                                f"mixed quote styles: '{mark}' here, {o}{c} elsewhere; use {o}{c} throughout"))

    # Repeated paragraphs: the later copy is the finding.
    first: dict[str, object] = {}
    for kind, text in items:
        if kind != PARAGRAPH:
            continue
        key = normalised(text)
        if key in first:
            line = first[key].where.line
            add(text, Issue(0, "repeat", f"本段与第 {line} 行的段落重复：请删除其中一段",
                            f"this paragraph repeats the one at line {line}: delete one of them"))
        else:
            first[key] = text
    return sorted(found, key=_sort_key)


def fixed_source(content, source: Source) -> str:
    """content.yaml's text with the safe fixes applied inside the values' own scalars.

    Only the characters of each value's scalar are edited, so comments, keys and
    layout stay as they were.  A double-quoted scalar containing a backslash escape
    is left alone (removing a space there could break an escape).
    """
    edits: dict[int, tuple[int, str]] = {}
    for kind, text in fields(content):
        node = source.node_for(text)
        if node is None or node.start_mark.index in edits or not source.can_fix(text):
            continue
        start, end = node.start_mark.index, node.end_mark.index
        raw = source.text[start:end]
        new = safe_fix(raw, running_text=kind != TITLE)
        if new != raw:
            edits[start] = (end, new)
    out = source.text
    for start in sorted(edits, reverse=True):
        end, new = edits[start]
        out = out[:start] + new + out[end:]
    return out
