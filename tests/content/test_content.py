"""content.yaml loading: the project's own file is valid, and each staff mistake is named at its place."""
from __future__ import annotations

import pytest
from PIL import Image

from brochure.content import load
from brochure.ground.errors import ContentError
from conftest import MINIMAL, ROOT, build_project, make_print_project, make_project


def error_for(tmp_path, text: str) -> ContentError:
    path = make_project(tmp_path, text)
    with pytest.raises(ContentError) as info:
        load(path)
    return info.value


def test_minimal_project_loads(project):
    c = load(project)
    assert c.sections[0].letter == "A"
    assert c.photos["p1"].file.name == "p1.jpg"
    assert c.sections[0].paragraphs[0].where.line == 25


def test_project_content_yaml_loads():
    c = load(ROOT / "content.yaml")
    assert [s.letter for s in c.sections] == ["A", "C", "E"]
    assert len(c.honours.items) == 8
    assert c.document.online_url.startswith("http")


def test_duplicate_key_is_refused_at_second_occurrence(tmp_path):
    text = MINIMAL.replace("  author: 测试\n", "  author: 测试\n  author: 别人\n")
    err = error_for(tmp_path, text)
    assert (err.where.line, err.where.column) == (4, 3)
    assert "重复" in err.zh and "duplicate key 'author'" in err.en and "line 3" in err.en


def test_unknown_key_suggests_the_nearest(tmp_path):
    err = error_for(tmp_path, MINIMAL.replace("  publisher:", "  publsher:"))
    assert err.where.line == 4 and err.where.column == 3
    assert "publisher" in err.en and "Did you mean" in err.en and "您是不是想写" in err.zh


def test_missing_required_field(tmp_path):
    err = error_for(tmp_path, MINIMAL.replace("  byline: 记者 某某\n", ""))
    assert "byline" in err.en and "缺少必填项" in err.zh
    assert err.where.line == 15  # the first line of the lead: block that lacks it


def test_wrong_type(tmp_path):
    err = error_for(tmp_path, MINIMAL.replace("    - 国家级产粮大县（区）\n", "").replace("  items:\n", "  items: 国家级\n"))
    assert "must be a list" in err.en and err.where.line == 12


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    err = error_for(tmp_path, MINIMAL.replace("  title: 测试手册", "  title: \"测试手册"))
    assert err.where.line == 2 and "quote" in err.en and "引号" in err.zh


def test_tab_indentation(tmp_path):
    err = error_for(tmp_path, MINIMAL.replace("  author: 测试", "\tauthor: 测试"))
    assert err.where.line == 3 and ("Tab" in err.zh or "制表符" in err.zh)


def test_missing_image(tmp_path):
    err = error_for(tmp_path, MINIMAL.replace("images/p1.jpg", "images/nope.jpg"))
    assert err.where.line == 28 and err.where.column == 11
    assert "nope.jpg" in err.en and "找不到图片" in err.zh


def test_image_outside_project_refused(tmp_path):
    err = error_for(tmp_path, MINIMAL.replace("images/p1.jpg", "../../etc/passwd"))
    assert "leaves the project folder" in err.en


def test_qr_url_must_be_http(tmp_path):
    err = error_for(tmp_path, MINIMAL.replace("https://zzrb.gov.cn/a", "ftp://zzrb.gov.cn/a"))
    assert err.where.line == 6 and "http" in err.en


def test_empty_file(tmp_path):
    err = error_for(tmp_path, "# only a comment\n")
    assert "empty" in err.en and "空" in err.zh


def test_gbk_file_is_named(tmp_path):
    path = make_project(tmp_path)
    path.write_bytes(MINIMAL.encode("gbk"))
    with pytest.raises(ContentError) as info:
        load(path)
    assert "GBK" in info.value.en and "UTF-8" in info.value.zh


def test_bom_is_accepted(tmp_path):
    path = make_project(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load(path).document.title == "测试手册"


def test_zero_width_stripped_and_control_refused(tmp_path):
    path = make_project(tmp_path, MINIMAL.replace("时序更替", "时序\u200b更替"))
    assert load(path).lead.preface[0].startswith("时序更替")
    err = error_for(tmp_path, MINIMAL.replace("时序更替", "时序\\x07更替").replace("    - 时序", '    - "时序').replace("万物维新。\n", "万物维新。\"\n", 1))
    assert "U+0007" in err.en


def test_cli_reports_error_with_exit_status_2(tmp_path):
    import subprocess
    import sys

    path = make_project(tmp_path, MINIMAL.replace("  publisher:", "  publsher:"))
    run = subprocess.run([sys.executable, "-m", "brochure", "build", str(path)], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 2
    assert "content.yaml:4:3:" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out" / "brochure.pdf").exists()


def test_palette_over_the_ink_limit_is_refused(tmp_path):
    text = MINIMAL + "settings:\n  palette:\n    accent: [100, 100, 100, 20]\n"
    err = error_for(tmp_path, text)
    assert "accent" in err.en and "320%" in err.en and "300%" in err.en and "总墨量" in err.zh
    assert err.where.line == 33   # the accent: line


def test_rich_black_within_the_limit_loads(tmp_path):
    text = MINIMAL + "settings:\n  palette:\n    rich_black: [60, 40, 40, 100]\n"
    assert load(make_project(tmp_path, text)).palette.rich_black == (60, 40, 40, 100)


def test_a_webp_photo_loads_and_builds(tmp_path):
    """The loader accepts every format the press prints: one list of photo formats for both."""
    path = make_print_project(tmp_path, MINIMAL.replace("images/p1.jpg", "images/p1.webp"))
    Image.new("RGB", (1800, 1200), (180, 120, 90)).save(tmp_path / "images" / "p1.webp", quality=90)
    content = load(path)
    assert content.photos["p1"].file.name == "p1.webp"
    assert [str(w) for w in content.warnings if "p1.webp" in str(w)] == []
    run = build_project(path, "-o", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "brochure.pdf").stat().st_size > 0


def test_registration_colour_is_refused_even_within_the_ink_limit(tmp_path):
    text = (MINIMAL + "settings:\n  palette:\n    accent: [100, 100, 100, 100]\n"
            "  brochure:\n    press:\n      ink_limit: 400\n")
    err = error_for(tmp_path, text)
    assert "accent" in err.en and "registration" in err.en and "套准色" in err.zh
    assert err.where.line == 33   # the accent: line


def test_a_palette_colour_needs_four_values(tmp_path):
    err = error_for(tmp_path, MINIMAL + "settings:\n  palette:\n    tint: [1, 2, 3]\n")
    assert "tint" in err.en and "four numbers" in err.en
    err = error_for(tmp_path, MINIMAL + "settings:\n  palette:\n    tint: [0, 120, 0, 0]\n")
    assert "tint" in err.en
