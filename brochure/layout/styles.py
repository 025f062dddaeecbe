"""The type styles of a composition, built from content.yaml's fonts, sizes and palette."""
from __future__ import annotations

from dataclasses import dataclass, replace

from brochure.content.model import Content
from brochure.ground.colour import WHITE
from brochure.text import TextStyle


@dataclass
class Styles:
    body: TextStyle
    preface: TextStyle
    preface_title: TextStyle
    headline: TextStyle
    kicker: TextStyle
    byline: TextStyle
    section: TextStyle
    badge: TextStyle
    caption: TextStyle
    sidebar_title: TextStyle
    sidebar_item: TextStyle
    slogan: TextStyle
    masthead: TextStyle
    running: TextStyle
    # the back cover (brochure.layout.back)
    back_slogan: TextStyle
    back_masthead: TextStyle
    figures_title: TextStyle
    figure_number: TextStyle
    figure_unit: TextStyle
    figure_label: TextStyle
    call_to_action: TextStyle
    url: TextStyle
    publisher: TextStyle
    imprint: TextStyle


def brochure_styles(content: Content, faces: dict) -> Styles:
    """Styles for the brochure; ``faces`` maps role (body, heading, display, caption) to a Face.

    Display lines (headlines, heads, labels, honour items, the call to action) are set with
    ``display=True``: broken between words, balanced, never with a short last line.
    """
    t, pal = content.typography, content.palette
    L = t.leading
    body = TextStyle(face=faces["body"], size=t.body_size, leading=L, color=pal.text,
                     align="justify", indent=t.indent, cjk_latin_space=t.cjk_latin_space, overprint=True)
    small = round(t.caption_size * 1.5, 2)
    return Styles(
        body=body,
        preface=replace(body, face=faces["caption"]),
        preface_title=replace(body, face=faces["heading"], size=t.body_size * 1.3, indent=0, align="left",
                              color=pal.accent_dark, overprint=False, display=True),
        headline=replace(body, face=faces["display"], size=t.body_size * 3, leading=L * 3, indent=0,
                         align="left", color=pal.accent_dark, overprint=False, display=True),
        kicker=replace(body, face=faces["heading"], size=t.body_size * 1.2, indent=0, align="left",
                       color=pal.accent, overprint=False, display=True),
        byline=replace(body, face=faces["caption"], size=t.caption_size, leading=small, indent=0, align="left"),
        section=replace(body, face=faces["heading"], size=t.body_size * 1.9, leading=L * 2, indent=0,
                        align="left", color=pal.text, display=True),
        badge=replace(body, face=faces["heading"], size=t.body_size * 2.1, leading=L * 2, indent=0,
                      align="center", color=WHITE, overprint=False),
        caption=replace(body, face=faces["caption"], size=t.caption_size, leading=small, indent=0, align="justify"),
        sidebar_title=replace(body, face=faces["heading"], size=t.body_size * 1.6, leading=L * 2, indent=0,
                              align="center", color=pal.accent, overprint=False, display=True),
        sidebar_item=replace(body, face=faces["caption"], size=t.body_size, indent=0, align="left", display=True),
        slogan=replace(body, face=faces["display"], size=t.body_size * 1.8, leading=L * 2, indent=0,
                       align="left", color=WHITE, overprint=False, display=True),
        masthead=replace(body, face=faces["display"], size=t.body_size * 4.6, leading=L * 4, indent=0,
                         align="left", color=WHITE, overprint=False, display=True),
        running=replace(body, face=faces["caption"], size=t.caption_size * 0.9, leading=L, indent=0, align="left"),
        # the back cover: the masthead's order and faces, centred and in the accent on white
        back_slogan=replace(body, face=faces["display"], size=t.body_size * 1.8, leading=L * 2, indent=0,
                            align="center", color=pal.accent, overprint=False, display=True),
        back_masthead=replace(body, face=faces["display"], size=t.body_size * 4.2, leading=L * 4, indent=0,
                              align="center", color=pal.accent_dark, overprint=False, display=True),
        figures_title=replace(body, face=faces["heading"], size=t.body_size * 1.6, leading=L * 2, indent=0,
                              align="center", color=pal.accent, overprint=False, display=True),
        # a key figure: the number large, its unit half its size on the same baseline
        figure_number=replace(body, face=faces["display"], size=t.body_size * 4.4, leading=L * 4, indent=0,
                              align="left", color=pal.accent, overprint=False),
        figure_unit=replace(body, face=faces["display"], size=t.body_size * 2.2, leading=L * 2, indent=0,
                            align="left", color=pal.accent, overprint=False),
        figure_label=replace(body, face=faces["caption"], size=t.body_size * 1.1, indent=0, align="center", display=True),
        call_to_action=replace(body, face=faces["heading"], size=t.body_size * 1.8, leading=L * 2, indent=0,
                               align="center", color=pal.accent_dark, overprint=False, display=True),
        url=replace(body, face=faces["caption"], size=t.body_size, indent=0, align="center", cjk_latin_space=0),
        publisher=replace(body, face=faces["display"], size=t.body_size * 2.2, leading=L * 2, indent=0,
                          align="center", color=WHITE, overprint=False),
        imprint=replace(body, face=faces["caption"], size=t.body_size * 1.1, indent=0, align="center",
                        color=WHITE, overprint=False),
    )
