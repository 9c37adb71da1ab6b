"""Issue 16, the page side: two tabs on one draft, saves that fail inside widget callbacks, a draft
deleted under an open tab, damaged drafts, the settings panel's odd values, a public server address,
and what every rerun costs (proofreading, the .docx). AppTest with the template model; every AppTest
of one test shares the process's cached Store, as the tabs of one browser share the server's."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app import button, fill, start
from zongjie.model import MAX_SECTION_CHARS
from zongjie.settings import data_dir
from zongjie.store import Store, StoreError

FULL = "磁盘空间已满，本次修改未能保存（已保存的内容不受影响）。请清理磁盘后再试。"


@pytest.fixture(autouse=True)
def fake_llm(monkeypatch):
    monkeypatch.setenv("ZONGJIE_FAKE_LLM", "1")


def drafted(bullets_text: str) -> AppTest:
    at = fill(start(), bullets_text)
    button(at, "起草全文").click()
    return at.run()


def store() -> Store:
    return Store(data_dir() / "zongjie.sqlite3")


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def test_the_draft_saved_is_the_draft_shown(bullets_text):
    """起草全文 saves each section as it finishes, then prunes repeats across the sections: the pruned
    report must be the one saved, or a reload brings the repeats back."""
    at = drafted(bullets_text)
    assert store().load(at.session_state["draft_id"]).report == at.session_state["report"]


# ---- 1: two tabs ------------------------------------------------------------------------------------
def test_two_tabs_editing_different_fields_both_survive(bullets_text):
    one = fill(start(), bullets_text)
    two = start()  # a bare visit lands on the same (latest) draft
    assert two.session_state["draft_id"] == one.session_state["draft_id"]
    one.text_input(key="unit").set_value("共青团甲区委员会")
    one.run()
    two.text_input(key="period").set_value("2024年上半年")
    two.run()
    assert not one.exception and not two.exception and not two.error
    saved = store().load(one.session_state["draft_id"])
    assert saved.inputs["unit"] == "共青团甲区委员会", "tab 2's stale unit reverted tab 1's"
    assert saved.inputs["period"] == "2024年上半年"
    assert two.text_input(key="unit").value == "共青团甲区委员会", "tab 2 shows the merged field"


def test_two_tabs_editing_different_sections_both_survive(bullets_text):
    one = drafted(bullets_text)
    two = start()
    one.text_area(key="text_opening").set_value("开头由第一个窗口改写。")
    one.run()
    two.text_area(key="text_s2").set_value("一是第二个窗口改写的问题。")
    two.run()
    assert not two.exception and not two.error
    report = store().load(one.session_state["draft_id"]).report
    assert report.opening.text == "开头由第一个窗口改写。", "tab 2's save reverted tab 1's opening"
    assert report.find("s2").text == "一是第二个窗口改写的问题。"
    assert two.text_area(key="text_opening").value == "开头由第一个窗口改写。"


@pytest.mark.parametrize("choice", ["保留本窗口", "载入另一窗口"])
def test_same_section_in_two_tabs_is_a_conflict_the_user_settles(bullets_text, choice):
    one = drafted(bullets_text)
    two = start()
    one.text_area(key="text_s2").set_value("一是第一个窗口的问题。")
    one.run()
    two.text_input(key="period").set_value("2024年上半年")  # a change of its own that must survive
    two.run()
    two.text_area(key="text_s2").set_value("一是第二个窗口的问题。")
    two.run()
    assert not two.exception
    assert "另一个窗口已修改了同一处内容" in errors(two)
    assert any("冲突之处" in c.value and "存在的问题" in c.value for c in two.caption)
    draft_id = one.session_state["draft_id"]
    assert store().load(draft_id).report.find("s2").text == "一是第一个窗口的问题。", "nothing written yet"
    button(two, choice).click()
    two.run()
    assert not two.exception and "另一个窗口" not in errors(two)
    saved = store().load(draft_id)
    expected = "一是第二个窗口的问题。" if choice == "保留本窗口" else "一是第一个窗口的问题。"
    assert saved.report.find("s2").text == expected
    assert two.text_area(key="text_s2").value == expected
    assert saved.inputs["period"] == "2024年上半年"
    # the tab is in sync again: its next edit saves without a conflict
    two.text_area(key="text_opening").set_value("开头再改一次。")
    two.run()
    assert not two.error and store().load(draft_id).report.opening.text == "开头再改一次。"


# ---- 3: a save that fails inside a widget callback ----------------------------------------------------
def refuse_writes(monkeypatch):
    def full(*args, **kwargs):
        raise StoreError(FULL)

    for name in ("save", "save_merged", "add_version", "create", "delete", "restore"):
        monkeypatch.setattr(Store, name, full)


EDITS = {
    "inputs": lambda at: at.text_input(key="unit").set_value("共青团乙区委员会"),
    "section": lambda at: at.text_area(key="text_s2").set_value("一是改写后的问题。"),
    "lock": lambda at: at.checkbox(key="lock_s2").check(),
    "rename": lambda at: at.text_input(key="head_s1").set_value("一、主要做法"),
    "new draft": lambda at: button(at, "＋ 新建草稿").click(),
    "delete draft": lambda at: delete(at),
}


def delete(at: AppTest) -> None:
    """✕, and 确认删除 where the list asks first."""
    draft_id = at.session_state["draft_id"]
    at.button(key=f"del_{draft_id}").click()
    if any(b.key == f"delok_{draft_id}" for b in at.run().button):
        at.button(key=f"delok_{draft_id}").click()


@pytest.mark.parametrize("edit", EDITS)
def test_a_refused_save_keeps_the_page_and_offers_the_download(bullets_text, edit):
    at = drafted(bullets_text)
    draft_id = at.session_state["draft_id"]
    with pytest.MonkeyPatch.context() as mp:
        refuse_writes(mp)
        EDITS[edit](at)
        at.run()
    assert not at.exception, at.exception
    assert FULL in errors(at)
    assert at.session_state["draft_id"] == draft_id and at.text_area(key="text_s1.1").value
    if edit in ("new draft", "delete draft"):
        return
    assert any("尚未保存到草稿库" in c.value for c in at.caption)
    labels = [b.label for b in at.get("download_button")]
    assert "下载备份（.docx）" in labels and "下载备份（.md）" in labels
    button(at, "重试保存").click()  # the disk has room again
    at.run()
    assert not at.error
    saved = store().load(draft_id)
    assert saved.inputs["unit"] == at.text_input(key="unit").value
    assert saved.report == at.session_state["report"]


def test_read_only_database_is_announced(monkeypatch):
    opened = Store._open_schema

    def read_only(self):
        opened(self)
        self.read_only = True

    monkeypatch.setattr(Store, "_open_schema", read_only)
    at = start()
    assert any("只能读取" in w.value for w in at.warning)


def test_a_settings_save_on_a_full_disk_is_a_message(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("ZONGJIE_SETTINGS", str(blocker / "settings.json"))
    monkeypatch.delenv("ZONGJIE_FAKE_LLM")
    at = start()
    button(at, "保存设置").click()
    at.run()
    assert not at.exception
    assert "设置未能保存" in errors(at)


def test_an_unusable_data_folder_is_a_message(tmp_path, monkeypatch):
    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv("ZONGJIE_HOME", str(tmp_path / "afile" / "home"))
    at = start()
    assert not at.exception
    assert "是一个文件而不是文件夹" in errors(at)


# ---- 4: a draft deleted under an open tab -----------------------------------------------------------
def test_editing_a_draft_deleted_in_another_tab_offers_to_restore_it(bullets_text):
    at = drafted(bullets_text)
    draft_id = at.session_state["draft_id"]
    store().delete(draft_id)  # the other tab
    at.text_area(key="text_s2").set_value("一是删除后仍在改的问题。")
    at.run()
    assert not at.exception
    assert "已被删除" in errors(at)
    button(at, "恢复草稿").click()
    at.run()
    assert not at.error
    saved = store().load(draft_id)
    assert saved.report.find("s2").text == "一是删除后仍在改的问题。" and saved.inputs["bullets"] == bullets_text
    at.text_input(key="period").set_value("2023年全年")  # saving goes on normally
    at.run()
    assert not at.error and store().load(draft_id).inputs["period"] == "2023年全年"


def test_opening_another_draft_ends_the_deleted_drafts_banner(bullets_text):
    at = drafted(bullets_text)
    first = at.session_state["draft_id"]
    button(at, "＋ 新建草稿").click()
    at.run()
    second = at.session_state["draft_id"]
    store().delete(second)
    at.text_input(key="unit").set_value("共青团丁区委员会")
    at.run()
    assert "已被删除" in errors(at)
    at.button(key=f"open_{first}").click()
    at.run()
    assert not at.error and at.session_state["draft_id"] == first
    assert not [b for b in at.button if b.label == "恢复草稿"]


# ---- 12: damaged drafts -----------------------------------------------------------------------------
def test_damaged_drafts_are_named_and_skipped(bullets_text):
    good = fill(start(), bullets_text).session_state["draft_id"]
    s = store()
    bad = s.create({"unit": "坏"}, title="损坏的草稿![](http://evil.example/x.png)")
    with sqlite3.connect(s.path) as db:
        db.execute("UPDATE drafts SET report='{not json', updated=updated+100 WHERE id=?", (bad,))
    at = start()  # a bare visit: the damaged draft is the latest
    assert not at.exception
    assert at.session_state["draft_id"] == good
    assert "损坏的草稿" in errors(at)
    assert "![](" not in errors(at), "a title is shown as text, not as Markdown (issue 16, 6)"
    at = start({"d": bad})
    assert not at.exception and at.session_state["draft_id"] == good
    assert "数据已损坏" in errors(at)


def test_an_oversized_section_is_cut_on_load_with_a_notice(bullets_text):
    at = drafted(bullets_text)
    draft_id = at.session_state["draft_id"]
    s = store()
    with sqlite3.connect(s.path) as db:
        (raw,) = db.execute("SELECT report FROM drafts WHERE id=?", (draft_id,)).fetchone()
        data = json.loads(raw)
        data["sections"][1]["paragraphs"] = [{"text": "很长的问题。" * 3000, "bullet_ids": []}]
        db.execute("UPDATE drafts SET report=? WHERE id=?", (json.dumps(data, ensure_ascii=False), draft_id))
    again = start({"d": draft_id})
    assert not again.exception
    assert any("超过每节" in w.value for w in again.warning)
    assert len(again.text_area(key="text_s2").value) <= MAX_SECTION_CHARS
    again.text_area(key="text_s2").set_value("长" * (MAX_SECTION_CHARS + 1))
    again.run()
    assert not again.exception and "本节正文过长" in errors(again)


# ---- 10, 11, 8, 17: the settings panel --------------------------------------------------------------
def write_settings(tmp_path, monkeypatch, data) -> Path:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("ZONGJIE_SETTINGS", str(path))
    monkeypatch.delenv("ZONGJIE_FAKE_LLM")
    return path


@pytest.mark.parametrize("data", [[], {"concurrency": 20}, {"concurrency": "x", "temperature": "hot"}])
def test_odd_settings_files_are_repaired_and_told_once(tmp_path, monkeypatch, data):
    write_settings(tmp_path, monkeypatch, data)
    at = start()
    assert not at.exception
    told = [w.value for w in at.warning if w.value.startswith("模型设置：")]
    assert told
    at.run()
    assert not [w.value for w in at.warning if w.value.startswith("模型设置：")], "told once per session"


def test_concurrency_above_the_maximum_from_the_environment(tmp_path, monkeypatch):
    write_settings(tmp_path, monkeypatch, {"base_url": "http://127.0.0.1:9/v1"})
    monkeypatch.setenv("ZONGJIE_CONCURRENCY", "32")
    at = start()
    assert not at.exception
    assert at.number_input(key="cfg_concurrency").value == 16


def test_a_password_in_the_endpoint_url_is_masked_and_kept(tmp_path, monkeypatch):
    path = write_settings(tmp_path, monkeypatch, {"base_url": "http://user:s3cret-pw@127.0.0.1:9/v1"})
    at = start()
    assert at.text_input(key="cfg_base_url").value == "http://***@127.0.0.1:9/v1"
    assert "s3cret-pw" not in str(at._tree)
    assert any("Basic 认证" in w.value for w in at.warning)
    at.text_input(key="cfg_model").set_value("m2")
    button(at, "保存设置").click()
    at.run()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["base_url"] == "http://user:s3cret-pw@127.0.0.1:9/v1" and saved["model"] == "m2"


def test_the_embedded_models_concurrency_is_shown(monkeypatch):
    monkeypatch.delenv("ZONGJIE_FAKE_LLM")
    monkeypatch.setenv("ZONGJIE_LOCAL_PARALLEL", "3")
    at = start()
    assert any("内置模型同时起草 3 节" in c.value for c in at.caption)
    assert not [n for n in at.number_input if n.key == "cfg_concurrency"]


# ---- 9: a public server address ---------------------------------------------------------------------
def test_a_non_loopback_server_address_shows_nothing(bullets_text):
    from streamlit import config

    fill(start(), bullets_text)
    old = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = start()
    finally:
        config.set_option("server.address", old)
    assert "本工具只在本机使用" in errors(at)
    assert not at.text_area and not at.text_input


# ---- 17: what a rerun costs -------------------------------------------------------------------------
def test_proofreading_is_cached_and_the_docx_built_only_on_download(bullets_text, monkeypatch):
    import ui.export
    import ui.state
    import zongjie.proofread

    calls = {"proof": 0, "docx": 0}
    real_check, real_docx = zongjie.proofread.check_report, ui.export.export_docx

    def check(report):
        calls["proof"] += 1
        return real_check(report)

    def docx(*args, **kwargs):
        calls["docx"] += 1
        return real_docx(*args, **kwargs)

    monkeypatch.setattr(zongjie.proofread, "check_report", check)
    monkeypatch.setattr(ui.state, "check_report", check, raising=False)
    monkeypatch.setattr(ui.export, "export_docx", docx)
    ui.state._proofread.cache_clear()
    at = drafted(bullets_text)
    calls.update(proof=0, docx=0)
    for _ in range(3):  # clicks that change nothing in the report
        box = at.checkbox(key="inline")
        box.uncheck() if box.value else box.check()
        at.run()
    assert calls == {"proof": 0, "docx": 0}
    at.text_area(key="text_s2").set_value("一是改过的问题。")
    at.run()
    assert calls["proof"] == 1 and calls["docx"] == 0


def test_a_first_visit_that_cannot_create_a_draft_creates_it_on_the_first_save_that_works():
    with pytest.MonkeyPatch.context() as mp:
        refuse_writes(mp)
        at = start()
    assert not at.exception and FULL in errors(at)
    assert at.session_state["draft_id"] is None and at.text_input(key="unit").value == ""
    at.text_input(key="unit").set_value("共青团丙区委员会")  # the disk has room again
    at.run()
    assert not at.error
    draft_id = at.session_state["draft_id"]
    assert draft_id and store().load(draft_id).inputs["unit"] == "共青团丙区委员会"
    assert at.query_params["d"] in (draft_id, [draft_id])
