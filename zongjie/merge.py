"""Three-way merge of a draft, for two tabs (or windows) saving the same draft.

Each tab keeps the record it last read or wrote (the base). When it saves, what it changed since
then (mine) is applied onto what is stored now (theirs), field by field for the inputs and section by
section, attribute by attribute, for the report. Only a field or section attribute changed in both,
to different values, is a conflict: the caller then raises store.SaveConflict instead of writing.
Pure functions, no I/O.
"""
from __future__ import annotations

import copy
from typing import Any

from .model import Report, Section

MISSING: Any = object()

INPUT_LABELS = {"unit": "单位名称", "period": "时段", "genre": "文种", "title": "标题", "date": "落款日期",
                "bullets": "工作要点", "pinned": "风格范文"}
REPORT_FIELDS = {"title": "报告标题", "unit": "报告中的单位名称", "period": "报告中的时段", "genre": "报告文种",
                 "date": "落款日期"}
# Section attributes merged as one unit each: a text and the flags computed from it go together.
SECTION_PARTS = {"text": ("paragraphs", "issues", "exemplar_ids"), "heading": ("heading",),
                 "bullets": ("bullet_ids",), "locked": ("locked",), "kind": ("role", "level")}
PART_LABELS = {"text": "正文", "heading": "标题", "bullets": "要点分配", "locked": "锁定状态", "kind": "层级"}


class Conflict(Exception):
    """Both sides changed the same thing, differently (raised by pick)."""


def pick(base: Any, mine: Any, theirs: Any) -> Any:
    """The three-way rule: a side that did not change takes the other side's change."""
    if mine == theirs:
        return mine
    if mine == base:
        return theirs
    if theirs == base:
        return mine
    raise Conflict


def merge_inputs(base: dict, mine: dict, theirs: dict) -> tuple[dict, list[str]]:
    """Per key. Returns the merged inputs and the Chinese labels of the conflicting fields."""
    merged: dict = {}
    conflicts: list[str] = []
    for key in [*theirs, *(k for k in mine if k not in theirs)]:
        try:
            value = pick(base.get(key, MISSING), mine.get(key, MISSING), theirs.get(key, MISSING))
        except Conflict:
            conflicts.append(INPUT_LABELS.get(key, key))
            value = theirs.get(key, MISSING)
        if value is not MISSING:
            merged[key] = value
    return merged, conflicts


def _shape(report: Report) -> tuple:
    """Which sections exist, where, in what order: keys only."""
    def of(sections: list[Section]) -> tuple:
        return tuple((s.key, of(s.subsections)) for s in sections)

    return (report.opening.key, of(report.sections))


def _parts(section: Section | None) -> dict[str, Any]:
    if section is None:
        return {name: MISSING for name in SECTION_PARTS}
    return {name: tuple(copy.deepcopy(getattr(section, a)) for a in attrs) for name, attrs in SECTION_PARTS.items()}


def _label(section: Section) -> str:
    return "开头" if section.key == "opening" else f"“{section.heading}”"


def merge_report(base: Report | None, mine: Report | None, theirs: Report | None) -> tuple[Report | None, list[str]]:
    """Section by section. Returns the merged report and the Chinese labels of the conflicts
    (empty when the merge is clean)."""
    try:
        whole = pick(base, mine, theirs)
    except Conflict:
        pass
    else:
        return copy.deepcopy(whole), []
    if base is None or mine is None or theirs is None:  # an outline made in both tabs, differently
        return copy.deepcopy(theirs), ["提纲"]
    conflicts: list[str] = []
    # The tree itself (sections added, removed, reordered) comes from the side that changed it.
    try:
        source = mine if pick(_shape(base), _shape(mine), _shape(theirs)) == _shape(mine) else theirs
    except Conflict:
        conflicts.append("提纲结构（小节的增删或顺序）")
        source = theirs
    merged = copy.deepcopy(source)
    for name, label in REPORT_FIELDS.items():
        try:
            setattr(merged, name, pick(getattr(base, name), getattr(mine, name), getattr(theirs, name)))
        except Conflict:
            conflicts.append(label)
    _merge_parts(merged, base, mine, theirs, conflicts)
    conflicts += _removed_but_changed(merged, base, mine, theirs)
    return merged, conflicts


def _merge_parts(merged: Report, base: Report, mine: Report, theirs: Report, conflicts: list[str]) -> None:
    """Each part of each section of `merged` (text, heading, bullets, lock) from the side that changed it."""
    for section in merged.all_sections():
        b, m, t = (_parts(r.find(section.key)) for r in (base, mine, theirs))
        for name, attrs in SECTION_PARTS.items():
            try:
                values = pick(b[name], m[name], t[name])
            except Conflict:
                conflicts.append(f"{_label(section)}一节的{PART_LABELS[name]}")
                continue
            if values is not MISSING:
                for attr, value in zip(attrs, values, strict=False):
                    setattr(section, attr, copy.deepcopy(value))


def _removed_but_changed(merged: Report, base: Report, mine: Report, theirs: Report) -> list[str]:
    """A section one side removed while the other changed it: the change would vanish silently."""
    kept = {s.key for s in merged.all_sections()}
    out = []
    for side in (mine, theirs):
        for section in side.all_sections():
            old = base.find(section.key)
            if section.key not in kept and old is not None and _parts(old) != _parts(section):
                out.append(f"{_label(section)}一节（一个窗口删除了它，另一个窗口修改了它）")
    return out
