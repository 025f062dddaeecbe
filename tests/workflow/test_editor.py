"""brochure edit in a real browser: headless Chromium driven by Selenium against `brochure edit` on a copy of a project.

One server and one browser for the module. What the page shows is read from the
page; what was saved is read back from content.yaml with PyYAML and from the built
PDF with PDFium, both independent of the editor.
"""
from __future__ import annotations

import difflib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pypdfium2
import pytest
import yaml
from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import MINIMAL, ROOT, make_project

#: The test project: MINIMAL with notes, a quoted value and a press setting that lets its small photo build.
TEXT = ("# 说明：这一行是注释，保存后要原样留着。 A note that saving must keep.\n"
        + MINIMAL.replace("  date: 2022年9月\n", "  date: \"2022年9月\"   # 引号也要留着 quotes kept\n")
        + "settings:\n  brochure:\n    press: {min_ppi: 100}\n")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1000"]


def chromium(user_data: Path) -> webdriver.Chrome:
    """The Debian package's headless Chromium through its chromium-driver (no browser is downloaded)."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={user_data}"]:
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def start_editor(content: Path) -> tuple[subprocess.Popen, str]:
    """`brochure edit --no-browser` on ``content``; the process and the address it prints."""
    env = dict(os.environ, BROCHURE_JOBS="1", PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "brochure", "edit", "--no-browser", str(content)],
                            cwd=content.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.strip().startswith("http://127.0.0.1:"):
            return proc, line.strip()
    raise AssertionError("brochure edit printed no address:\n" + "".join(seen))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_project(tmp_path_factory.mktemp("editor"), TEXT)


@pytest.fixture(scope="module")
def server(project):
    proc, address = start_editor(project)
    yield proc, address
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, server):
    """The editor freshly loaded, its first preview shown (what an earlier test left unsaved is dropped)."""
    browser.execute_script("if (window.brochureEditor) window.brochureEditor.changed = false;")
    browser.get(server[1])
    wait_idle(browser, 0, timeout=90)        # the first preview converts the fonts into the test's own cache
    return browser


def wait_for(predicate, timeout=30.0, what="the page"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            got = predicate()
        except StaleElementReferenceException:      # the form was drawn again meanwhile: look again
            got = None
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_idle(d, shown_after: int, timeout=30.0) -> int:
    """Wait until a preview newer than ``shown_after`` is shown and nothing more is pending; its number."""
    return wait_for(lambda: d.execute_script(
        "const S = window.brochureEditor; return S && S.idle() && S.shown > arguments[0] ? S.shown : 0;", shown_after),
        timeout, "the preview")


def shown(d) -> int:
    return d.execute_script("return window.brochureEditor.shown")


def field(d, path: str):
    return d.find_element(By.CSS_SELECTOR, f'[data-path="{path}"]')


def page_keys(d) -> list[str]:
    return [p.get_attribute("data-key") for p in d.find_elements(By.CSS_SELECTOR, "#pages .page")]


def click(d, selector: str):
    d.execute_script("document.querySelector(arguments[0]).click()", selector)


def save(d):
    click(d, "#save")
    wait_for(lambda: d.find_element(By.ID, "status").text.startswith("已保存"), 30, "the save")


def build(d) -> str:
    click(d, "#build")
    return wait_for(lambda: (t := d.find_element(By.ID, "build-result").text) and "正在生成" not in t and t, 120,
                    "the build")


def pdf_text(path: Path) -> str:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return "".join(p.get_textpage().get_text_range() for p in pdf).replace("\r", "").replace("\n", "")
    finally:
        pdf.close()


def test_a_request_without_the_token_is_refused(server):
    address = server[1]
    assert address.startswith("http://127.0.0.1:")
    origin, token = address.rstrip("/").rsplit("/", 1)
    with urllib.request.urlopen(address + "api/state") as r:
        assert r.status == 200 and "document" in json.load(r)["data"]
    wrong = token[:-1] + ("y" if token[-1] == "x" else "x")          # one character off
    for path in ("/", "/api/state", "/static/editor.js", f"/{wrong}/api/state", f"/x{token}/", f"/{token}"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(origin + path)
        assert refused.value.code == 403, path
    request = urllib.request.Request(origin + "/api/save", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 403


def test_typing_changes_the_preview_and_the_saved_pdf(page, project):
    before_text = project.read_text(encoding="utf-8")
    keys = page_keys(page)
    assert len(keys) >= 4 and page.find_elements(By.CSS_SELECTOR, ".page img")
    assert [o.get_attribute("value") for o in page.find_elements(By.CSS_SELECTOR, "#only option")] == ["brochure"]
    n = shown(page)
    field(page, "sections.0.paragraphs.0").send_keys("渌口新添的一句话。")
    wait_idle(page, n)
    after = page_keys(page)
    assert after != keys, "the page with the paragraph was drawn again"
    assert after[-1] == keys[-1], "the back page did not change and kept its image"
    assert "未保存" in page.find_element(By.ID, "status").text
    assert project.read_text(encoding="utf-8") == before_text          # nothing written before Save

    save(page)
    saved = project.read_text(encoding="utf-8")
    assert yaml.safe_load(saved)["sections"][0]["paragraphs"][0].endswith("渌口新添的一句话。")
    changed = [line for line in difflib.unified_diff(before_text.splitlines(), saved.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) == 2 and changed[0].startswith("-") and changed[1].startswith("+"), changed
    assert saved.startswith("# 说明：这一行是注释") and '"2022年9月"   # 引号也要留着' in saved
    assert project.with_name("content.yaml.bak").read_text(encoding="utf-8") == before_text

    result = build(page)
    assert "印前检查通过" in result and "brochure.pdf" in result, result
    assert "渌口新添的一句话。" in pdf_text(project.parent / "out" / "brochure.pdf")


def test_yaml_slips_are_just_words(page, project):
    byline = field(page, "lead.byline")
    byline.clear()
    byline.send_keys("author：株洲日报 记者: 某某")
    paragraph = field(page, "sections.0.paragraphs.0")
    paragraph.send_keys(" #话题# 引号“甲”'乙'\"丙\"　全角空格")
    n = shown(page)
    wait_idle(page, n)
    assert not page.find_elements(By.CSS_SELECTOR, "#form .msg.error"), "no YAML error for staff's words"
    save(page)
    data = yaml.safe_load(project.read_text(encoding="utf-8"))
    assert data["lead"]["byline"] == "author：株洲日报 记者: 某某"
    assert data["sections"][0]["paragraphs"][0].endswith(" #话题# 引号“甲”'乙'\"丙\"　全角空格")
    build(page)
    text = pdf_text(project.parent / "out" / "brochure.pdf")
    assert "author：株洲日报记者:某某" in text.replace(" ", "") and "#话题#" in text


def test_an_invalid_change_is_shown_at_its_field_and_not_saved(page, project):
    before = project.read_bytes()
    url = field(page, "document.online_url")
    url.clear()
    url.send_keys("ftp://zzrb")
    wait_idle(page, shown(page))
    message = wait_for(lambda: page.find_elements(By.CSS_SELECTOR, '[data-field="document.online_url"] .msg.error'))
    assert "二维码网址必须以 http://" in message[0].text and "QR code URL must start with" in message[0].text
    assert "content.yaml:" in message[0].text
    assert page.find_element(By.ID, "save").get_property("disabled")
    assert field(page, "document.online_url").get_property("value") == "ftp://zzrb"     # what was typed is kept
    status = page.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch("api/save", {method: "POST", headers: {"Content-Type": "application/json"},
              body: JSON.stringify({data: window.brochureEditor.data, version: window.brochureEditor.version})})
          .then((r) => done(r.status));""")
    assert status == 422
    assert project.read_bytes() == before


def test_a_photo_too_small_is_refused_and_a_good_one_added(page, project, tmp_path):
    small, good = tmp_path / "small.jpg", tmp_path / "good photo.jpg"
    Image.new("RGB", (160, 100), (90, 120, 160)).save(small, quality=90)
    Image.new("RGB", (1200, 800), (60, 140, 90)).save(good, quality=90)
    before = sorted(p.name for p in (project.parent / "images").iterdir())
    upload = page.find_element(By.CSS_SELECTOR, '[data-field="sections.0.photos"] input.upload')
    upload.send_keys(str(small))
    refused = wait_for(lambda: page.find_elements(By.CSS_SELECTOR, '[data-field="sections.0.photos"] .upload-msg .msg.error'))
    assert "160×100 像素，太小" in refused[0].text and "too few" in refused[0].text
    assert sorted(p.name for p in (project.parent / "images").iterdir()) == before

    n = shown(page)
    page.find_element(By.CSS_SELECTOR, '[data-field="sections.0.photos"] input.upload').send_keys(str(good))
    caption = wait_for(lambda: page.find_elements(By.CSS_SELECTOR, '[data-path="photos.good-photo.caption"]'))[0]
    assert (project.parent / "images" / "good-photo.jpg").is_file()
    caption.send_keys("新添的照片。")
    field(page, "photos.good-photo.credit").send_keys("某某 摄")
    wait_idle(page, n)
    assert not page.find_elements(By.CSS_SELECTOR, "#form .msg.error")
    save(page)
    data = yaml.safe_load(project.read_text(encoding="utf-8"))
    assert data["sections"][0]["photos"] == ["p1", "good-photo"]
    assert data["photos"]["good-photo"] == {"file": "images/good-photo.jpg", "caption": "新添的照片。", "credit": "某某 摄"}


def test_a_click_on_a_paragraph_in_the_preview_goes_to_its_field(page):
    hit = page.find_element(By.CSS_SELECTOR, '.hit[data-target="sections.0.paragraphs.0"]')
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", hit)
    hit.click()
    active = page.switch_to.active_element
    assert active.get_attribute("data-path") == "sections.0.paragraphs.0"


def test_a_change_on_disk_meanwhile_is_offered_not_overwritten(page, project):
    field(page, "masthead.title").send_keys("（这里的修改）")
    wait_idle(page, shown(page))
    theirs = project.read_text(encoding="utf-8").replace("slogan: 奋进新征程", "slogan: 别处改的口号")
    project.write_text(theirs, encoding="utf-8")
    wait_for(lambda: page.find_element(By.ID, "conflict").is_displayed(), 10, "the conflict to be offered")
    click(page, "#save")
    wait_for(lambda: "别处改的口号" in page.find_element(By.ID, "disk-text").get_attribute("textContent"), 10)
    assert project.read_text(encoding="utf-8") == theirs                 # not overwritten
    click(page, "#take-disk")
    wait_for(lambda: field(page, "masthead.slogan").get_property("value") == "别处改的口号", 10)
    assert not page.find_element(By.ID, "conflict").is_displayed()
    assert "这里的修改" not in field(page, "masthead.title").get_property("value")


def test_a_paragraph_an_honour_and_an_a2_poster_added_and_built_from_the_page(page, project):
    n = shown(page)
    first = field(page, "sections.0.paragraphs.0")
    first.send_keys(Keys.CONTROL, Keys.END)
    first.send_keys(Keys.ENTER)                     # Enter at the end of a paragraph starts the next one
    wait_for(lambda: page.switch_to.active_element.get_attribute("data-path") == "sections.0.paragraphs.1")
    page.switch_to.active_element.send_keys("新添的一段：全区新建了三所学校。")
    click(page, '[data-add="honours.items"]')
    field(page, "honours.items.1").send_keys("全省教育强区")
    click(page, '[data-add="posters"]')
    assert field(page, "posters.0.name").get_property("value") == "a2"
    wait_idle(page, n)
    assert not page.find_elements(By.CSS_SELECTOR, "#form .msg.error")
    options = [o.get_attribute("value") for o in page.find_elements(By.CSS_SELECTOR, "#only option")]
    assert options == ["brochure", "a2"]
    n = shown(page)
    page.execute_script("const s = document.querySelector('#only'); s.value = 'a2'; s.dispatchEvent(new Event('change'))")
    wait_idle(page, n, timeout=60)
    poster = page.find_elements(By.CSS_SELECTOR, "#pages .page img")
    assert len(poster) == 1 and int(poster[0].get_attribute("height")) > int(poster[0].get_attribute("width"))

    result = build(page)
    assert "brochure.pdf" in result and "poster-a2.pdf" in result and result.count("印前检查通过") == 2, result
    data = yaml.safe_load(project.read_text(encoding="utf-8"))
    assert data["sections"][0]["paragraphs"][1] == "新添的一段：全区新建了三所学校。"
    assert data["honours"]["items"][-1] == "全省教育强区"
    assert data["posters"] == [{"name": "a2", "size": "A2"}]
    assert "全区新建了三所学校" in pdf_text(project.parent / "out" / "brochure.pdf")
    assert "全省教育强区" in pdf_text(project.parent / "out" / "poster-a2.pdf")


def test_the_page_count_and_what_to_cut_are_shown_above_the_pages(page, project):
    before = project.read_bytes()
    n = shown(page)
    long = "渌口区大力推动农村人居环境整治，果田、龙潭、三旺等乡村获评省级美丽乡村示范村。" * 150
    page.execute_script("""const t = document.querySelector('[data-path="sections.0.paragraphs.0"]');
        t.value = arguments[0]; t.dispatchEvent(new Event('input'));""", long)
    wait_idle(page, n, timeout=60)
    note = wait_for(lambda: [m.text for m in page.find_elements(By.CSS_SELECTOR, "#notes .msg") if "宣传册共" in m.text])
    assert "删去" in note[0] and ("brings it back to" in note[0] or "Even without" in note[0]), note
    assert len(page_keys(page)) % 4 == 0 and len(page_keys(page)) > 4
    assert project.read_bytes() == before


def test_ctrl_c_stops_it_cleanly(server):
    proc, _ = server
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, out
    assert "已停止编辑" in out and "Traceback" not in out
