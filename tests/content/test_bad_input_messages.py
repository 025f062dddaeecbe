"""Messages that lead staff to the real mistake: each repro run through the real CLI, in a fresh process.

Every case asserts the exact message, the exit status, and that out/ and
content.yaml are byte for byte as they were.  Everything the commands print
here is also scanned for the slips a bilingual message must not have (``slips``).
"""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL
from conftest import make_print_project as project

#: The program as the messages name it when it is run as here (``python -m brochure``).
ME = f"{sys.executable} -m brochure"
PREVIOUS = {"brochure.pdf": b"%PDF-1.4\n% the previous good brochure\n%%EOF\n"}


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "brochure", *args], cwd=folder, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "BROCHURE_JOBS": "1"})
    said = done.stdout + done.stderr
    assert slips(said) == [], said          # every message any case here prints is scanned for the slips
    return done


def stable(stderr: str) -> str:
    return "".join(line for line in stderr.splitlines(keepends=True) if not line.startswith("正在准备字体"))


def broken(folder: Path, text: str) -> dict[str, bytes]:
    """A project with ``text`` as content.yaml and a previous out/; what both hold, to compare after."""
    project(folder, text)
    (folder / "out").mkdir()
    for name, data in PREVIOUS.items():
        (folder / "out" / name).write_bytes(data)
    return files(folder)


def files(folder: Path) -> dict[str, bytes]:
    return {"content.yaml": (folder / "content.yaml").read_bytes(),
            **{f"out/{p.name}": p.read_bytes() for p in sorted((folder / "out").iterdir())}}


def refused(folder: Path, before: dict[str, bytes], where: str, zh: str, en: str) -> None:
    """``check`` and ``build`` both refuse it with exactly this message; nothing of the staff's changed."""
    for command in ("check", "build"):
        done = run(folder, command, "content.yaml")
        assert done.returncode == 2, done.stderr
        assert stable(done.stderr) == f"错误 error: {where}: {zh}\n   {en}\n"
        assert done.stdout == ""
        assert files(folder) == before


def test_a_full_width_colon_after_a_key_is_named(tmp_path):
    before = broken(tmp_path, MINIMAL.replace("  author: 测试\n", "  author：测试\n"))
    refused(tmp_path, before, "content.yaml:3:9",
            "键“author”后面用了全角冒号“：”，YAML 认不出这个键。请改成半角冒号“:”，后面再加一个空格：author: …",
            "a full-width colon '：' follows the key 'author', so YAML does not see a key there. Type a half-width "
            "colon ':' followed by a space instead: 'author: …'.")


def test_a_full_width_colon_is_named_also_where_yaml_reads_the_line_as_words(tmp_path):
    # indented deeper, the line continues the title's words, and the loader then misses 'author'
    before = broken(tmp_path, MINIMAL.replace("  author: 测试\n", "    author：测试\n"))
    refused(tmp_path, before, "content.yaml:3:11",
            "键“author”后面用了全角冒号“：”，YAML 认不出这个键。请改成半角冒号“:”，后面再加一个空格：author: …",
            "a full-width colon '：' follows the key 'author', so YAML does not see a key there. Type a half-width "
            "colon ':' followed by a space instead: 'author: …'.")


def test_a_colon_without_a_space_after_a_key_is_named(tmp_path):
    before = broken(tmp_path, MINIMAL.replace("  author: 测试\n", "  author:测试\n"))
    refused(tmp_path, before, "content.yaml:3:9",
            "键“author”后面的半角冒号“:”之后少了一个空格，YAML 认不出这个键。请在冒号后加一个空格：author: …",
            "the colon after the key 'author' has no space after it, so YAML does not see a key there. Type a space "
            "after the colon: 'author: …'.")


def test_a_full_width_space_as_indent_is_named_at_its_line(tmp_path):
    before = broken(tmp_path, MINIMAL.replace("  author: 测试\n", "\u3000\u3000author: 测试\n"))
    refused(tmp_path, before, "content.yaml:3:1",
            "第 3 行开头用全角空格“\u3000”（U+3000，中文输入法打出的空格）缩进，YAML 只认半角空格。"
            "请删掉这一行开头的全角空格，改用半角空格，与同级的行对齐。",
            "line 3 is indented with a full-width space (U+3000, the space a Chinese input method types), and YAML "
            "indents only with half-width spaces. Delete the full-width spaces at the start of the line and indent "
            "it with ordinary spaces, level with the lines beside it.")


def test_an_unclosed_quote_is_named_at_the_quote(tmp_path):
    text = MINIMAL.replace("    - 时序更替，万物维新。\n", '    - "时序更替，万物维新。\n')
    text = text.replace("headline: 锚定“高分子”", 'headline: "锚定高分子"')
    lines = text.split("\n")
    quote = next(n for n, line in enumerate(lines, 1) if '"时序' in line)
    assert next(n for n, line in enumerate(lines, 1) if '"锚定' in line) > quote + 2
    before = broken(tmp_path, text)
    end = next(n for n, line in enumerate(lines, 1) if '"锚定' in line)
    refused(tmp_path, before, f"content.yaml:{quote}:7",
            f"第 {quote} 行的引号 \" 没有闭合：YAML 把它后面直到第 {end} 行的内容都当成了这一段，在那里才出错。"
            "请在这一段的末尾补上 \"（引号要成对）。",
            f"the quote \" on line {quote} is never closed: YAML took everything up to line {end} for this one value "
            "and failed only there. Add the closing \" at the end of this paragraph (quotes come in pairs).")


def test_a_tab_is_said_as_advice_in_english_too(tmp_path):
    before = broken(tmp_path, MINIMAL.replace("  author: 测试\n", "\tauthor: 测试\n"))
    refused(tmp_path, before, "content.yaml:3:1",
            "YAML 不允许用制表符（Tab）缩进，请改用空格。请检查这一行及上一行，可对照示例 content.yaml。",
            "YAML does not allow a tab (the Tab key) as indentation: indent with spaces instead. Check this line and "
            "the one above against the example content.yaml.")


def test_deep_block_nesting_is_not_called_brackets(tmp_path):
    deep = "".join(" " * n + f"k{n}:\n" for n in range(1200)) + " " * 1200 + "v: 1\n"
    before = broken(tmp_path, MINIMAL + "extra:\n" + " " + deep.replace("\n", "\n ", deep.count("\n") - 1))
    done = run(tmp_path, "check", "content.yaml")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    first, second = stable(done.stderr).splitlines()
    assert re.fullmatch(r"错误 error: content\.yaml:\d+:\d+: 内容文件的嵌套层次太深（缩进层级或 \[ \{ 括号一层套一层.*", first), first
    assert second.startswith("   the content is nested far too deeply here (levels of indentation")
    assert "too many [ or {" not in done.stderr
    assert files(tmp_path) == before


def test_utf32_is_called_utf32(tmp_path):
    before = broken(tmp_path, MINIMAL)
    (tmp_path / "content.yaml").write_bytes(MINIMAL.encode("utf-32"))
    before["content.yaml"] = (tmp_path / "content.yaml").read_bytes()
    refused(tmp_path, before, "content.yaml:1:1",
            "内容文件是 UTF-32（“Unicode”）编码。请在编辑器中用“另存为 → 编码 UTF-8”重新保存。",
            "the content file is UTF-32 (\"Unicode\") encoded. In your editor use Save As → Encoding: UTF-8.")


@pytest.mark.parametrize("photos", [True, False], ids=["with-photos", "no-photos"])
def test_a_bad_output_profile_is_named_at_its_own_key(tmp_path, photos):
    text = MINIMAL + "settings:\n  brochure:\n    press:\n      output_profile: bad.icc\n"
    if not photos:
        text = (text.replace("  photo: p1\n", "").replace("    photos: [p1]\n", "")
                .replace("photos:\n  p1:\n    file: images/p1.jpg\n    caption: 三旺村百合花开助农增收。\n"
                         "    credit: 李健 摄\n", ""))
        assert "p1" not in text
    before = broken(tmp_path, text)
    (tmp_path / "bad.icc").write_bytes(b"not a colour profile\n" * 10)
    line = text.split("\n").index("      output_profile: bad.icc") + 1
    refused(tmp_path, before, f"content.yaml:{line}:23",
            "“bad.icc”不是 ICC 色彩配置文件。请写出印刷厂提供的 .icc 文件的路径，或写 default。",
            "'bad.icc' is not an ICC colour profile. Give the path of the .icc file the print shop provided, "
            "or write default.")


PUNCT = MINIMAL.replace("具备年产5万吨", "今年7月:50亿元，具备年产5万吨")
PUNCT_WARNING = ("警告 warning: content.yaml:25:29: 中文里用了半角“:”，请改为全角“：”（check --fix 可自动修复）\n"
                 "   half-width ':' in Chinese text: use '：' (check --fix repairs it)\n")
PHOTO_TWICE = ("警告 warning: content.yaml:23:14: 照片“p1”已在导语用过（content.yaml:17:10），这里第 A 节又用了一次，"
               "同一张照片会印两遍。如果不是有意的，请在这里换一张照片，或删去其中一处。\n"
               "   photo 'p1' is already used in the lead (content.yaml:17:10); used here again, in section A, it "
               "prints twice. Unless that is meant, use another photo here or delete one of the two.\n")


def test_build_warns_as_check_does(tmp_path):
    project(tmp_path, PUNCT)
    checked = run(tmp_path, "check", "content.yaml")
    assert checked.returncode == 1
    assert stable(checked.stderr) == PHOTO_TWICE
    assert checked.stdout == PUNCT_WARNING + (
        f"发现 1 处标点问题，其中 1 处可用 {ME} check --fix 自动修复，其余请按提示手工修改。\n"
        f"   1 punctuation finding; {ME} check --fix repairs 1 of them, fix the rest as described.\n")
    built = run(tmp_path, "build", "content.yaml", "-o", "out")
    assert built.returncode == 0, built.stderr
    assert stable(built.stderr) == PHOTO_TWICE + PUNCT_WARNING
    assert built.stdout == "已生成 built out/brochure.pdf（4 页 pages）\n"


def test_a_photo_used_twice_is_a_warning_naming_both_places(tmp_path):
    # one photo in section A and again in a section B
    text = MINIMAL.replace("  photo: p1\n", "").replace(
        "photos:\n  p1:",
        "  - letter: B\n    headline: 第二节\n    photos: [p1]\n    paragraphs:\n      - 第二节的一段文字。\nphotos:\n  p1:")
    assert text.count("photos: [p1]") == 2
    project(tmp_path, text)
    done = run(tmp_path, "check", "content.yaml")
    assert done.returncode == 0, done.stderr
    first = text.split("\n").index("    photos: [p1]") + 1
    second = text.split("\n").index("    photos: [p1]", first) + 1
    assert stable(done.stderr) == (
        f"警告 warning: content.yaml:{second}:14: 照片“p1”已在第 A 节用过（content.yaml:{first}:14），这里第 B 节又用了一次，"
        "同一张照片会印两遍。如果不是有意的，请在这里换一张照片，或删去其中一处。\n"
        f"   photo 'p1' is already used in section A (content.yaml:{first}:14); used here again, in section B, it "
        "prints twice. Unless that is meant, use another photo here or delete one of the two.\n")


def test_check_fix_with_nothing_left_by_hand_exits_0_and_follows_the_umask(tmp_path):
    project(tmp_path, PUNCT)
    before = (tmp_path / "content.yaml").read_bytes()
    old = os.umask(0o002)
    try:
        done = run(tmp_path, "check", "content.yaml", "--fix")
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith("没有需要手工修改的了。\n"
                                "   fixed 1 finding into the copy content.fixed.yaml (content.yaml is unchanged); "
                                "check it, then use it in place of content.yaml. Nothing is left to fix by hand.\n")
    assert (tmp_path / "content.yaml").read_bytes() == before
    assert stat.S_IMODE((tmp_path / "content.fixed.yaml").stat().st_mode) == 0o664
    assert "今年7月：50亿元" in (tmp_path / "content.fixed.yaml").read_text(encoding="utf-8")


def test_import_draft_follows_the_umask(tmp_path):
    (tmp_path / "page.txt").write_text("非凡10年·渌口篇\n\n时序更替，万物维新。\n", encoding="utf-8")
    old = os.umask(0o022)
    try:
        done = run(tmp_path, "import", "page.txt", "-o", "draft.yaml", "--no-placeholders")
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((tmp_path / "draft.yaml").stat().st_mode) == 0o644


def test_import_of_a_missing_file_says_why_in_both_languages(tmp_path):
    done = run(tmp_path, "import", "nothing.txt", "-o", "draft.yaml")
    assert done.returncode == 2
    assert done.stderr == ("错误 error: nothing.txt: 无法读取文本文件（找不到这个文件）。请检查文件名和路径。\n"
                           "   cannot read the text file (there is no such file). Check the name and the path.\n")
    assert not (tmp_path / "draft.yaml").exists()


def test_help_headings_are_bilingual(tmp_path):
    for args in (["--help"], ["build", "--help"], ["check", "-h"], ["preflight", "--help"]):
        done = run(tmp_path, *args)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("用法 usage: brochure")
        assert "选项 options:" in done.stdout and "显示这份说明后退出 / show this help and exit" in done.stdout
        assert "show this help message and exit" not in done.stdout and "\noptions:" not in done.stdout


def test_the_everyday_commands_say_what_they_did(tmp_path):
    """What the everyday commands print when all goes well, or on a usage slip (read by the scan below)."""
    project(tmp_path, MINIMAL + "settings:\n  brochure:\n    press: {min_ppi: 100}\n")
    assert run(tmp_path, "check", "content.yaml").returncode == 0
    assert run(tmp_path, "build", "content.yaml", "-o", "out").returncode == 0
    assert run(tmp_path, "proof", "content.yaml", "-o", "out").returncode == 0
    (tmp_path / "page.txt").write_text("非凡10年·渌口篇\n\n时序更替，万物维新。\n", encoding="utf-8")
    done = run(tmp_path, "import", "page.txt", "-o", "draft.yaml", "--no-placeholders")
    assert done.returncode == 0
    assert done.stdout.startswith("已写出草稿 draft.yaml：")
    assert "\n   wrote the draft draft.yaml: " in done.stdout
    done = run(tmp_path, "bild")
    assert done.returncode == 2
    assert done.stderr.startswith("错误 error: 没有“bild”这个命令，您是不是想写“build”；")
    assert "\n   there is no command 'bild'; did you mean 'build'?" in done.stderr
    done = run(tmp_path, "build", "-o")
    assert done.returncode == 2
    assert done.stderr == (f"错误 error: 选项 -o/--out 后面要跟一个值。用 {ME} build --help 查看用法。\n"
                           f"   the option -o/--out needs a value after it. See {ME} build --help.\n")
    assert run(tmp_path, "build", "content.yaml", "--only", "nothing").returncode == 2
    # preflight's own report is the press's; the line that says where its settings come from is the command's
    done = subprocess.run([sys.executable, "-m", "brochure", "preflight", "out/brochure.pdf", "--max-ink", "280"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.stdout.startswith("检查设置：照片最低 100 ppi，总墨量不超过 280%（来自文件 content.yaml、命令行选项）。\n"
                                  "   settings: photos at least 100 ppi, total ink at most 280% (from content.yaml and "
                                  "the command's options).\n"), done.stdout + done.stderr
    assert slips("\n".join(done.stdout.split("\n", 2)[:2])) == []


#: What a bilingual message must not hold: (what, pattern).
SLIPS = [
    ("raw parser text", re.compile(r"expected <|found character|while scanning|could not find expected|"
                                   r"cannot start any token|mapping values are not allowed")),
    ("an operating system's English in Chinese", re.compile(r"[\u4e00-\u9fff][^\n]*(No such file|Permission denied|"
                                                            r"Errno)")),
    ("a plural after 1", re.compile(r"\b1 (?!p\.)[a-z]+s\b")),
    ("half-width brackets in Chinese", re.compile(r"[\u4e00-\u9fff](?:(?! / )[^\n])*?\((?=[^\n)]*[\u4e00-\u9fff])")),
    ("rebuilt nothing said as 已重建 无", re.compile(r"已重建 无")),
    ("argparse's English-only headings", re.compile(r"^(usage|options|positional arguments):", re.M)),
]


def english_lines(text: str) -> list[str]:
    """The English halves: the lines a message indents under its Chinese."""
    return [line for line in text.splitlines() if line.startswith("   ") and not line.startswith("    ")]


def slips(said: str) -> list[str]:
    """The slips in what a command printed, each with a little of its neighbourhood."""
    found = [f"{what}: {said[max(0, m.start() - 60):m.end() + 60]!r}"
             for what, pattern in SLIPS for m in [pattern.search(said)] if m is not None]
    for line in english_lines(said):
        # Chinese inside the English half: only quoted (what staff typed or must type) or a file's name
        unquoted = re.sub(r"'[^']*'|\"[^\"]*\"|【待填】|样稿|\S+\.(?:yaml|pdf|png|jpg)", "", line)
        if re.search(r"[\u4e00-\u9fff]", unquoted):
            found.append(f"Chinese inside English: {line!r}")
    return found


def test_the_slip_scan_finds_the_slips_staff_saw():
    """The scan every run above goes through finds each slip of the old messages."""
    for said in [
        "错误 error: content.yaml:30:3: YAML 语法错误。\n   YAML syntax error: expected <block end>, but found '-'.\n",
        "错误 error: content.yaml:3:1: 请改用空格。\n   found character '\\t' that cannot start any token.\n",
        "错误 error: page.txt: 无法读取文本文件：No such file or directory。请检查文件名和路径。\n",
        "检查设置 settings: 最低 300 ppi\n   min 300 ppi (默认 defaults)\n",
        "out/a.pdf: 1 images: colour and resolution OK\n",
        "  已重建 无（未变：brochure）\n",
        "保留 kept images/p1.jpg (已存在 exists)\n",
        "usage: brochure [-h]\n\noptions:\n  -h, --help  show this help message and exit\n",
    ]:
        assert slips(said), said
    assert slips("错误 error: content.yaml:3:9: 键“author”后面用了全角冒号“：”（见第 3 行）。\n"
                 "   a full-width colon '：' follows the key 'author' (see line 3).\n") == []


def test_the_warnings_a_build_keeps_in_its_cache_follow_the_words(tmp_path, monkeypatch):
    from brochure.content import load
    from brochure.runtime.session import Session
    from brochure.runtime.store import Store
    from brochure.workflow.check import punctuation

    monkeypatch.chdir(tmp_path)
    path = project(tmp_path, PUNCT)
    session = Session(store=Store(tmp_path / "cache"))
    first = punctuation(load(path), session)
    assert [(f.where.line, f.rule) for f in first] == [(25, "halfwidth")]
    assert punctuation(load(path), Session(store=Store(tmp_path / "cache"))) == first     # read back, the same
    path.write_text(PUNCT.replace("今年7月:50亿元", "今年7月：50亿元"), encoding="utf-8")
    assert punctuation(load(path), session) == []
    assert punctuation(load(path), None) == []


def test_a_warning_leaves_the_layout_plan_key_the_same_from_build_to_build(tmp_path, monkeypatch):
    """The plan is cached under a digest of the content's repr, warnings included: they are read by value."""
    from brochure.content import load

    monkeypatch.chdir(tmp_path)
    path = project(tmp_path, PUNCT)
    first, second = load(path), load(path)
    assert first.warnings and first.warnings == second.warnings
    assert repr(first) == repr(second)


def test_words_that_look_like_a_slip_are_not_blamed_for_another_mistake(tmp_path):
    text = MINIMAL.replace("    - 时序更替，万物维新。\n", "    - 时序更替，万物维新。\n    - app：下载株洲新闻客户端。\n")
    before = broken(tmp_path, text.replace("  publisher: 测试出版社\n", "  publsher: 测试出版社\n"))
    refused(tmp_path, before, "content.yaml:4:3", "“document”中有未知的键“publsher”。您是不是想写“publisher”？",
            "unknown key 'publsher' in 'document'. Did you mean 'publisher'?")
    project(tmp_path, text)                    # and on its own it is words, printed as written
    assert run(tmp_path, "check", "content.yaml").returncode == 0


def test_watch_warns_as_check_does(tmp_path, monkeypatch):
    from brochure.workflow.watch import watch

    monkeypatch.chdir(tmp_path)
    path = project(tmp_path, PUNCT + "settings:\n  brochure:\n    press: {min_ppi: 100}\n")
    lines: list[str] = []
    log = watch(path, tmp_path / "out", sleep=lambda _: None, echo=lines.append, max_polls=0)
    assert [r.ok for r in log.rebuilds] == [True]
    said = "\n".join(lines)
    assert "  " + PUNCT_WARNING.rstrip("\n").replace("\n", "\n  ") in said
    assert "  " + PHOTO_TWICE.rstrip("\n").replace("\n", "\n  ") in said


@pytest.mark.parametrize("target, said", [
    ("out", "错误 error: 输出位置 out 是循环的符号链接（链接最终指向它自己），无法写入。请删除或改正这个链接，"
            "或用 -o 指定另一个文件夹。\n"
            "   the output out is a loop of symbolic links (it ends up pointing at itself), so nothing can be "
            "written there. Delete or correct the link, or choose another folder with -o.\n"),
    # the link's target named, so staff can tell a typing slip from a folder that was moved away
    ("nowhere/out", "错误 error: 输出位置 out 是一个符号链接，它指向的 nowhere/out 不存在。请删除这个链接，"
                    "或建好它指向的文件夹，或用 -o 指定另一个文件夹。\n"
                    "   the output out is a symbolic link to nowhere/out, which does not exist. Delete the link, make "
                    "the folder it points to, or choose another folder with -o.\n"),
], ids=["loop", "dangling"])
def test_out_as_a_broken_link_is_named_as_such(tmp_path, target, said):
    project(tmp_path, MINIMAL + "settings:\n  brochure:\n    press: {min_ppi: 100}\n")
    os.symlink(target, tmp_path / "out")
    before = (tmp_path / "content.yaml").read_bytes()
    done = run(tmp_path, "build", "content.yaml", "-o", "out")
    assert done.returncode == 2 and done.stdout == ""
    assert stable(done.stderr) == said
    assert os.readlink(tmp_path / "out") == target and (tmp_path / "content.yaml").read_bytes() == before


def test_a_reason_from_the_system_is_said_in_both_languages():
    import errno

    from brochure.ground.words import os_reason

    assert os_reason(FileNotFoundError(errno.ENOENT, "No such file or directory")) == (
        "文件或文件夹不存在", "there is no such file or folder")
    zh, en = os_reason(OSError(errno.EXDEV, "Invalid cross-device link"))
    assert zh == "系统错误 EXDEV" and en == "Invalid cross-device link"
