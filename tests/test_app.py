"""Streamlit AppTest of the main flow with the deterministic template model (ZONGJIE_FAKE_LLM=1)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def fake_llm(monkeypatch):
    monkeypatch.setenv("ZONGJIE_FAKE_LLM", "1")


def start(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def fill(at: AppTest, bullets_text: str) -> AppTest:
    at.text_input(key="unit").set_value("共青团某某区委员会")
    at.text_input(key="period").set_value("2023年上半年")
    at.text_area(key="bullets").set_value(bullets_text)
    return at.run()


def test_generate_draft_edit_and_restore(fake_llm, bullets_text):
    at = start()
    assert not at.exception
    draft_id = at.query_params["d"][0] if isinstance(at.query_params["d"], list) else at.query_params["d"]
    fill(at, bullets_text)
    button(at, "起草全文").click()
    at.run()
    assert not at.exception
    assert not at.error
    texts = {ta.key: ta.value for ta in at.text_area if ta.key.startswith("text_")}
    assert texts["text_opening"].startswith("2023年上半年，共青团某某区委员会")
    assert any("4560名" in v for v in texts.values())
    assert {"text_s2", "text_s3"} <= texts.keys()
    # a manual edit is autosaved and flagged when it invents a number
    key = next(k for k, v in texts.items() if "4560名" in v)
    at.text_area(key=key).set_value("开展主题团日活动30余场，覆盖4560名团员青年，另有50场。")
    at.run()
    assert any("来源不明" in w.value and "50场" in w.value for w in at.warning)
    # a new session on the same draft id (browser refresh / app restart) finds everything again
    again = start({"d": draft_id})
    assert again.text_input(key="unit").value == "共青团某某区委员会"
    assert again.text_area(key="bullets").value == bullets_text
    assert again.text_area(key=key).value.endswith("另有50场。")


def test_empty_bullets_show_a_chinese_error(fake_llm):
    at = start()
    at.text_input(key="unit").set_value("团委")
    at.text_input(key="period").set_value("2023年")
    at.text_area(key="bullets").set_value("")
    at.run()
    button(at, "起草全文").click()
    at.run()
    assert not at.exception
    assert any("请先输入工作要点" in e.value for e in at.error)


def test_section_actions_and_lock(fake_llm, bullets_text):
    at = fill(start(), bullets_text)
    button(at, "起草全文").click()
    at.run()
    before = at.text_area(key="text_s1.1").value
    at.button(key="精简_s1.1").click()
    at.run()
    shorter = at.text_area(key="text_s1.1").value
    assert shorter and len(shorter) < len(before)
    at.button(key="undo_s1.1").click()
    at.run()
    assert at.text_area(key="text_s1.1").value == before
    at.checkbox(key="lock_s1.1").check()
    at.run()
    assert at.button(key="regen_s1.1").disabled
    other = at.text_area(key="text_s2").value
    at.button(key="扩写_s2").click()
    at.run()
    assert at.text_area(key="text_s2").value.startswith(other) and at.text_area(key="text_s2").value != other
    assert at.text_area(key="text_s1.1").value == before
