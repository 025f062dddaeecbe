#!/usr/bin/env python3
"""Make clearly-labelled placeholder photos for every entry under photos: in content.yaml.

    .venv/bin/python tools/make_placeholders.py [--force] [--content content.yaml]

The same as ``brochure placeholders [content.yaml] [--force]`` (the code is
``brochure.workflow.placeholders``); kept for tools/setup.sh.
实拍照片从不被覆盖；--force 只重画本工具以前生成的占位图。一个读不了的 content.yaml
像 ``brochure check`` 那样报告（文件:行:列），退出状态 2。
A real photo is never replaced; --force only draws again the placeholders this tool made.
A content.yaml that cannot be read is reported as ``brochure check`` reports it (file:line:col), exit status 2.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from brochure.ground.errors import BrochureError  # noqa: E402  (after the path is set)
from brochure.workflow.placeholders import make_placeholders  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Make placeholder photos for content.yaml (a real photo is never replaced).")
    ap.add_argument("--force", action="store_true",
                    help="重画本工具生成的占位图 / draw again the placeholders this tool made")
    ap.add_argument("--content", type=Path, default=ROOT / "content.yaml", help="content file (default: content.yaml)")
    args = ap.parse_args(argv)
    try:
        make_placeholders(args.content, force=args.force, echo=print, warn=lambda line: print(line, file=sys.stderr))
    except BrochureError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("已中断。 / interrupted.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
