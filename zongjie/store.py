"""Autosave: drafts (inputs, outline, sections) and per-section version history in a local SQLite file.

SQLite transactions make each save atomic: a crash mid-write leaves the previous save intact.
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
from .settings import data_dir

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
        self.path = Path(path or data_dir() / "zongjie.sqlite3")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._tx() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _tx(self):
        # A fresh connection per operation: Streamlit reruns scripts on other threads, and
        # sqlite3 connections must not cross threads. WAL lets two tabs read while one writes.
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            with db:
                yield db

    # ---- drafts -------------------------------------------------------------------------
    def create(self, inputs: dict, title: str = "未命名草稿") -> str:
        draft_id = uuid.uuid4().hex[:12]
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT INTO drafts VALUES (?,?,?,?,?,NULL)",
                       (draft_id, title, now, now, json.dumps(inputs, ensure_ascii=False)))
        return draft_id

    def save(self, draft_id: str, inputs: dict | None = None, report: Report | None = None,
             title: str | None = None) -> None:
        """Update only what is given, so saving the inputs never clobbers a newer report."""
        sets, args = ["updated=?"], [time.time()]
        if inputs is not None:
            sets.append("inputs=?")
            args.append(json.dumps(inputs, ensure_ascii=False))
        if report is not None:
            sets.append("report=?")
            args.append(json.dumps(report.to_dict(), ensure_ascii=False))
        if title is not None:
            sets.append("title=?")
            args.append(title)
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
        with self._tx() as db:
            (last,) = db.execute("SELECT COALESCE(MAX(seq),0) FROM versions WHERE draft_id=? AND section_key=?",
                                 (draft_id, section_key)).fetchone()
            db.execute("INSERT INTO versions VALUES (?,?,?,?,?,?)",
                       (draft_id, section_key, last + 1, time.time(), note,
                        json.dumps([asdict(p) for p in paragraphs], ensure_ascii=False)))
        return last + 1

    def versions(self, draft_id: str, section_key: str) -> list[Version]:
        with self._tx() as db:
            rows = db.execute("SELECT seq,created,note,paragraphs FROM versions WHERE draft_id=? AND section_key=? "
                              "ORDER BY seq", (draft_id, section_key)).fetchall()
        return [Version(r[0], r[1], r[2], [Paragraph(**p) for p in json.loads(r[3])]) for r in rows]
