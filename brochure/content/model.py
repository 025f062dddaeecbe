"""The typed content model: what content.yaml means, after validation.

Every text field is a ``Text``: a ``str`` that remembers where in content.yaml
it came from, so later stages (font coverage, copy-fitting) can name the place.
Lengths are in millimetres, type sizes in points, colours CMYK in percent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from brochure.ground.errors import Location
from brochure.ground.layout_rules import LayoutRules
from brochure.ground.rules import BROCHURE, INK_LIMIT, MIN_PPI, X1A, poster_file


class Text(str):
    """A string from content.yaml that knows its source location."""

    where: Location | None

    def __new__(cls, value: str, where: Location | None = None):
        obj = super().__new__(cls, value)
        obj.where = where
        return obj


CMYK = tuple[float, float, float, float]


# --- the words -----------------------------------------------------------

@dataclass
class Document:
    title: Text
    author: Text
    publisher: Text
    date: Text                 # as printed, e.g. "2022年9月"
    language: str = "zh-CN"
    online_url: Text = Text("")
    call_to_action: Text = Text("扫码阅读电子版")
    address: Text | None = None    # the publisher's address, printed on the back cover as written
    contact: Text | None = None    # phone or e-mail, printed on the back cover as written


@dataclass
class Masthead:
    slogan: Text               # 奋进新征程 建功新时代
    title: Text                # 非凡10年·渌口篇


@dataclass
class Honours:
    title: Text                # 荣誉榜
    note: Text                 # （摘选）
    items: list[Text]
    orientation: str = "horizontal"   # or "vertical" (竖排)


#: Where a photo can stand in its section: above the columns or below them.
PHOTO_POSITIONS = ("top", "bottom")


@dataclass
class Photo:
    id: str
    file: Path                 # resolved, absolute
    caption: Text              # without the leading ▲; the renderer adds it
    credit: Text               # e.g. 李健 摄 / 渌口区融媒体中心 供图
    span: int | None = None    # columns; 0 means all columns; None: the layout chooses
    position: str = "top"      # one of PHOTO_POSITIONS
    fit: str = "cover"         # cover | contain
    focus: tuple[float, float] = (0.5, 0.5)   # focal point, 0..1 from left/top
    aspect: float = 1.5        # width / height of the placed frame
    pixels: tuple[int, int] | None = None   # the photo as seen (EXIF orientation applied): its own shape
    where: Location | None = None       # the photo's entry under photos:
    file_where: Location | None = None  # its file: value, where image errors point


@dataclass
class Section:
    letter: Text               # A, C, E ...
    headline: Text
    paragraphs: list[Text]
    photos: list[str] = field(default_factory=list)   # Photo ids, in order
    summary: Text | None = None  # for posters; falls back to first paragraph


@dataclass
class Lead:
    """The main story on the front page: headline, byline, preface."""

    headline: Text
    byline: Text
    preface_title: Text
    preface: list[Text]
    kicker: Text | None = None
    photo: str | None = None   # Photo id of the lead photo


@dataclass
class Figure:
    """A key figure for posters: a big number with its label."""

    value: Text                # "32"
    unit: Text                 # "家"
    label: Text                # "高分子新材料产业链企业"
    source: Text               # the sentence it comes from (must occur in the text)


# --- the settings ----------------------------------------------------------

@dataclass
class FontRole:
    family: str                # a Text when it comes from content.yaml, so errors can name its place
    style: str = "Regular"


@dataclass
class Fonts:
    body: FontRole
    heading: FontRole
    display: FontRole          # masthead and poster titles
    caption: FontRole


@dataclass
class Typography:
    body_size: float = 9.5     # pt
    leading: float = 15.0      # pt; the baseline grid step
    cjk_latin_space: float = 0.25   # em
    indent: float = 2.0        # em
    caption_size: float = 8.0


@dataclass
class Press:
    bleed: float = 3.0         # mm
    safety: float = 5.0        # mm
    marks: bool = True
    color_bar: bool = False
    slug: bool = False
    pdfx: str = X1A                # or X4
    output_profile: str = "default"   # "default" = Ghostscript's SWOP CMYK, or a path to .icc
    output_condition: str = "CGATS TR 001"
    ink_limit: float = INK_LIMIT   # percent
    min_ppi: float = MIN_PPI       # posters: POSTER_MIN_PPI


@dataclass
class PageSpec:
    width: float               # mm, trim
    height: float              # mm, trim


@dataclass
class BrochureSettings:
    page: PageSpec
    margins: tuple[float, float, float, float] = (15.0, 15.0, 18.0, 15.0)  # top, outer, bottom, inner mm
    columns: int = 3
    front_columns: int = 3
    gutter: float = 5.0        # mm
    press: Press = field(default_factory=Press)


@dataclass
class Poster:
    name: str
    page: PageSpec
    shows: list[str]           # title, hero, figures, honours, summaries, qr
    hero: str | None = None    # Photo id
    distance: float = 2.5      # m, reading distance: sets the smallest type size
    scan_distance: float = 1.5 # m, from which a visitor scans the QR code: sets its size (≥ 1/10); default 0.6 × distance, at most 1.5
    foot: float = 0.0          # mm kept free at the bottom (roll-up stand)
    margin: float | None = None  # mm, at least, from the trim to anything printed but the backgrounds; None: automatic
    press: Press = field(default_factory=Press)
    where: Location | None = None


@dataclass
class Palette:
    accent: CMYK = (0, 100, 100, 10)
    accent_dark: CMYK = (10, 100, 100, 40)
    tint: CMYK = (0, 8, 15, 0)
    text: CMYK = (0, 0, 0, 100)
    rich_black: CMYK = (60, 40, 40, 100)


@dataclass
class Content:
    source: Path               # content.yaml, absolute
    root: Path                 # folder that images/ and fonts/ resolve against
    document: Document
    masthead: Masthead
    honours: Honours
    lead: Lead
    sections: list[Section]
    photos: dict[str, Photo]
    figures: list[Figure]
    fonts: Fonts
    typography: Typography
    palette: Palette
    brochure: BrochureSettings
    posters: list[Poster]
    warnings: list = field(default_factory=list)   # BuildWarnings found while reading (e.g. a mislabelled photo)
    layout: LayoutRules = field(default_factory=LayoutRules)   # the composition rules, as content.yaml tunes them

    def presses(self) -> dict[str, "Press"]:
        """Each output by its name (its file name without ``.pdf``: brochure, poster-NAME) and the press
        settings it is finished and preflighted under."""
        return {BROCHURE: self.brochure.press, **{poster_file(p.name): p.press for p in self.posters}}

    def texts(self):
        """Every user-visible Text in reading order (for coverage checks and tests)."""
        yield self.masthead.slogan
        yield self.masthead.title
        yield self.honours.title
        yield self.honours.note
        yield from self.honours.items
        if self.lead.kicker:
            yield self.lead.kicker
        yield self.lead.headline
        yield self.lead.byline
        yield self.lead.preface_title
        yield from self.lead.preface
        for s in self.sections:
            yield s.letter
            yield s.headline
            yield from s.paragraphs
            if s.summary:
                yield s.summary
        for p in self.photos.values():
            yield p.caption
            yield p.credit
        for f in self.figures:
            yield f.value
            yield f.unit
            yield f.label
        yield self.document.call_to_action
        yield self.document.publisher
        yield self.document.date
        if self.document.address:
            yield self.document.address
        if self.document.contact:
            yield self.document.contact
        yield self.document.online_url
