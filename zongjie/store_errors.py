"""The drafts database's errors, each with the Chinese sentence the page shows, and how a SQLite
failure is told to the user: only what is known (the store cannot know what the page still shows)."""
from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UserError

if TYPE_CHECKING:
    from .store import DraftRecord


class StoreError(UserError, RuntimeError):
    """The draft database cannot be read or written; the message is a Chinese sentence for the user."""


class DraftDeleted(StoreError):
    """The draft was deleted (in another tab) while this one still had it open; nothing was written."""

    def __init__(self, draft_id: str):
        super().__init__("这份草稿已被删除（可能是在另一个窗口中），刚才的修改没有保存到草稿库。"
                         "可以把当前内容恢复为草稿，或先下载备份。")
        self.draft_id = draft_id


class DraftDamaged(StoreError):
    """One draft's stored data cannot be read; it stays in the database untouched, the others open."""

    def __init__(self, draft_id: str, title: str):
        super().__init__(f"草稿“{title}”的数据已损坏，无法打开（原始数据仍保留在草稿库中，未被删除）。"
                         "请打开其他草稿或新建草稿。")
        self.draft_id = draft_id
        self.title = title


class SaveConflict(StoreError):
    """Another tab saved a change to the same field or section part since this tab last synced.
    `items` names them in Chinese; `current` is what is stored now. Nothing was written: the page
    lets the user keep the stored version (reload) or this tab's (save_merged(..., force=True))."""

    def __init__(self, items: list[str], current: DraftRecord):
        super().__init__(f"另一个窗口已修改了同一处内容（{'、'.join(items)}），本窗口的修改尚未保存。"
                         "请选择保留哪一个版本。")
        self.items = items
        self.current = current


_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def is_corrupt(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    return name.startswith(_CORRUPT) or "malformed" in text or "not a database" in text


def is_busy(exc: BaseException) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith("SQLITE_BUSY") or "locked" in str(exc).lower()


_SCHEMA_WORDS = ("no such column", "no such table", "has no column named")


def describe_store_error(exc: BaseException, path: Path, write: bool = True) -> str:
    """What went wrong, in Chinese, and only what is known: a failed write says the change was not
    saved and the saved drafts are unharmed (both true); what the page still shows is for the page
    to say. The disk itself is asked when SQLite's error is vague (a full or read-only disk often
    surfaces as "disk I/O error" or "unable to open database file")."""
    if isinstance(exc, sqlite3.Error) and is_corrupt(exc):
        return "草稿库文件已损坏，无法读写。请重新启动本工具：损坏的文件会被自动备份，并新建草稿库。"
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    lost = "本次修改未能保存（已保存的内容不受影响）" if write else "暂时无法读取"
    if is_busy(exc):
        return f"草稿库正被另一个窗口或程序占用，{lost}，请稍后再试。"
    if any(w in text for w in _SCHEMA_WORDS):
        return (f"草稿库 {path} 的结构与本版本不符（可能来自旧版本或其他程序），{lost}。"
                "请重新启动本工具，草稿库会自动升级。")
    disk = _disk_state(path)
    no_space = getattr(exc, "errno", None) == errno.ENOSPC
    if name.startswith("SQLITE_FULL") or "full" in text or no_space or disk == "full":
        return f"磁盘空间已满，{lost}。请清理磁盘后再试。"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or disk == "read-only":
        return (f"无法读写草稿库 {path}：它所在的磁盘或目录是只读的，{lost}。"
                "已保存的草稿仍可打开和导出。")
    return f"无法读写草稿库 {path}，{lost}。请检查该目录是否存在、可写，磁盘是否已满。"


def _disk_state(path: Path) -> str:
    """"full", "read-only" or "" for the folder of the database (best effort, never raises)."""
    folder = Path(path).parent
    try:
        stats = os.statvfs(folder)
        if stats.f_flag & os.ST_RDONLY:
            return "read-only"
        if stats.f_bavail == 0 or stats.f_favail == 0:
            return "full"
        if not os.access(folder, os.W_OK) or (Path(path).exists() and not os.access(path, os.W_OK)):
            return "read-only"
    except OSError:
        pass
    return ""
