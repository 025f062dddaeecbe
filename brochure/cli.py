"""The command line: thin.  Parses arguments, calls the pipeline or a workflow module, prints bilingual results.

Errors in the user's input (BrochureError) print as ``错误 error: file:line:col: 中文``
with the English on the next line (``ground.errors.bilingual``, the layout of every
message), exit status 2 and no traceback.

Each command imports its pipeline or workflow module inside its function: they
bring in ReportLab, pikepdf, PDFium and PIL, and a command (or ``--help``) loads
only what it uses, which keeps start-up short.
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import re
import shlex
import signal
import sys
from pathlib import Path

from brochure.ground.errors import ERROR_HEAD, INTERRUPTED, BrochureError, bilingual
from brochure.runtime.interrupts import Interrupts
from brochure.runtime.streams import fill_closed_streams, os_error, raised_in, results_unwritten, stdout_closed
from brochure.ground.words import plural


#: argparse's own messages, in the words a staff member reads: (argparse's English, Chinese, English advice).
#: ``{0}`` is the option argparse names, ``{1}`` the rest of its message.
_USAGE = [
    (r"the following arguments are required: command$",
     "请写出要做的事：build、check、proof、watch、import、placeholders 或 preflight",
     "say what to do: build, check, proof, watch, import, placeholders or preflight"),
    (r"the following arguments are required: (.*)()$", "缺少必填的参数：{0}", "add what is missing: {0}"),
    (r"unrecognized arguments: (.*)()$", "无法识别的参数：{0}", "this command has no such option or argument: {0}"),
    (r"argument (\S+): expected one argument()$", "选项 {0} 后面要跟一个值", "the option {0} needs a value after it"),
    (r"argument (\S+): invalid float value: '(.*)'$", "选项 {0} 的值应为数字，不能是“{1}”",
     "the value of {0} must be a number, not '{1}'"),
    (r"argument (\S+): ignored explicit argument '(.*)'$", "选项 {0} 后面不能跟值（“{1}”）",
     "the option {0} takes no value ('{1}')"),
]


def no_folder() -> BrochureError:
    """What every command says when the folder it was started in has been deleted meanwhile."""
    return BrochureError(
        "当前所在的文件夹已被删除（或移走），无法在这里运行。请用 cd 进入项目文件夹后再试。",
        "the current folder has been deleted (or moved away), so nothing can run here. cd into the project folder, "
        "then try again.")


class _Formatter(argparse.HelpFormatter):
    """argparse's help, its headings in Chinese and English like everything else the command prints."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法 usage: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse, with its headings and usage errors said in Chinese and English like every other message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数 arguments"
        self._optionals.title = "选项 options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="显示这份说明后退出 / show this help and exit")

    def error(self, message: str):
        zh, en = message, message
        choice = re.match(r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)", message)
        if choice:
            options = [o.strip(" '") for o in choice[3].split(",")]
            close = difflib.get_close_matches(choice[2], options, n=1)
            what_zh = "命令" if choice[1] == "command" else f"{choice[1]} 的值"
            what_en = "command" if choice[1] == "command" else f"value for {choice[1]}"
            zh = (f"没有“{choice[2]}”这个{what_zh}" + (f"，您是不是想写“{close[0]}”" if close else "")
                  + f"；可用的有：{'、'.join(options)}")
            en = (f"there is no {what_en} '{choice[2]}'" + (f"; did you mean '{close[0]}'?" if close else "")
                  + f" Choose one of: {', '.join(options)}")
            message = ""
        for pattern, said_zh, said_en in _USAGE if message else ():
            found = re.match(pattern, message)
            if found:
                zh, en = said_zh.format(*found.groups()), said_en.format(*found.groups())
                break
        prog = self.prog.replace("brochure", _self_command(), 1)    # as it works when typed here
        self.exit(2, bilingual(f"{zh}。用 {prog} --help 查看用法。", f"{en}. See {prog} --help.", head=ERROR_HEAD)
                  + "\n")


class _Version(argparse.Action):
    """``--version``: this program and the libraries and fonts that shape its output."""

    def __init__(self, option_strings, dest, **kw):
        super().__init__(option_strings, dest, nargs=0, help="显示版本 / show the versions of brochure, its libraries and fonts")

    def __call__(self, parser, namespace, values, option_string=None):
        from brochure.workflow.version import version_text

        print(version_text(Path("content.yaml")))
        parser.exit(0)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="brochure", description="从 content.yaml 生成可印刷的宣传册与展板 PDF / "
                "print-ready brochure and poster PDFs from content.yaml")
    p.add_argument("--version", action=_Version)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def content_arg(cmd):
        cmd.add_argument("path", nargs="?", default="content.yaml", help="内容文件 / content file (default content.yaml)")

    def draft_arg(cmd):
        cmd.add_argument("--draft", action="store_true",
                         help="样稿：允许【待填】、示例网址和分辨率过低的照片，每页印“样稿 DRAFT”水印 / "
                              "a proof: allow placeholders, example URLs and low-resolution photos, and watermark "
                              "every page \"样稿 DRAFT\"")

    def out_arg(cmd):
        cmd.add_argument("-o", "--out", default=None, help="输出文件夹 / output folder (default: out/ beside the content file)")
        cmd.add_argument("--only", default=None, help="只生成一个输出 / build one output: brochure or a poster name")

    b = sub.add_parser("build", help="生成 PDF / build the PDFs")
    content_arg(b)
    out_arg(b)
    draft_arg(b)

    c = sub.add_parser("check", help="只检查、不生成 PDF / check without writing PDFs")
    content_arg(c)
    c.add_argument("--fix", action="store_true", help="把可安全修复的标点问题写入副本 / write the safe fixes to a copy")
    c.add_argument("-o", "--output", default=None, help="修复副本的文件名 / name of the fixed copy (default content.fixed.yaml)")
    c.add_argument("--force", action="store_true", help="覆盖已有的副本 / overwrite an existing copy")
    c.add_argument("--explain", action="store_true",
                   help="列出版面规则在各页的得分 / show which layout rule cost what on which page")
    draft_arg(c)

    pr = sub.add_parser("proof", help="生成 PDF 和逐页 PNG 校样 / build, then PNG proofs of every page")
    content_arg(pr)
    out_arg(pr)
    draft_arg(pr)
    pr.add_argument("--typesetting", action="store_true",
                    help="另写排版规则校样 out/proof-typesetting.pdf / also write the typesetting rules proof")

    i = sub.add_parser("import", help="把报纸纯文本转成 content.yaml 草稿 / plain newspaper text -> draft content.yaml")
    i.add_argument("text", help="纯文本文件 / the plain-text file")
    i.add_argument("-o", "--output", default="content.yaml", help="草稿文件名 / the draft to write (default content.yaml)")
    i.add_argument("--force", action="store_true", help="覆盖已有文件 / overwrite an existing file")
    i.add_argument("--placeholders", action=argparse.BooleanOptionalAction, default=None,
                   help="为草稿中的照片生成占位图（不覆盖已有照片；默认：在终端上询问，否则生成）/ make placeholder "
                        "photos for the draft (never over a real one; default: ask on a terminal, else make them)")

    ph = sub.add_parser("placeholders", help="为缺少的照片生成占位图 / placeholder photos for the missing ones")
    content_arg(ph)
    ph.add_argument("--force", action="store_true",
                    help="重画本工具以前生成的占位图（实拍照片从不覆盖）/ draw again the placeholders this tool made "
                         "(a real photo is never replaced)")

    w = sub.add_parser("watch", help="保存后自动重建 / rebuild on every save")
    content_arg(w)
    out_arg(w)
    draft_arg(w)

    e = sub.add_parser("edit", help="在浏览器中编辑并预览 / edit in the browser, with the pages beside the form")
    content_arg(e)
    e.add_argument("-o", "--out", default=None, help="生成按钮的输出文件夹 / the build button's folder (default out/)")
    e.add_argument("--no-browser", action="store_true", help="只显示地址，不打开浏览器 / print the address only")

    f = sub.add_parser("preflight", help="印前检查 PDF / preflight a PDF")
    f.add_argument("pdf", help="PDF 文件 / the PDF file")
    f.add_argument("--url", action="append", default=None, help="二维码应指向的网址 / expected QR URL")
    f.add_argument("--content", default=None,
                   help="按这个内容文件中的印刷设置检查（默认：PDF 所在 out/ 旁边或当前文件夹的 content.yaml）/ "
                        "check under this content file's press settings (default: the content.yaml beside out/ or here)")
    f.add_argument("--min-ppi", default=None, help="照片最低分辨率 / minimum photo resolution")
    f.add_argument("--max-ink", default=None, help="总墨量上限 %% / total ink limit, per cent")
    return p


def run() -> None:
    """The ``brochure`` command: ``main``, then leave without tearing the interpreter down.

    Everything is written and closed by the time ``main`` returns; freeing every
    object of ReportLab, pikepdf and PDFium one by one at exit took ~70 ms, a
    sixth of a build.  So the streams are flushed and the process ends at once.
    """
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)       # from now on Ctrl-C is answered below
    argv = sys.argv[1:]
    closed = fill_closed_streams()
    try:
        if 1 in closed:
            print(f"错误 error: {stdout_closed()}", file=sys.stderr)
            code = 2
        else:
            code = main(argv, ending=True)
    except BrokenPipeError:            # the reader went away (| head): nothing more to say to it
        code = 0
        sys.stdout = sys.stderr = open(os.devnull, "w")
    except SystemExit as exc:          # argparse: --help, usage errors
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt as exc:   # after main had returned: its own handler says what out/ holds
        print(getattr(exc, "message", INTERRUPTED), file=sys.stderr)
        code = 130
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        pass
    except (OSError, ValueError) as exc:           # > /dev/full: the results were not all said
        with contextlib.suppress(OSError, ValueError, AttributeError):
            print(f"错误 error: {results_unwritten(exc)}", file=sys.stderr)
        code = code or 1
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None, ending: bool = False) -> int:
    """Run one command; its exit status.

    ``ending``: the process ends right after (the ``brochure`` command itself), so
    the interrupt handlers of build and proof stay until then, and a signal while
    the results are printed still says what out/ holds.
    """
    args = _parser().parse_args(argv)
    args.ending = ending
    try:
        os.getcwd()
    except FileNotFoundError:           # ReportLab and every relative path need it: say so before anything else
        print(f"{ERROR_HEAD} {no_folder()}", file=sys.stderr)
        return 2
    try:
        args.env = _environment() if args.command in BUILDING else None
        if args.command == "preflight":
            return _preflight(args)
        return COMMANDS[args.command](args)
    except BrochureError as exc:
        print(f"{ERROR_HEAD} {exc}", file=sys.stderr)
        return exc.exit_status
    except BrokenPipeError:
        raise
    except OSError as exc:
        # raised here, in this module, it was printing the results that failed (> /dev/full)
        failure = results_unwritten(exc) if raised_in(exc, __file__) else os_error(exc)
        with contextlib.suppress(OSError, ValueError, AttributeError):
            print(f"错误 error: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        if args.command == "watch":
            print(bilingual("已停止监视。", "stopped watching."), file=sys.stderr)
            return 0
        print(getattr(exc, "message", INTERRUPTED), file=sys.stderr)      # unchanged, or all new
        return 130


#: The commands that build, and so heed the environment (a bad SOURCE_DATE_EPOCH stops only them).
BUILDING = ("build", "check", "proof", "watch")


def _environment():
    """The environment variables a build heeds, read here once and handed down in the session (none below reads them)."""
    from brochure.workflow.environment import process_environment

    return process_environment()


def _session(args):
    from brochure.runtime.session import Session

    return Session(env=args.env)


def _out_dir(args) -> Path:
    """-o, else out/ beside the content file; a draft's own folder out/draft/ (never among the finished PDFs)."""
    if args.out:
        return Path(args.out)
    out = Path(args.path).absolute().parent / "out"
    return out / "draft" if getattr(args, "draft", False) else out


def _removed(paths) -> None:
    """Files of earlier builds removed because the content no longer makes them."""
    for path in paths:
        print(f"已删除 removed {path}（内容文件中已没有这个输出 / the content file no longer names this output）")


def _drafted(args, outputs) -> None:
    if args.draft and outputs:
        folder = outputs[0].path.parent
        print(f"样稿在 {folder}/ 中，正式的 PDF 未被改动。 / the draft is in {folder}/; the finished PDFs are untouched.")


def _built(output) -> None:
    for w in {str(w): w for w in output.warnings}.values():      # a photo placed at two sizes warns once
        print(w, file=sys.stderr)
    if getattr(output, "unchanged", False):
        print(f"未变 unchanged {output.path}（{output.pages} 页 pages，与上次生成的完全相同 / the same as built last time）")
    else:
        print(f"已生成 built {output.path}（{output.pages} 页 pages）")


def _build(args) -> int:
    # SIGTERM and Ctrl-C say what out/ holds, also while the build is imported or its results printed
    interrupts = Interrupts()
    with interrupts.handled(put_back=not args.ending):
        from brochure.pipeline import build
        from brochure.workflow.check import punctuation

        outputs = build(Path(args.path), _out_dir(args), only=args.only, interrupts=interrupts, draft=args.draft,
                        env=args.env, warn=punctuation)
        for output in outputs:
            _built(output)
        _removed(getattr(outputs, "removed", []))
        _drafted(args, outputs)
    return 0


def _check(args) -> int:
    from brochure.pipeline.commit import settle
    from brochure.workflow.check import check

    out = Path(args.path).absolute().parent / "out"
    for folder in (out, out / "draft"):            # a build cut off in its commit: settled, and said
        note = settle(folder)
        if note:
            print(note, file=sys.stderr)

    report = check(Path(args.path), fix=args.fix or args.output is not None, fix_path=Path(args.output) if args.output else None,
                   force=args.force, draft=args.draft, session=_session(args))
    for error in report.errors:
        print(f"{ERROR_HEAD} {error}", file=sys.stderr)
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    fx = report.fix
    # after --fix, only what is left for the staff member is listed: the rest is done
    shown = [f for f in report.findings if not (fx and f.fixable)]
    for finding in shown:
        text = str(finding)
        if fx:
            text = text.replace("（check --fix 可自动修复）", "").replace(" (check --fix repairs it)", "")
        print(text)
    if report.errors:
        print(bilingual(f"发现 {len(report.errors)} 个错误：请按上面的提示改正后再检查。",
                        f"{plural(len(report.errors), 'error')}: fix them as described above, then check again."),
              file=sys.stderr)
    if fx:
        left_zh = f"还有 {fx.remaining} 处需要您按上面的提示手工修改（它们改动字词或需要判断，不能自动改）。" if fx.remaining else "没有需要手工修改的了。"
        left_en = (f"{plural(fx.remaining, 'finding')} above {'is' if fx.remaining == 1 else 'are'} left for you: "
                   "they change words or need a judgement, so they are not fixed automatically." if fx.remaining
                   else "Nothing is left to fix by hand.")
        print(bilingual(f"已自动修复 {fx.fixed} 处，写入副本 {fx.path}（{args.path} 未改动）；核对后用它替换 {args.path}。{left_zh}",
                        f"fixed {plural(fx.fixed, 'finding')} into the copy {fx.path} ({args.path} is unchanged); "
                        f"check it, then use it in place of {args.path}. {left_en}"))
    elif report.findings:
        fixable = sum(1 for f in report.findings if f.fixable)
        me = _self_command()         # as it works when typed here (after set-up, .venv/bin/brochure)
        hint_zh = f"其中 {fixable} 处可用 {me} check --fix 自动修复，其余请按提示手工修改" if fixable else "请按提示逐处修改"
        hint_en = (f"{me} check --fix repairs {fixable} of them, fix the rest as described" if fixable
                   else "fix them as described")
        print(bilingual(f"发现 {len(report.findings)} 处标点问题，{hint_zh}。",
                        f"{plural(len(report.findings), 'punctuation finding')}; {hint_en}."))
    elif not report.errors:
        me = _self_command()
        print(bilingual(f"检查通过，没有发现问题。下一步：{me} build。", f"check passed, nothing found. Next: {me} build."))
    if args.explain and not report.errors:
        from brochure.workflow.explain import explanation
        print("\n".join(explanation(Path(args.path))))
    return report.status


def _proof(args) -> int:
    interrupts = Interrupts()           # as for build: an interrupt while the PNGs are written says so
    with interrupts.handled(put_back=not args.ending):
        return _proof_with(args, interrupts)


def _proof_with(args, interrupts: Interrupts) -> int:
    from brochure.pipeline import build
    from brochure.workflow.check import punctuation
    from brochure.workflow.proof import proof

    def build_outputs(path, out, only=None, draft=False):
        return build(path, out, only=only, interrupts=interrupts, draft=draft, env=args.env, warn=punctuation)

    result = proof(Path(args.path), _out_dir(args), only=args.only, build=build_outputs, draft=args.draft)
    for output in result.outputs:
        _built(output)
        pngs = [p for p in result.pages if p.name.startswith(f"{output.name}-p")]
        if pngs:
            span = pngs[0].name if len(pngs) == 1 else f"{pngs[0].name} … {pngs[-1].name}"
            print(f"已写出 wrote {pngs[0].parent}/{span}（{len(pngs)} 张 PNG）")
    _removed(getattr(result.outputs, "removed", []) + result.stale)
    _drafted(args, result.outputs)
    print(f"已写出 wrote {result.contact_sheet}（全部 {len(result.pages)} 页的缩略图 / thumbnails of all {len(result.pages)} pages）")
    if args.typesetting:
        from brochure.fonts import FontLibrary
        from brochure.fonts.library import default_cache_dir
        from brochure.workflow.typesetting_proof import write_proof

        library = FontLibrary(Path(args.path).absolute().parent, default_cache_dir(args.env.cache))
        sheet = write_proof(_out_dir(args) / "proof-typesetting.pdf", library)
        print(f"已写出 wrote {sheet}（每条排版规则的前后对比 / each typesetting rule, before and after）")
    return 0


def _preflight(args) -> int:
    """The same settings as the build: the output's press settings in content.yaml, unless options say otherwise."""
    from brochure.press.preflight import main_preflight, setting_value
    from brochure.ground import rules

    args.min_ppi = setting_value("--min-ppi", args.min_ppi)         # words said in both languages, not argparse's
    args.max_ink = setting_value("--max-ink", args.max_ink)
    pdf = Path(args.pdf)
    candidates = [Path(args.content)] if args.content else \
        [pdf.absolute().parent.parent / "content.yaml", Path("content.yaml")]
    defaults = ("默认设置", "the defaults")
    min_ppi, ink, urls, source = rules.MIN_PPI, rules.INK_LIMIT, None, defaults
    # a content file named with --content is read whatever it is (its errors are said); one looked for, if it is there
    found = Path(args.content) if args.content else next((c for c in candidates if c.is_file()), None)
    if found is not None:
        from brochure.content import load

        content = load(found)
        press = content.presses().get(pdf.stem)          # the output this PDF is, by the build's own names
        if press is not None:
            from brochure.content.files import display_path

            min_ppi, ink, urls, source = press.min_ppi, press.ink_limit, [str(content.document.online_url)], \
                (f"文件 {display_path(found)}", display_path(found))
    if args.min_ppi is not None or args.max_ink is not None or args.url:
        options = ("命令行选项", "the command's options")
        source = options if source == defaults else (f"{source[0]}、{options[0]}", f"{source[1]} and {options[1]}")
    return main_preflight(pdf, expect_urls=args.url or urls,
                          min_ppi=args.min_ppi if args.min_ppi is not None else min_ppi,
                          ink_limit=args.max_ink if args.max_ink is not None else ink, source=source)


def _import(args) -> int:
    from brochure.workflow.importer import import_text

    result = import_text(Path(args.text), Path(args.output), force=args.force)
    d = result.draft
    print(bilingual(f"已写出草稿 {result.path}：{len(d.sections)} 节，{result.paragraphs} 段，{len(d.captions)} 张照片，"
                    f"删去重复段落 {d.duplicates} 段。",
                    f"wrote the draft {result.path}: {plural(len(d.sections), 'section')}, "
                    f"{plural(result.paragraphs, 'paragraph')}, {plural(len(d.captions), 'photo')}, "
                    f"{plural(d.duplicates, 'repeated paragraph')} removed."))
    draft, me = shlex.quote(str(result.path)), _self_command()
    if result.photo_files:
        zh_names = "、".join(Path(p).name for p in result.photo_files)
        en_names = ", ".join(Path(p).name for p in result.photo_files)
        wanted = args.placeholders
        if wanted is None:
            wanted = _ask_yes("为草稿的照片生成占位图吗？（已有的照片不会被覆盖）/ "
                              "Make placeholder photos for the draft (real photos are never overwritten)? [Y/n] ")
        if wanted:
            from brochure.workflow.placeholders import make_placeholders

            make_placeholders(result.path, echo=print, warn=lambda line: print(line, file=sys.stderr))
            print(bilingual(f"拿到实拍照片后，用同样的文件名放进 images/（{zh_names}）替换占位图。",
                            f"When the real photos come, save them into images/ under the same names ({en_names})."))
        else:
            command = f"{me} placeholders {draft}"
            print(bilingual(f"请把照片放进 images/（{zh_names}），或运行 {command} 生成占位图。",
                            f"Put the photos into images/ ({en_names}), or run {command} for placeholders."))
    if d.todo:
        print(bilingual(f"请补上标为【待填】的内容：{'、'.join(d.todo)}。", f"Fill in what is marked 【待填】: {', '.join(d.todo)}."))
    print(bilingual(f"草稿中的“导入判断”注释需要人工核对；之后运行 {me} check {draft}；"
                    f"填完之前可用 {me} build --draft {draft} 出带水印的样稿。",
                    f"Check the import notes ('导入判断') in the draft, then run {me} check {draft}; until it is filled "
                    f"in, {me} build --draft {draft} makes a watermarked proof."))
    return 0


def _ask_yes(question: str) -> bool:
    """A yes/no question answered on a terminal, yes by default; yes without asking when there is no terminal."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return True
    try:
        answer = input(question).strip().lower()
    except EOFError:
        return True
    return answer not in ("n", "no", "否", "不")


def _self_command() -> str:
    """This program as a command that works when typed here: the ``brochure`` script run, else ``python -m brochure``."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "brochure" and script.is_file() and os.access(script, os.X_OK):
        return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m brochure"


def _placeholders(args) -> int:
    from brochure.workflow.placeholders import make_placeholders

    path = Path(args.path)
    made = make_placeholders(path, force=args.force, echo=print, warn=lambda line: print(line, file=sys.stderr))
    count = sum(m.status == 'made' for m in made)
    print(bilingual(f"已生成 {count} 张占位图。", f"made {plural(count, 'placeholder')}."))
    return 0


def _watch(args) -> int:
    from brochure.workflow.watch import watch

    def stop(*_):
        raise KeyboardInterrupt      # a build in progress cleans up its temporary files

    for sig in (signal.SIGTERM, signal.SIGHUP):       # kill, or the terminal closed (not under nohup)
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, stop)
    watch(Path(args.path), _out_dir(args), only=args.only, echo=lambda line: print(line, flush=True), draft=args.draft,
          env=args.env)
    return 0


def _edit(args) -> int:
    from brochure.workflow.editor import edit

    def stop(*_):
        raise KeyboardInterrupt      # SIGTERM stops it as Ctrl+C does

    signal.signal(signal.SIGTERM, stop)
    edit(Path(args.path), Path(args.out) if args.out else None, open_browser=not args.no_browser,
         echo=lambda line: print(line, flush=True))
    return 0


COMMANDS = {"build": _build, "check": _check, "proof": _proof, "import": _import, "watch": _watch,
            "placeholders": _placeholders, "edit": _edit}
