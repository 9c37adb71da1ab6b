"""Who created, exported or deleted which draft, and when; sign-ins and lockouts too. The record names
the draft by its id only: no title, no bullets, no text of a draft ever goes in (titles carry the
unit's name and period, and the record is read by admins who may not read the draft)."""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .vocab import Kind

if TYPE_CHECKING:
    from .store import Store

MAX_DETAIL = 40  # a file type or a count; long enough for nothing else


class AuditAction(Kind):
    CREATED = "created"
    RESTORED = "restored"
    EXPORTED = "exported"
    DELETED = "deleted"
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKED = "locked"


LABELS = {AuditAction.CREATED: "新建草稿", AuditAction.RESTORED: "恢复草稿", AuditAction.EXPORTED: "导出",
          AuditAction.DELETED: "删除草稿", AuditAction.SIGNED_IN: "登录", AuditAction.SIGN_IN_FAILED: "登录失败",
          AuditAction.LOCKED: "账户锁定"}


@dataclass(frozen=True)
class AuditEntry:
    at: float
    user: str
    action: AuditAction
    draft_id: str
    detail: str

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.at))

    @property
    def label(self) -> str:
        return LABELS.get(self.action, str(self.action))


def write(db: sqlite3.Connection, user: str, action: AuditAction, draft_id: str = "", detail: str = "") -> None:
    """One row, inside the caller's transaction: a draft is never created or deleted without its row."""
    db.execute("INSERT INTO audit (at, user, action, draft_id, detail) VALUES (?,?,?,?,?)",
               (time.time(), user, str(action), draft_id, detail[:MAX_DETAIL]))


def entries(store: Store, limit: int = 200, user: str | None = None) -> list[AuditEntry]:
    """The newest `limit` rows, newest first; of one user when `user` is given."""
    where, args = ("WHERE user=?", (user,)) if user else ("", ())
    rows = store.read(lambda db: db.execute(
        f"SELECT at, user, action, draft_id, detail FROM audit {where} ORDER BY at DESC, rowid DESC LIMIT ?",
        (*args, max(1, limit))).fetchall())
    out = []
    for at, who, action, draft_id, detail in rows:
        try:
            kind = AuditAction(action)
        except ValueError:  # written by a newer release: shown as it is stored
            kind = action
        out.append(AuditEntry(at, str(who), kind, str(draft_id), str(detail)))
    return out
