"""The command line: thin.  Parses arguments, calls the pipeline or a workflow module, prints bilingual results.

Errors in the user's input (BrochureError) print as ``file:line:col: 中文 / English``
with exit status 2 and no traceback.

Each command imports its pipeline or workflow module inside its function: they
bring in ReportLab, pikepdf, PDFium and PIL, and a command (or ``--help``) loads
only what it uses, which keeps start-up short.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from brochure.ground.errors import INTERRUPTED, BrochureError
from brochure.ground.interrupts import Interrupts


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="brochure", description="从 content.yaml 生成可印刷的宣传册与展板 PDF / "
                                "print-ready brochure and poster PDFs from content.yaml")
    sub = p.add_subparsers(dest="command", required=True)

    def content_arg(cmd):
        cmd.add_argument("path", nargs="?", default="content.yaml", help="内容文件 / content file (default content.yaml)")

    def out_arg(cmd):
        cmd.add_argument("-o", "--out", default=None, help="输出文件夹 / output folder (default: out/ beside the content file)")
        cmd.add_argument("--only", default=None, help="只生成一个输出 / build one output: brochure or a poster name")

    b = sub.add_parser("build", help="生成 PDF / build the PDFs")
    content_arg(b)
    out_arg(b)

    c = sub.add_parser("check", help="只检查、不生成 PDF / check without writing PDFs")
    content_arg(c)
    c.add_argument("--fix", action="store_true", help="把可安全修复的标点问题写入副本 / write the safe fixes to a copy")
    c.add_argument("-o", "--output", default=None, help="修复副本的文件名 / name of the fixed copy (default content.fixed.yaml)")
    c.add_argument("--force", action="store_true", help="覆盖已有的副本 / overwrite an existing copy")

    pr = sub.add_parser("proof", help="生成 PDF 和逐页 PNG 校样 / build, then PNG proofs of every page")
    content_arg(pr)
    out_arg(pr)
    pr.add_argument("--typesetting", action="store_true",
                    help="另写排版规则校样 out/proof-typesetting.pdf / also write the typesetting rules proof")

    i = sub.add_parser("import", help="把报纸纯文本转成 content.yaml 草稿 / plain newspaper text -> draft content.yaml")
    i.add_argument("text", help="纯文本文件 / the plain-text file")
    i.add_argument("-o", "--output", default="content.yaml", help="草稿文件名 / the draft to write (default content.yaml)")
    i.add_argument("--force", action="store_true", help="覆盖已有文件 / overwrite an existing file")

    w = sub.add_parser("watch", help="保存后自动重建 / rebuild on every save")
    content_arg(w)
    out_arg(w)

    f = sub.add_parser("preflight", help="印前检查 PDF / preflight a PDF")
    f.add_argument("pdf", help="PDF 文件 / the PDF file")
    f.add_argument("--url", action="append", default=None, help="二维码应指向的网址 / expected QR URL")
    return p


def run() -> None:
    """The ``brochure`` command: ``main``, then leave without tearing the interpreter down.

    Everything is written and closed by the time ``main`` returns; freeing every
    object of ReportLab, pikepdf and PDFium one by one at exit took ~70 ms, a
    sixth of a build.  So the streams are flushed and the process ends at once.
    """
    argv = sys.argv[1:]
    try:
        code = main(argv, ending=True)
    except SystemExit as exc:          # argparse: --help, usage errors
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt as exc:   # after main had returned: its own handler says what out/ holds
        print(getattr(exc, "message", INTERRUPTED), file=sys.stderr)
        code = 130
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
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
        if args.command == "preflight":
            from brochure.press.preflight import main_preflight

            return main_preflight(Path(args.pdf), expect_urls=args.url)
        return COMMANDS[args.command](args)
    except BrochureError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt as exc:
        if args.command == "watch":
            print("已停止监视。 / stopped watching.", file=sys.stderr)
            return 0
        print(getattr(exc, "message", INTERRUPTED), file=sys.stderr)      # unchanged, or all new
        return 130


def _out_dir(args) -> Path:
    return Path(args.out) if args.out else Path(args.path).absolute().parent / "out"


def _built(output) -> None:
    for w in output.warnings:
        print(w, file=sys.stderr)
    if getattr(output, "unchanged", False):
        print(f"未变 unchanged {output.path}（{output.pages} 页 pages，与上次生成的完全相同 / the same as built last time）")
    else:
        print(f"已生成 built {output.path}（{output.pages} 页 pages）")


def _build(args) -> int:
    # SIGTERM and Ctrl-C say what out/ holds, also while the build is imported or its results printed
    interrupts = Interrupts()
    with interrupts.handled(put_back=not args.ending):
        from brochure.build import build

        for output in build(Path(args.path), _out_dir(args), only=args.only, interrupts=interrupts):
            _built(output)
    return 0


def _check(args) -> int:
    from brochure.workflow.check import check

    report = check(Path(args.path), fix=args.fix or args.output is not None, fix_path=Path(args.output) if args.output else None, force=args.force)
    for error in report.errors:
        print(f"错误 error: {error}", file=sys.stderr)
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    for finding in report.findings:
        print(finding)
    fixable = sum(1 for f in report.findings if f.fixable)
    if report.errors:
        print(f"发现 {len(report.errors)} 个错误：请按上面的提示改正后再检查。 / "
              f"{len(report.errors)} error(s): fix them as described above, then check again.", file=sys.stderr)
    elif report.findings:
        hint_zh = f"其中 {fixable} 处可用 brochure check --fix 自动修复" if fixable and not report.fix else "请逐处修改"
        hint_en = f"brochure check --fix repairs {fixable} of them" if fixable and not report.fix else "fix them one by one"
        print(f"发现 {len(report.findings)} 处标点问题，{hint_zh}。 / {len(report.findings)} punctuation finding(s); {hint_en}.")
    else:
        print("检查通过，没有发现问题。下一步：brochure build。 / check passed, nothing found. Next: brochure build.")
    if report.fix:
        fx = report.fix
        print(f"已写出 wrote {fx.path}：自动修复 {fx.fixed} 处，还有 {fx.remaining} 处需手工修改；核对后用它替换 {args.path}。 / "
              f"{fx.fixed} fixed, {fx.remaining} left for you; check it, then use it in place of {args.path}.")
    return report.status


def _proof(args) -> int:
    interrupts = Interrupts()           # as for build: an interrupt while the PNGs are written says so
    with interrupts.handled(put_back=not args.ending):
        return _proof_with(args, interrupts)


def _proof_with(args, interrupts: Interrupts) -> int:
    from brochure.build import build
    from brochure.workflow.proof import proof

    def build_outputs(path, out, only=None):
        return build(path, out, only=only, interrupts=interrupts)

    result = proof(Path(args.path), _out_dir(args), only=args.only, build=build_outputs)
    for output in result.outputs:
        _built(output)
        pngs = [p for p in result.pages if p.name.startswith(f"{output.name}-p")]
        if pngs:
            span = pngs[0].name if len(pngs) == 1 else f"{pngs[0].name} … {pngs[-1].name}"
            print(f"已写出 wrote {pngs[0].parent}/{span}（{len(pngs)} 张 PNG）")
    print(f"已写出 wrote {result.contact_sheet}（全部 {len(result.pages)} 页的缩略图 / thumbnails of all {len(result.pages)} pages）")
    if args.typesetting:
        from brochure.fonts import FontLibrary
        from brochure.workflow.typesetting_proof import write_proof

        sheet = write_proof(_out_dir(args) / "proof-typesetting.pdf", FontLibrary(Path(args.path).absolute().parent))
        print(f"已写出 wrote {sheet}（每条排版规则的前后对比 / each typesetting rule, before and after）")
    return 0


def _import(args) -> int:
    from brochure.workflow.importer import import_text

    result = import_text(Path(args.text), Path(args.output), force=args.force)
    d = result.draft
    print(f"已写出草稿 wrote draft {result.path}：{len(d.sections)} 节 sections，{result.paragraphs} 段 paragraphs，"
          f"{len(d.captions)} 张照片 photos，删去重复段落 {d.duplicates} 段 repeated paragraphs removed。")
    if result.photo_files:
        names = "、".join(Path(p).name for p in result.photo_files)
        print(f"请把照片放进 images/（{names}），或运行 python tools/make_placeholders.py 生成占位图。 / "
              f"Put the photos into images/ ({', '.join(Path(p).name for p in result.photo_files)}), "
              "or run python tools/make_placeholders.py for placeholders.")
    if d.todo:
        print(f"请补上标为【待填】的内容 / fill in what is marked 【待填】: {', '.join(d.todo)}")
    print(f"草稿中的“导入判断”注释需要人工核对；之后运行 brochure check {result.path}。 / "
          f"Check the import notes in the draft, then run brochure check {result.path}.")
    return 0


def _watch(args) -> int:
    from brochure.workflow.watch import watch

    def stop(*_):
        raise KeyboardInterrupt      # a build in progress cleans up its temporary files

    signal.signal(signal.SIGTERM, stop)
    watch(Path(args.path), _out_dir(args), only=args.only, echo=lambda line: print(line, flush=True))
    return 0


COMMANDS = {"build": _build, "check": _check, "proof": _proof, "import": _import, "watch": _watch}
