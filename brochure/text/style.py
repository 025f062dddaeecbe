"""TextStyle: how a piece of text is set (face, size, grid step, colour, alignment)."""
from __future__ import annotations

from dataclasses import dataclass, field

from brochure.fonts import Face

ALIGNMENTS = ("justify", "left", "center", "right")


@dataclass
class TextStyle:
    face: Face
    size: float                       # pt
    leading: float                    # pt: the baseline grid step
    color: tuple[float, float, float, float] = (0, 0, 0, 100)   # CMYK, percent
    align: str = "justify"            # justify | left | center | right
    indent: float = 0.0               # first-line indent, em (body text uses 2)
    cjk_latin_space: float = 0.25     # em between Han and Western letters/digits
    overprint: bool = False           # K100 text overprints on press
    #: a display line (headline, summary, label, honour item): broken between words, never with a
    #: last line of a few characters, and balanced when not justified (``brochure.text.words``)
    display: bool = False
    #: where set paragraphs are remembered (``brochure.text.store.LineSetter``; None: set every time)
    setter: object = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.align not in ALIGNMENTS:
            raise ValueError(f"align must be one of {ALIGNMENTS}, not {self.align!r}")

    @property
    def baseline_offset(self) -> float:
        """pt from the top of a line box down to the baseline (same in every box: a grid)."""
        body = (self.face.ascent + self.face.descent) * self.size
        return (self.leading - body) / 2 + self.face.ascent * self.size
