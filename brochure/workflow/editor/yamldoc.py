"""content.yaml as the form sees it, and the form's words written back into staff's own file.

The file is read with ruamel.yaml's round-trip loader, which keeps comments, key
order and each value's quoting.  The form gets plain data (``form_data``): every
list item as ``{"o": index in the file, "v": value}`` so that after items are
added, removed or moved the comments of each item travel with it.  ``apply``
lays the form's data onto a fresh copy of the file's tree, changing only what
differs, and the dump is merged line by line with the file's own text: a line
the form did not change is the file's line, byte for byte (ruamel.yaml would,
for example, close up the spaces staff used to align a flow mapping).

Quoting is YAML's business, not staff's: a value typed with ``: ``, ``#``, quotes
or full-width spaces is written so that it reads back as exactly those words
(quoted where YAML needs it, and wherever PyYAML, which the loader uses, would
read a plain value as something other than words).
"""
from __future__ import annotations

import difflib
import io

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString, SingleQuotedScalarString
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

Path_ = tuple  # a place in the data: keys and list indices, e.g. ("sections", 0, "paragraphs", 2)

_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"


def _yaml(text: str) -> YAML:
    """A round-trip reader and writer set to the file's own indentation, never folding a line."""
    y = YAML()
    y.preserve_quotes = True
    y.width = 1 << 30                       # a paragraph stays on its one line
    try:
        _, indent, offset = load_yaml_guess_indent(text)
    except Exception:                       # noqa: BLE001 (the loader says what is wrong with the file)
        indent, offset = None, None
    indent = indent or 2
    offset = offset if offset is not None else 0
    y.indent(mapping=2, sequence=max(indent, offset + 2), offset=offset)
    return y


class YamlDocument:
    """Staff's content.yaml as last read from disk (``text``), and the form's words laid onto it."""

    def __init__(self, text: str):
        self.text = text
        self._yaml = _yaml(text)
        self.tree = self._yaml.load(text)
        if not isinstance(self.tree, CommentedMap):
            raise ValueError("content.yaml does not hold a mapping")
        self._dumped = self._dump(self.tree)

    def _dump(self, tree) -> str:
        s = io.StringIO()
        self._yaml.dump(tree, s)
        return s.getvalue()

    # -- to the form ----------------------------------------------------------
    def form_data(self):
        """The file's data for the form: mappings as objects, list items as {"o": index, "v": value}."""
        return _to_form(self.tree)

    # -- back from the form ----------------------------------------------------
    def apply(self, data) -> str:
        """content.yaml's text with the form's ``data``: the file's own lines wherever nothing changed."""
        tree = _apply(self._yaml.load(self.text), data)     # a fresh tree: deepcopy loses comments
        return merge(self.text, self._dumped, self._dump(tree))


def _to_form(node):
    if isinstance(node, dict):
        return {str(k): _to_form(v) for k, v in node.items()}
    if isinstance(node, list):
        return [{"o": i, "v": _to_form(v)} for i, v in enumerate(node)]
    if node is None or isinstance(node, (bool, int, float)):
        return node
    return str(node)


def _apply(old, new):
    """``old`` (a piece of the file's tree) changed to the form's ``new``, kept where equal."""
    if isinstance(new, dict):
        if not isinstance(old, CommentedMap):
            return _fresh(new)
        keys = list(new)
        for k in [k for k in old if str(k) not in new]:
            del old[k]
        for n, k in enumerate(keys):
            match = next((ok for ok in old if str(ok) == k), None)
            if match is not None:
                value = _apply(old[match], new[k])
                if value is not old[match]:
                    old[match] = value
            else:                               # a new key, placed where the form has it
                before = sum(1 for ok in old if str(ok) in keys[:n])
                old.insert(before, k, _fresh(new[k]))
        return old
    if isinstance(new, list):
        if not isinstance(old, CommentedSeq):
            return _fresh(new)
        return _apply_list(old, new)
    return _scalar(old, new)


def _apply_list(old: CommentedSeq, items: list) -> CommentedSeq:
    origins = [it.get("o") if isinstance(it, dict) else None for it in items]
    origins = [o if isinstance(o, int) and 0 <= o < len(old) else None for o in origins]
    values = [it.get("v") if isinstance(it, dict) else it for it in items]
    if origins == list(range(len(old))):                  # the same items in the same order: changed in place
        for i, v in enumerate(values):
            value = _apply(old[i], v)
            if value is not old[i]:
                old[i] = value
        return old
    made = [_apply(old[o], v) if o is not None else _fresh(v) for o, v in zip(origins, values)]
    comments = _moved_comments(old, origins)
    del old[:]
    old.extend(made)
    old.ca.items.clear()
    old.ca.items.update(comments)
    return old


def _moved_comments(old: CommentedSeq, origins: list) -> dict:
    """The list's comments for its items in their new order: each note above an item goes with it.

    ruamel.yaml keeps what follows item k (its end-of-line note, then the lines of notes
    above item k + 1) in one token on item k: split there, and joined again for the new
    order.  The notes above the first item belong to the key before the list and stay there
    (an item moved to the top keeps its note just below it); what follows the last item (a
    blank line, the next key's notes) stays at the end.  No note is lost.
    """
    n = len(old)
    tokens = {k: v[0] for k, v in old.ca.items.items() if isinstance(k, int) and v and v[0] is not None}

    def parts(k):
        value = tokens[k].value if k in tokens else "\n"
        cut = value.find("\n") + 1 if "\n" in value else len(value)
        return value[:cut] or "\n", value[cut:]

    eol = {k: parts(k)[0] for k in range(n)}
    above = {k + 1: parts(k)[1] for k in range(n - 1)}
    tail = parts(n - 1)[1] if n else ""
    comments = {}
    for i, o in enumerate(origins):
        nxt = origins[i + 1] if i + 1 < len(origins) else None
        after = (above.get(nxt, "") if nxt is not None else "") if i + 1 < len(origins) else tail
        if i == 0 and o:                 # its note cannot go above the list's first item (the key's): just below it
            after = above.get(o, "") + after
        value = (eol[o] if o is not None else "\n") + after
        if value == "\n":
            continue
        like = next(iter(tokens.values()), None)
        token = CommentToken(value, like.start_mark if like else CommentMark(0), None)
        comments[i] = [token, None, None, None]
    return comments


def _fresh(new):
    """A value the file did not have: mappings and lists as ruamel.yaml's, words quoted where needed."""
    if isinstance(new, dict):
        m = CommentedMap()
        for k, v in new.items():
            m[k] = _fresh(v)
        return m
    if isinstance(new, list):
        s = CommentedSeq()
        s.extend(_fresh(it.get("v") if isinstance(it, dict) else it) for it in new)
        return s
    return _scalar(None, new)


def _scalar(old, new):
    """The value ``new`` as the file should hold it: ``old`` itself when equal, its quoting kept when changed."""
    if old is not None and not isinstance(old, (dict, list)):
        if isinstance(new, str) and _same(old, new):
            return old
        if not isinstance(new, str) and old == new and isinstance(old, bool) == isinstance(new, bool):
            return old
    if new is None or isinstance(new, bool) or isinstance(new, (int, float)) and not isinstance(new, str):
        return new
    new = str(new)
    if isinstance(old, bool) and new.lower() in ("true", "false"):
        return new.lower() == "true"
    if isinstance(old, int) and not isinstance(old, bool) and new.strip().lstrip("-").isdigit():
        return int(new.strip())
    if isinstance(old, float) and _is_float(new):
        return float(new)
    if isinstance(old, ScalarString):                     # '…' or "…" in the file: the same quotes
        return type(old)(new)
    if new and _RESOLVER.resolve(yaml.ScalarNode, new, (True, False)) != _STR:
        return SingleQuotedScalarString(new)              # e.g. "2022", "yes", "null" typed as words
    return new


def _same(old, new: str) -> bool:
    if isinstance(old, bool):
        return new.lower() == str(old).lower()
    return str(old) == new


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def merge(original: str, dumped_original: str, dumped_new: str) -> str:
    """``dumped_new``, with each line that did not change taken from ``original`` itself.

    ``dumped_original`` is what the writer makes of the unchanged file: it differs from
    ``original`` only in spacing it normalises; those lines are matched up one to one.
    """
    o = original.splitlines(keepends=True)
    b = dumped_original.splitlines(keepends=True)
    n = dumped_new.splitlines(keepends=True)
    to_original: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, b, o, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            to_original.update(zip(range(i1, i2), range(j1, j2)))
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, b, n, autojunk=False).get_opcodes():
        if tag == "equal":
            out += [o[to_original[i]] if i in to_original else b[i] for i in range(i1, i2)]
        else:
            out += n[j1:j2]
    text = "".join(out)
    if original.endswith("\n") != text.endswith("\n") and text:
        text = text + "\n" if original.endswith("\n") else text.rstrip("\n")
    return text


def places(text: str) -> list[tuple[int, int, Path_]]:
    """Every value's and key's place in ``text`` (1-based line and column) with its path in the data, sorted.

    Read with PyYAML, as the loader reads: its lines and columns are the ones its messages name.
    """
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    found: list[tuple[int, int, Path_]] = []

    def walk(node, path):
        found.append((node.start_mark.line + 1, node.start_mark.column + 1, path))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else str(len(found))
                found.append((k.start_mark.line + 1, k.start_mark.column + 1, path + (key,)))
                walk(v, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, path + (i,))

    if root is not None:
        walk(root, ())
    found.sort(key=lambda f: (f[0], f[1], -len(f[2])))
    return found


def path_at(index: list[tuple[int, int, Path_]], line: int | None, column: int | None) -> Path_ | None:
    """The path of the value at (or last begun before) ``line``:``column``."""
    if line is None or not index:
        return None
    column = column or 1
    best = None
    for ln, col, path in index:
        if (ln, col) <= (line, column):
            if best is None or (ln, col) > best[0] or ((ln, col) == best[0] and len(path) > len(best[1])):
                best = ((ln, col), path)
        else:
            break
    return best[1] if best else None
