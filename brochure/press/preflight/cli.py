"""``brochure preflight FILE``: print the summary and write FILE.preflight.json beside the PDF."""
from __future__ import annotations

import json
from pathlib import Path

from brochure.ground.rules import INK_LIMIT, MIN_PPI
from brochure.ground.errors import BrochureError

from .run import preflight


def report_path(pdf: Path) -> Path:
    """Where the JSON report for ``pdf`` goes: FILE.preflight.json beside it."""
    pdf = Path(pdf)
    return pdf.with_name(pdf.stem + ".preflight.json")


def main_preflight(path, *, expect_urls: list[str] | None = None, min_ppi: float = MIN_PPI,
                   ink_limit: float = INK_LIMIT, source: str = "") -> int:
    """Command-line use: print the summary, write FILE.preflight.json, return 0 (ok) or 1.

    ``source`` says where the settings came from (content.yaml, the options or the defaults).
    A report already beside the PDF that was made under other settings is replaced, and the
    message says so and what changed.
    """
    path = Path(path)
    if not path.is_file():
        err = BrochureError(f"找不到文件 {path}", f"file not found: {path}")
        print(err)
        return 1
    report = preflight(path, expect_urls=expect_urls, min_ppi=min_ppi, ink_limit=ink_limit)
    if source:
        print(f"检查设置 settings: 最低 {min_ppi:g} ppi，总墨量 ≤ {ink_limit:g}%（{source}） / "
              f"min {min_ppi:g} ppi, total ink ≤ {ink_limit:g}% ({source})")
    print(report.summary())
    before = _settings_of(report_path(path))
    if before is not None and before != report.settings:
        changed = ", ".join(f"{k}: {before.get(k)!r} -> {v!r}" for k, v in report.settings.items() if before.get(k) != v)
        print(f"注意：{report_path(path).name} 原来是按另一套设置检查的，现已按上面的设置重写（{changed}）。 / "
              f"note: {report_path(path).name} had been made under other settings and is now rewritten ({changed}).")
    try:
        report_path(path).write_text(report.to_json() + "\n", encoding="utf-8")
    except OSError as e:
        print(f"无法写入检查报告 / cannot write the report: {e}")
    return 0 if report.ok else 1


def _settings_of(report: Path) -> dict | None:
    """The settings an existing JSON report was made under (None: no report, or one from before they were kept)."""
    try:
        return json.loads(report.read_text(encoding="utf-8")).get("settings")
    except (OSError, ValueError, AttributeError):
        return None
