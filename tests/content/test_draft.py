"""Unfinished drafts do not print: placeholders and example addresses are refused, all of them at their places,
unless built as a draft (``--draft``), which is then watermarked "样稿 DRAFT" on every page of every output."""
from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from brochure.cli import main
from brochure.content import load
from brochure.content.unfinished import PLACEHOLDER, is_example_url, unfinished
from brochure.workflow.check import check
from brochure.workflow.importer.draft import TODO
from conftest import MINIMAL, POSTER, build_project, make_print_project, make_project

#: MINIMAL with a placeholder on the masthead, another in a caption, and an example address for the QR code.
UNFINISHED = (MINIMAL.replace("  title: 非凡10年", "  title: 【待填】")
              .replace("caption: 三旺村百合花开助农增收。", "caption: 图说【待填】")
              .replace("https://zzrb.gov.cn/a", "https://www.example.net/a"))


def lines_of(text: str, *needles: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if any(x in line for x in needles)]


def page_texts(pdf: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def test_the_importer_marks_what_build_refuses():
    assert TODO == PLACEHOLDER == "【待填】"


@pytest.mark.parametrize("text, example", [
    ("https://example.com/", True), ("https://www.example.org/a?b=c", True), ("http://news.EXAMPLE.net", True),
    ("见 example.com 网站", True), ("https://www.zznews.gov.cn/", False), ("https://myexample.com/", False),
    ("https://example.community/", False), ("https://example.com.cn/", False)])
def test_example_addresses_are_the_reserved_domains_and_their_subdomains(text, example):
    assert is_example_url(text) is example


def test_every_placeholder_and_example_address_is_named_at_its_place(tmp_path):
    path = make_project(tmp_path, UNFINISHED)
    found = unfinished(load(path))
    assert [(u.name, u.kind) for u in found] == [
        ("document.online_url", "example-url"), ("masthead.title", "placeholder"), ("photos.p1.caption", "placeholder")]
    lines = lines_of(UNFINISHED, "example.net", "title: 【待填】", "caption: 图说【待填】")
    assert [u.where.line for u in found] == sorted(lines)
    assert all(u.where.file.endswith("content.yaml") for u in found)


def test_build_refuses_an_unfinished_draft_and_leaves_out_alone(tmp_path):
    path = make_print_project(tmp_path, UNFINISHED)
    out = tmp_path / "out"
    out.mkdir()
    (out / "brochure.pdf").write_bytes(b"the last good one")
    run = build_project(path, "-o", str(out))
    assert run.returncode == 2, run.stderr
    for line in lines_of(UNFINISHED, "example.net", "title: 【待填】", "caption: 图说【待填】"):
        assert f"content.yaml:{line}:" in run.stderr
    assert "masthead.title" in run.stderr and "photos.p1.caption" in run.stderr and "document.online_url" in run.stderr
    assert "内容还没有填完" in run.stderr and "the content is not finished" in run.stderr and "--draft" in run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["brochure.pdf"]
    assert (out / "brochure.pdf").read_bytes() == b"the last good one"


def test_check_names_each_place_as_an_error_unless_a_draft(tmp_path, capsys):
    path = make_print_project(tmp_path, UNFINISHED)
    report = check(path)
    assert report.status == 2
    unfinished_errors = [e for e in report.errors if "--draft" in e.en]
    assert len(unfinished_errors) == 3
    assert {e.where.line for e in unfinished_errors} == set(lines_of(UNFINISHED, "example.net", "【待填】"))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "占位文字" in err and "placeholder" in err and "example address" in err
    assert check(path, draft=True).status != 2
    assert main(["check", str(path), "--draft"]) != 2


def test_a_draft_builds_watermarked_on_every_page_of_every_output(tmp_path):
    path = make_print_project(tmp_path, UNFINISHED + POSTER)
    out = tmp_path / "out"
    run = build_project(path, "-o", str(out), "--draft")
    assert run.returncode == 0, run.stderr
    for name in ("brochure", "poster-a3"):
        texts = page_texts(out / f"{name}.pdf")
        assert texts and all("样稿" in t and "DRAFT" in t for t in texts), name
        report = json.loads((out / f"{name}.preflight.json").read_text(encoding="utf-8"))
        assert report["ok"] and report["settings"]["draft"] is True
        assert next(c for c in report["checks"] if c["name"] == "draft")["status"] == "warn"
    # the watermark leaves the QR code clear: it still scans, to the draft's own address
    qr = next(c for c in json.loads((out / "brochure.preflight.json").read_text(encoding="utf-8"))["checks"]
              if c["name"] == "qr")
    assert qr["status"] == "pass" and "https://www.example.net/a" in " ".join(qr["details"])


def test_a_finished_build_has_no_watermark_and_says_nothing_of_drafts(tmp_path):
    path = make_print_project(tmp_path)
    out = tmp_path / "out"
    run = build_project(path, "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert not any("样稿" in t or "DRAFT" in t for t in page_texts(out / "brochure.pdf"))
    report = json.loads((out / "brochure.preflight.json").read_text(encoding="utf-8"))
    assert "draft" not in report["settings"] and all(c["name"] != "draft" for c in report["checks"])


def test_a_low_resolution_photo_is_refused_but_allowed_in_a_draft(tmp_path):
    path = make_project(tmp_path)
    Image.new("RGB", (300, 200), (90, 90, 90)).save(tmp_path / "images" / "p1.jpg")
    out = tmp_path / "out"
    run = build_project(path, "-o", str(out))
    assert run.returncode == 2 and "less than half the required" in run.stderr
    assert not out.exists()
    run = build_project(path, "-o", str(out), "--draft")
    assert run.returncode == 0, run.stderr
    assert "less than half the required" in run.stderr and "Used for now in the draft" in run.stderr
    assert all("DRAFT" in t for t in page_texts(out / "brochure.pdf"))
    images = next(c for c in json.loads((out / "brochure.preflight.json").read_text(encoding="utf-8"))["checks"]
                  if c["name"] == "images")
    assert images["status"] == "warn"


def test_proof_and_watch_pass_draft_on_to_the_build(tmp_path):
    from brochure.workflow.proof import proof
    from brochure.workflow.watch import watch

    asked = []

    def fake_build(path, out, only=None, **kwargs):
        asked.append(kwargs.get("draft", False))
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError):
        proof(tmp_path / "content.yaml", tmp_path / "out", build=fake_build, draft=True)
    make_project(tmp_path)
    watch(tmp_path / "content.yaml", tmp_path / "out", build=fake_build, echo=lambda line: None,
          sleep=lambda s: None, max_polls=0, draft=True)
    watch(tmp_path / "content.yaml", tmp_path / "out", build=fake_build, echo=lambda line: None,
          sleep=lambda s: None, max_polls=0)
    assert asked == [True, True, False]
