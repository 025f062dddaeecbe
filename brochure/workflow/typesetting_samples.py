"""The typesetting proof's samples: one per clreq rule, and the check of set lines noted under each box.

Plain data and string checks; the drawing is in ``brochure.workflow.typesetting_proof``.
"""
from __future__ import annotations

from dataclasses import dataclass

from brochure.text.classes import NO_END, NO_START, is_western

SIZE = 10.0            # pt, the samples' type size
LEADING = 15.0         # pt, their baseline grid
BODY = ("Noto Serif CJK SC", "Regular")
SANS = ("Noto Sans CJK SC", "Regular")
SANS_BOLD = ("Noto Sans CJK SC", "Bold")


@dataclass
class Sample:
    zh: str                 # the rule's name in Chinese
    en: str                 # ... and in English
    text: str               # the sample text (paragraphs split at newlines)
    em: float               # measure in em
    indent: float = 0.0     # first-line indent in em
    before: str = "reportlab"   # reportlab | no-indent | stacked | grid
    height_em: float = 0.0  # vertical setting: column height


SAMPLES = (
    Sample("1 行首禁则", "Kinsoku: no line begins with a mark that may not start one (，。、：；！？”）》…)",
           "营商环境是项目建设的“生命线”。今年，该区政务服务中心搬迁至南洲新区，实现“100%园区事项在园区办”。",
           10, 2),
    Sample("2 行尾禁则", "Kinsoku: no line ends with an opening quote or bracket (“（《)",
           "一批辣椒酱、剁椒酱、浸辣椒产品涌现，“湘潭”“李庆兰”“利生”等品牌为本土市场所熟知。", 9),
    Sample("3 破折号、省略号不可分", "—— and …… are one unit: never split, never at a line start",
           "教育是民生之基——牵动着千家万户。过去……不少家长把孩子送到渌口读书，重拾辉煌是大家共同的心愿。", 10.5),
    Sample("4 数字与单位、西文词不拆分", "A number stays with its unit (100%), a Latin word stays whole (PVDF)",
           "今年来实现“100%园区事项在园区办”，芳纶、PVDF（其中石墨烯导热膜全球领跑）成为两大国家级新材料。",
           10.5, 2),
    Sample("5 标点挤压", "Punctuation compression: two adjacent marks take 1.5 em, not 2 (！”“ ），。」)",
           "他说：“环境非常棒！”“老师和蔼可亲（南洲小学），孩子在这里上学我很放心。”家长杨群满心欢喜。", 10),
    Sample("6 行尾标点半宽", "A full-width mark ending a line is set half width, flush with the edge (GB/T 15834)",
           "十年磨一剑，十年一弹指。回望来路，每一次突破、每一个进步、每一项成就，都是生动注脚。", 12, 2),
    Sample("7 中西文间距", "¼ em between Han and Latin letters or digits, none at line edges",
           "在2022年湖南省中小工业企业特色产业集中赛中，PVDF项目投资12.5亿元，同比增长18.6%。", 11),
    Sample("8 两端对齐", "Justification: every line but a paragraph's last meets both edges",
           "在2022年湖南省中小工业企业特色产业集中赛决赛中，株洲现代高分子新材料产业集群（渌口）胜出，"
           "被认定为湖南省省级先进制造业集群。", 11, 2),
    Sample("9 段首缩进两字", "Each paragraph's first line is indented 2 em (before: our engine, indent off)",
           "时序更替，万物维新。翻开历史长卷，渌口区从不缺少担当的勇气、改革的魄力。\n"
           "十年磨一剑，十年一弹指。回望来路，每一次突破、每一个进步都是生动注脚。", 10, 2, before="no-indent"),
    Sample("10 避免孤字", "No lone character (with or without its mark) on a paragraph's last line",
           "过往为序，未来可期。行程万里，初心如磐，站在新的历史起点上，渌口区上下必将同心协力。", 10),
    Sample("11 基线网格", "Neighbouring columns share one baseline grid, a subhead takes whole grid lines",
           "振兴乡村，关键在产业。渌口区在扛稳粮食安全责任同时，想方设法激活农村土地资源。\n"
           "人才振兴\n"
           "该区搭建平台引才，推进院士创新团队落户果田村。\n"
           "干净整洁、各具特色的乡村是吸引游人前来的基础因素。近年来，渌口区大力推动农村人居环境整治，"
           "果田、龙潭、三旺等乡村获评省级美丽乡村示范村。",
           6.5, 2, before="grid"),
    Sample("12 竖排", "Vertical setting: vertical forms of marks and brackets, two digits upright (縦中横)",
           "连续17年保持“省平安区”称号，\n全省人居环境整治先进县（市区）。\n获评“美丽乡村”示范村！",
           0, before="stacked", height_em=14),
)


# --------------------------------------------------------------------------------------------
# Checks of set lines (for the notes under each box)
# --------------------------------------------------------------------------------------------
MARKS = frozenset("，。、；：！？“”‘’（）《》〈〉「」『』【】〔〕·—…")


def line_issues(lines: list[str], ragged: int) -> list[str]:
    """Short notes (Chinese / English) on what breaks the rules in a list of line texts."""
    start = end = split = 0
    for a, b in zip(lines, lines[1:]):
        if not a or not b:
            continue
        if b[0] in NO_START:
            start += 1
        if a[-1] in NO_END:
            end += 1
        if (is_western(a[-1]) and (is_western(b[0]) or b[0] in "%‰℃")) or (a[-1] in "—…" and b[0] == a[-1]):
            split += 1
    notes = []
    if start:
        notes.append(f"行首禁用标点 {start} 处 / {start} line start(s)")
    if end:
        notes.append(f"行尾开引号 {end} 处 / {end} line end(s)")
    if split:
        notes.append(f"拆开数字或词 {split} 处 / {split} split(s)")
    last = lines[-1] if lines else ""
    if len(lines) > 1 and sum(1 for c in last if c not in MARKS) <= 1:
        notes.append("末行孤字 / lone last character")
    if ragged:
        notes.append(f"右缘不齐 {ragged} 行 / {ragged} ragged line(s)")
    return notes or ["无违例 / no violations"]
