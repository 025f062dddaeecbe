"""The draft an import makes of newspaper text: what was recognised, with the notes to check."""
from __future__ import annotations

from dataclasses import dataclass, field

from brochure.content.unfinished import PLACEHOLDER

#: What the draft writes where the text did not say: the placeholder ``build`` refuses to print.
TODO = PLACEHOLDER


@dataclass
class Paragraph:
    text: str
    order: int
    notes: list[tuple[str, str]] = field(default_factory=list)   # (中文, English)


@dataclass
class Section:
    letter: str
    headline: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)   # (中文, English)


@dataclass
class Caption:
    caption: str
    credit: str


@dataclass
class Draft:
    source_name: str
    masthead: list[str] = field(default_factory=list)
    honours_title: str = ""
    honours_note: str = ""
    honours: list[str] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)
    headline: str = ""
    byline: str = ""
    preface: list[Paragraph] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    duplicates: int = 0
    todo: list[str] = field(default_factory=list)      # fields left as TODO

    def photo_files(self) -> list[str]:
        """Where the draft expects the photos of its captions, in order."""
        return [f"images/photo-{n}.jpg" for n in range(1, len(self.captions) + 1)]
