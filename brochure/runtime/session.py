"""Session: what one build (or one ``brochure watch``) keeps while it runs, handed to the stages.

Nothing of the kind lives at module level: a build makes a Session and passes it
down, so two sessions (or two tests) never share memory by accident.  It holds
the process ``env`` (the environment variables a build heeds, read once by the
command line), the cache ``store``, the font library the build opened (set by
the build; typed loosely, this floor imports nothing above it), and named
in-memory memos, e.g. ``session.memo("lines")`` for paragraphs already set.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from brochure.ground.errors import BrochureError
from brochure.runtime.store import Store

#: The last second a PDF date can name (9999-12-31 23:59:59 UTC): its year has four digits.
LAST_PDF_SECOND = 253402300799


@dataclass(frozen=True)
class Environment:
    """The environment variables a build heeds, read once at the command line (``read``) and passed down.

    ``cache``: where the store keeps entries ($XDG_CACHE_HOME/brochure, else ~/.cache/brochure;
    None keeps them in memory only); ``jobs``: $BROCHURE_JOBS, how many processes a build may use
    (None: one per CPU core); ``source_date_epoch``: $SOURCE_DATE_EPOCH, the document date in
    seconds since 1970 (None: the newest input's modification time).  ``Environment()`` heeds
    nothing: memory-only cache, every core, dates from the files.
    """

    cache: Path | None = None
    jobs: int | None = None
    source_date_epoch: int | None = None

    @classmethod
    def read(cls, environ: Mapping[str, str], home: Path | None = None) -> "Environment":
        """The values ``environ`` sets (``os.environ`` at the command line); ``home`` the user's home
        folder, for the default cache.  A SOURCE_DATE_EPOCH that is not a date is refused."""
        base = environ.get("XDG_CACHE_HOME") or (str(home / ".cache") if home is not None else "")
        jobs = environ.get("BROCHURE_JOBS", "")
        return cls(cache=Path(base) / "brochure" if base else None,
                   jobs=int(jobs) if jobs.isdigit() and int(jobs) > 0 else None,
                   source_date_epoch=source_date_epoch(environ.get("SOURCE_DATE_EPOCH", "")))


def source_date_epoch(text: str) -> int | None:
    """``text`` (a SOURCE_DATE_EPOCH value) as whole seconds since 1970, None when empty.

    Anything else (a word, a fraction, a sign, a year past 9999) is refused: a PDF
    date has whole seconds and a four-digit year, and a wrong one would print.
    """
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and int(text) <= LAST_PDF_SECOND:
        return int(text)
    raise BrochureError(
        f"环境变量 SOURCE_DATE_EPOCH 的值“{text}”不是可用的日期。请写 1970 年以来的整秒数"
        f"（0 到 {LAST_PDF_SECOND}，即 9999 年年底以前，例如 1700000000），或删去这个变量，改用文件的修改时间。",
        f"the environment variable SOURCE_DATE_EPOCH is '{text}', which is not a usable date. Set it to whole "
        f"seconds since 1970 (0 to {LAST_PDF_SECOND}, before the end of the year 9999, e.g. 1700000000), "
        f"or unset it to date the PDFs by the files' modification times.")


@dataclass
class Session:
    store: Store = None                                   # type: ignore[assignment]  # None: made from ``env``
    fonts: object = None                                  # brochure.fonts.FontLibrary, opened by the build
    memos: dict[str, dict] = field(default_factory=dict, repr=False)
    env: Environment = field(default_factory=Environment)

    def __post_init__(self):
        if self.store is None:
            self.store = Store(self.env.cache)

    @classmethod
    def in_memory(cls, env: Environment | None = None) -> "Session":
        """A session whose store keeps nothing on disk (tests, experiments)."""
        return cls(store=Store(None), env=env or Environment())

    def memo(self, name: str) -> dict:
        """The in-memory table ``name`` of this session (made empty on first use)."""
        return self.memos.setdefault(name, {})
