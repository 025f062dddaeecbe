"""brochure import: the seed page's OCR text becomes a draft that loads, with every sentence exactly once."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from brochure.cli import main
from brochure.content import load
from brochure.ground.errors import ContentError
from brochure.workflow.importer import import_text, parse
from conftest import on_terminal

SEED = Path(__file__).resolve().parents[1] / "data" / "seed-page.txt"
HALF = str.maketrans(",.:;!?()", "，。：；！？（）")

#: The seed's lines that are not body text (masthead, honours, captions, headings, byline).
NOT_BODY = {"奋进新征程 建功新时代 非凡10年", "·渌口篇", "荣誉榜", "(摘选)", "心办事大厅。",
            "渌口区融媒体中心 供图", "新城正“青春”闯创千", "株洲日报全媒体记者邹敬文 通讯员刘晓欢 刘艺锋", "前言"}


def norm(s: str) -> str:
    return "".join(s.split()).translate(HALF)


def seed_sentences() -> list[str]:
    """The seed's body sentences, independently of the importer: body lines are joined
    between non-body lines, then split after 。！？； (with any closing quote)."""
    segments, current = [], []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if line in NOT_BODY or line.startswith(("- ", "▲")) or re.match(r"^[ACE] ", line):
            segments.append("".join(current))
            current = []
        else:
            current.append(line)
    segments.append("".join(current))
    sentences = []
    for seg in segments:
        sentences += re.findall(r"[^。！？；]+(?:[。！？；]+[”’]*)?", norm(seg))
    return sentences


@pytest.fixture(scope="module")
def draft(tmp_path_factory):
    folder = tmp_path_factory.mktemp("import")
    result = import_text(SEED, folder / "content.yaml")
    (folder / "images").mkdir()
    for photo in result.photo_files:
        Image.new("RGB", (900, 600), (120, 140, 160)).save(folder / photo)
    return result, load(folder / "content.yaml")


def body(content) -> list[str]:
    return list(content.lead.preface) + [p for s in content.sections for p in s.paragraphs]


def test_every_seed_sentence_appears_exactly_once(draft):
    _, content = draft
    text = "".join(norm(p) for p in body(content))
    sentences = seed_sentences()
    assert len(sentences) > 60
    assert len(sentences) > len(set(sentences))            # the seed does repeat paragraphs
    counts = {s: text.count(s) for s in set(sentences)}
    assert {s: n for s, n in counts.items() if n != 1} == {}


def test_repeated_paragraphs_are_removed(draft):
    result, content = draft
    paragraphs = [norm(p) for p in body(content)]
    assert len(paragraphs) == len(set(paragraphs))
    assert result.draft.duplicates == 9       # 教育… and 过去… four times each, and the E block's three repeats


def test_ocr_line_breaks_are_joined_and_punctuation_is_full_width(draft):
    _, content = draft
    paragraphs = body(content)
    assert "振兴乡村，关键在产业。渌口区在扛稳粮食安全责任同时，想方设法激活农村土地资源，" in "".join(paragraphs)
    assert any(p.startswith("——完善机制脱贫攻坚成果同巩固监测机制，健全防疫输入防控策略，") for p in paragraphs)
    assert not any(re.search(r"[\u4e00-\u9fff][,;:!?()]|[,;:!?()][\u4e00-\u9fff]", p) for p in paragraphs)


def test_structure_is_recognised(draft):
    _, content = draft
    assert content.masthead.slogan == "奋进新征程 建功新时代" and content.masthead.title == "非凡10年·渌口篇"
    assert content.honours.title == "荣誉榜" and content.honours.note == "（摘选）"
    assert len(content.honours.items) == 8 and content.honours.items[0] == "国家级产粮大县（区）"
    assert content.lead.headline == "新城正“青春”闯创千"
    assert content.lead.byline == "株洲日报全媒体记者 邹敬文 通讯员 刘晓欢 刘艺锋"
    assert content.document.author == "株洲日报"
    assert [p[:10] for p in content.lead.preface] == ["时序更替，万物维新。", "十年磨一剑，十年一弹"]
    assert [(s.letter, s.headline) for s in content.sections] == [
        ("A", "锚定“高分子”迈向“高精尖”"), ("C", "整合好资源 乡村“高富美”"), ("E", "民生应“民声”“优资”给人民")]
    # after the preface, the interrupted section A continues
    assert content.sections[0].paragraphs[-1].startswith("没有项目的领先")
    assert all(s.paragraphs for s in content.sections)


def test_captions_and_credits(draft):
    result, content = draft
    photos = {pid: (str(p.caption), str(p.credit), p.file.name) for pid, p in content.photos.items()}
    assert photos == {
        "photo-1": ("三旺村百合花开助农增收。", "李健 摄", "photo-1.jpg"),
        "photo-2": ("新搬迁的区政务服务中心办事大厅。", "渌口区融媒体中心 供图", "photo-2.jpg"),
    }
    text = result.path.read_text(encoding="utf-8")
    assert "images/" in text and "brochure placeholders content.yaml" in text


def test_small_text_with_captions_broken_over_lines_and_inside_a_paragraph():
    d = parse("报头 口号\n▲图说第一\n行的后半。\n张三摄\nA 小标题\n第一段的前\n\n▲另一图说。李四 供图\n半,后半。\n——一项；\n——二项。\n")
    assert [(c.caption, c.credit) for c in d.captions] == [("图说第一行的后半。", "张三 摄"), ("另一图说。", "李四 供图")]
    assert d.masthead == ["报头", "口号"]
    assert [p.text for p in d.sections[0].paragraphs] == ["第一段的前半，后半。", "——一项；", "——二项。"]


def test_refuses_to_overwrite_without_force(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content.yaml").write_text("mine", encoding="utf-8")
    with pytest.raises(ContentError):
        import_text(SEED, tmp_path / "content.yaml")
    assert main(["import", str(SEED), "-o", "content.yaml"]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "content.yaml").read_text(encoding="utf-8") == "mine"
    assert main(["import", str(SEED), "-o", "content.yaml", "--force", "--no-placeholders"]) == 0
    out = capsys.readouterr().out
    assert "images/" in out and "placeholders content.yaml" in out and "photo-1.jpg" in out
    assert (tmp_path / "content.yaml").read_text(encoding="utf-8").startswith("# ====")


def test_import_makes_the_drafts_placeholders_and_never_over_a_real_photo(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "images").mkdir()
    real = Image.new("RGB", (40, 30), (200, 10, 10))
    real.save(tmp_path / "images" / "photo-2.jpg")
    before = (tmp_path / "images" / "photo-2.jpg").read_bytes()
    assert main(["import", str(SEED), "-o", "draft.yaml", "--placeholders"]) == 0
    out = capsys.readouterr().out
    assert "生成 made  images/photo-1.jpg" in out and "保留 kept  images/photo-2.jpg" in out
    assert (tmp_path / "images" / "photo-2.jpg").read_bytes() == before
    with Image.open(tmp_path / "images" / "photo-1.jpg") as im:
        assert im.format == "JPEG" and im.width >= 2000 and "icc_profile" in im.info
    load(tmp_path / "draft.yaml")        # every photo the draft names is there now


def test_placeholders_are_those_of_the_tool_byte_for_byte(tmp_path):
    """tools/make_placeholders.py is a thin wrapper of the package's code: the same bytes either way."""
    import subprocess
    import sys

    from brochure.workflow.placeholders import make_placeholders

    for sub in ("tool", "package"):
        (tmp_path / sub).mkdir()
        import_text(SEED, tmp_path / sub / "draft.yaml")
    tool = Path(__file__).resolve().parents[2] / "tools" / "make_placeholders.py"
    run = subprocess.run([sys.executable, str(tool), "--content", str(tmp_path / "tool" / "draft.yaml")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    made = make_placeholders(tmp_path / "package" / "draft.yaml")
    assert [m.status for m in made] == ["made", "made"]
    for name in ("photo-1.jpg", "photo-2.jpg"):
        assert (tmp_path / "tool" / "images" / name).read_bytes() == (tmp_path / "package" / "images" / name).read_bytes()


def test_without_placeholders_the_printed_command_works_as_printed(tmp_path):
    import os
    import shlex
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    run = subprocess.run([sys.executable, "-m", "brochure", "import", str(SEED), "-o", "draft.yaml", "--no-placeholders"],
                         cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert not (tmp_path / "images").exists()
    line = next(x for x in run.stdout.splitlines() if "生成占位图" in x)
    command = line.split("或运行 ", 1)[1].split(" 生成占位图", 1)[0]
    run = subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "images").iterdir()) == ["photo-1.jpg", "photo-2.jpg"]


def test_import_asks_on_a_terminal(tmp_path):
    out = on_terminal(["import", str(SEED), "-o", "no.yaml"], tmp_path, answers={b"[Y/n]": b"n\n"})
    assert "[Y/n]" in out and not (tmp_path / "images").exists() and "placeholders no.yaml" in out
    out = on_terminal(["import", str(SEED), "-o", "yes.yaml"], tmp_path, answers={b"[Y/n]": b"\n"})
    assert sorted(p.name for p in (tmp_path / "images").iterdir()) == ["photo-1.jpg", "photo-2.jpg"]
    # making them shows a progress line, rewritten in place, on the terminal only
    assert "\r正在生成占位图 2/2 / making placeholders 2/2" in out


def test_a_page_pasted_ten_times_imports_without_a_traceback(tmp_path):
    """Repeats of repeats: every later copy is dropped as a repeat; nothing crashes."""
    text = tmp_path / "page.txt"
    text.write_text(SEED.read_text(encoding="utf-8") * 10, encoding="utf-8")
    result = import_text(text, tmp_path / "draft.yaml")
    assert result.draft.duplicates > 0 and (tmp_path / "draft.yaml").is_file()
