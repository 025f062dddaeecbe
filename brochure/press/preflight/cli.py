"""``brochure preflight FILE``: print the summary and write FILE.preflight.json beside the PDF."""
from __future__ import annotations

from pathlib import Path

from brochure.ground.errors import BrochureError

from .run import preflight


def report_path(pdf: Path) -> Path:
    """Where the JSON report for ``pdf`` goes: FILE.preflight.json beside it."""
    pdf = Path(pdf)
    return pdf.with_name(pdf.stem + ".preflight.json")


def main_preflight(path, *, expect_urls: list[str] | None = None, min_ppi: float = 300,
                   ink_limit: float = 300) -> int:
    """Command-line use: print the summary, write FILE.preflight.json, return 0 (ok) or 1."""
    path = Path(path)
    if not path.is_file():
        err = BrochureError(f"找不到文件 {path}", f"file not found: {path}")
        print(err)
        return 1
    report = preflight(path, expect_urls=expect_urls, min_ppi=min_ppi, ink_limit=ink_limit)
    print(report.summary())
    try:
        report_path(path).write_text(report.to_json() + "\n", encoding="utf-8")
    except OSError as e:
        print(f"无法写入检查报告 / cannot write the report: {e}")
    return 0 if report.ok else 1
