#!/usr/bin/env python3
"""Make clearly-labelled placeholder photos for every entry under photos: in content.yaml.

    .venv/bin/python tools/make_placeholders.py [--force] [--content content.yaml]

The same as ``brochure placeholders [content.yaml] [--force]`` (the code is
``brochure.workflow.placeholders``); kept for tools/setup.sh.
已有的图片不会被覆盖（实拍照片是安全的），除非加 --force。
Existing images are never overwritten (real photos are safe) unless --force is given.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from brochure.workflow.placeholders import make_placeholders  # noqa: E402  (after the path is set)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Make placeholder photos for content.yaml (never overwrites without --force).")
    ap.add_argument("--force", action="store_true", help="overwrite existing images 覆盖已有图片")
    ap.add_argument("--content", type=Path, default=ROOT / "content.yaml", help="content file (default: content.yaml)")
    args = ap.parse_args(argv)
    make_placeholders(args.content, force=args.force, echo=print, warn=lambda line: print(line, file=sys.stderr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
