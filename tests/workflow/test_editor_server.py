"""The editor's server without a browser: uploads bounded in size and type, saving only valid words."""
from __future__ import annotations

import io

from PIL import Image

from brochure.pipeline import Session
from brochure.workflow.editor.server import MAX_UPLOAD, Editor
from conftest import MINIMAL, make_project


def photo_bytes(fmt: str, size=(1200, 800)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(out, fmt)
    return out.getvalue()


def test_uploads_are_bounded_in_size_and_type(tmp_path):
    editor = Editor(make_project(tmp_path), session=Session.in_memory())
    before = sorted(p.name for p in (tmp_path / "images").iterdir())
    status, answer = editor.upload("big.jpg", b"\xff" * (MAX_UPLOAD + 1))
    assert status == 422 and "太大" in answer["zh"] and "too large" in answer["en"]
    status, answer = editor.upload("anim.gif", photo_bytes("GIF"))
    assert status == 422 and "JPEG、PNG 或 TIFF" in answer["zh"]
    status, answer = editor.upload("notes.jpg", "不是照片".encode())
    assert status == 422
    assert sorted(p.name for p in (tmp_path / "images").iterdir()) == before
    status, answer = editor.upload("../../p1.png", photo_bytes("PNG"))      # a name of its own, inside images/
    assert status == 200 and answer["file"] == "images/p1.png"
    status, answer = editor.upload("p1.png", photo_bytes("PNG"))
    assert status == 200 and answer["file"] == "images/p1-2.png"        # never over a file already there
    assert (tmp_path / "images" / "p1.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert sorted(p.name for p in (tmp_path / "images").iterdir()) == ["p1-2.png", "p1.jpg", "p1.png"]


def test_nothing_invalid_is_saved_and_someone_else_s_change_is_not_overwritten(tmp_path):
    path = make_project(tmp_path)
    editor = Editor(path, session=Session.in_memory())
    data = editor.doc.form_data()
    data["document"]["online_url"] = "ftp://x"
    status, answer = editor.save(data, editor.disk.digest)
    assert status == 422 and answer["messages"][0]["path"] == ["document", "online_url"]
    assert path.read_text(encoding="utf-8") == MINIMAL
    data["document"]["online_url"] = "https://zzrb.gov.cn/b"
    theirs = MINIMAL.replace("title: 测试手册", "title: 别人改的")
    path.write_text(theirs, encoding="utf-8")
    status, answer = editor.save(data, editor.disk.digest)
    assert status == 409 and answer["disk"] == theirs
    assert path.read_text(encoding="utf-8") == theirs
    status, answer = editor.save(data, editor.disk.digest, force=True)          # asked for: mine over theirs
    assert status == 200 and "https://zzrb.gov.cn/b" in path.read_text(encoding="utf-8")
    assert (tmp_path / "content.yaml.bak").read_text(encoding="utf-8") == theirs


def test_the_page_uses_nothing_from_the_internet():
    from brochure.workflow.editor.server import STATIC

    files = sorted(STATIC.iterdir())
    assert {f.name for f in files} == {"index.html", "editor.js", "editor.css"}
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, f.name
