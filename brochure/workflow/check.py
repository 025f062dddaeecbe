"""``brochure check``: validate content.yaml without writing any PDF, and write a fixed copy on request.

In order: the schema and the photos (``brochure.content.load``, which also opens and
decodes every photo; a failure here stops the check), glyph coverage of the fonts,
then the punctuation lint.  Exit status: 0 clean (or, with ``--fix``, nothing left to fix by hand),
1 only lint findings, 2 errors.
Warnings found while loading (e.g. a PNG saved as .jpg) are reported but do not
change the status.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from brochure.content.files import display_path, read_text_file
from brochure.content.unfinished import unfinished
from brochure.ground.errors import BrochureError, ContentError, Location
from brochure.ground.words import os_reason
from brochure.runtime.session import Session
from brochure.workflow.environment import process_environment
from brochure.workflow.lint import Finding, Source, fixed_source, lint
from brochure.workflow.writing import REASONS, exists, write_text


@dataclass
class FixResult:
    path: Path
    fixed: int          # findings the copy no longer has
    remaining: int      # findings still in the copy (need a person)


@dataclass
class CheckReport:
    source: Path
    errors: list[BrochureError] = field(default_factory=list)
    warnings: list = field(default_factory=list)        # BuildWarning
    findings: list[Finding] = field(default_factory=list)
    fix: FixResult | None = None

    @property
    def status(self) -> int:
        if self.errors:
            return 2
        if self.fix is not None:            # --fix: what is left is what the copy still needs by hand
            return 1 if self.fix.remaining else 0
        return 1 if self.findings else 0


def check_glyphs(content, session=None) -> list[BrochureError]:
    """The fonts must have every character the words use (the same check the build makes), with the
    fonts of ``session`` (its cache; None: converted in memory)."""
    # the build package brings ReportLab and the layout, which checking alone does not need
    from brochure.pipeline import load_faces

    try:
        load_faces(content, session)
    except BrochureError as exc:
        return [exc]
    return []


def punctuation(content, session=None) -> list[Finding]:
    """The punctuation findings of ``content``: what ``check`` lists, and ``build`` and ``watch`` warn about.

    With a ``session`` (a build's), the findings of a file are kept in its cache store
    under the file's words and name, so a build of unchanged words does not lint again.
    """
    if session is None:
        return lint(content, Source.read(content.source))
    text = read_text_file(content.source)
    key = hashlib.sha256(f"{display_path(content.source)}\0{content.source}\0{text}".encode()).hexdigest()
    kept = session.store.coded(__name__).get("punctuation", key)      # keyed by the code of the lint too
    if kept is not None:
        try:
            return [Finding(Location(*f["where"]), f["rule"], f["zh"], f["en"], f["fixable"]) for f in json.loads(kept)]
        except (ValueError, KeyError, TypeError):
            pass
    findings = lint(content, Source(content.source, text))
    session.store.coded(__name__).put("punctuation", key, json.dumps(
        [{"where": [f.where.file, f.where.line, f.where.column], "rule": f.rule, "zh": f.zh, "en": f.en,
          "fixable": f.fixable} for f in findings], ensure_ascii=False).encode())
    return findings


def check(path: Path, *, fix: bool = False, fix_path: Path | None = None, force: bool = False,
          draft: bool = False, session=None) -> CheckReport:
    """Check ``path``; with ``fix``, also write the safe fixes to a copy (never to ``path`` itself).

    Every placeholder (【待填】) and example web address is an error, one for each
    place, unless the content is checked as a ``draft`` (``--draft``, what
    ``build --draft`` would accept).

    ``session`` (``brochure.runtime.session.Session``) lends its cache of converted fonts (by default
    the cache this process's environment names).

    Raises ContentError when the file does not load (schema or syntax), or when the
    copy cannot be written; other problems are collected in the report.
    """
    from brochure.content import load

    path = Path(path)
    content = load(path)
    report = CheckReport(source=path)
    if not draft:
        report.errors += [ContentError(*u.message(), u.where) for u in unfinished(content)]
    report.errors += check_glyphs(content, session or Session(env=process_environment()))
    report.warnings = list(getattr(content, "warnings", []))        # the fonts' too
    report.findings = punctuation(content)
    if fix:
        source = Source.read(content.source)
        target = Path(fix_path) if fix_path else default_fix_path(path)
        report.fix = write_fixed(content, source, target, force=force, before=report.findings)
    return report


def default_fix_path(path: Path) -> Path:
    """content.yaml -> content.fixed.yaml, beside it (so images/ resolve the same)."""
    return path.with_name(f"{path.stem}.fixed{path.suffix or '.yaml'}")


def write_fixed(content, source: Source, target: Path, *, force: bool, before: list[Finding]) -> FixResult:
    where = Location(str(target))
    if exists(target) and os.path.realpath(target) == os.path.realpath(content.source):
        raise ContentError(
            "修复结果不能写回原文件。请用 -o 指定另一个文件名。",
            "the fixed copy may not replace the original. Give another name with -o.",
            where,
        )
    if exists(target) and not force:
        raise ContentError(
            "文件已存在，未覆盖。要覆盖请加 --force，或用 -o 指定另一个文件名。",
            "the file already exists and was left alone. Add --force to overwrite it, or choose another name with -o.",
            where,
        )
    text = fixed_source(content, source)
    remaining = _lint_probe(content, text, where)
    write_text(target, text, newline="")
    fixable_before = sum(1 for f in before if f.fixable)
    fixable_after = sum(1 for f in remaining if f.fixable)
    return FixResult(target, max(0, fixable_before - fixable_after), len(remaining))


def _lint_probe(content, text: str, where: Location) -> list[Finding]:
    """Load the fixed text beside the original (so images/ resolve the same) and lint it.

    The copy must load exactly like the original; if it does not, nothing is written.
    """
    from brochure.content import load

    try:
        fd, probe = tempfile.mkstemp(prefix=".check-fix.", suffix=".yaml", dir=content.root)
    except OSError as exc:       # a read-only project
        zh, en = REASONS.get(exc.errno) or os_reason(exc)
        raise ContentError(
            f"无法在项目文件夹中写入（{zh}）：--fix 要先在原文件旁边试读修复后的副本。请把项目复制到可以写入的文件夹后再运行。",
            f"cannot write in the project folder ({en}): --fix first tries the fixed copy beside the original. "
            "Copy the project to a folder you may write to, then run it there.",
            Location(display_path(content.source)),
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return lint(load(Path(probe)), Source(Path(probe), text))
    except BrochureError:
        raise ContentError(
            "自动修复后的文件无法读取，所以没有写出。请按上面列出的问题手工修改。",
            "the automatically fixed file would not load, so it was not written. Fix the findings above by hand.",
            where,
        ) from None
    finally:
        Path(probe).unlink(missing_ok=True)
