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
    back_title: TextStyle
    back_text: TextStyle


def brochure_styles(content: Content, faces: dict) -> Styles:
    """Styles for the brochure; ``faces`` maps role (body, heading, display, caption) to a Face."""
    t, pal = content.typography, content.palette
    L = t.leading
    body = TextStyle(face=faces["body"], size=t.body_size, leading=L, color=pal.text,
                     align="justify", indent=t.indent, cjk_latin_space=t.cjk_latin_space, overprint=True)
    small = round(t.caption_size * 1.5, 2)
    return Styles(
        body=body,
        preface=replace(body, face=faces["caption"]),
        preface_title=replace(body, face=faces["heading"], size=t.body_size * 1.3, indent=0, align="left",
                              color=pal.accent_dark, overprint=False),
        headline=replace(body, face=faces["display"], size=t.body_size * 3, leading=L * 3, indent=0,
                         align="left", color=pal.accent_dark, overprint=False),
        kicker=replace(body, face=faces["heading"], size=t.body_size * 1.2, indent=0, align="left",
                       color=pal.accent, overprint=False),
        byline=replace(body, face=faces["caption"], size=t.caption_size, leading=small, indent=0, align="left"),
        section=replace(body, face=faces["heading"], size=t.body_size * 1.9, leading=L * 2, indent=0,
                        align="left", color=pal.text),
        badge=replace(body, face=faces["heading"], size=t.body_size * 2.1, leading=L * 2, indent=0,
                      align="center", color=WHITE, overprint=False),
        caption=replace(body, face=faces["caption"], size=t.caption_size, leading=small, indent=0, align="justify"),
        sidebar_title=replace(body, face=faces["heading"], size=t.body_size * 1.6, leading=L * 2, indent=0,
                              align="center", color=pal.accent, overprint=False),
        sidebar_item=replace(body, face=faces["caption"], size=t.body_size, indent=0, align="left"),
        slogan=replace(body, face=faces["display"], size=t.body_size * 1.8, leading=L * 2, indent=0,
                       align="left", color=WHITE, overprint=False),
        masthead=replace(body, face=faces["display"], size=t.body_size * 4.6, leading=L * 4, indent=0,
                         align="left", color=WHITE, overprint=False),
        running=replace(body, face=faces["caption"], size=t.caption_size * 0.9, leading=L, indent=0, align="left"),
        back_title=replace(body, face=faces["display"], size=t.body_size * 2.6, leading=L * 3, indent=0,
                           align="center", color=pal.accent_dark, overprint=False),
        back_text=replace(body, face=faces["caption"], size=t.body_size, indent=0, align="center"),
    )
