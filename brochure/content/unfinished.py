"""What a draft still lacks: placeholders (【待填】) and example web addresses, each at its place.

``brochure import`` writes 【待填】 wherever the newspaper text did not say, and
points the QR code at https://example.com/.  A draft like that loads, lays out and
passes preflight, so nothing else would stop it being printed.  ``build`` and
``check`` refuse it (naming every place), unless asked for a draft proof
(``--draft``), which is then watermarked on every page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from brochure.content.model import Content, Text
from brochure.ground.errors import ContentError, Location

#: What the importer writes where the text did not say (``brochure.workflow.importer.draft.TODO``).
PLACEHOLDER = "【待填】"
#: The placeholder as people retype it: 【待填】, [待填], 【待填写】, with or without spaces.
_PLACEHOLDER = re.compile(r"[【\[［]\s*待填写?\s*[】\]］]")
#: The reserved example domains (RFC 2606) and their subdomains, in a URL or on their own.
_EXAMPLE = re.compile(r"(?<![\w.-])(?:[\w-]+\.)*example\.(?:com|org|net)(?![\w-]|\.\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Unfinished:
    """One thing left to fill in: ``name`` (e.g. ``sections[0].headline``) at ``where``, and what it says."""

    name: str
    where: Location | None
    text: str
    kind: str            # "placeholder" | "example-url"

    def message(self) -> tuple[str, str]:
        """What is unfinished here and what to do, in Chinese and in English."""
        shown = self.text if len(self.text) <= 40 else self.text[:39] + "…"
        if self.kind == "placeholder":
            return (f"{self.name}：“{shown}”仍是待填的占位文字，请换成真实的内容（只出样稿可加 --draft）。",
                    f"{self.name}: '{shown}' is still a placeholder: put in the real words "
                    "(or add --draft for a proof only).")
        return (f"{self.name}：“{shown}”是示例网址（example.com/org/net），请换成真实的网址（只出样稿可加 --draft）。",
                f"{self.name}: '{shown}' is an example address (example.com/org/net): put in the real web address "
                "(or add --draft for a proof only).")

    def line(self) -> str:
        """One line of the list of unfinished places: where, what, in both languages."""
        place = f"{self.where}: " if self.where else ""
        zh, en = self.message()
        return f"{place}{zh} / {en}"


def named_texts(content: Content) -> Iterator[tuple[str, Text]]:
    """Every text of ``content`` that prints or is printed from, with its name in content.yaml."""
    d = content.document
    for key in ("title", "author", "publisher", "date", "online_url", "call_to_action", "address", "contact"):
        value = getattr(d, key)
        if value:
            yield f"document.{key}", value
    yield "masthead.slogan", content.masthead.slogan
    yield "masthead.title", content.masthead.title
    h = content.honours
    yield "honours.title", h.title
    yield "honours.note", h.note
    for n, item in enumerate(h.items):
        yield f"honours.items[{n}]", item
    lead = content.lead
    for key in ("kicker", "headline", "byline", "preface_title"):
        if getattr(lead, key):
            yield f"lead.{key}", getattr(lead, key)
    for n, p in enumerate(lead.preface):
        yield f"lead.preface[{n}]", p
    for s, section in enumerate(content.sections):
        yield f"sections[{s}].letter", section.letter
        yield f"sections[{s}].headline", section.headline
        for n, p in enumerate(section.paragraphs):
            yield f"sections[{s}].paragraphs[{n}]", p
        if section.summary:
            yield f"sections[{s}].summary", section.summary
    for pid, photo in content.photos.items():
        yield f"photos.{pid}.caption", photo.caption
        yield f"photos.{pid}.credit", photo.credit
    for n, figure in enumerate(content.figures):
        for key in ("value", "unit", "label", "source"):
            yield f"figures[{n}].{key}", getattr(figure, key)


def unfinished(content: Content) -> list[Unfinished]:
    """Every placeholder and every example web address in ``content``, in the order of content.yaml's fields."""
    found = []
    for name, text in named_texts(content):
        where = getattr(text, "where", None)
        if _PLACEHOLDER.search(text):
            found.append(Unfinished(name, where, str(text), "placeholder"))
        elif _EXAMPLE.search(text):
            found.append(Unfinished(name, where, str(text), "example-url"))
    return found


def is_example_url(text: str) -> bool:
    """Whether ``text`` names one of the reserved example domains (example.com, .org, .net or a subdomain)."""
    return _EXAMPLE.search(text) is not None


def unfinished_error(found: list[Unfinished]) -> ContentError:
    """One error naming every place in ``found``: what to fill in, and how to proof the draft meanwhile."""
    places = "\n".join(f"  {u.line()}" for u in found)
    return ContentError(
        f"内容还没有填完，不能生成付印文件。以下 {len(found)} 处需要换成真实的内容：\n{places}\n"
        "请逐处填好后再生成；只想先看版面校样，可加 --draft（每页会印上“样稿 DRAFT”水印）。",
        f"the content is not finished, so no print files were made: the {len(found)} place(s) listed above need "
        "the real words or web address. Fill them in, then build again; to proof the layout meanwhile, add --draft "
        "(every page is then watermarked \"样稿 DRAFT\").",
    )


def refuse_unfinished(content: Content) -> None:
    """ContentError naming every placeholder and example address in ``content``; nothing if there is none."""
    found = unfinished(content)
    if found:
        raise unfinished_error(found)
