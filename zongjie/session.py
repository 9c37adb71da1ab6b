"""Editing operations on a draft that the page and tests share: apply a user edit, record versions, undo.

Kept free of Streamlit so every rule here (locks, history, recomputed provenance) is unit-tested.
"""
from __future__ import annotations

import difflib

from .draft import allowed_terms, section_bullets, to_paragraphs
from .facts import issues_for_section
from .model import Brief, Report
from .store import Store, Version


def apply_edit(report: Report, brief: Brief, key: str, text: str) -> bool:
    """Replace a section's text with the user's; provenance and flags are recomputed. False if unchanged."""
    section = report.find(key)
    if section is None or section.subsections:
        raise KeyError(key)
    text = text.strip()
    if text == section.text.strip():
        return False
    bullets = section_bullets(brief, section)
    section.paragraphs = to_paragraphs(text, bullets)
    section.issues = issues_for_section(key, text, bullets, brief.bullets, allowed_terms(report, section))
    return True


def record(store: Store, draft_id: str, report: Report, key: str, note: str) -> None:
    """Snapshot the section as a version, skipping a snapshot identical to the last one."""
    section = report.find(key)
    if section is None:
        return
    history = store.versions(draft_id, key)
    if history and history[-1].text == section.text:
        return
    store.add_version(draft_id, key, section.paragraphs, note)


def undo(store: Store, draft_id: str, report: Report, brief: Brief, key: str) -> Version | None:
    """Restore the version before the current one (the restore is itself recorded, so undo is undoable)."""
    history = store.versions(draft_id, key)
    section = report.find(key)
    if section is None or len(history) < 2:
        return None
    previous = history[-2]
    apply_edit(report, brief, key, previous.text)
    record(store, draft_id, report, key, f"撤销至第 {previous.seq} 版")
    return previous


def last_diff(store: Store, draft_id: str, key: str) -> str:
    """Unified diff of the last change, by sentence, which is how a drafter reads Chinese edits."""
    history = store.versions(draft_id, key)
    if len(history) < 2:
        return ""
    before, after = (_sentences(v.text) for v in history[-2:])
    return "\n".join(difflib.unified_diff(before, after, "上一版", "当前版", lineterm="", n=1))


def _sentences(text: str) -> list[str]:
    out, buf = [], ""
    for ch in text:
        buf += ch
        if ch in "。；！？\n":
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return [s for s in out if s]
