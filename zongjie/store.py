"""Autosave: drafts (inputs, outline, sections) and per-section version history in a local SQLite file.

SQLite transactions make each save atomic: a crash mid-write leaves the previous save intact.
A database that is damaged at startup is moved aside (never deleted) and a fresh one begun; one of an
older layout is upgraded in place. Every other SQLite failure becomes a StoreError with a Chinese
message for the page that says what happened and nothing more (the store cannot know what the page
still shows). Reads keep working on a full or read-only disk.

Two tabs on one draft: each keeps the record it last read or wrote and saves with `save_merged`, a
three-way merge (zongjie.merge) under the write lock; `rev` counts saves. Only the same field or the
same part of the same section changed in both is a SaveConflict.

Every draft has an owner. A Store reads and writes only its owner's drafts and their versions (team
mode gives each signed-in account its view, `as_owner`; single-user mode is the fixed LOCAL_OWNER): a
draft id of another owner behaves exactly like one that does not exist. Creating, restoring and
deleting a draft each write their audit row (zongjie.audit) in the same transaction.
"""
from __future__ import annotations

import copy
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable
from contextlib import closing, contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

from . import audit
from .audit import AuditAction
from .merge import merge_inputs, merge_report
from .migrations import COLUMNS, Incompatible, migrate, missing_columns
from .model import Paragraph, Report
from .settings import SettingsError, data_dir
from .store_errors import (
    DraftDamaged,
    DraftDeleted,
    SaveConflict,
    StoreError,
    describe_store_error,
    is_busy,
    is_corrupt,
)
from .store_records import DraftRecord, Version, plain, record_from_row, to_json, versions_from_rows
from .team import LOCAL_OWNER

# The errors live in store_errors; callers know them from here.
__all__ = ["DraftDamaged", "DraftDeleted", "DraftRecord", "SaveConflict", "Store", "StoreError", "Version",
           "describe_store_error"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Seconds a writer waits for another tab's (or process's) write to finish before giving up.
BUSY_TIMEOUT = 10.0

class _Damaged(Exception):
    """The database file is not a readable SQLite database (seen at startup)."""


class Store:
    def __init__(self, path: Path | None = None, owner: str = LOCAL_OWNER):
        self.owner = owner
        try:
            self.path = Path(path or data_dir() / "zongjie.sqlite3")
        except SettingsError as exc:  # ZONGJIE_HOME below a regular file, say
            raise StoreError(str(exc)) from exc
        # Set when a damaged database was moved aside at startup: the backup path and a message
        # the page shows once, so drafts are never lost silently.
        self.recovered: Path | None = None
        self.notice = ""
        # Set when the database could be opened only for reading (full or read-only disk).
        self.read_only = False
        self._rev = "rev"  # the column, or "0" on a not yet upgraded database read read-only
        self._owner = "owner"  # the column, or the local owner's name on such a database
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(describe_store_error(exc, self.path)) from exc
        try:
            self._open_schema()
        except (_Damaged, Incompatible) as exc:
            self.recovered = self._move_aside()
            why = ("文件已损坏" if isinstance(exc, _Damaged)
                   else "的结构与本版本不兼容（可能来自其他程序或很旧的版本）")
            self.notice = (f"草稿库{why}，原文件已备份为 {self.recovered}，并新建了草稿库。"
                           "如需找回旧草稿，请保留该备份文件。")
            self._open_schema()

    def _open_schema(self) -> None:
        """Check the file, set WAL once (it is a property of the file, not of a connection), upgrade
        an older layout. On a disk that refuses writes, the same checks on a read-only connection."""
        try:
            with self._tx() as db:
                self._check(db)
                if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    db.execute("PRAGMA journal_mode=WAL")
                migrate(db)  # a file of an older release is brought up to date (zongjie/migrations.py)
        except StoreError as exc:
            cause = exc.__cause__
            if isinstance(cause, sqlite3.Error) and is_corrupt(cause):
                raise _Damaged(str(cause)) from exc
            if not isinstance(cause, sqlite3.Error) or is_busy(cause) or not self.path.exists():
                raise
            try:
                with closing(self._connect_read_only()) as db:
                    self._check(db)
                    missing = missing_columns(db)
            except sqlite3.Error:
                raise exc from exc.__cause__  # the first failure is the one to explain
            if any(COLUMNS[t][c] is None for t, cs in missing.items() for c in cs):
                raise exc from exc.__cause__  # the first failure is the one to explain
            self.read_only = True
            self._rev = "0" if "rev" in missing.get("drafts", ()) else "rev"
            self._owner = f"'{LOCAL_OWNER}'" if "owner" in missing.get("drafts", ()) else "owner"
            log.warning("drafts database %s opened read-only: %s", self.path, exc)

    @staticmethod
    def _check(db: sqlite3.Connection) -> None:
        (result,) = db.execute("PRAGMA quick_check(1)").fetchone()
        if result != "ok":
            raise _Damaged(result)

    def _connect_read_only(self) -> sqlite3.Connection:
        """A connection that writes nothing at all, for reading a database on a full or read-only
        disk. mode=ro still needs the WAL index (-shm) file; immutable=1 does not, but would not
        see commits still in a -wal file, so it is used only when there is none."""
        uri = self.path.resolve().as_uri()
        attempts = [f"{uri}?mode=ro"]
        wal = Path(str(self.path) + "-wal")
        if not (wal.exists() and wal.stat().st_size > 0):
            attempts.append(f"{uri}?mode=ro&immutable=1")
        error: sqlite3.Error | None = None
        for target in attempts:
            db = sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT)
            try:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return db
            except sqlite3.Error as exc:
                db.close()
                error = exc
        assert error is not None
        raise error

    def _move_aside(self) -> Path:
        """Rename the database (and its WAL/SHM companions, which may hold its last commits)."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while backup.exists():
            n += 1
            backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            for suffix in ("-wal", "-shm", ""):
                part = Path(str(self.path) + suffix)
                if part.exists():
                    part.replace(str(backup) + suffix)
        except OSError as exc:
            raise StoreError(describe_store_error(exc, self.path)) from exc
        return backup

    @contextmanager
    def _tx(self, immediate: bool = False, write: bool = True):
        """One transaction on a fresh connection; immediate=True takes the write lock before the
        first read, for read-then-write operations that two tabs may run at the same time."""
        # A fresh connection per operation: Streamlit reruns scripts on other threads, and
        # sqlite3 connections must not cross threads. WAL (set once, in _open_schema) lets two
        # tabs read while one writes; setting it on every connection made every read a write,
        # which failed on a full or read-only disk.
        try:
            with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)) as db:
                db.execute("PRAGMA synchronous=NORMAL")
                with db:
                    if immediate:
                        db.execute("BEGIN IMMEDIATE")
                    yield db
        except sqlite3.Error as exc:
            raise StoreError(describe_store_error(exc, self.path, write)) from exc

    def _read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """Run a read; if the normal connection fails for a reason other than damage or a busy
        writer (a full or read-only disk), run it again on a connection that writes nothing."""
        try:
            with self._tx(write=False) as db:
                return query(db)
        except StoreError as exc:
            cause = exc.__cause__
            if not isinstance(cause, sqlite3.Error) or is_corrupt(cause) or is_busy(cause):
                raise
            try:
                with closing(self._connect_read_only()) as db:
                    return query(db)
            except sqlite3.Error:
                raise exc from exc.__cause__  # the first failure is the one to explain

    # ---- for the account, audit and team modules, which share this database --------------
    def as_owner(self, owner: str) -> Store:
        """The same database, seen as `owner`'s: only its drafts (a cheap copy; nothing is reopened)."""
        view = copy.copy(self)
        view.owner = owner
        return view

    def transaction(self, immediate: bool = False):
        """One transaction (see _tx); SQLite failures become StoreError."""
        return self._tx(immediate)

    def read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """A read that also works on a full or read-only disk (see _read)."""
        return self._read(query)

    def audit(self, action: AuditAction, draft_id: str = "", detail: str = "") -> None:
        """Record that this owner did `action` (an export, say) to one of its own drafts."""
        with self._tx() as db:
            audit.write(db, self.owner, action, draft_id, detail)

    # ---- drafts -------------------------------------------------------------------------
    def create(self, inputs: dict, title: str = "未命名草稿") -> str:
        draft_id = uuid.uuid4().hex[:12]
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT INTO drafts (id,title,created,updated,inputs,report,owner) VALUES (?,?,?,?,?,NULL,?)",
                       (draft_id, plain(title), now, now, to_json(inputs), self.owner))
            audit.write(db, self.owner, AuditAction.CREATED, draft_id)
        return draft_id

    def save(self, draft_id: str, inputs: dict | None = None, report: Report | None = None,
             title: str | None = None) -> None:
        """Update only what is given, so saving the inputs never clobbers a newer report. Last
        writer wins; save_merged is the two-tab-safe form. DraftDeleted if the draft is gone."""
        sets, args = ["updated=?", "rev=rev+1"], [time.time()]
        if inputs is not None:
            sets.append("inputs=?")
            args.append(to_json(inputs))
        if report is not None:
            sets.append("report=?")
            args.append(to_json(report.to_dict()))
        if title is not None:
            sets.append("title=?")
            args.append(plain(title))
        with self._tx() as db:
            cursor = db.execute(f"UPDATE drafts SET {', '.join(sets)} WHERE id=? AND owner=?",
                                (*args, draft_id, self.owner))
            if cursor.rowcount == 0:
                raise DraftDeleted(draft_id)

    def save_merged(self, draft_id: str, base: DraftRecord, *, inputs: dict | None = None,
                    report: Report | None = None, title: str | None = None, force: bool = False) -> DraftRecord:
        """Save this tab's inputs and/or report, given `base`, the record it last loaded or got back
        from a save. What it changed since `base` is merged into what is stored now (another tab may
        have saved meanwhile): per input field, per section and part of a section (text, heading,
        bullets, lock). The draft's title (a label for the list, derived from unit and period) is not
        merged: the last one given wins. Returns the saved record, the tab's new state and base: a
        snapshot sharing no object with `inputs` or `report`, so it stays a valid base while the
        tab goes on editing its own copy.

        Raises SaveConflict (nothing written) when the same field or part changed in both, unless
        `force`, which writes this tab's version as is; DraftDeleted when the draft is gone,
        DraftDamaged when the stored row cannot be read (force overwrites it)."""
        with self._tx(immediate=True) as db:
            row = db.execute(f"SELECT {self._columns()} FROM drafts WHERE id=? AND owner=?",
                             (draft_id, self.owner)).fetchone()
            if row is None:
                raise DraftDeleted(draft_id)
            try:
                current = record_from_row(row)
            except DraftDamaged:
                if not force:
                    raise
                current = DraftRecord(draft_id, str(row[1]), row[2], row[3], {}, None, rev=row[6])
            new_inputs = current.inputs if inputs is None else inputs
            new_report = current.report if report is None else report
            new_title = title
            # Always merged, even when no other save came between (rev unchanged): a tab's base may
            # lag on purpose for a part it did not take over from the store (see DraftSession), and
            # a write of that part as is would revert another tab's change.
            if not force:
                conflicts: list[str] = []
                if inputs is not None:
                    new_inputs, found = merge_inputs(base.inputs, inputs, current.inputs)
                    conflicts += found
                if report is not None:
                    new_report, found = merge_report(base.report, report, current.report)
                    conflicts += found
                if conflicts:
                    raise SaveConflict(list(dict.fromkeys(conflicts)), current)
            if new_title is None:
                new_title = (new_report.title if report is not None and new_report is not None and new_report.title
                             else current.title)
            now = time.time()
            db.execute("UPDATE drafts SET inputs=?, report=?, title=?, updated=?, rev=rev+1 WHERE id=? AND owner=?",
                       (to_json(new_inputs), to_json(new_report.to_dict()) if new_report is not None else None,
                        plain(new_title), now, draft_id, self.owner))
        return DraftRecord(draft_id, plain(new_title), current.created, now, copy.deepcopy(new_inputs),
                           copy.deepcopy(new_report), rev=current.rev + 1)

    def restore(self, draft_id: str, inputs: dict, report: Report | None = None, title: str = "未命名草稿") -> None:
        """Put back a draft deleted under an open tab, with the same id (its ?d= link keeps working).
        An id that another owner holds is never written: DraftDeleted, as for a draft that is gone."""
        now = time.time()
        with self._tx() as db:
            cursor = db.execute("INSERT OR IGNORE INTO drafts (id,title,created,updated,inputs,report,owner) "
                                "VALUES (?,?,?,?,?,?,?)",
                                (draft_id, plain(title), now, now, to_json(inputs),
                                 to_json(report.to_dict()) if report is not None else None, self.owner))
            if cursor.rowcount:
                audit.write(db, self.owner, AuditAction.RESTORED, draft_id)
        if cursor.rowcount == 0:  # restored meanwhile (by the other tab): save over it (if it is ours)
            self.save(draft_id, inputs=inputs, report=report, title=title)

    def load(self, draft_id: str) -> DraftRecord | None:
        """The draft, or None if there is none with this id; DraftDamaged if its row is unreadable.
        Oversized sections are cut to MAX_SECTION_CHARS, with a notice in record.notices."""
        row = self._read(lambda db: db.execute(f"SELECT {self._columns()} FROM drafts WHERE id=? AND {self._owner}=?",
                                               (draft_id, self.owner)).fetchone())
        return None if row is None else record_from_row(row)

    def latest(self) -> tuple[DraftRecord | None, list[tuple[str, str]]]:
        """For a visit without ?d=: the most recently saved draft that can be read, and the (id, title)
        of the damaged ones skipped on the way (for the page to flag)."""
        damaged: list[tuple[str, str]] = []
        for draft_id, title, _ in self.list():
            try:
                record = self.load(draft_id)
            except DraftDamaged:
                damaged.append((draft_id, title))
                continue
            if record is not None:
                return record, damaged
        return None, damaged

    def list(self) -> list[tuple[str, str, float]]:
        rows = self._read(lambda db: db.execute(
            f"SELECT id,title,updated FROM drafts WHERE {self._owner}=? ORDER BY updated DESC",
            (self.owner,)).fetchall())
        return [(r[0], str(r[1]), r[2]) for r in rows]

    def delete(self, draft_id: str) -> None:
        with self._tx() as db:
            cursor = db.execute("DELETE FROM drafts WHERE id=? AND owner=?", (draft_id, self.owner))
            if cursor.rowcount:
                audit.write(db, self.owner, AuditAction.DELETED, draft_id)
            # Versions go with the draft, and orphans of an earlier delete too; never those of a
            # draft by that id that someone else still holds.
            db.execute("DELETE FROM versions WHERE draft_id=? AND NOT EXISTS (SELECT 1 FROM drafts WHERE id=?)",
                       (draft_id, draft_id))

    def _columns(self) -> str:
        return f"id,title,created,updated,inputs,report,{self._rev}"

    def _owns(self, db: sqlite3.Connection, draft_id: str) -> bool:
        return db.execute(f"SELECT 1 FROM drafts WHERE id=? AND {self._owner}=?",
                          (draft_id, self.owner)).fetchone() is not None

    # ---- section versions -----------------------------------------------------------------
    def add_version(self, draft_id: str, section_key: str, paragraphs: list[Paragraph], note: str) -> int:
        # IMMEDIATE: otherwise two tabs can both read the same MAX(seq) and the second INSERT fails.
        with self._tx(immediate=True) as db:
            if not self._owns(db, draft_id):
                raise DraftDeleted(draft_id)  # a version of nothing would be invisible, i.e. lost
            (last,) = db.execute("SELECT COALESCE(MAX(seq),0) FROM versions WHERE draft_id=? AND section_key=?",
                                 (draft_id, section_key)).fetchone()
            db.execute("INSERT INTO versions VALUES (?,?,?,?,?,?)",
                       (draft_id, section_key, last + 1, time.time(), plain(note),
                        to_json([asdict(p) for p in paragraphs])))
        return last + 1

    def versions(self, draft_id: str, section_key: str) -> list[Version]:
        """The section's history, oldest first; a damaged row is left out (and logged), not fatal. Another
        owner's draft has none."""
        rows = self._read(lambda db: db.execute(
            "SELECT seq,created,note,paragraphs FROM versions WHERE draft_id=? AND section_key=? "
            f"AND EXISTS (SELECT 1 FROM drafts WHERE id=? AND {self._owner}=?) ORDER BY seq",
            (draft_id, section_key, draft_id, self.owner)).fetchall())
        return versions_from_rows(rows, draft_id, section_key)
