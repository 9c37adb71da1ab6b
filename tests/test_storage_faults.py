"""Autosave under faults: kill -9 mid-save, two tabs writing at once, a damaged database file at
startup, and a disk that refuses writes. Nothing saved may be lost or half-written."""
from __future__ import annotations

import copy
import inspect
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from zongjie import session
from zongjie import store as store_module
from zongjie.brief import make_brief
from zongjie.model import Paragraph, Report
from zongjie.outline import build_outline
from zongjie.store import Store, StoreError

ROOT = Path(__file__).resolve().parent.parent


def make_report(v: int) -> Report:
    """Version v of a large draft (about 90,000 characters): every paragraph carries v, so a save
    that mixed two versions, or stopped half-way, cannot equal any make_report(n)."""
    from zongjie.model import Paragraph, Report, Section

    body = "坚持围绕中心、服务大局，扎实推进各项工作，取得了积极成效。" * 10
    sections = [Section(key=f"s{i}", heading=f"第{i}部分（第{v}版）", role="成效",
                        paragraphs=[Paragraph(f"第{v}版第{i}节第{j}段：{body}", [f"B{j}"]) for j in range(1, 5)])
                for i in range(1, 21)]
    return Report(title=f"工作总结第{v}版", unit="共青团某某区委员会", period="2023年上半年", genre="工作总结",
                  opening=Section("opening", "", "开头", paragraphs=[Paragraph(f"开头第{v}版。")]),
                  sections=sections)


# The child process: an app that autosaves a growing draft as fast as it can and prints the number
# of every save that returned (an acknowledged save must survive the kill).
CHILD = f"""
from __future__ import annotations
import sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from zongjie.store import Store
from zongjie.model import Paragraph
{inspect.getsource(make_report)}
store = Store(Path(sys.argv[1]))
draft_id, v = sys.argv[2], int(sys.argv[3])
while True:
    v += 1
    store.save(draft_id, inputs={{"v": v, "bullets": "开展活动" * 500 + str(v)}}, report=make_report(v),
               title=f"第{{v}}版")
    store.add_version(draft_id, "s1", [Paragraph(f"第{{v}}版")], "自动保存")
    print(v, flush=True)
"""
KILLS = 10


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def test_kill_9_mid_save_never_loses_or_tears_the_draft(tmp_path):
    path = tmp_path / "zongjie.sqlite3"
    store = Store(path)
    draft_id = store.create({"v": 0})
    store.save(draft_id, inputs={"v": 0}, report=make_report(0), title="第0版")
    rng = random.Random(20240509)
    v, total_saves = 0, 0
    for _ in range(KILLS):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), draft_id, str(v)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            first = child.stdout.readline()  # at least one save went through
            assert first.strip(), child.stderr.read()
            time.sleep(rng.uniform(0.0, 0.15))
        finally:
            child.send_signal(signal.SIGKILL)
            out, _ = child.communicate(timeout=10)
        acked = int((first + out).split()[-1])
        record = Store(path).load(draft_id)
        saved = record.inputs["v"]
        # Every acknowledged save survived; at most the one in flight was lost or also landed.
        assert acked <= saved <= acked + 1
        assert record.report == make_report(saved) and record.title == f"第{saved}版"
        assert record.inputs["bullets"].endswith(str(saved))
        versions = Store(path).versions(draft_id, "s1")
        assert [x.seq for x in versions] == list(range(1, len(versions) + 1))
        assert versions[-1].text in (f"第{saved}版", f"第{saved - 1}版")
        assert integrity(path) == "ok"
        total_saves += saved - v
        v = saved
    assert total_saves >= KILLS  # the children really were saving when killed


def test_two_tabs_writing_one_draft_at_once(tmp_path):
    """Tab A autosaves the inputs, tab B the report; both record section versions. Separate Store
    objects (connections), as two Streamlit sessions have."""
    path = tmp_path / "zongjie.sqlite3"
    draft_id = Store(path).create({"tab": "A", "i": -1})
    n = 40
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def tab_a():
        s = Store(path)
        start.wait()
        for i in range(n):
            s.save(draft_id, inputs={"tab": "A", "i": i})
            s.add_version(draft_id, "s1", [Paragraph(f"A{i}")], "手动编辑")

    def tab_b():
        s = Store(path)
        start.wait()
        for i in range(n):
            s.save(draft_id, report=make_report(i), title=f"第{i}版")
            s.add_version(draft_id, "s1", [Paragraph(f"B{i}")], "生成")

    def run(fn):
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in (tab_a, tab_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    record = Store(path).load(draft_id)
    assert record.inputs == {"tab": "A", "i": n - 1}  # the inputs never clobbered the report,
    assert record.report == make_report(n - 1) and record.title == f"第{n - 1}版"  # nor it them
    versions = Store(path).versions(draft_id, "s1")
    assert [v.seq for v in versions] == list(range(1, 2 * n + 1))  # no duplicate, no gap
    texts = [v.text for v in versions]
    assert sorted(texts) == sorted([f"A{i}" for i in range(n)] + [f"B{i}" for i in range(n)])
    assert [t for t in texts if t[0] == "A"] == [f"A{i}" for i in range(n)]  # each tab's order kept
    assert integrity(path) == "ok"


VERSION_WRITER = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from zongjie.store import Store
from zongjie.model import Paragraph
store = Store(Path(sys.argv[1]))
for i in range(int(sys.argv[3])):
    store.add_version(sys.argv[2], "s1", [Paragraph(sys.argv[4] + str(i))], "x")
"""


def test_two_processes_recording_versions_get_distinct_sequence_numbers(tmp_path):
    """The race the fix closes: SELECT MAX(seq) and INSERT in a deferred transaction let two
    writers read the same MAX (IntegrityError); BEGIN IMMEDIATE serialises them."""
    path = tmp_path / "zongjie.sqlite3"
    draft_id = Store(path).create({})
    n = 40
    procs = [subprocess.Popen([sys.executable, "-c", VERSION_WRITER, str(path), draft_id, str(n), tag],
                              stderr=subprocess.PIPE, text=True) for tag in ("P", "Q")]
    for p in procs:
        _, err = p.communicate(timeout=30)
        assert p.returncode == 0, err
    versions = Store(path).versions(draft_id, "s1")
    assert [v.seq for v in versions] == list(range(1, 2 * n + 1))
    assert sorted(v.text for v in versions) == sorted([f"P{i}" for i in range(n)] + [f"Q{i}" for i in range(n)])


def test_two_tabs_on_stale_copies_keep_both_edits_in_the_history(bullets_text, tmp_path):
    """Each tab holds the whole report; the later save wins for the current text (last writer
    wins), but the other tab's edit is still in its section's history, one undo away."""
    brief = make_brief(bullets_text, "共青团某某区委员会", "2023年上半年", "工作总结")
    tab_a = build_outline(brief)
    path = tmp_path / "zongjie.sqlite3"
    store_a, store_b = Store(path), Store(path)
    draft_id = store_a.create({"bullets": bullets_text})
    store_a.save(draft_id, report=tab_a)
    tab_b = store_b.load(draft_id).report  # the second tab opens the same draft
    session.apply_edit(tab_a, brief, "s2", "一是理论学习形式单一，吸引力不强。")
    session.record(store_a, draft_id, tab_a, "s2", "手动编辑")
    store_a.save(draft_id, report=tab_a)
    session.apply_edit(tab_b, brief, "s3", "一是下半年计划举办青年干部培训班2期。")
    session.record(store_b, draft_id, tab_b, "s3", "手动编辑")
    store_b.save(draft_id, report=tab_b)
    final = Store(path).load(draft_id).report
    assert final.find("s3").text.startswith("一是下半年计划")
    assert [v.text for v in Store(path).versions(draft_id, "s2")] == ["一是理论学习形式单一，吸引力不强。"]


# ---- a damaged database at startup ---------------------------------------------------------------
def filled_store(path: Path, n: int = 200) -> list[str]:
    store = Store(path)
    # An idle open connection spares each save the checkpoint that closing the last one runs.
    keeper = sqlite3.connect(path)
    keeper.execute("SELECT count(*) FROM drafts").fetchall()
    ids = [store.create({"i": i, "bullets": "开展活动30场。" * 150}) for i in range(n)]
    keeper.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    keeper.close()
    return ids


def damage_garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database \x00\xff" * 400)


def damage_truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damage_page(path: Path) -> None:
    with open(path, "r+b") as fh:  # overwrite pages 3-4: b-tree pages of the drafts table
        fh.seek(4096 * 2)
        fh.write(bytes(random.Random(7).randrange(256) for _ in range(8192)))


@pytest.mark.parametrize("damage", [damage_garbage, damage_truncate, damage_page])
def test_a_damaged_database_is_moved_aside_and_a_fresh_one_started(tmp_path, damage):
    path = tmp_path / "zongjie.sqlite3"
    if damage is not damage_garbage:
        filled_store(path)
    damage(path)
    damaged_bytes = path.read_bytes()
    store = Store(path)
    assert store.recovered is not None and store.recovered.name.startswith("zongjie.sqlite3.corrupt-")
    assert store.recovered.read_bytes() == damaged_bytes, "the damaged file is kept byte for byte"
    assert "已损坏" in store.notice and str(store.recovered) in store.notice
    assert store.list() == []
    draft_id = store.create({"bullets": "开展活动30场"})
    assert Store(path).load(draft_id).inputs == {"bullets": "开展活动30场"}
    assert Store(path).recovered is None  # the fresh database is not moved again
    assert integrity(path) == "ok"


def test_a_healthy_database_is_left_alone(tmp_path):
    path = tmp_path / "zongjie.sqlite3"
    ids = filled_store(path, n=5)
    store = Store(path)
    assert store.recovered is None and store.notice == ""
    assert {row[0] for row in store.list()} == set(ids)
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_damage_found_after_startup_is_a_store_error_not_a_crash(tmp_path):
    path = tmp_path / "zongjie.sqlite3"
    ids = filled_store(path)
    store = Store(path)
    damage_garbage(path)
    with pytest.raises(StoreError, match="已损坏") as info:
        store.load(ids[0])
    assert "重新启动" in str(info.value)
    assert Store(path).recovered is not None  # and the restart recovers


# ---- the disk refuses ---------------------------------------------------------------------------
@pytest.mark.parametrize("message,expected", [
    ("disk I/O error", "无法读写草稿库"),
    ("attempt to write a readonly database", "无法读写草稿库"),
    ("unable to open database file", "无法读写草稿库"),
    ("database or disk is full", "磁盘空间已满"),
    ("database is locked", "占用"),
])
def test_a_failing_write_is_a_chinese_store_error_and_the_report_in_memory_is_untouched(
        bullets_text, tmp_path, monkeypatch, message, expected):
    brief = make_brief(bullets_text, "共青团某某区委员会", "2023年上半年", "工作总结")
    report = build_outline(brief)
    path = tmp_path / "zongjie.sqlite3"
    store = Store(path)
    draft_id = store.create({"bullets": bullets_text})
    store.save(draft_id, report=report)
    session.apply_edit(report, brief, "s2", "一是理论学习形式单一。")
    before = copy.deepcopy(report)

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError(message)

    monkeypatch.setattr(store_module.sqlite3, "connect", refuse)
    for write in (lambda: store.save(draft_id, report=report),
                  lambda: store.add_version(draft_id, "s2", report.find("s2").paragraphs, "手动编辑"),
                  lambda: session.record(store, draft_id, report, "s2", "手动编辑"),
                  lambda: store.create({"x": 1})):
        with pytest.raises(StoreError, match=expected) as info:
            write()
        assert isinstance(info.value.__cause__, sqlite3.OperationalError)
    assert report == before
    monkeypatch.undo()
    assert Store(path).load(draft_id).report.find("s2").text == ""  # the old save is intact
    store.save(draft_id, report=report)  # and once the disk is back, the next autosave works
    assert Store(path).load(draft_id).report == before


def test_a_writer_holding_the_lock_makes_the_other_tab_wait_then_fail_clearly(tmp_path, monkeypatch):
    path = tmp_path / "zongjie.sqlite3"
    store = Store(path)
    draft_id = store.create({"v": 1})
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.3)
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="占用"):
            store.save(draft_id, inputs={"v": 2})
        assert time.monotonic() - t0 >= 0.25  # it waited for the other writer first
    finally:
        blocker.rollback()
        blocker.close()
    store.save(draft_id, inputs={"v": 2})
    assert store.load(draft_id).inputs == {"v": 2}


def test_an_unusable_data_directory_is_a_store_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="无法读写草稿库"):
        Store(blocker / "zongjie.sqlite3")
    with pytest.raises(StoreError, match="无法读写草稿库"):
        Store(tmp_path)  # a directory where the database file should be


READ_ONLY = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from zongjie.store import Store, StoreError
path = Path(sys.argv[1])
try:
    Store(path).create({{"new": 1}})
except StoreError as exc:
    print("StoreError", exc)
"""


def without_dac_override() -> list[str] | None:
    """argv prefix under which file permissions apply: none needed for a normal user; for root,
    setpriv dropping the capabilities that let root ignore them."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"] if setpriv else None


def test_a_read_only_data_directory_is_a_store_error_and_loses_nothing(tmp_path):
    prefix = without_dac_override()
    if prefix is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    path = tmp_path / "ro" / "zongjie.sqlite3"
    draft_id = Store(path).create({"kept": 1})
    os.chmod(path, 0o444)
    os.chmod(path.parent, 0o555)
    try:
        done = subprocess.run([*prefix, sys.executable, "-c", READ_ONLY, str(path)], capture_output=True,
                              text=True, timeout=30)
    finally:
        os.chmod(path.parent, 0o755)
        os.chmod(path, 0o644)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("StoreError 无法读写草稿库"), done.stdout
    assert Store(path).load(draft_id).inputs == {"kept": 1}
