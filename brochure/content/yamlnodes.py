"""Reading YAML as a tree of nodes that remember their line and column.

PyYAML's ``safe_load`` forgets where a value came from and silently keeps the
last of two duplicate keys.  We compose the node tree instead (still the safe
loader: no Python objects can be constructed), and read scalars ourselves, so
every later error can point at ``content.yaml:LINE:COL``.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

import yaml

from brochure.content.clean import clean_text
from brochure.content.files import MAX_BYTES, display_path, read_text_file
from brochure.content.model import Text
from brochure.ground.errors import ContentError, Location

__all__ = ["MAX_BYTES", "Reader", "check_expansion", "compose", "display_path", "keyboard_slip", "location",
           "read_text_file"]


def location(path: Path, node: yaml.Node | yaml.Mark) -> Location:
    mark = node if isinstance(node, yaml.Mark) else node.start_mark
    return Location(display_path(path), mark.line + 1, mark.column + 1)


def _colon_in_words(node: yaml.Node) -> bool:
    """A one-pair mapping whose key is Chinese words: a paragraph cut in two by ': '."""
    return (isinstance(node, yaml.MappingNode) and len(node.value) == 1
            and isinstance(node.value[0][0], yaml.ScalarNode) and _has_cjk(node.value[0][0].value))


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" or "\U00020000" <= c <= "\U0003ffff"
               for c in text)


def _place(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` in ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


#: What the tree may expand to through aliases (*name): far above any brochure, far below memory's end.
MAX_EXPANDED_CHARS = 2 * MAX_BYTES
MAX_EXPANDED_NODES = 200_000


def check_expansion(path: Path, root: yaml.Node | None) -> None:
    """Refuse a tree that aliases would blow up (one long value referenced thousands of times).

    An alias costs nothing in the file but is read again at every reference, so
    a 500 KB file could ask for gigabytes.  The nodes are counted as they would
    be read, and the count stops at the limit, so the check itself stays small.
    """
    chars = nodes = 0
    stack = [root] if root is not None else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        nodes += 1
        if isinstance(node, yaml.ScalarNode):
            chars += len(node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        reused = id(node) in seen
        seen.add(id(node))
        if chars > MAX_EXPANDED_CHARS or nodes > MAX_EXPANDED_NODES:
            where = location(path, node) if reused else Location(display_path(path))
            raise ContentError(
                f"内容文件通过引用（*名称）展开后太大（超过 {MAX_EXPANDED_CHARS // 10000} 万字或 {MAX_EXPANDED_NODES} 项）。"
                "宣传册不需要这样反复引用同一段文字：请删去多余的 * 引用，直接写出要印的内容。",
                f"the content file expands through its aliases (*name) to more than {MAX_EXPANDED_CHARS:,} characters "
                f"or {MAX_EXPANDED_NODES:,} items. A brochure needs no such repetition: delete the extra * references "
                "and write out what is to be printed.",
                where,
            )


def _broken_paragraph(path: Path, text: str, exc: yaml.MarkedYAMLError) -> ContentError | None:
    """A paragraph whose second half went onto a line of its own, said as such (not "a colon is missing").

    YAML reads the unindented half as the start of a new key and then misses its
    colon; the error it reports is one line later still.  Staff pasting from a
    newspaper page break lines like this all the time.
    """
    mark = exc.context_mark
    if mark is None or "could not find expected ':'" not in (exc.problem or ""):
        return None
    lines = text.split("\n")
    here = lines[mark.line] if mark.line < len(lines) else ""
    above = next((lines[n] for n in range(mark.line - 1, -1, -1) if lines[n].strip()), "")
    value_above = above.split(": ", 1)[1] if ": " in above else above.lstrip(" ").removeprefix("- ")
    if not (_has_cjk(here) and _has_cjk(value_above)) or ": " in here:
        return None
    return ContentError(
        f"这一行看起来是上一段的后半截：一段文字要写在同一行里，YAML 把这半截当成了新的一项。"
        f"请把第 {mark.line + 1} 行接到第 {mark.line} 行的末尾（删掉中间的换行）。",
        f"this line looks like the second half of the paragraph above: a paragraph must stay on one line, and "
        f"YAML took this half for a new entry. Join line {mark.line + 1} to the end of line {mark.line} "
        "(delete the line break between them).",
        Location(display_path(path), mark.line + 1, mark.column + 1),
    )


#: A key followed by the colon a Chinese keyboard types (or a half-width one with no space): ``author：株洲日报``.
_KEY_COLON = re.compile(r"^[ ]*(?:-[ ]+)?([a-z][a-z0-9_]*)[ ]*(：|:(?=[^ \n]))", re.M)
#: A line indented with U+3000, the space a Chinese input method types.
_WIDE_INDENT = re.compile(r"^[ \t]*\u3000", re.M)


def keyboard_slip(path: Path, text: str, up_to_line: int | None = None, *, in_lists: bool = True,
                  from_line: int = 1) -> ContentError | None:
    """The slips of a Chinese keyboard that YAML reports somewhere else, in its own words, said as what they are.

    A full-width colon after a key (``author：株洲日报``) or a half-width one with no
    space makes the line plain words, and YAML complains a line later about a
    missing colon; a full-width space (U+3000) used as an indent is not
    whitespace to YAML at all.  Only slips on lines ``from_line`` to ``up_to_line`` (1-based) count.
    ``in_lists`` false: not after a list's ``- `` (where words such as ``- app：下载`` may start a paragraph).
    """
    start = 0
    for _ in range(from_line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    found = []
    colon = next((m for m in _KEY_COLON.finditer(text, start) if in_lists or "-" not in m[0]), None)
    if colon is not None:
        found.append((colon.start(2), "colon", colon))
    wide = _WIDE_INDENT.search(text, start)
    if wide is not None:
        found.append((wide.end() - 1, "wide", wide))
    if not found:
        return None
    index, kind, match = min(found, key=lambda f: f[0])
    line, column = _place(text, index)
    if up_to_line is not None and line > up_to_line:
        return None
    where = Location(display_path(path), line, column)
    if kind == "wide":
        return ContentError(
            f"第 {line} 行开头用全角空格“\u3000”（U+3000，中文输入法打出的空格）缩进，YAML 只认半角空格。"
            "请删掉这一行开头的全角空格，改用半角空格，与同级的行对齐。",
            f"line {line} is indented with a full-width space (U+3000, the space a Chinese input method types), "
            "and YAML indents only with half-width spaces. Delete the full-width spaces at the start of the line "
            "and indent it with ordinary spaces, level with the lines beside it.",
            where,
        )
    key = match[1]
    if match[2] == "：":
        return ContentError(
            f"键“{key}”后面用了全角冒号“：”，YAML 认不出这个键。请改成半角冒号“:”，后面再加一个空格：{key}: …",
            f"a full-width colon '：' follows the key '{key}', so YAML does not see a key there. Type a half-width "
            f"colon ':' followed by a space instead: '{key}: …'.",
            where,
        )
    return ContentError(
        f"键“{key}”后面的半角冒号“:”之后少了一个空格，YAML 认不出这个键。请在冒号后加一个空格：{key}: …",
        f"the colon after the key '{key}' has no space after it, so YAML does not see a key there. Type a space "
        f"after the colon: '{key}: …'.",
        where,
    )


def _unclosed_quote(path: Path, text: str, error_line: int) -> ContentError | None:
    """A quote left open on one line, which YAML carries on to the next quote, many lines later, and fails there.

    The scanner gives the quoted value it read before failing: one that ran over
    several lines, ending where the error is, began at the quote staff forgot to close.
    """
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if (isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
                    and token.end_mark.line > token.start_mark.line):
                last = token
            if token.start_mark.line > error_line:
                break
    except yaml.YAMLError:
        pass
    if last is None or last.end_mark.line + 1 < error_line - 1:
        return None
    q = last.style
    line, end = last.start_mark.line + 1, last.end_mark.line + 1
    return ContentError(
        f"第 {line} 行的引号 {q} 没有闭合：YAML 把它后面直到第 {end} 行的内容都当成了这一段，在那里才出错。"
        f"请在这一段的末尾补上 {q}（引号要成对）。",
        f"the quote {q} on line {line} is never closed: YAML took everything up to line {end} for this one value "
        f"and failed only there. Add the closing {q} at the end of this paragraph (quotes come in pairs).",
        Location(display_path(path), line, last.start_mark.column + 1),
    )


def _too_deep(path: Path, text: str) -> ContentError:
    """Nesting beyond what PyYAML's recursive parser takes; the place is where it went past any brochure's depth."""
    depth, where = 0, Location(display_path(path))
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
                                  yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
                depth += 1
                if depth > 50:
                    where = location(path, token.start_mark)
                    break
            elif isinstance(token, (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
                depth -= 1
    except yaml.YAMLError:
        pass
    return ContentError(
        "内容文件的嵌套层次太深（缩进层级或 [ { 括号一层套一层，远超宣传册所需）。请对照示例 content.yaml 检查这里的缩进和括号，"
        "或检查文件是否损坏。",
        "the content is nested far too deeply here (levels of indentation, or [ and { inside each other, far beyond "
        "what a brochure needs). Compare the indentation and brackets here with the example content.yaml, or check "
        "whether the file is damaged.",
        where,
    )


def compose(path: Path, text: str) -> yaml.Node | None:
    """Parse ``text`` into a node tree; syntax errors become ContentError at their place.

    libyaml (when PyYAML has it) composes four times faster.  It is used only where
    it agrees with the pure-Python parser: not on text with tabs (libyaml takes a tab
    inside a plain value, PyYAML refuses it) or characters PyYAML's reader refuses,
    and any file libyaml does not take is read again by the pure-Python parser,
    whose errors are the ones we explain.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None and "\t" not in text and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            root = yaml.compose(text, Loader=fast)
        except Exception:
            pass
        else:
            check_expansion(path, root)
            return root
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        check_expansion(path, root)
        return root
    except yaml.reader.ReaderError as exc:
        # a character YAML refuses anywhere in the file: a control character, or U+FFFE/U+FFFF
        line, column = _place(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(text[exc.position])
        kind_zh, kind_en = ("控制字符", "control character") if unicodedata.category(chr(char)) == "Cc" else ("字符", "character")
        raise ContentError(
            f"文件中有不可打印的{kind_zh} U+{char:04X}。请删除它（可能是从别处复制来的隐藏字符）后重新保存。",
            f"the file contains the {kind_en} U+{char:04X}, which cannot be printed. "
            "Delete it (probably a hidden character copied from elsewhere) and save again.",
            Location(display_path(path), line, column),
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _explained(path, text, exc) from None
    except RecursionError:
        raise _too_deep(path, text) from None
    except yaml.YAMLError:  # pragma: no cover - PyYAML raises marked errors for text input
        raise ContentError("YAML 无法读取这个文件。请对照示例 content.yaml 检查格式。",
                           "YAML cannot read this file. Compare its layout with the example content.yaml.",
                           Location(display_path(path))) from None


def _explained(path: Path, text: str, exc: yaml.MarkedYAMLError) -> ContentError:
    """A YAML syntax error said as advice, in both languages, at the place the mistake is (not where YAML noticed it)."""
    mark = exc.problem_mark or exc.context_mark
    error_line = mark.line + 1 if mark else None
    # a slip makes YAML fail on its own line or a few lines below it
    slip = keyboard_slip(path, text, None if error_line is None else error_line + 1,
                         from_line=1 if error_line is None else max(1, error_line - 4))
    if slip is not None:
        return slip
    if error_line is not None:
        unclosed = _unclosed_quote(path, text, error_line)
        if unclosed is not None:
            return unclosed
    broken = _broken_paragraph(path, text, exc)
    if broken is not None:
        return broken
    problem = exc.problem or ""
    zh = "YAML 读不懂这里的写法"
    en = "YAML cannot read what is written here"
    if "\t" in problem or "found character '\\t'" in problem:
        line_text = text.split("\n")[mark.line] if mark else ""
        if mark and line_text[: mark.column].strip(" ") == "":
            zh = "YAML 不允许用制表符（Tab）缩进，请改用空格"
            en = "YAML does not allow a tab (the Tab key) as indentation: indent with spaces instead"
        else:
            zh = "这一行中有制表符（Tab），YAML 不允许在这里使用，请改成空格"
            en = "this line has a tab (the Tab key), which YAML does not allow here: replace it with spaces"
    elif "could not find expected ':'" in problem or "mapping values are not allowed" in problem:
        zh = "冒号或缩进有误（键的冒号后要有一个空格，同级内容缩进要一致）"
        en = ("a colon or the indentation is wrong (a key's colon needs a space after it, and lines of the same "
              "level need the same indentation)")
    elif "while scanning a quoted scalar" in str(exc.context) and exc.context_mark:
        zh = "这里开始的引号没有闭合（引号要成对），请在这一段末尾补上引号"
        en = "the quote that starts here is never closed (quotes come in pairs): add the closing quote at the end of it"
        mark = exc.context_mark
    elif "found unexpected end of stream" in problem:
        zh = "引号没有闭合（引号要成对），请补上引号"
        en = "a quote is never closed (quotes come in pairs): add the closing quote"
    elif "found duplicate anchor" in problem or "found undefined alias" in problem:
        zh = "锚点（&）或引用（*）有误。宣传册内容不需要它们，请删去 & 和 * 标记"
        en = "an anchor (&) or a reference (*) is wrong. A brochure's content needs neither: delete the & and * marks"
    elif "expected <block end>" in problem or "did not find expected" in problem:
        zh = "缩进或列表格式有误（同级内容缩进要一致，列表项以“- ”开头）"
        en = ("the indentation or a list is wrong (lines of the same level need the same indentation, and a list "
              "item starts with '- ')")
    return ContentError(
        f"{zh}。请检查这一行及上一行，可对照示例 content.yaml。",
        f"{en}. Check this line and the one above against the example content.yaml.",
        location(path, mark) if mark else Location(display_path(path)),
    )


TYPE_NAMES = {
    "mapping": ("键值表（mapping）", "a mapping (key: value lines)"),
    "list": ("列表（以 - 开头的各行）", "a list (lines starting with -)"),
    "text": ("文字", "text"),
    "number": ("数字", "a number"),
    "bool": ("true 或 false", "true or false"),
}


class Reader:
    """Typed access to a composed YAML tree, raising ContentError with places."""

    def __init__(self, path: Path):
        self.path = path
        self._shown: str | None = None
        #: The file's lines, when known: a text value's neighbourhood is checked for comments that took words.
        self.source_lines: list[str] = []

    @property
    def shown(self) -> str:
        """The file as messages name it (resolved once: a tree has thousands of nodes)."""
        if self._shown is None:
            self._shown = display_path(self.path)
        return self._shown

    def where(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.shown, mark.line + 1, mark.column + 1)

    def fail(self, node: yaml.Node, zh: str, en: str) -> ContentError:
        return ContentError(zh, en, self.where(node))

    def expect(self, node: yaml.Node, kind: str, name: str) -> None:
        ok = {
            "mapping": isinstance(node, yaml.MappingNode),
            "list": isinstance(node, yaml.SequenceNode),
        }.get(kind, isinstance(node, yaml.ScalarNode))
        if not ok and kind == "text" and _colon_in_words(node):
            key = node.value[0][0]
            raise ContentError(
                f"“{name}”这一段里有半角冒号加空格（“: ”），YAML 把它读成了“键: 值”，这一段就不是文字了。"
                "请把这个冒号改成全角“：”，或给整段加上引号。",
                f"'{name}': this paragraph has a half-width colon followed by a space (': '), which YAML reads as "
                "'key: value', so the paragraph is no longer text. Change the colon to the full-width '：', or put "
                "the paragraph in quotes.",
                Location(self.shown, key.end_mark.line + 1, key.end_mark.column + 1),
            )
        if not ok:
            zh, en = TYPE_NAMES[kind]
            found = "list" if isinstance(node, yaml.SequenceNode) else "mapping" if isinstance(node, yaml.MappingNode) else "text"
            fzh, fen = TYPE_NAMES[found]
            raise self.fail(node, f"“{name}”应为{zh}，这里却是{fzh}。请按示例 content.yaml 改写。",
                            f"'{name}' must be {en}, not {fen}. Follow the example content.yaml.")

    def mapping(self, node: yaml.Node, name: str, known: dict[str, bool]) -> dict[str, yaml.Node]:
        """Keys of a mapping node; ``known`` maps allowed key -> required.

        Refuses duplicate keys, unknown keys (suggesting the nearest known one)
        and missing required keys.
        """
        self.expect(node, "mapping", name)
        seen: dict[str, yaml.Node] = {}
        values: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, f"“{name}”中的键必须是文字。", f"keys in '{name}' must be plain text.")
            key = key_node.value
            if key in seen:
                first = self.where(seen[key])
                raise self.fail(
                    key_node,
                    f"键“{key}”重复（第一次出现在第 {first.line} 行）。请删除或合并其中一个。",
                    f"duplicate key '{key}' (first at line {first.line}). Delete or merge one of them.",
                )
            seen[key] = key_node
            if key not in known:
                close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
                zh_hint = f"您是不是想写“{close[0]}”？" if close else f"可用的键：{'、'.join(known)}。"
                en_hint = f"Did you mean '{close[0]}'?" if close else f"Known keys: {', '.join(known)}."
                raise self.fail(
                    key_node,
                    f"“{name}”中有未知的键“{key}”。{zh_hint}",
                    f"unknown key '{key}' in '{name}'. {en_hint}",
                )
            values[key] = value_node
        for key, required in known.items():
            if required and key not in values:
                raise self.fail(
                    node,
                    f"“{name}”缺少必填项“{key}”。请补上“{key}: …”一行。",
                    f"'{name}' is missing the required key '{key}'. Add a line '{key}: …'.",
                )
        return values

    def items(self, node: yaml.Node, name: str) -> list[yaml.Node]:
        self.expect(node, "list", name)
        return list(node.value)

    def text(self, node: yaml.Node, name: str, *, allow_empty: bool = False):
        self.expect(node, "text", name)
        if node.tag == "tag:yaml.org,2002:null" or (node.value == "" and not allow_empty):
            raise self.fail(node, f"“{name}”不能为空。", f"'{name}' must not be empty.")
        where = self.where(node)
        self._refuse_comment_beside(node, name)
        value = clean_text(node.value, where, name)
        if not value and not allow_empty:
            raise self.fail(node, f"“{name}”不能为空（只有空格或不可见字符）。", f"'{name}' must not be empty (it has only spaces or invisible characters).")
        return Text(value, where)

    def _refuse_comment_beside(self, node: yaml.Node, name: str) -> None:
        """Refuse a comment that YAML cut from printed words, rather than print what was left.

        In an unquoted value `` #`` starts a comment, so ``- 新增段落 #1：今年…`` prints
        only 新增段落.  Chinese news text uses #话题# and #1 all the time, so a
        comment on the same line as Chinese words is an error, and so is a comment
        line holding Chinese text that continues a value (indented under it).  A
        setting's value (a profile path, a font family) may keep its note.
        """
        if node.style not in (None, "") or not self.source_lines:      # quoted or block text: # is a character
            return
        end = node.end_mark
        line = self.source_lines[end.line] if end.line < len(self.source_lines) else ""
        rest = line[end.column:]
        found = None
        if rest.lstrip(" ").startswith("#") and _has_cjk(node.value):     # words, not a setting's value
            found = (end.line, end.column + len(rest) - len(rest.lstrip(" ")))
        else:
            following = self.source_lines[end.line + 1] if end.line + 1 < len(self.source_lines) else ""
            stripped = following.lstrip(" ")
            indent = len(following) - len(stripped)
            if stripped.startswith("#") and indent >= node.start_mark.column and _has_cjk(stripped):
                found = (end.line + 1, indent)
        if found is None:
            return
        where = Location(self.shown, found[0] + 1, found[1] + 1)
        raise ContentError(
            f"“{name}”的文字后面有“#”：YAML 会把“#”及其后的文字当作注释丢掉，不会印出来。"
            "如果“#”是正文的一部分（如 #1、#话题#），请给这一段加上引号：- \"……\"；"
            "如果是说明，请把它单独写在上一行。",
            f"a '#' follows the text of '{name}': YAML drops '#' and everything after it as a comment, so it "
            "would not be printed. If the '#' belongs to the text (#1, #topic#), put the paragraph in quotes: "
            "- \"…\"; if it is a note, put it on a line of its own above.",
            where,
        )

    def number(self, node: yaml.Node, name: str, *, minimum: float | None = None, maximum: float | None = None) -> float:
        self.expect(node, "number", name)
        try:
            value = float(node.value)
        except ValueError:
            raise self.fail(node, f"“{name}”应为数字，而不是“{node.value}”。", f"'{name}' must be a number, not '{node.value}'.") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise self.fail(node, f"“{name}”应为有限的数字。", f"'{name}' must be a finite number.")
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            lo = "" if minimum is None else f"{minimum:g}"
            hi = "" if maximum is None else f"{maximum:g}"
            raise self.fail(node, f"“{name}”应在 {lo}–{hi} 之间，现为 {value:g}。", f"'{name}' must be between {lo} and {hi}, not {value:g}.")
        return value

    def integer(self, node: yaml.Node, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.number(node, name, minimum=minimum, maximum=maximum)
        if value != int(value):
            raise self.fail(node, f"“{name}”应为整数。", f"'{name}' must be a whole number.")
        return int(value)

    def boolean(self, node: yaml.Node, name: str) -> bool:
        self.expect(node, "bool", name)
        value = node.value.lower()
        if value in ("true", "yes", "on"):
            return True
        if value in ("false", "no", "off"):
            return False
        raise self.fail(node, f"“{name}”应为 true 或 false。", f"'{name}' must be true or false.")

    def choice(self, node: yaml.Node, name: str, options: list[str]) -> str:
        self.expect(node, "text", name)
        if node.value not in options:
            close = difflib.get_close_matches(node.value, options, n=1, cutoff=0.5)
            hint_zh = f"您是不是想写“{close[0]}”？" if close else ""
            hint_en = f" Did you mean '{close[0]}'?" if close else ""
            raise self.fail(
                node,
                f"“{name}”只能是 {' / '.join(options)}，不能是“{node.value}”。{hint_zh}",
                f"'{name}' must be one of {', '.join(options)}, not '{node.value}'.{hint_en}",
            )
        return node.value
