"""Team mode's isolation in the store: two accounts on one database, every read and write path
(list, latest, load, save, save_merged, restore, delete, versions, add_version, and the editing
session over them). Another owner's draft id behaves exactly like one that does not exist, and
nothing of it is read, changed or deleted. Also: a database of an earlier release upgrades in place,
its drafts the local owner's."""
from __future__ import annotations

import sqlite3

import pytest

from zongjie import session
from zongjie.audit import AuditAction, entries
from zongjie.brief import make_brief
from zongjie.model import Paragraph
from zongjie.outline import build_outline
from zongjie.store import DraftDeleted, Store
from zongjie.team import LOCAL_OWNER

SECRET = "甲的绝密要点9527"


@pytest.fixture
def two(tmp_path):
    """(Store of 甲, Store of 乙, id of 甲's draft with a report and a version)."""
    base = Store(tmp_path / "zongjie.sqlite3")
    a, b = base.as_owner("甲"), base.as_owner("乙")
    brief = make_brief(f"{SECRET}，开展活动30场\n发展团员35名", "共青团某某区委员会", "2024年上半年", "工作总结")
    report = build_outline(brief)
    draft_id = a.create({"bullets": SECRET}, title="甲的草稿")
    a.save(draft_id, report=report)
    a.add_version(draft_id, "opening", [Paragraph(SECRET)], "生成")
    return a, b, draft_id


def test_list_latest_and_load_see_only_ones_own(two):
    a, b, draft_id = two
    assert [d[0] for d in a.list()] == [draft_id]
    assert b.list() == []
    assert b.latest() == (None, [])
    assert b.load(draft_id) is None
    assert a.load(draft_id).inputs == {"bullets": SECRET}
    mine = b.create({"bullets": "乙的要点"})
    assert [d[0] for d in b.list()] == [mine] and b.latest()[0].id == mine
    assert [d[0] for d in a.list()] == [draft_id] and a.latest()[0].id == draft_id
    assert a.load(mine) is None


def test_save_and_save_merged_cannot_touch_anothers_draft(two):
    a, b, draft_id = two
    base = a.load(draft_id)
    with pytest.raises(DraftDeleted):
        b.save(draft_id, inputs={"bullets": "乙改的"}, title="乙改的")
    with pytest.raises(DraftDeleted):
        b.save_merged(draft_id, base, inputs={"bullets": "乙改的"})
    with pytest.raises(DraftDeleted):
        b.save_merged(draft_id, base, inputs={"bullets": "乙改的"}, force=True)
    after = a.load(draft_id)
    assert after.inputs == {"bullets": SECRET} and after.title == "甲的草稿" and after.rev == base.rev
    a.save_merged(draft_id, base, inputs={"bullets": SECRET + "，又一条"})  # the owner still can
    assert a.load(draft_id).inputs["bullets"].endswith("又一条")


def test_restore_never_overwrites_anothers_draft(two):
    a, b, draft_id = two
    with pytest.raises(DraftDeleted):
        b.restore(draft_id, {"bullets": "乙的"}, None, "乙的")
    assert a.load(draft_id).inputs == {"bullets": SECRET}
    assert b.list() == []
    a.delete(draft_id)  # gone for 甲: 乙 may now take the id (a fresh draft), 甲 does not see it
    b.restore(draft_id, {"bullets": "乙的"}, None, "乙的")
    assert b.load(draft_id).inputs == {"bullets": "乙的"} and a.load(draft_id) is None


def test_delete_of_anothers_draft_deletes_nothing(two):
    a, b, draft_id = two
    b.delete(draft_id)
    assert a.load(draft_id) is not None
    assert [v.text for v in a.versions(draft_id, "opening")] == [SECRET]
    a.delete(draft_id)
    assert a.load(draft_id) is None and a.versions(draft_id, "opening") == []


def test_versions_and_add_version_are_the_owners_only(two):
    a, b, draft_id = two
    assert b.versions(draft_id, "opening") == []
    with pytest.raises(DraftDeleted):
        b.add_version(draft_id, "opening", [Paragraph("乙写进去的")], "手动编辑")
    assert [v.text for v in a.versions(draft_id, "opening")] == [SECRET]
    assert a.add_version(draft_id, "opening", [Paragraph("甲的第二版")], "手动编辑") == 2


def test_an_editing_session_on_anothers_draft_gets_nothing(two):
    a, b, draft_id = two
    report = a.load(draft_id).report
    assert session.last_diff(b, draft_id, "opening") == ""
    brief = make_brief(SECRET, "单位", "2024年", "工作总结")
    assert session.undo(b, draft_id, report, brief, "opening") is None
    assert session.restore(b, draft_id, report, brief, "opening", 1) is None
    with pytest.raises(DraftDeleted):
        session.DraftSession(b, draft_id, report).commit("opening", "手动编辑")


def test_the_audit_names_who_did_it(two):
    a, b, draft_id = two
    a.audit(AuditAction.EXPORTED, draft_id, "docx")
    a.delete(draft_id)
    b.delete(draft_id)  # not 乙's: no row
    rows = [(e.user, e.action, e.draft_id) for e in entries(a)]
    assert rows == [("甲", AuditAction.DELETED, draft_id), ("甲", AuditAction.EXPORTED, draft_id),
                    ("甲", AuditAction.CREATED, draft_id)]
    assert not [e for e in entries(a) if SECRET in e.detail]


def test_a_database_of_the_previous_release_upgrades_in_place(tmp_path):
    path = tmp_path / "zongjie.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE drafts (id TEXT PRIMARY KEY, title TEXT NOT NULL, created REAL NOT NULL,
            updated REAL NOT NULL, inputs TEXT NOT NULL, report TEXT, rev INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE versions (draft_id TEXT NOT NULL, section_key TEXT NOT NULL, seq INTEGER NOT NULL,
            created REAL NOT NULL, note TEXT NOT NULL, paragraphs TEXT NOT NULL,
            PRIMARY KEY (draft_id, section_key, seq));
        CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL);
        INSERT INTO _migrations VALUES ('m001_drafts_and_versions', 0), ('m002_drafts_rev', 0);
        INSERT INTO drafts VALUES ('old1', '旧草稿', 1, 2, '{"bullets": "旧要点"}', NULL, 3);
        INSERT INTO versions VALUES ('old1', 'opening', 1, 1, '生成', '[{"text": "旧正文", "bullet_ids": []}]');
    """)
    db.commit()
    db.close()
    store = Store(path)
    assert store.owner == LOCAL_OWNER
    assert store.load("old1").inputs == {"bullets": "旧要点"} and store.load("old1").rev == 3
    assert [v.text for v in store.versions("old1", "opening")] == ["旧正文"]
    assert store.as_owner("甲").load("old1") is None and store.as_owner("甲").list() == []
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"accounts", "audit"} <= tables
