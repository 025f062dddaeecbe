"""What preflight found: a ``Report`` of ``Check``s, each pass / warn / fail with a Chinese and an English message."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from brochure.ground.words import plural

PASS, WARN, FAIL = "pass", "warn", "fail"


@dataclass
class Check:
    name: str
    status: str                      # pass | warn | fail
    zh: str
    en: str
    details: list[str] = field(default_factory=list)

    def line(self) -> str:
        mark = {PASS: "✓", WARN: "!", FAIL: "✗"}[self.status]
        return f"{mark} {self.name}: {self.zh} / {self.en}"


@dataclass
class Report:
    path: str
    checks: list[Check] = field(default_factory=list)
    settings: dict = field(default_factory=dict)      # what the PDF was checked against

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def by_name(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def add(self, name: str, status: str, zh: str, en: str, details: list[str] | None = None) -> Check:
        c = Check(name, status, zh, en, list(details or []))
        self.checks.append(c)
        return c

    def verdict(self, name: str, problems: list[str], failed: tuple[str, str], passed: tuple[str, str]) -> Check:
        """FAIL with ``problems`` as its details when there are any, else PASS."""
        if problems:
            return self.add(name, FAIL, *failed, problems)
        return self.add(name, PASS, *passed)

    def summary(self) -> str:
        fails = sum(c.status == FAIL for c in self.checks)
        warns = sum(c.status == WARN for c in self.checks)
        if fails:
            head = (f"印前检查未通过：{fails} 项错误，{warns} 项警告 / "
                    f"preflight FAILED: {plural(fails, 'error')}, {plural(warns, 'warning')}")
        elif warns:
            head = f"印前检查通过，有 {warns} 项警告 / preflight passed with {plural(warns, 'warning')}"
        else:
            head = "印前检查通过 / preflight passed"
        lines = [f"{self.path}: {head}"]
        for c in self.checks:
            if c.status != PASS:
                lines.append("  " + c.line())
                lines.extend(f"      {d}" for d in c.details[:5])
                if len(c.details) > 5:
                    lines.append(f"      … (+{len(c.details) - 5})")
        return "\n".join(lines)

    def to_json(self) -> str:
        """The report as JSON; the PDF by its file name only (the report sits beside it), so no folder,
        user name or machine is written into it and the same PDF gives the same report anywhere."""
        return json.dumps({"path": self.path.replace("\\", "/").rsplit("/", 1)[-1], "ok": self.ok,
                           "settings": self.settings,
                           "checks": [asdict(c) for c in self.checks]},
                          ensure_ascii=False, indent=2)
