"""Writing a draft as commented YAML, in the layout of the example content.yaml."""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from brochure.workflow.importer.draft import TODO, Draft, Paragraph, Section

_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


def scalar(s: str) -> str:
    """``s`` as a YAML scalar: plain when that reads back the same, else double-quoted."""
    plain = (s and s == s.strip() and "\n" not in s and s[0] not in _INDICATORS
             and ": " not in s and " #" not in s and not s.endswith(":"))
    if plain:
        try:
            if yaml.safe_load(f"k: {s}") == {"k": s}:
                return s
        except yaml.YAMLError:
            pass
    return json.dumps(s, ensure_ascii=False)


def _comment(lines: list[str], notes: list[tuple[str, str]], indent: str) -> None:
    for zh, en in notes:
        lines += [f"{indent}# {zh}", f"{indent}# {en}"]


def render(d: Draft, name: str = "content.yaml") -> str:
    """The draft as commented YAML, in the layout of the example content.yaml; ``name``: the draft's file name."""
    out: list[str] = []
    todo = d.todo

    def value(name: str, s: str) -> str:
        if s:
            return scalar(s)
        todo.append(name)
        return TODO

    mast = d.masthead
    slogan = " ".join(mast[:-1]) if len(mast) > 1 else (mast[0] if mast else "")
    title = mast[-1] if mast else ""
    doc_title = " ".join(mast)
    author = re.split(r"(?:全媒体)?(?:记者|通讯员)", d.byline)[0].strip() if d.byline else ""
    photos = d.photo_files()

    out += [
        "# ============================================================================",
        f"# 草稿：由 brochure import 从 {d.source_name} 生成。生成 PDF 之前请逐段核对原文。",
        f"# Draft made by `brochure import` from {d.source_name}. Check it against the original before building.",
        "#",
        "# 导入时已做的机械修复：合并识别断行；半角标点（紧挨汉字的 , . : ; ! ? ( )）改为全角；",
        f"# 删去汉字之间的空格；删去重复段落 {d.duplicates} 段。凡需判断之处都在旁边用注释说明。",
        "# Repaired mechanically: OCR line breaks joined, half-width punctuation next to Chinese made",
        f"# full-width, spaces between Han removed, {d.duplicates} repeated paragraph(s) removed.",
        "# Every judgement is noted in a comment beside it.",
        f"# 【待填】表示原文中没有、需要您补上的内容。{TODO} marks what the text did not say: fill it in.",
    ]
    if photos:
        out += [
            "#",
            f"# 照片：请把照片放进 images/，命名为 {'、'.join(Path(p).name for p in photos)}；",
            f"# 或先运行 brochure placeholders {name} 生成占位图。",
            f"# Photos: put them into images/ as {', '.join(Path(p).name for p in photos)},",
            f"# or run brochure placeholders {name} for placeholders first.",
        ]
    out += ["# ============================================================================", ""]

    out += ["document:", f"  title: {value('document.title', doc_title)}"]
    out += [f"  author: {value('document.author', author)}"]
    out += ["  # 出版单位，请核对。The publisher: check it.", f"  publisher: {value('document.publisher', author)}"]
    todo.append("document.date")
    out += ["  # 原文未写出版日期，请填写，如 2022年9月。The text does not give the issue date: fill it in, e.g. 2022年9月.",
            f"  date: {TODO}",
            "  language: zh-CN",
            "  # 二维码指向此网址：请换成本文电子版的网址。The QR code points here: use the article's online URL.",
            "  online_url: https://example.com/",
            ""]
    todo.append("document.online_url")

    out += ["masthead:", f"  slogan: {value('masthead.slogan', slogan)}", f"  title: {value('masthead.title', title)}", ""]

    out += ["honours:", f"  title: {value('honours.title', d.honours_title or '荣誉榜')}"]
    if d.honours_note:
        out.append(f"  note: {scalar(d.honours_note)}")
    out.append("  items:")
    if d.honours:
        out += [f"    - {scalar(item)}" for item in d.honours]
    else:
        todo.append("honours.items")
        out += ["    # 原文中没有荣誉榜。The text has no honour list.", f"    - {TODO}"]
    out.append("")

    out += ["lead:", f"  headline: {value('lead.headline', d.headline)}", f"  byline: {value('lead.byline', d.byline)}"]
    if photos:
        out += ["  # 头版照片：写下方 photos: 中的一个名称，如 photo: photo-1。The front-page photo: a name from photos: below.",
                "  # photo: photo-1"]
    out += ["  preface_title: 前言", "  preface:"]
    preface = d.preface or [Paragraph(TODO, -1)]
    if not d.preface:
        todo.append("lead.preface")
    for p in preface:
        _comment(out, p.notes, "    ")
        out.append(f"    - {scalar(p.text)}")
    out.append("")

    out.append("sections:")
    sections = d.sections or [Section("A", "", [])]
    for n, sec in enumerate(sections):
        out.append(f"  - letter: {scalar(sec.letter)}")
        out.append(f"    headline: {value(f'sections[{n}].headline', sec.headline)}")
        if photos:
            out.append("    # photos: [photo-1]     # 本节照片，可写多张 photos of this section")
        _comment(out, sec.notes, "    ")
        out.append("    paragraphs:")
        if not sec.paragraphs:
            todo.append(f"sections[{n}].paragraphs")
            out.append(f"      - {TODO}")
        for p in sec.paragraphs:
            _comment(out, p.notes, "      ")
            out.append(f"      - {scalar(p.text)}")
        out.append("")

    if d.captions:
        out += ["# 照片 Photos: file 照片文件（放在 images/）；caption 图说（不写“▲”）；credit 署名。",
                "photos:"]
        for n, (cap, file) in enumerate(zip(d.captions, photos), 1):
            out += [f"  photo-{n}:", f"    file: {file}", f"    caption: {value(f'photos.photo-{n}.caption', cap.caption)}"]
            if not cap.credit:
                out.append("    # 原文中没有找到署名。No credit was found in the text.")
            out.append(f"    credit: {value(f'photos.photo-{n}.credit', cap.credit)}")
        out.append("")

    out += ["# 海报（可选）Posters (optional), for example:",
            "# posters:",
            "#   - name: a1",
            "#     size: A1",
            "#     shows: [title, hero, figures, honours, summaries, qr]",
            ""]
    return "\n".join(out)
