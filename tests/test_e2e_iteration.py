"""Issue 15 in a real browser (Debian chromium, Playwright, the template model): edit a section by hand,
起草全文 asks and keeps the edit, 扩写 lengthens the text or says it did not, 预览 copies the whole
report; and a title with Markdown in it fetches nothing (issue 16.6)."""
import pytest

from tests.test_e2e_browser import SHOTS, app_url, page, section_box, settle  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
HOSTILE_TITLE = "![](http://127.0.0.1:9/x.png)$x^2$工作总结"


def test_edit_keep_on_redraft_expand_preview_and_copy(app_url, page, bullets_text):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    page.goto(app_url)
    page.get_by_label("单位名称").fill("共青团某某区委员会")
    page.get_by_label("时段").fill("2023年上半年")
    page.get_by_label("标题（可不填）").fill(HOSTILE_TITLE)
    page.get_by_label("标题（可不填）").press("Tab")
    bullets = page.get_by_label("工作要点", exact=False)
    assert bullets.input_value() == "" and "例如" in bullets.get_attribute("placeholder")
    bullets.fill(bullets_text)
    bullets.press("Tab")
    settle(page)
    page.get_by_role("button", name="起草全文").click()
    page.wait_for_function("() => [...document.querySelectorAll('textarea')].some(t => t.value.includes('4560名'))",
                           timeout=60_000)
    settle(page)

    # a hand edit, then 起草全文 again: the page asks, and skipping keeps the edit
    edited = "2023年上半年，本单位扎实推进各项工作。这是人工修改的开头。"
    opening = section_box(page, "opening")
    opening.fill(edited)
    opening.press("Tab")
    settle(page)
    page.get_by_role("button", name="起草全文").click()
    page.get_by_text("1 节已手动修改", exact=False).wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "redraft-question.png"), full_page=True)
    page.get_by_role("button", name="跳过这 1 节，起草其余").click()
    page.get_by_text("起草完成", exact=False).first.wait_for(timeout=60_000)
    settle(page)
    assert section_box(page, "opening").input_value() == edited

    # 扩写: a longer text, or the no-change message, inside the card
    box = section_box(page, "s1.1")
    before = box.input_value()
    page.locator(".st-key-card_s1-1").get_by_role("button", name="扩写", exact=True).click()
    page.wait_for_function(
        "(before) => { const t = document.querySelector('.st-key-text_s1-1 textarea');"
        " const card = document.querySelector('.st-key-card_s1-1');"
        " return (t && t.value.length > before.length) || (card && card.innerText.includes('模型未做修改')); }",
        arg=before, timeout=60_000)
    settle(page)
    after = section_box(page, "s1.1").input_value()
    card = page.locator(".st-key-card_s1-1").inner_text()
    assert len(after) > len(before) or "模型未做修改" in card
    assert "4560名" in after

    # 预览: the whole text, 字数, and 复制全文
    page.get_by_role("tab", name="预览").click()
    page.get_by_text("全文字数").wait_for(timeout=30_000)
    frame = page.frame_locator("iframe").first
    frame.get_by_role("button", name="复制全文").click()
    frame.get_by_text("已复制全文").wait_for(timeout=10_000)
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert edited in copied and "一、主要做法和成效" in copied and "4560名" in copied
    page.screenshot(path=str(SHOTS / "preview.png"), full_page=True)

    # the title's Markdown image was shown as text, never fetched
    assert not any("127.0.0.1:9" in url for url in requested), [u for u in requested if ":9/" in u]
    assert page.locator("img[src*='127.0.0.1:9']").count() == 0
    assert page.get_by_text("![](http://127.0.0.1:9/x.png)", exact=False).count() >= 1
