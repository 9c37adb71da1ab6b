"""Issue 16, 1 in a real browser: two tabs of one chromium on one draft (the second one a bare visit,
which reopens the latest draft), each editing its own fields and sections, then the same section.
Nothing either tab saved may be reverted by the other; the same section is a conflict the user settles."""
from __future__ import annotations

import pytest
from test_e2e_browser import app_url, chromium_context, section_box, settle  # noqa: F401 - app_url is a fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def tabs():
    with chromium_context() as context:
        yield context.new_page(), context.new_page()


def type_into(page, locator, text: str) -> None:
    locator.fill(text)
    locator.press("Tab")
    settle(page)


def test_two_tabs_keep_each_others_edits_and_settle_a_conflict(app_url, tabs, bullets_text):  # noqa: F811
    one, two = tabs
    one.goto(app_url)
    type_into(one, one.get_by_label("单位名称"), "共青团某某区委员会")
    type_into(one, one.get_by_label("时段"), "2023年上半年")
    type_into(one, one.get_by_label("工作要点", exact=False), bullets_text)
    one.get_by_role("button", name="起草全文").click()
    section_box(one, "opening").wait_for(timeout=60_000)
    one.wait_for_function("() => [...document.querySelectorAll('textarea')].some(t => t.value.includes('4560名'))",
                          timeout=60_000)
    two.goto(app_url)  # a bare visit: the same draft
    section_box(two, "s2").wait_for(timeout=60_000)

    type_into(one, section_box(one, "opening"), "开头由第一个窗口改写。")
    type_into(two, section_box(two, "s2"), "一是第二个窗口改写的问题。")
    type_into(two, two.get_by_label("时段"), "2024年上半年")
    type_into(one, one.get_by_label("单位名称"), "共青团甲区委员会")
    assert section_box(two, "opening").input_value() == "开头由第一个窗口改写。", "merged into tab 2"

    one.reload()
    section_box(one, "opening").wait_for(timeout=60_000)
    assert section_box(one, "opening").input_value() == "开头由第一个窗口改写。"
    assert section_box(one, "s2").input_value() == "一是第二个窗口改写的问题。"
    assert one.get_by_label("单位名称").input_value() == "共青团甲区委员会"
    assert one.get_by_label("时段").input_value() == "2024年上半年"

    # the same section in both: tab 2 is told, nothing is written until it chooses
    type_into(one, section_box(one, "s3"), "一是第一个窗口的打算。")
    type_into(two, section_box(two, "s3"), "一是第二个窗口的打算。")
    two.get_by_text("另一个窗口已修改了同一处内容", exact=False).wait_for(timeout=30_000)
    settle(two)
    two.get_by_role("button", name="保留本窗口").click()
    settle(two)
    one.reload()
    section_box(one, "s3").wait_for(timeout=60_000)
    assert section_box(one, "s3").input_value() == "一是第二个窗口的打算。"
    assert section_box(one, "opening").input_value() == "开头由第一个窗口改写。"
