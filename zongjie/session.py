"""Editing operations on a draft that the page and tests share: apply a user edit, record versions, undo.

Kept free of Streamlit so every rule here (locks, history, recomputed provenance) is unit-tested.
"""
from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, replace

from .errors import UserError
from .facts import issues_for_section
from .grounding import allowed_terms, section_bullets, to_paragraphs
from .model import MAX_SECTION_CHARS, Brief, Report
from .store import DraftRecord, Store, Version
from .text import sentences, xml_safe


class EditError(UserError, ValueError):
    """An edit that cannot be applied (too long); the message is a Chinese sentence for the user."""


def apply_edit(report: Report, brief: Brief, key: str, text: str) -> bool:
    """Replace a section's text with the user's; provenance and flags are recomputed. False if unchanged."""
    section = report.find(key)
    if section is None or section.subsections:
        raise KeyError(key)
    # What the export would strip anyway (controls, bidi overrides, noncharacters) never reaches the
    # store either, so the saved text, the fact check and the .docx all see the same characters.
    text = xml_safe(text).strip()
    if text == section.text.strip():
        return False
    if len(text) > MAX_SECTION_CHARS:
        # Refused, not cut: cutting would drop the user's own words. The editor still holds them.
        raise EditError(f"本节正文过长（{len(text)} 字），每节不能超过 {MAX_SECTION_CHARS} 字，"
                        "请精简或拆分到其他小节；本次修改未保存。")
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


UNDO_NOTE = "撤销至第 {} 版"
_UNDO_NOTE = re.compile(r"^撤销至第 (\d+) 版")


def undo(store: Store, draft_id: str, report: Report, brief: Brief, key: str) -> Version | None:
    """Step back to the version before the one the section shows (the restore is recorded, so nothing is
    lost). Repeated, it keeps stepping back: a restore recorded as 撤销至第 N 版 counts as version N, so
    the next 撤销 goes to the version before N instead of toggling between the last two.

    When the current text is not the last recorded version (it changed without a snapshot, e.g. a
    stale save from another tab reverted it), the last version is the one to bring back: restoring
    the one before it would look like 撤销 did nothing."""
    history = store.versions(draft_id, key)
    section = report.find(key)
    if section is None or not history:
        return None
    if history[-1].text != section.text:
        previous = history[-1]
    else:
        m = _UNDO_NOTE.match(history[-1].note)
        shown = int(m.group(1)) if m else history[-1].seq
        earlier = [v for v in history if v.seq < shown and v.text != section.text]
        if not earlier:
            return None
        previous = earlier[-1]
    apply_edit(report, brief, key, previous.text)
    record(store, draft_id, report, key, UNDO_NOTE.format(previous.seq))
    return previous


def restore(store: Store, draft_id: str, report: Report, brief: Brief, key: str, seq: int) -> Version | None:
    """恢复此版: bring back version `seq` of a section (recorded as a new version); None if it is gone."""
    version = next((v for v in store.versions(draft_id, key) if v.seq == seq), None)
    if version is None or report.find(key) is None:
        return None
    apply_edit(report, brief, key, version.text)
    record(store, draft_id, report, key, f"恢复第 {seq} 版")
    return version


def last_diff(store: Store, draft_id: str, key: str) -> str:
    """Unified diff of the last change, by sentence, which is how a drafter reads Chinese edits."""
    history = store.versions(draft_id, key)
    if len(history) < 2:
        return ""
    before, after = ([s.strip() for s in sentences(v.text, "。；！？", lines=True)] for v in history[-2:])
    return "\n".join(difflib.unified_diff(before, after, "上一版", "当前版", lineterm="", n=1))


@dataclass
class DraftSession:
    """One open draft: where it is stored and the report being edited. `commit` keeps a section's
    new text as a version and saves the report in one call, so neither happens without the other.

    With `base` (a snapshot, copy.deepcopy, of the DraftRecord this tab loaded or last synced), saves
    are merged with what other tabs saved meanwhile (Store.save_merged). `base` must always be what
    the tab shows, part by part, or a part it shows stale would look like its own change and revert
    the other tab's: so `save` takes the merged report over into `report` (in place, keeping the
    object the page holds), and `save_inputs` keeps the inputs the tab shows as their base until the
    page takes the merged ones over with `adopt_inputs`. The same field or section part changed in
    both raises SaveConflict. Without `base`, the last write wins (as before)."""

    store: Store
    draft_id: str
    report: Report | None = None
    base: DraftRecord | None = None
    saved: DraftRecord | None = None  # what the last save stored (a snapshot)

    def __post_init__(self) -> None:
        # A base sharing the live report would change with every edit, so no edit would ever look
        # like one and the merge would drop them all: keep a snapshot (copy.deepcopy(record)).
        if self.base is not None and self.report is not None and self.base.report is self.report:
            raise ValueError("DraftSession.base must be a snapshot, not share the report being edited")

    def save(self) -> None:
        """Save the report (and its title); with a base, merged, and the merge shown in `report`."""
        if self.base is None:
            self.store.save(self.draft_id, report=self.report, title=self.report.title if self.report else None)
            return
        self.saved = self.store.save_merged(self.draft_id, self.base, report=self.report)
        self._adopt(self.saved.report)
        self.base = replace(self.base, report=copy.deepcopy(self.saved.report), rev=self.saved.rev,
                            title=self.saved.title, updated=self.saved.updated)

    def save_inputs(self, inputs: dict, title: str) -> None:
        """Save the inputs; with a base, merged (other tabs' fields are in `saved.inputs`)."""
        if self.base is None:
            self.store.save(self.draft_id, inputs=inputs, title=title)
            return
        self.saved = self.store.save_merged(self.draft_id, self.base, inputs=inputs, title=title)
        self.base = replace(self.base, inputs=copy.deepcopy(inputs), rev=self.saved.rev, title=self.saved.title,
                            updated=self.saved.updated)

    def adopt_inputs(self) -> dict:
        """The merged inputs of the last save, for the page to put into its fields; from now on they
        are what the tab shows, hence the base."""
        if self.base is None or self.saved is None:
            raise ValueError("nothing saved with a base yet")
        self.base = replace(self.base, inputs=copy.deepcopy(self.saved.inputs))
        return copy.deepcopy(self.saved.inputs)

    def _adopt(self, merged: Report | None) -> None:
        """Make the report the page holds equal to the merged one, keeping the object (the page and
        its callbacks keep a reference to it)."""
        if merged is None or merged == self.report:
            return
        if self.report is None:
            self.report = copy.deepcopy(merged)
        else:
            self.report.__dict__.update(copy.deepcopy(merged).__dict__)

    def commit(self, key: str, note: str) -> None:
        """Record the section as a version (unless unchanged since the last one), then save the report."""
        record(self.store, self.draft_id, self.report, key, note)
        self.save()

    def undo(self, brief: Brief, key: str) -> Version | None:
        """Restore the section's previous version (see `undo`) and save; None if there is none."""
        previous = undo(self.store, self.draft_id, self.report, brief, key)
        if previous is not None:
            self.save()
        return previous

    def restore(self, brief: Brief, key: str, seq: int) -> Version | None:
        """恢复此版 (see `restore`), saved; None if that version is gone."""
        version = restore(self.store, self.draft_id, self.report, brief, key, seq)
        if version is not None:
            self.save()
        return version

    def versions(self, key: str) -> list[Version]:
        return self.store.versions(self.draft_id, key)

    def last_diff(self, key: str) -> str:
        return last_diff(self.store, self.draft_id, key)


# ---- outline editing (before or between drafts) ---------------------------------------------
class OutlineError(UserError, ValueError):
    """An outline edit that would lose a bullet or break the structure; message is for the user."""


def rename_section(report: Report, key: str, heading: str) -> None:
    section = report.find(key)
    heading = heading.strip()
    if section is None:
        raise KeyError(key)
    if not heading:
        raise OutlineError("标题不能为空。")
    section.heading = heading


def move_bullet(report: Report, bullet_id: str, target_key: str) -> None:
    """Reassign a bullet; it leaves every other section so it is never drafted twice."""
    target = report.find(target_key)
    if target is None or target.subsections:
        raise OutlineError("只能把要点移到具体的小节。")
    for section in report.all_sections():
        if bullet_id in section.bullet_ids and section is not target:
            section.bullet_ids.remove(bullet_id)
    if bullet_id not in target.bullet_ids:
        target.bullet_ids.append(bullet_id)
        target.bullet_ids.sort(key=lambda b: int(b[1:]) if b[1:].isdigit() else 0)


def add_subsection(report: Report, parent_key: str, heading: str) -> str:
    from .model import Section
    from .outline import next_subsection_key

    parent = report.find(parent_key)
    if parent is None or parent.level != 1:
        raise OutlineError("只能在一级标题下增加小节。")
    if not heading.strip():
        raise OutlineError("请先填写新小节的标题。")
    key = next_subsection_key(parent)
    parent.subsections.append(Section(key=key, heading=heading.strip(), role=parent.role, level=2))
    return key


def remove_subsection(report: Report, key: str) -> None:
    """Its bullets move to the first remaining sibling, so deleting a subsection never drops a fact."""
    for parent in report.sections:
        for sub in parent.subsections:
            if sub.key == key:
                siblings = [s for s in parent.subsections if s is not sub]
                if not siblings:
                    raise OutlineError("这是该部分唯一的小节，不能删除。")
                siblings[0].bullet_ids.extend(b for b in sub.bullet_ids if b not in siblings[0].bullet_ids)
                parent.subsections.remove(sub)
                return
    raise OutlineError("找不到该小节。")
