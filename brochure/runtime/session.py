"""Session: what one build (or one ``brochure watch``) keeps while it runs, handed to the stages.

Nothing of the kind lives at module level: a build makes a Session and passes it
down, so two sessions (or two tests) never share memory by accident.  It holds
the cache ``store``, the font library the build opened (set by the build; typed
loosely, this floor imports nothing of the package), and named in-memory memos,
e.g. ``session.memo("lines")`` for paragraphs already set.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from brochure.runtime.store import Store


@dataclass
class Session:
    store: Store = field(default_factory=Store)
    fonts: object = None                                  # brochure.fonts.FontLibrary, opened by the build
    memos: dict[str, dict] = field(default_factory=dict, repr=False)

    @classmethod
    def in_memory(cls) -> "Session":
        """A session whose store keeps nothing on disk (tests, experiments)."""
        return cls(store=Store(None))

    def memo(self, name: str) -> dict:
        """The in-memory table ``name`` of this session (made empty on first use)."""
        return self.memos.setdefault(name, {})
