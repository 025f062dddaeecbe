"""The command line: thin.  Parses arguments, calls the pipeline, prints bilingual results.

Errors in the user's input (BrochureError) print as ``file:line:col: 中文 / English``
with exit status 2 and no traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="brochure", description="从 content.yaml 生成可印刷的宣传册与展板 PDF / "
                                "print-ready brochure and poster PDFs from content.yaml")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="生成 PDF / build the PDFs")
    b.add_argument("path", nargs="?", default="content.yaml", help="内容文件 / content file (default content.yaml)")
    b.add_argument("-o", "--out", default=None, help="输出文件夹 / output folder (default: out/ beside the content file)")
    b.add_argument("--only", default=None, help="只生成一个输出 / build one output: brochure or a poster name")
    f = sub.add_parser("preflight", help="印前检查 PDF / preflight a PDF")
    f.add_argument("pdf", help="PDF 文件 / the PDF file")
    f.add_argument("--url", action="append", default=None, help="二维码应指向的网址 / expected QR URL")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from brochure.errors import BrochureError

    try:
        if args.command == "build":
            return _build(args)
        if args.command == "preflight":
            from brochure.press.preflight import main_preflight

            return main_preflight(Path(args.pdf), expect_urls=args.url)
    except BrochureError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("已中断，out/ 中原有的 PDF 未被改动。 / interrupted; the PDFs in out/ are unchanged.", file=sys.stderr)
        return 130
    return 1


def _build(args) -> int:
    from brochure.build import build

    path = Path(args.path)
    out = Path(args.out) if args.out else path.absolute().parent / "out"
    for output in build(path, out, only=args.only):
        for w in output.warnings:
            print(w, file=sys.stderr)
        print(f"已生成 built {output.path}（{output.pages} 页 pages）")
    return 0
