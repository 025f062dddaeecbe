"""brochure watch: a settled change rebuilds exactly once; a broken save keeps the last good PDF."""
from __future__ import annotations

import os

import pikepdf

from brochure.workflow.watch import describe, snapshot, watch
from conftest import MINIMAL, POSTER, make_project, temps, env as build_env

BUILDABLE = MINIMAL + "settings:\n  brochure:\n    press: {min_ppi: 100}\n"


class Script:
    """Stands in for time.sleep: runs the action planned for each poll, then counts it."""

    def __init__(self, plan: dict[int, callable]):
        self.plan, self.polls = plan, 0

    def __call__(self, _seconds):
        self.polls += 1
        if self.polls in self.plan:
            self.plan[self.polls]()


def touch(path, text=None, when=None):
    if text is not None:
        path.write_text(text, encoding="utf-8")
    stamp = when if when is not None else os.stat(path).st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


def fake_build(calls):
    def build(path, out, only=None, **settings):
        calls.append(path)
        return []
    return build


def test_one_change_one_rebuild(tmp_path):
    path = make_project(tmp_path)
    calls, lines = [], []
    script = Script({3: lambda: touch(path)})
    log = watch(path, tmp_path / "out", build=fake_build(calls), sleep=script, echo=lines.append, max_polls=12)
    assert len(calls) == 2                       # the first build, and one for the change
    assert log.polls == 12 and [r.ok for r in log.rebuilds] == [True, True]
    assert any("content.yaml 已修改" in line and "content.yaml changed" in line for line in lines)


def test_a_save_in_several_steps_rebuilds_once(tmp_path):
    path = make_project(tmp_path)
    calls = []
    photo = tmp_path / "images" / "p1.jpg"
    script = Script({2: lambda: touch(path), 3: lambda: touch(photo), 4: lambda: touch(path)})
    watch(path, tmp_path / "out", build=fake_build(calls), sleep=script, echo=lambda _: None, max_polls=15)
    assert len(calls) == 2


def test_no_change_no_rebuild_and_stop_condition(tmp_path):
    path = make_project(tmp_path)
    calls = []
    script = Script({})
    watch(path, tmp_path / "out", build=fake_build(calls), sleep=script, echo=lambda _: None,
          stop=lambda: script.polls >= 5)
    assert len(calls) == 1 and script.polls == 5


def test_snapshot_sees_images_and_fonts_but_not_out(tmp_path):
    path = make_project(tmp_path)
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "x.otf").write_bytes(b"x")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "brochure.pdf").write_bytes(b"%PDF")
    before = snapshot(path)
    assert sorted(before) == ["content.yaml", "fonts/x.otf", "images/p1.jpg"]
    (tmp_path / "images" / "p2.jpg").write_bytes(b"new")
    (tmp_path / "fonts" / "x.otf").unlink()
    zh, en = describe(before, snapshot(path))
    assert zh == "fonts/x.otf 已删除、images/p2.jpg 新增" and en == "fonts/x.otf removed, images/p2.jpg added"


def test_real_rebuilds_and_a_broken_save_keeps_the_last_good_pdf(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = make_project(tmp_path, BUILDABLE)
    out = tmp_path / "out"
    pdf = out / "brochure.pdf"
    seen = {}

    def edit():
        touch(path, BUILDABLE.replace("时序更替，万物维新。", "时序更替，万物维新，万物更替。"))

    def break_it():
        seen["good"] = pdf.read_bytes()
        touch(path, BUILDABLE.replace("  publisher:", "  publsher:"))     # a typo in a key

    lines = []
    script = Script({2: edit, 6: break_it})
    log = watch(path, out, sleep=script, echo=lines.append, max_polls=10, env=build_env())
    assert [r.ok for r in log.rebuilds] == [True, True, False]
    assert [o.pages for o in log.rebuilds[1].outputs] == [4]
    assert pdf.read_bytes() == seen["good"]                  # the broken save left the good PDF alone
    text = "\n".join(lines)
    assert "已重建 brochure 4 页" in text and "rebuilt brochure 4 p." in text
    assert "错误 error: content.yaml:4:3:" in text and "publisher" in text
    assert "上一次成功生成的 PDF" in text and "keeps the last good PDFs" in text
    assert not temps(out)                          # no temporary files left behind




def test_rebuild_keeps_outputs_whose_render_did_not_change(tmp_path, monkeypatch):
    """A brochure paragraph edit rebuilds the brochure only; the poster in out/ is kept as it is."""
    from brochure.pipeline import build, close_residents
    from brochure.workflow.watch import rebuild

    monkeypatch.chdir(tmp_path)
    path = make_project(tmp_path, BUILDABLE + POSTER)
    out = tmp_path / "out"
    lines = []
    first = rebuild(path, out, None, build, lines.append, env=build_env())
    assert first.ok and [o.unchanged for o in first.outputs] == [False, False]
    poster = (out / "poster-a3.pdf").stat().st_mtime_ns, (out / "poster-a3.pdf").read_bytes()
    brochure = (out / "brochure.pdf").read_bytes()

    # the same characters in another order: the fonts stay as they are, only the brochure's words change
    touch(path, (BUILDABLE + POSTER).replace("时序更替，万物维新。", "万物更替，时序维新。"))
    second = rebuild(path, out, None, build, lines.append, first)
    assert second.ok and [(o.name, o.unchanged) for o in second.outputs] == [("brochure", False), ("poster-a3", True)]
    assert (out / "brochure.pdf").read_bytes() != brochure
    assert ((out / "poster-a3.pdf").stat().st_mtime_ns, (out / "poster-a3.pdf").read_bytes()) == poster
    assert second.outputs[1].preflight is not None and second.outputs[1].preflight.ok
    summary = next(line for line in reversed(lines) if "已重建" in line)
    assert "未变：poster-a3" in summary and "unchanged: poster-a3" in summary

    (out / "poster-a3.pdf").unlink()                      # gone from out/: made again though its render is the same
    touch(path)
    third = rebuild(path, out, None, build, lines.append, second)
    assert third.ok and [o.unchanged for o in third.outputs] == [True, False]
    with pikepdf.open(out / "poster-a3.pdf") as pdf:
        assert len(pdf.pages) == 1
    assert (out / "poster-a3.preflight.json").is_file() and not temps(out)
    close_residents(third.session)


def test_a_watch_session_keeps_one_process_for_the_posters(tmp_path, monkeypatch):
    """Rebuilds after the first hand the posters to one resident process (not a fork per save);
    a poster that cannot be made is reported; closing the session ends the process."""
    from brochure.pipeline import build, close_residents
    from brochure.workflow.watch import rebuild

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BROCHURE_JOBS", "2")
    text = BUILDABLE + POSTER
    path = make_project(tmp_path, text)
    out = tmp_path / "out"
    first = rebuild(path, out, None, build, lambda _: None, env=build_env())
    assert first.ok and first.session.memo("residents") == {}            # the first build runs in this process only
    touch(path, text.replace("时序更替，万物维新。", "万物更替，时序维新。"))
    second = rebuild(path, out, None, build, lambda _: None, first)
    assert second.ok
    (resident,) = second.session.memo("residents").values()
    pid = resident.pid
    os.kill(pid, 0)                                              # alive between saves
    touch(path, text)
    third = rebuild(path, out, None, build, lambda _: None, second)
    assert third.ok and resident.pid == pid                      # the same process again
    assert [o.unchanged for o in third.outputs] == [False, True]

    long = "园区内共有规模企业27家。" * 200
    touch(path, text.replace("    photos: [p1]\n", f"    photos: [p1]\n    summary: {long}\n"))
    broken = rebuild(path, out, None, build, lambda _: None, third)
    assert not broken.ok and "summaries" in str(broken.error)    # the poster's error, from the resident
    assert not temps(out)

    close_residents(third.session)
    assert resident.pid == 0 and third.session.memo("residents") == {}
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pass                                                     # stopped and reaped
    else:
        raise AssertionError(f"the resident process {pid} is still there")


def test_a_resident_for_outputs_no_longer_made_is_stopped(tmp_path, monkeypatch):
    from brochure.pipeline import build, close_residents
    from brochure.workflow.watch import rebuild

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BROCHURE_JOBS", "2")
    two = POSTER + "  - name: a2\n    size: A2\n    shows: [title, summaries]\n    distance: 2\n"
    path = make_project(tmp_path, BUILDABLE + two)
    out = tmp_path / "out"
    first = rebuild(path, out, None, build, lambda _: None, env=build_env())
    touch(path)
    second = rebuild(path, out, None, build, lambda _: None, first)
    (old,) = second.session.memo("residents").values()
    touch(path, BUILDABLE + POSTER)                               # the A2 poster removed
    third = rebuild(path, out, None, build, lambda _: None, second)
    assert third.ok and old.pid == 0                              # its process was stopped
    assert [tuple(k) for k in third.session.memo("residents")] == [("a3",)]
    close_residents(third.session)
