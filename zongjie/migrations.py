"""The drafts database's schema as a list of migrations, each applied once and recorded by name in the
_migrations table (as simonw/llm's migrations.py does): the next schema change is one more function
at the end of this file, and a database of any earlier release is brought up to date when it opens.

Migrations must be safe on a file made before they were recorded: such a file may already hold what
a migration creates, so each one checks before it adds.
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []

# Every column of the current layout, and how an older file gets it (None: it cannot be added, so a
# table without it is not one of ours to upgrade).
COLUMNS = {
    "drafts": {"id": None, "title": "TEXT NOT NULL DEFAULT '未命名草稿'", "created": "REAL NOT NULL DEFAULT 0",
               "updated": "REAL NOT NULL DEFAULT 0", "inputs": "TEXT NOT NULL DEFAULT '{}'", "report": "TEXT",
               "rev": "INTEGER NOT NULL DEFAULT 0", "owner": "TEXT NOT NULL DEFAULT 'local'"},
    "versions": {"draft_id": None, "section_key": None, "seq": None, "created": "REAL NOT NULL DEFAULT 0",
                 "note": "TEXT NOT NULL DEFAULT ''", "paragraphs": "TEXT NOT NULL DEFAULT '[]'"},
    "accounts": {"name": None, "hash": None, "admin": "INTEGER NOT NULL DEFAULT 0",
                 "created": "REAL NOT NULL DEFAULT 0", "failures": "INTEGER NOT NULL DEFAULT 0",
                 "locked_until": "REAL NOT NULL DEFAULT 0",
                 "generation": "INTEGER NOT NULL DEFAULT 0"},
    "audit": {"at": None, "user": None, "action": None, "draft_id": "TEXT NOT NULL DEFAULT ''",
              "detail": "TEXT NOT NULL DEFAULT ''"},
}


class Incompatible(Exception):
    """The file is a SQLite database, but its tables are not ones we can upgrade."""


def migration(fn: Migration) -> Migration:
    """Append `fn` to MIGRATIONS; its name is what the _migrations table records."""
    MIGRATIONS.append(fn)
    return fn


def missing_columns(db: sqlite3.Connection) -> dict[str, list[str]]:
    """Columns of the current layout absent from tables that exist (absent tables are simply created)."""
    missing: dict[str, list[str]] = {}
    for table, columns in COLUMNS.items():
        have = _columns(db, table)
        if have:
            missing[table] = [c for c in columns if c not in have]
    return missing


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def _add_missing(db: sqlite3.Connection, table: str, columns: list[str]) -> None:
    have = _columns(db, table)
    if not have:
        return
    missing = [c for c in columns if c not in have]
    if any(COLUMNS[table][c] is None for c in missing):
        raise Incompatible(f"{table} lacks {missing}")
    for column in missing:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {COLUMNS[table][column]}")


@migration
def m001_drafts_and_versions(db: sqlite3.Connection) -> None:
    """Drafts (inputs, outline, sections as JSON) and each section's version history. The very first
    release had no report column and no versions table: what is missing is added."""
    _add_missing(db, "drafts", ["id", "title", "created", "updated", "inputs", "report"])
    _add_missing(db, "versions", list(COLUMNS["versions"]))
    db.executescript("""
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
    """)


@migration
def m002_drafts_rev(db: sqlite3.Connection) -> None:
    """drafts.rev, bumped by every save: tells a tab whether anyone else saved (Store.save_merged)."""
    _add_missing(db, "drafts", ["rev"])


@migration
def m003_drafts_owner(db: sqlite3.Connection) -> None:
    """drafts.owner: whose draft it is (team mode). Every draft of an earlier release was made in
    single-user mode, so it belongs to the local owner ('local', zongjie.team.LOCAL_OWNER)."""
    _add_missing(db, "drafts", ["owner"])
    db.execute("CREATE INDEX IF NOT EXISTS drafts_owner ON drafts (owner, updated)")


@migration
def m004_accounts(db: sqlite3.Connection) -> None:
    """Team mode's accounts (zongjie/accounts.py): an argon2 hash, never the password."""
    _add_missing(db, "accounts", list(COLUMNS["accounts"]))
    db.execute("""
        CREATE TABLE IF NOT EXISTS accounts (
            name TEXT PRIMARY KEY,
            hash TEXT NOT NULL,                        -- argon2id, with its salt and parameters
            admin INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,       -- wrong passwords in a row
            locked_until REAL NOT NULL DEFAULT 0,      -- no sign-in before this time
            generation INTEGER NOT NULL DEFAULT 0      -- new at each add or reset: open pages end
        )""")


@migration
def m005_audit(db: sqlite3.Connection) -> None:
    """Who created, exported or deleted which draft (zongjie/audit.py); ids only, never draft text."""
    _add_missing(db, "audit", list(COLUMNS["audit"]))
    db.executescript("""
        CREATE TABLE IF NOT EXISTS audit (
            at REAL NOT NULL,
            user TEXT NOT NULL,
            action TEXT NOT NULL,
            draft_id TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
    """)


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply, in order, every migration this database has not had; returns their names. Raises
    Incompatible, before writing anything, for a file whose tables are someone else's."""
    for table, columns in missing_columns(db).items():
        if any(COLUMNS[table][c] is None for c in columns):
            raise Incompatible(f"{table} lacks {columns}")
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    applied = []
    for fn in MIGRATIONS:
        if fn.__name__ not in done:
            fn(db)
            db.execute("INSERT INTO _migrations (name, applied) VALUES (?, ?)", (fn.__name__, time.time()))
            applied.append(fn.__name__)
    return applied
