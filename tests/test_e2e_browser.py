"""End to end in a real browser: Debian chromium driven by Playwright against `streamlit run app.py`.

Uses the deterministic template model (ZONGJIE_FAKE_LLM=1), so it checks the page, not the model.
"""
import contextlib
import io
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from zongjie.local_model import free_port

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("ZONGJIE_SCREENSHOTS", "/tmp/zongjie-shots"))


@pytest.fixture
def app_url(tmp_path):
    port = free_port()
    env = {**os.environ, "ZONGJIE_FAKE_LLM": "1", "ZONGJIE_FAKE_DELAY": "0.01", "ZONGJIE_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start in 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@contextlib.contextmanager
def chromium_context(**options):
    """A browser context of Debian's chromium, offline-quiet (no updates, sync or QUIC), 1400×1000."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run scripts/system-deps.sh (the test command does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            yield browser.new_context(viewport={"width": 1400, "height": 1000}, **options)
        finally:
            browser.close()


@pytest.fixture
def page(tmp_path):
    with chromium_context(accept_downloads=True) as context:
        yield context.new_page()


def section_box(page, key):
    settle(page)
    return page.locator(f".st-key-text_{key.replace('.', '-')} textarea")


def settle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished its rerun: while one runs, stale copies of widgets linger."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)


def test_paste_generate_edit_regenerate_reload_download(app_url, page, bullets_text):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(app_url)
    page.get_by_label("单位名称").fill("共青团某某区委员会")
    page.get_by_label("时段").fill("2023年上半年")
    bullets = page.get_by_label("工作要点", exact=False)
    bullets.fill(bullets_text)
    bullets.press("Tab")
    page.get_by_role("button", name="起草全文").click()
    page.get_by_text("逐节修改").wait_for(timeout=60_000)
    opening = section_box(page, "opening")
    opening.wait_for(timeout=30_000)
    page.wait_for_function("() => [...document.querySelectorAll('textarea')].some(t => t.value.includes('4560名'))",
                           timeout=30_000)
    page.screenshot(path=str(SHOTS / "drafted.png"), full_page=True)

    # edit one section by hand
    edited = "2023年上半年，本单位扎实推进各项工作。这是人工修改的开头。"
    opening.fill(edited)
    opening.press("Tab")
    settle(page)

    # regenerate another one
    problems = section_box(page, "s2")
    problems.fill("临时文字")
    problems.press("Tab")
    settle(page)
    page.locator(".st-key-regen_s2 button").click()
    page.wait_for_function(
        "() => { const t = document.querySelector('.st-key-text_s2 textarea'); "
        "return t && t.value.startsWith('一是'); }",
        timeout=30_000)

    # reload: the edit and the regenerated section are still there
    page.reload()
    section_box(page, "opening").wait_for(timeout=30_000)
    assert section_box(page, "opening").input_value() == edited
    assert section_box(page, "s2").input_value().startswith("一是")
    assert page.get_by_label("单位名称").input_value() == "共青团某某区委员会"

    # download the .docx and read it. After the reload the page may still be rerunning: a click on the
    # button of that rerun's stale copy starts no download (seen once in CI on a fresh clone, 2026-12-02).
    settle(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="下载 Word（.docx）").click()
    data = Path(info.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "这是人工修改的开头" in xml and "4560" in xml
    page.screenshot(path=str(SHOTS / "after_reload.png"), full_page=True)
