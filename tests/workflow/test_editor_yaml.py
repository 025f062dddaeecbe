"""The editor's round trip on the project's own content.yaml: a form change touches only its own lines.

What was written is read back with PyYAML (the loader's parser) and compared with
difflib against the file itself; the loader checks the result.
"""
from __future__ import annotations

import difflib

import yaml

from brochure.content.loader import load
from brochure.workflow.editor.server import write_atomically
from brochure.workflow.editor.yamldoc import YamlDocument, path_at, places
from conftest import ROOT, make_project

ORIGINAL = (ROOT / "content.yaml").read_text(encoding="utf-8")


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_nothing_changed_is_the_file_byte_for_byte():
    doc = YamlDocument(ORIGINAL)
    assert doc.apply(doc.form_data()) == ORIGINAL


def test_one_paragraph_changed_is_one_line_changed():
    doc = YamlDocument(ORIGINAL)
    data = doc.form_data()
    para = data["sections"][1]["v"]["paragraphs"][2]
    para["v"] = para["v"] + "新加的一句。"
    after = doc.apply(data)
    lines = changed_lines(ORIGINAL, after)
    assert len(lines) == 2 and lines[1].endswith("新加的一句。"), lines
    assert yaml.safe_load(after)["sections"][1]["paragraphs"][2].endswith("新加的一句。")


def test_quoted_values_keep_their_quotes_and_new_words_need_no_yaml():
    doc = YamlDocument(ORIGINAL)
    data = doc.form_data()
    data["figures"][0]["v"]["value"] = "33"        # written "32" in the file: a string in quotes
    data["figures"][0]["v"]["source"] = "渌口区高分子新材料产业链上企业已达33家"
    data["document"]["author"] = "author：株洲日报"
    data["honours"]["items"].append({"o": None, "v": "#话题# 一项: 新的"})
    data["honours"]["items"].append({"o": None, "v": "2022"})
    data["honours"]["items"].append({"o": None, "v": "yes"})
    after = doc.apply(data)
    assert '  - value: "33"' in after
    read = yaml.safe_load(after)
    assert read["document"]["author"] == "author：株洲日报"
    assert read["honours"]["items"][-3:] == ["#话题# 一项: 新的", "2022", "yes"]    # words, not a comment, number or true
    assert len(changed_lines(ORIGINAL, after)) == 2 + 4 + 3          # author, value and source, three new items


def test_moved_and_removed_items_keep_their_notes(tmp_path):
    doc = YamlDocument(ORIGINAL)
    data = doc.form_data()
    paragraphs = data["sections"][0]["v"]["paragraphs"]
    note = "# 更正：石墨稀 → 石墨烯"
    at = next(i for i, p in enumerate(paragraphs) if "石墨烯" in p["v"])
    paragraphs[at - 1], paragraphs[at] = paragraphs[at], paragraphs[at - 1]        # moved up by one
    del data["sections"][2]["v"]["paragraphs"][-1]
    after = doc.apply(data)
    lines = after.splitlines()
    moved = next(i for i, line in enumerate(lines) if "产业链上企业已达32家" in line and line.lstrip().startswith("- "))
    assert note in lines[moved - 1], "the note above the paragraph moved with it"
    assert "# 删去：识别稿此处断在句中" in lines[moved + 1], "the note above the paragraph it passed stayed above it"
    assert after.count("\n#") == ORIGINAL.count("\n#")        # the file's own notes all stay
    assert ORIGINAL.count("# ") == after.count("# ")
    path = make_project(tmp_path, ORIGINAL)
    for name in ("sanwang-lily.jpg", "service-hall.jpg"):
        (tmp_path / "images" / name).write_bytes((ROOT / "images" / name).read_bytes())
    content = load(path, text=after)
    assert content.sections[0].paragraphs[at - 1].startswith("数年深耕")


def test_moving_an_item_to_the_top_loses_no_note():
    doc = YamlDocument(ORIGINAL)
    data = doc.form_data()
    paragraphs = data["sections"][0]["v"]["paragraphs"]
    at = next(i for i, p in enumerate(paragraphs) if "石墨烯" in p["v"])
    paragraphs.insert(0, paragraphs.pop(at))
    after = doc.apply(data)
    assert sorted(line.strip() for line in after.splitlines() if line.strip().startswith("#")) == \
        sorted(line.strip() for line in ORIGINAL.splitlines() if line.strip().startswith("#"))
    assert yaml.safe_load(after)["sections"][0]["paragraphs"][0].startswith("数年深耕")


def test_a_message_s_place_names_its_field():
    doc = YamlDocument(ORIGINAL)
    index = places(doc.text)
    line = next(n for n, text in enumerate(ORIGINAL.splitlines(), 1) if text.strip().startswith("online_url:"))
    assert path_at(index, line, 15) == ("document", "online_url")
    line = next(n for n, text in enumerate(ORIGINAL.splitlines(), 1) if "该基地一期于2020年4月投产" in text)
    assert path_at(index, line, 9) == ("sections", 0, "paragraphs", 1)


def test_saving_keeps_the_previous_version(tmp_path):
    path = tmp_path / "content.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    path.chmod(0o640)
    write_atomically(path, "a: 2\n", backup=tmp_path / "content.yaml.bak")
    assert path.read_text() == "a: 2\n" and (tmp_path / "content.yaml.bak").read_text() == "a: 1\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content.yaml", "content.yaml.bak"]
