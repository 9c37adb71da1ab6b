from zongjie import session
from zongjie.brief import make_brief
from zongjie.model import Paragraph
from zongjie.outline import build_outline
from zongjie.store import Store


def setup(bullets_text, tmp_path):
    brief = make_brief(bullets_text, "共青团某某区委员会", "2023年上半年", "工作总结")
    report = build_outline(brief)
    store = Store(tmp_path / "db.sqlite3")
    draft_id = store.create({"unit": brief.unit, "bullets": bullets_text})
    return brief, report, store, draft_id


def test_draft_round_trips_through_store(bullets_text, tmp_path):
    brief, report, store, draft_id = setup(bullets_text, tmp_path)
    report.find("s1.1").paragraphs = [Paragraph("开展活动30余场。", ["B1"])]
    report.find("s1.1").locked = True
    store.save(draft_id, report=report, title=report.title)
    again = Store(tmp_path / "db.sqlite3").load(draft_id)  # a new Store = an app restart
    assert again.report == report
    assert again.inputs["bullets"] == bullets_text
    assert again.title == report.title
    assert [row[0] for row in store.list()] == [draft_id]


def test_saving_inputs_keeps_report(bullets_text, tmp_path):
    brief, report, store, draft_id = setup(bullets_text, tmp_path)
    store.save(draft_id, report=report)
    store.save(draft_id, inputs={"unit": "改"})
    record = store.load(draft_id)
    assert record.report is not None and record.inputs == {"unit": "改"}


def test_delete_removes_draft_and_versions(bullets_text, tmp_path):
    brief, report, store, draft_id = setup(bullets_text, tmp_path)
    store.add_version(draft_id, "s2", [Paragraph("x")], "生成")
    store.delete(draft_id)
    assert store.load(draft_id) is None and store.versions(draft_id, "s2") == []


def test_edit_recomputes_provenance_and_flags(bullets_text, tmp_path):
    brief, report, store, draft_id = setup(bullets_text, tmp_path)
    key = next(s.key for s in report.drafting_units() if "B1" in s.bullet_ids)
    assert session.apply_edit(report, brief, key, "开展青年文化节主题团日活动30余场，覆盖4560名团员青年。")
    section = report.find(key)
    assert section.paragraphs[0].bullet_ids == ["B1"]
    assert not [i for i in section.issues if i.kind == "来源不明"]
    session.apply_edit(report, brief, key, "开展主题团日活动50场。")
    assert [i.text for i in report.find(key).issues if i.kind == "来源不明"] == ["50场"]
    assert not session.apply_edit(report, brief, key, "开展主题团日活动50场。")  # unchanged


def test_versions_undo_and_diff(bullets_text, tmp_path):
    brief, report, store, draft_id = setup(bullets_text, tmp_path)
    session.apply_edit(report, brief, "s2", "一是学习形式单一。")
    session.record(store, draft_id, report, "s2", "生成")
    session.record(store, draft_id, report, "s2", "生成")  # identical: not recorded twice
    session.apply_edit(report, brief, "s2", "一是学习形式单一。二是吸引力不强。")
    session.record(store, draft_id, report, "s2", "手动编辑")
    assert [v.note for v in store.versions(draft_id, "s2")] == ["生成", "手动编辑"]
    assert "+二是吸引力不强。" in session.last_diff(store, draft_id, "s2")
    restored = session.undo(store, draft_id, report, brief, "s2")
    assert restored.seq == 1 and report.find("s2").text == "一是学习形式单一。"
    assert len(store.versions(draft_id, "s2")) == 3


def test_undo_steps_back_and_any_version_can_be_restored(bullets_text, tmp_path):
    """Issue 15.6: 撤销 repeated walks back v3 → v2 → v1 (it used to toggle between the last two)."""
    brief, report, store, draft_id = setup(bullets_text, tmp_path)
    texts = ["一是学习形式单一。", "一是学习形式单一。二是吸引力不强。",
             "一是学习形式单一。二是吸引力不强。三是覆盖面窄。"]
    for n, text in enumerate(texts):
        session.apply_edit(report, brief, "s2", text)
        session.record(store, draft_id, report, "s2", f"第{n}次")
    assert session.undo(store, draft_id, report, brief, "s2").seq == 2
    assert session.undo(store, draft_id, report, brief, "s2").seq == 1
    assert report.find("s2").text == "一是学习形式单一。"
    assert session.undo(store, draft_id, report, brief, "s2") is None  # nothing earlier: says so
    assert session.restore(store, draft_id, report, brief, "s2", 3).seq == 3
    assert report.find("s2").text.endswith("三是覆盖面窄。")
    assert store.versions(draft_id, "s2")[-1].note == "恢复第 3 版"


def test_schema_migrations_run_once_each_and_in_order(tmp_path, monkeypatch):
    import sqlite3

    from zongjie import migrations

    path = tmp_path / "zongjie.sqlite3"
    Store(path)
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid")]
        columns = [r[1] for r in db.execute("PRAGMA table_info(drafts)")]
    assert names == [fn.__name__ for fn in migrations.MIGRATIONS]
    assert columns == list(migrations.COLUMNS["drafts"])

    calls = []

    def m999_test(db):
        calls.append(db.execute("SELECT count(*) FROM drafts").fetchone()[0])

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, m999_test])
    store = Store(path)
    draft_id = store.create({"unit": "甲"})
    Store(path).load(draft_id)
    assert calls == [0], "a new migration is applied once, when the database next opens"
