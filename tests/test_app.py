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


def drafted(bullets_text) -> AppTest:
    at = fill(start(), bullets_text)
    button(at, "起草全文").click()
    return at.run()


def test_outline_edits_before_drafting(fake_llm, bullets_text):
    at = fill(start(), bullets_text)
    button(at, "生成提纲").click()
    at.run()
    assert not at.exception
    # rename a headline
    at.text_input(key="head_s1.1").set_value("强化政治引领，坚定青年理想信念")
    at.run()
    # move B1 into the last subsection, add and remove subsections
    subs = [ti.key for ti in at.text_input if ti.key.startswith("head_s1.")]
    last = subs[-1].removeprefix("head_")
    at.selectbox(key="assign_B1").set_value(last)
    at.run()
    at.text_input(key="new_s1").set_value("加强阵地建设，拓展青年活动空间")
    at.button(key="add_s1").click()
    at.run()
    new_key = f"s1.{len(subs) + 1}"
    assert at.text_input(key=f"head_{new_key}").value == "加强阵地建设，拓展青年活动空间"
    at.button(key=f"rm_{subs[1].removeprefix('head_')}").click()
    at.run()
    assert not at.exception and not at.error
    button(at, "起草全文").click()
    at.run()
    report = at.session_state["report"]
    assert report.find("s1.1").heading == "强化政治引领，坚定青年理想信念"
    assert "B1" in report.find(last).bullet_ids and "B1" not in report.find("s1.1").bullet_ids
    assert "4560名" in at.text_area(key=f"text_{last}").value
    assert [s.key for s in report.sections[0].subsections][-1] == new_key
    assigned = sorted(b for s in report.drafting_units() for b in s.bullet_ids)
    assert len(assigned) == 8, "removing a subsection moved its bullets, none lost"


def test_rewrite_with_instruction_history_and_diff(fake_llm, bullets_text):
    at = drafted(bullets_text)
    at.button(key="rewrite_s2").click()
    at.run()
    assert any("请先在“重写要求”" in e.value for e in at.error)
    at.text_input(key="instr_s2").set_value("语气更正式")
    at.button(key="rewrite_s2").click()
    at.run()
    assert at.text_area(key="text_s2").value.startswith("（已按要求修改）")
    assert any("+（已按要求修改）" in c.value for c in at.code)
    assert any("第2版 · 语气更正式" in c.value for c in at.caption)


def test_fact_ledger_chips_show_sources(fake_llm, bullets_text):
    at = drafted(bullets_text)
    chips = " ".join(m.value for m in at.markdown if "zj-ok" in m.value or "zj-bad" in m.value)
    assert "4560名 ← B1" in chips and 'title="五四期间' in chips
    key = next(ta.key for ta in at.text_area if ta.key.startswith("text_") and "4560名" in ta.value)
    at.text_area(key=key).set_value(at.text_area(key=key).value + "另有活动99场。")
    at.run()
    # issue 15.7: a finding is shown once — in the box with its two buttons, not also as a red chip
    assert not any("99场" in m.value and "zj-bad" in m.value for m in at.markdown)
    assert sum("99场" in w.value for w in at.warning) == 1
    assert {"加入要点", "确认保留"} <= {b.label for b in at.button if (b.key or "").endswith(f"{key[5:]}_0")}


def test_pinned_style_report_is_used_and_inspectable(fake_llm, bullets_text):
    at = fill(start(), bullets_text)
    options = at.selectbox(key="pinned").options
    assert len(options) >= 10
    from retrieval.index import default_index

    rid = next(r for r, _ in default_index().reports() if r == "004")
    at.selectbox(key="pinned").set_value(rid)
    at.run()
    button(at, "起草全文").click()
    at.run()
    report = at.session_state["report"]
    pinned = [p for s in report.drafting_units() for p in s.exemplar_ids if p.startswith("004#")]
    assert pinned, "sections with a passage of their role in 004 use it"
    assert any("参考范文：《区团委2023年上半年工作总结及下半年工作计划》" in c.value for c in at.caption)


def test_settings_connection_test_reports_failure_in_chinese(monkeypatch, bullets_text):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    monkeypatch.setenv("ZONGJIE_BASE_URL", f"http://127.0.0.1:{port}/v1")
    at = start()
    button(at, "测试连接").click()
    at.run()
    assert any("无法连接模型服务" in e.value for e in at.error)
    at.text_input(key="cfg_model").set_value("deepseek-chat")
    at.number_input(key="cfg_concurrency").set_value(6)
    at.selectbox(key="cfg_style").set_value("full")
    button(at, "保存设置").click()
    at.run()
    from zongjie.settings import load_settings

    saved = load_settings()
    assert (saved.model, saved.concurrency, saved.style) == ("deepseek-chat", 6, "full")


def test_proofread_warning_and_one_click_fix(fake_llm, bullets_text):
    at = drafted(bullets_text)
    at.text_area(key="text_s2").set_value("一是学习贯彻习金平新时代中国特色社会主义思想不够深入。")
    at.run()
    assert any("习金平" in c.value for c in at.caption)
    fix = next(b for b in at.button if b.key and b.key.startswith("fix_s2_"))
    fix.click()
    at.run()
    assert at.text_area(key="text_s2").value == "一是学习贯彻习近平新时代中国特色社会主义思想不够深入。"
    assert not any("习金平" in c.value for c in at.caption)


def test_parallel_headline_proposal(fake_llm, bullets_text):
    at = fill(start(), bullets_text)
    button(at, "生成提纲").click()
    at.run()
    at.text_input(key="head_s1.1").set_value("抓好理论武装工作")
    at.run()
    assert any("校对［标题］" in i.value for i in at.info)
    at.button(key="parallel_s1").click()
    at.run()
    heads = [ti.value for ti in at.text_input if ti.key and ti.key.startswith("head_s1.")]
    assert len({tuple(len(p) for p in h.split("，")) for h in heads}) == 1, heads


def test_upload_example_then_pin_it(fake_llm, bullets_text):
    from zongjie.examples import ExampleLibrary

    text = (FIXTURE_EXAMPLE.read_text(encoding="utf-8"))
    report = ExampleLibrary().add("my.txt", text.encode("utf-8"))
    at = fill(start(), bullets_text)
    assert report.title in at.selectbox(key="pinned").options, "a user example can be the style model"
    assert any(report.title[:10] in c.value for c in at.caption)
    at.button(key=f"rmex_{report.id}").click()
    at.run()
    assert report.title not in at.selectbox(key="pinned").options
    assert ExampleLibrary().list() == []


FIXTURE_EXAMPLE = Path(__file__).parent / "fixtures" / "examples" / "report.txt"


def test_regenerating_the_outline_asks_first_and_keeps_history(fake_llm, bullets_text):
    at = drafted(bullets_text)
    before = at.text_area(key="text_s2").value
    button(at, "生成提纲").click()
    at.run()
    assert any("再点一次" in e.value for e in at.error)
    assert at.text_area(key="text_s2").value == before, "first click changes nothing"
    button(at, "生成提纲").click()
    at.run()
    assert at.text_area(key="text_s2").value == ""
    from zongjie.settings import data_dir
    from zongjie.store import Store

    versions = Store(data_dir() / "zongjie.sqlite3").versions(at.session_state["draft_id"], "s2")
    assert versions[-1].text == before and versions[-1].note in ("生成", "重新生成提纲前")


def test_bare_visit_reopens_the_latest_draft(fake_llm, bullets_text):
    at = fill(start(), bullets_text)
    draft_id = at.session_state["draft_id"]
    again = start()  # no ?d= in the URL, as after an app restart from a bookmark
    assert again.session_state["draft_id"] == draft_id
    assert again.text_area(key="bullets").value == bullets_text
    button(again, "＋ 新建草稿").click()
    again.run()
    assert again.session_state["draft_id"] != draft_id
