"""Issue 16, the drafts database: two tabs on one draft (#1), a full or read-only disk (#3), a draft
deleted under an open tab (#4), one damaged row (#12), oversized sections (#14) and an old-schema
database (#22). The page wiring of these lives in ui/; here is what it calls."""
from __future__ import annotations

import copy
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from zongjie import session
from zongjie import store as store_module
from zongjie.brief import make_brief
from zongjie.model import MAX_SECTION_CHARS, Paragraph
from zongjie.outline import build_outline
from zongjie.store import DraftDamaged, DraftDeleted, SaveConflict, Store, StoreError

ROOT = Path(__file__).resolve().parent.parent
UNIT, PERIOD, GENRE = "共青团某某区委员会", "2023年上半年", "工作总结"
INPUTS = {"unit": UNIT, "period": PERIOD, "genre": GENRE, "title": "", "date": "", "bullets": "", "pinned": ""}


@pytest.fixture
def brief(bullets_text):
    return make_brief(bullets_text, UNIT, PERIOD, GENRE)


@pytest.fixture
def opened(tmp_path, brief, bullets_text):
    """A saved draft with an outline, and two tabs (separate Store objects) that loaded it."""
    path = tmp_path / "zongjie.sqlite3"
    store = Store(path)
    draft_id = store.create({**INPUTS, "bullets": bullets_text})
    store.save(draft_id, report=build_outline(brief))
    return path, draft_id, Store(path).load(draft_id), Store(path).load(draft_id)


def edit(record, brief, key, text):
    """What a tab does on an edit: change its own copy of the report."""
    report = copy.deepcopy(record.report)
    session.apply_edit(report, brief, key, text)
    return report


# ---- #1: two tabs on one draft -------------------------------------------------------------------
def test_1_two_tabs_editing_different_sections_both_survive(opened, brief):
    path, draft_id, tab1, tab2 = opened
    saved1 = Store(path).save_merged(draft_id, tab1, report=edit(tab1, brief, "opening", "第一个窗口写的开头。"))
    # Tab 2 still holds the copy it loaded before tab 1's save.
    saved2 = Store(path).save_merged(draft_id, tab2, report=edit(tab2, brief, "s2", "第二个窗口写的问题。"))
    final = Store(path).load(draft_id).report
    assert final.opening.text == "第一个窗口写的开头。", "tab 2's stale copy did not revert tab 1's opening"
    assert final.find("s2").text == "第二个窗口写的问题。"
    assert saved2.report == final and saved2.rev == saved1.rev + 1, "the merged result goes back to tab 2"


def test_1_two_tabs_changing_different_input_fields_both_survive(opened):
    path, draft_id, tab1, tab2 = opened
    Store(path).save_merged(draft_id, tab1, inputs={**tab1.inputs, "unit": "共青团某某县委员会"})
    Store(path).save_merged(draft_id, tab2, inputs={**tab2.inputs, "period": "2023年下半年"})
    inputs = Store(path).load(draft_id).inputs
    assert inputs["unit"] == "共青团某某县委员会" and inputs["period"] == "2023年下半年"


def test_1_the_same_section_edited_in_both_tabs_is_a_conflict_not_a_silent_overwrite(opened, brief):
    path, draft_id, tab1, tab2 = opened
    Store(path).save_merged(draft_id, tab1, report=edit(tab1, brief, "s2", "第一个窗口的问题。"))
    with pytest.raises(SaveConflict) as info:
        Store(path).save_merged(draft_id, tab2, report=edit(tab2, brief, "s2", "第二个窗口的问题。"))
    conflict = info.value
    assert any("存在的问题" in item for item in conflict.items), conflict.items
    assert "另一个窗口" in str(conflict) and "存在的问题" in str(conflict)
    assert conflict.current.report.find("s2").text == "第一个窗口的问题。", "what is saved, for the page to show"
    assert Store(path).load(draft_id).report.find("s2").text == "第一个窗口的问题。", "nothing written"
    # The user chooses this tab's text: force writes it.
    Store(path).save_merged(draft_id, tab2, report=edit(tab2, brief, "s2", "第二个窗口的问题。"), force=True)
    assert Store(path).load(draft_id).report.find("s2").text == "第二个窗口的问题。"


def test_1_the_same_input_field_changed_in_both_tabs_is_a_conflict(opened):
    path, draft_id, tab1, tab2 = opened
    Store(path).save_merged(draft_id, tab1, inputs={**tab1.inputs, "unit": "甲单位"})
    with pytest.raises(SaveConflict) as info:
        Store(path).save_merged(draft_id, tab2, inputs={**tab2.inputs, "unit": "乙单位"})
    assert info.value.items == ["单位名称"]
    # The same change made in both tabs is no conflict.
    Store(path).save_merged(draft_id, tab2, inputs={**tab2.inputs, "unit": "甲单位"})


def test_1_an_outline_change_in_one_tab_and_a_text_edit_in_the_other_merge(opened, brief):
    path, draft_id, tab1, tab2 = opened
    outline = copy.deepcopy(tab1.report)
    session.rename_section(outline, "s1.1", "新的小标题")
    new_key = session.add_subsection(outline, "s1", "新增小节")
    Store(path).save_merged(draft_id, tab1, report=outline)
    Store(path).save_merged(draft_id, tab2, report=edit(tab2, brief, "s3", "第二个窗口的打算。"))
    final = Store(path).load(draft_id).report
    assert final.find("s1.1").heading == "新的小标题" and final.find(new_key) is not None
    assert final.find("s3").text == "第二个窗口的打算。"


def test_1_editing_a_section_the_other_tab_removed_is_a_conflict(opened, brief):
    path, draft_id, tab1, tab2 = opened
    outline = copy.deepcopy(tab1.report)
    victim = outline.sections[0].subsections[-1].key
    session.remove_subsection(outline, victim)
    Store(path).save_merged(draft_id, tab1, report=outline)
    with pytest.raises(SaveConflict):
        Store(path).save_merged(draft_id, tab2, report=edit(tab2, brief, victim, "在已删除的小节里写的字。"))


def test_1_undo_brings_back_an_unrecorded_revert_in_one_click(opened, brief):
    """A stale save (before merging existed) left the opening at its old text, but the history's
    last version is the edit: one 撤销 must bring the edit back, not look like it did nothing."""
    path, draft_id, tab1, _ = opened
    store = Store(path)
    report = tab1.report
    session.apply_edit(report, brief, "opening", "第一版开头。")
    session.record(store, draft_id, report, "opening", "手动编辑")
    session.apply_edit(report, brief, "opening", "第二版开头。")
    session.record(store, draft_id, report, "opening", "手动编辑")
    session.apply_edit(report, brief, "opening", "第一版开头。")  # reverted behind the history's back
    restored = session.undo(store, draft_id, report, brief, "opening")
    assert restored is not None and report.opening.text == "第二版开头。"


# ---- #4: a draft deleted in another tab ----------------------------------------------------------
def test_4_saving_to_a_deleted_draft_says_so_and_can_restore_it(opened, brief):
    path, draft_id, tab1, tab2 = opened
    Store(path).delete(draft_id)
    report = edit(tab2, brief, "s2", "删除后写的问题。")
    for write in (lambda: Store(path).save(draft_id, report=report),
                  lambda: Store(path).save(draft_id, inputs=tab2.inputs),
                  lambda: Store(path).save_merged(draft_id, tab2, report=report),
                  lambda: Store(path).add_version(draft_id, "s2", report.find("s2").paragraphs, "手动编辑")):
        with pytest.raises(DraftDeleted) as info:
            write()
        assert "删除" in str(info.value) and "没有保存" in str(info.value)
    assert Store(path).load(draft_id) is None
    Store(path).restore(draft_id, inputs=tab2.inputs, report=report, title=report.title)
    back = Store(path).load(draft_id)
    assert back.report.find("s2").text == "删除后写的问题。" and back.inputs == tab2.inputs
    Store(path).save(draft_id, inputs=tab2.inputs)  # and it saves normally again


# ---- #12: one damaged row ------------------------------------------------------------------------
@pytest.mark.parametrize("column,value", [
    ("report", "{not json"), ("report", '{"title": "缺少 opening"}'), ("report", "[]"), ("report", '"text"'),
    ("inputs", "{not json"), ("inputs", "[1, 2]"), ("inputs", "null"),
])
def test_12_one_damaged_draft_is_skipped_and_flagged_every_other_opens(tmp_path, brief, column, value):
    path = tmp_path / "zongjie.sqlite3"
    store = Store(path)
    good = store.create(dict(INPUTS))
    store.save(good, report=build_outline(brief), title="好的草稿")
    bad = store.create(dict(INPUTS))
    store.save(bad, report=build_outline(brief), title="坏的草稿")  # the newest: a bare visit opens it
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE drafts SET {column}=? WHERE id=?", (value, bad))
    with pytest.raises(DraftDamaged) as info:
        Store(path).load(bad)
    assert "坏的草稿" in str(info.value) and "损坏" in str(info.value) and info.value.draft_id == bad
    record, damaged = Store(path).latest()
    assert record.id == good and record.report == build_outline(brief)
    assert damaged == [(bad, "坏的草稿")]
    assert {row[0] for row in Store(path).list()} == {good, bad}, "the damaged row is kept, not deleted"


def test_12_a_damaged_version_row_is_skipped(tmp_path):
    store = Store(tmp_path / "zongjie.sqlite3")
    draft_id = store.create(dict(INPUTS))
    for text in ("第一版。", "第二版。", "第三版。"):
        store.add_version(draft_id, "s1", [Paragraph(text)], "手动编辑")
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE versions SET paragraphs='[{\"no\": 1}]' WHERE seq=2")
    assert [v.text for v in store.versions(draft_id, "s1")] == ["第一版。", "第三版。"]


# ---- #14: a section's size is capped on load and on edit -----------------------------------------
def test_14_an_oversized_stored_section_is_cut_on_load_with_a_notice(opened, brief):
    path, draft_id, tab1, _ = opened
    report = copy.deepcopy(tab1.report)
    report.find("s2").paragraphs = [Paragraph("存在问题。" * 700_000)]  # 3.5 M characters
    Store(path).save(draft_id, report=report)
    record = Store(path).load(draft_id)
    assert len(record.report.find("s2").text) <= MAX_SECTION_CHARS
    assert record.report.find("s2").text.startswith("存在问题。")
    assert any("存在的问题" in n and str(MAX_SECTION_CHARS) in n for n in record.notices), record.notices
    assert record.report.find("s1.1") == tab1.report.find("s1.1")


def test_14_an_edit_longer_than_the_cap_is_refused_and_changes_nothing(opened, brief):
    _, _, tab1, _ = opened
    report = tab1.report
    before = copy.deepcopy(report)
    with pytest.raises(session.EditError) as info:
        session.apply_edit(report, brief, "s2", "很长的正文。" * (MAX_SECTION_CHARS // 6 + 1))
    assert str(MAX_SECTION_CHARS) in str(info.value)
    assert report == before
    assert session.apply_edit(report, brief, "s2", "正" * MAX_SECTION_CHARS)  # at the cap: fine


# ---- #22: an old-schema database -----------------------------------------------------------------
def test_22_an_old_schema_database_is_upgraded_in_place(tmp_path):
    path = tmp_path / "zongjie.sqlite3"
    with sqlite3.connect(path) as db:  # the first release: no report column, no versions table
        db.execute("CREATE TABLE drafts (id TEXT PRIMARY KEY, title TEXT NOT NULL, created REAL NOT NULL, "
                   "updated REAL NOT NULL, inputs TEXT NOT NULL)")
        db.execute("INSERT INTO drafts VALUES ('olddraft0001', '旧草稿', 1, 2, ?)", (json.dumps({"unit": "甲"}),))
    store = Store(path)
    assert store.recovered is None
    record = store.load("olddraft0001")
    assert record.title == "旧草稿" and record.inputs == {"unit": "甲"} and record.report is None
    store.save("olddraft0001", inputs={"unit": "乙"})
    store.add_version("olddraft0001", "s1", [Paragraph("正文。")], "手动编辑")
    assert Store(path).load("olddraft0001").inputs == {"unit": "乙"}


def test_22_an_unrelated_database_is_moved_aside_with_the_right_reason(tmp_path):
    path = tmp_path / "zongjie.sqlite3"
    with sqlite3.connect(path) as db:  # some other program's file, or a schema we cannot upgrade
        db.execute("CREATE TABLE drafts (name TEXT, body BLOB)")
        db.execute("INSERT INTO drafts VALUES ('x', 'y')")
    store = Store(path)
    assert store.recovered is not None and store.recovered.exists()
    assert "结构" in store.notice and "检查磁盘" not in store.notice and str(store.recovered) in store.notice
    assert store.list() == []


def test_22_a_missing_column_found_later_is_not_called_a_disk_problem(tmp_path):
    message = store_module.describe_store_error(sqlite3.OperationalError("no such column: rev"), tmp_path)
    assert "结构" in message and "磁盘" not in message


# ---- #3: reads on a full or read-only disk; a failed save tells the truth ------------------------
def test_3_wal_mode_is_set_once_not_on_every_connection(tmp_path, monkeypatch):
    path = tmp_path / "zongjie.sqlite3"
    Store(path).create(dict(INPUTS))
    statements: list[str] = []
    real_connect = sqlite3.connect

    def traced(*args, **kwargs):
        db = real_connect(*args, **kwargs)
        db.set_trace_callback(statements.append)
        return db

    monkeypatch.setattr(store_module.sqlite3, "connect", traced)
    store = Store(path)
    draft_id = store.create(dict(INPUTS))
    for _ in range(5):
        store.load(draft_id)
        store.list()
        store.save(draft_id, inputs=dict(INPUTS))
    assert not [s for s in statements if "journal_mode" in s.lower() and "wal" in s.lower()], statements[:5]


@pytest.mark.parametrize("message", ["database or disk is full", "disk I/O error",
                                     "attempt to write a readonly database"])
def test_3_a_failed_save_message_is_true(tmp_path, monkeypatch, message):
    """It may not promise that the page still shows the text: only the page knows that."""
    store = Store(tmp_path / "zongjie.sqlite3")
    draft_id = store.create(dict(INPUTS))

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError(message)

    monkeypatch.setattr(store_module.sqlite3, "connect", refuse)
    with pytest.raises(StoreError) as info:
        store.save(draft_id, inputs=dict(INPUTS))
    text = str(info.value)
    assert "页面上的内容仍在" not in text and "未能保存" in text and "已保存的内容不受影响" in text, text


def tmpfs(path: Path, size: str) -> bool:
    """Mount a small tmpfs (root only); False where that is not possible."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    path.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    try:
        with open(filler, "wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
    except OSError:
        pass
    return filler


def test_3_a_full_disk_keeps_reads_working_and_says_the_truth_on_save(tmp_path, brief):
    disk = tmp_path / "disk"
    if not tmpfs(disk, "2m"):
        pytest.skip("cannot mount a tmpfs here")
    try:
        path = disk / "zongjie.sqlite3"
        store = Store(path)
        draft_id = store.create(dict(INPUTS))
        store.save(draft_id, report=build_outline(brief), title="满盘前保存的草稿")
        store.add_version(draft_id, "s2", [Paragraph("第一版。")], "手动编辑")
        filler = fill(disk)
        fresh = Store(path)  # a restart on the full disk
        assert fresh.load(draft_id).title == "满盘前保存的草稿"
        assert [row[0] for row in fresh.list()] == [draft_id]
        assert [v.text for v in fresh.versions(draft_id, "s2")] == ["第一版。"]
        report = fresh.load(draft_id).report
        report.find("s2").paragraphs = [Paragraph("满盘后写的问题。" * 2000)]
        with pytest.raises(StoreError) as info:
            fresh.save(draft_id, report=report)
            fresh.add_version(draft_id, "s2", report.find("s2").paragraphs, "手动编辑")
        assert "磁盘空间已满" in str(info.value) and "页面上的内容仍在" not in str(info.value)
        assert fresh.load(draft_id).report.find("s2").text == "", "the old save is intact"
        filler.unlink()
        fresh.save(draft_id, report=report)
        assert Store(path).load(draft_id).report.find("s2").text.startswith("满盘后写的问题。")
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


READ_ONLY_READS = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from zongjie.store import Store, StoreError
store = Store(Path(sys.argv[1]))
record = store.load(sys.argv[2])
print("LOAD", record.title, record.inputs["unit"])
print("LIST", len(store.list()))
print("VERSIONS", [v.text for v in store.versions(sys.argv[2], "s1")])
try:
    store.save(sys.argv[2], inputs={{"unit": "changed"}})
except StoreError as exc:
    print("SAVE", exc)
"""


def without_dac_override() -> list[str] | None:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"] if setpriv else None


def test_3_a_read_only_database_still_opens_lists_and_shows_history(tmp_path):
    prefix = without_dac_override()
    if prefix is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    folder = tmp_path / "ro"
    path = folder / "zongjie.sqlite3"
    store = Store(path)
    draft_id = store.create({"unit": UNIT}, title="只读盘上的草稿")
    store.add_version(draft_id, "s1", [Paragraph("第一版。")], "手动编辑")
    del store
    os.chmod(path, 0o444)
    os.chmod(folder, 0o555)
    try:
        done = subprocess.run([*prefix, sys.executable, "-c", READ_ONLY_READS, str(path), draft_id],
                              capture_output=True, text=True, timeout=60)
    finally:
        os.chmod(folder, 0o755)
        os.chmod(path, 0o644)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[:3] == [f"LOAD 只读盘上的草稿 {UNIT}", "LIST 1", "VERSIONS ['第一版。']"], done.stdout
    assert lines[3].startswith("SAVE ") and "只读" in lines[3] and "未能保存" in lines[3], lines[3]
    assert Store(path).load(draft_id).inputs == {"unit": UNIT}



# ---- #1 through DraftSession, the object the page saves with --------------------------------------
def test_1_draft_sessions_with_a_base_merge_and_update_the_tab_in_place(opened, brief):
    path, draft_id, tab1, tab2 = opened
    report1, report2 = tab1.report, tab2.report  # what each tab's page holds (st.session_state.report)
    with pytest.raises(ValueError):  # the base must be a snapshot, or edits would change it too
        session.DraftSession(Store(path), draft_id, report1, base=tab1)
    one = session.DraftSession(Store(path), draft_id, report1, base=copy.deepcopy(tab1))
    two = session.DraftSession(Store(path), draft_id, report2, base=copy.deepcopy(tab2))
    session.apply_edit(report1, brief, "opening", "第一个窗口写的开头。")
    one.commit("opening", "手动编辑")
    session.apply_edit(report2, brief, "s2", "第二个窗口写的问题。")
    two.commit("s2", "手动编辑")
    assert two.report is report2, "the page's report object is updated, not replaced"
    assert report2.opening.text == "第一个窗口写的开头。", "tab 2 now shows tab 1's opening"
    assert two.base.rev == one.base.rev + 1
    final = Store(path).load(draft_id).report
    assert final.opening.text == "第一个窗口写的开头。" and final.find("s2").text == "第二个窗口写的问题。"
    shown1, shown2 = dict(tab1.inputs), dict(tab2.inputs)  # what each tab's input fields hold
    one.save_inputs({**shown1, "unit": "共青团某某县委员会"}, "共青团某某县委员会")
    shown1["unit"] = "共青团某某县委员会"
    two.save_inputs({**shown2, "period": "2023年下半年"}, "共青团某某区委员会2023年下半年")
    shown2["period"] = "2023年下半年"
    assert two.saved.inputs["unit"] == "共青团某某县委员会" and two.saved.inputs["period"] == "2023年下半年"
    # Tab 1 has not taken tab 2's period over: its next input save must not revert it...
    one.save_inputs({**shown1, "date": "2023年7月10日"}, "共青团某某县委员会")
    assert Store(path).load(draft_id).inputs["period"] == "2023年下半年"
    # ...and once it has, its fields show it.
    shown1 = one.adopt_inputs()
    assert shown1["period"] == "2023年下半年" and shown1["date"] == "2023年7月10日"
    # Tab 1's report has tab 2's s2 since its commit merged; a save of the opening keeps it.
    session.apply_edit(report1, brief, "opening", "第一个窗口又改了开头。")
    one.commit("opening", "手动编辑")
    assert Store(path).load(draft_id).report.find("s2").text == "第二个窗口写的问题。"
    session.apply_edit(report2, brief, "s2", "第二个窗口再改问题。")
    two.commit("s2", "手动编辑")
    session.apply_edit(report1, brief, "s2", "第一个窗口也改了问题。")
    with pytest.raises(SaveConflict):
        one.commit("s2", "手动编辑")


def test_1_a_draft_session_without_a_base_saves_as_before(opened, brief):
    path, draft_id, tab1, _ = opened
    plain = session.DraftSession(Store(path), draft_id, tab1.report)
    session.apply_edit(tab1.report, brief, "s2", "不带基线的保存。")
    plain.commit("s2", "手动编辑")
    assert Store(path).load(draft_id).report.find("s2").text == "不带基线的保存。"


def test_1_the_record_save_merged_returns_is_a_snapshot(opened, brief):
    """Kept as the next base while the tab edits on, it must not change with the edits."""
    path, draft_id, tab1, _ = opened
    report = edit(tab1, brief, "s2", "第一次保存。")
    inputs = dict(tab1.inputs)
    saved = Store(path).save_merged(draft_id, tab1, inputs=inputs, report=report)
    assert saved.report is not report and saved.inputs is not inputs
    session.apply_edit(report, brief, "s2", "之后的编辑。")
    again = Store(path).save_merged(draft_id, saved, report=report)
    assert again.report.find("s2").text == "之后的编辑。"
    assert Store(path).load(draft_id).report.find("s2").text == "之后的编辑。"
