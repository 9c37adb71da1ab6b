"""Autosave: drafts (inputs, outline, sections) and per-section version history in a local SQLite file.

SQLite transactions make each save atomic: a crash mid-write leaves the previous save intact.
A database that is damaged at startup is moved aside (never deleted) and a fresh one begun;
every other SQLite failure becomes a StoreError with a Chinese message for the page.
"""
from __future__ import annotations

import json
import sqlite3
import time
import uuid
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from .model import Paragraph, Report
from .settings import SettingsError, data_dir

# Seconds a writer waits for another tab's (or process's) write to finish before giving up.
BUSY_TIMEOUT = 10.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    inputs TEXT NOT NULL,          -- JSON: unit, period, genre, bullets text, options
    report TEXT                    -- JSON of Report, NULL before the outline exists
);
CREATE TABLE IF NOT EXISTS versions (
    draft_id TEXT NOT NULL,
    section_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    created REAL NOT NULL,
    note TEXT NOT NULL,
    paragraphs TEXT NOT NULL,      -- JSON list of Paragraph
    PRIMARY KEY (draft_id, section_key, seq)
);
"""


class StoreError(RuntimeError):
    """The draft database cannot be read or written; the message is a Chinese sentence for the user."""


_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def _is_corrupt(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    return name.startswith(_CORRUPT) or "malformed" in text or "not a database" in text


def describe_store_error(exc: BaseException, path: Path) -> str:
    if isinstance(exc, sqlite3.Error) and _is_corrupt(exc):
        return "草稿库文件已损坏，无法读写。请重新启动本工具：损坏的文件会被自动备份，并新建草稿库。"
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name.startswith("SQLITE_BUSY") or "locked" in text:
        return "草稿库正被另一个窗口或程序占用，本次未能保存，请稍后再试。"
    if name.startswith("SQLITE_FULL") or "full" in text:
        return "磁盘空间已满，草稿未能保存。请清理磁盘后再编辑；页面上的内容仍在，可先导出备份。"
    return (f"无法读写草稿库 {path}，请检查该目录是否存在、可写，磁盘是否已满。"
            "页面上的内容仍在，可先导出备份。")


class _Damaged(Exception):
    """The database file is not a readable SQLite database (seen at startup)."""


def _json(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a model reply can carry one) cannot be stored as UTF-8; \u escapes can,
        # and json.loads gives back exactly the same text.
        return json.dumps(value)
    return text


def _plain(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


@dataclass
class DraftRecord:
    id: str
    title: str
    created: float
    updated: float
    inputs: dict
    report: Report | None


@dataclass
class Version:
    seq: int
    created: float
    note: str
    paragraphs: list[Paragraph]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


class Store:
    def __init__(self, path: Path | None = None):
        try:
            self.path = Path(path or data_dir() / "zongjie.sqlite3")
        except SettingsError as exc:  # ZONGJIE_HOME below a regular file, say
            raise StoreError(str(exc)) from exc
        # Set when a damaged database was moved aside at startup: the backup path and a message
        # the page shows once, so drafts are never lost silently.
        self.recovered: Path | None = None
        self.notice = ""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(describe_store_error(exc, self.path)) from exc
        try:
            self._open_schema()
        except _Damaged:
            self.recovered = self._move_aside()
            self.notice = (f"草稿库文件已损坏，原文件已备份为 {self.recovered}，并新建了草稿库。"
                           "如需找回旧草稿，请保留该备份文件。")
            self._open_schema()

    def _open_schema(self) -> None:
        try:
            with self._tx() as db:
                (result,) = db.execute("PRAGMA quick_check(1)").fetchone()
                if result != "ok":
                    raise _Damaged(result)
                db.executescript(SCHEMA)
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.Error) and _is_corrupt(exc.__cause__):
                raise _Damaged(str(exc.__cause__)) from exc
            raise

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
    def _tx(self, immediate: bool = False):
        """One transaction on a fresh connection; immediate=True takes the write lock before the
        first read, for read-then-write operations that two tabs may run at the same time."""
        # A fresh connection per operation: Streamlit reruns scripts on other threads, and
        # sqlite3 connections must not cross threads. WAL lets two tabs read while one writes.
        try:
            with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                with db:
                    if immediate:
                        db.execute("BEGIN IMMEDIATE")
                    yield db
        except sqlite3.Error as exc:
            raise StoreError(describe_store_error(exc, self.path)) from exc

    # ---- drafts -------------------------------------------------------------------------
    def create(self, inputs: dict, title: str = "未命名草稿") -> str:
        draft_id = uuid.uuid4().hex[:12]
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT INTO drafts VALUES (?,?,?,?,?,NULL)",
                       (draft_id, _plain(title), now, now, _json(inputs)))
        return draft_id

    def save(self, draft_id: str, inputs: dict | None = None, report: Report | None = None,
             title: str | None = None) -> None:
        """Update only what is given, so saving the inputs never clobbers a newer report."""
        sets, args = ["updated=?"], [time.time()]
        if inputs is not None:
            sets.append("inputs=?")
            args.append(_json(inputs))
        if report is not None:
            sets.append("report=?")
            args.append(_json(report.to_dict()))
        if title is not None:
            sets.append("title=?")
            args.append(_plain(title))
        with self._tx() as db:
            db.execute(f"UPDATE drafts SET {', '.join(sets)} WHERE id=?", (*args, draft_id))

    def load(self, draft_id: str) -> DraftRecord | None:
        with self._tx() as db:
            row = db.execute("SELECT id,title,created,updated,inputs,report FROM drafts WHERE id=?",
                             (draft_id,)).fetchone()
        if row is None:
            return None
        report = Report.from_dict(json.loads(row[5])) if row[5] else None
        return DraftRecord(row[0], row[1], row[2], row[3], json.loads(row[4]), report)

    def list(self) -> list[tuple[str, str, float]]:
        with self._tx() as db:
            return db.execute("SELECT id,title,updated FROM drafts ORDER BY updated DESC").fetchall()

    def delete(self, draft_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM drafts WHERE id=?", (draft_id,))
            db.execute("DELETE FROM versions WHERE draft_id=?", (draft_id,))

    # ---- section versions -----------------------------------------------------------------
    def add_version(self, draft_id: str, section_key: str, paragraphs: list[Paragraph], note: str) -> int:
        # IMMEDIATE: otherwise two tabs can both read the same MAX(seq) and the second INSERT fails.
        with self._tx(immediate=True) as db:
            (last,) = db.execute("SELECT COALESCE(MAX(seq),0) FROM versions WHERE draft_id=? AND section_key=?",
                                 (draft_id, section_key)).fetchone()
            db.execute("INSERT INTO versions VALUES (?,?,?,?,?,?)",
                       (draft_id, section_key, last + 1, time.time(), _plain(note),
                        _json([asdict(p) for p in paragraphs])))
        return last + 1

    def versions(self, draft_id: str, section_key: str) -> list[Version]:
        with self._tx() as db:
            rows = db.execute("SELECT seq,created,note,paragraphs FROM versions WHERE draft_id=? AND section_key=? "
                              "ORDER BY seq", (draft_id, section_key)).fetchall()
        return [Version(r[0], r[1], r[2], [Paragraph(**p) for p in json.loads(r[3])]) for r in rows]
