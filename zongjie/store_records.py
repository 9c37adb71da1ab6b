"""What the draft store hands out (a draft, a section version) and how a stored row becomes one: the
JSON columns are checked on the way out, so a damaged row is a DraftDamaged, never a crash."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from .model import MAX_SECTION_CHARS, Paragraph, Report, cap_paragraphs
from .store_errors import DraftDamaged

log = logging.getLogger(__name__)


def to_json(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a model reply can carry one) cannot be stored as UTF-8; \u escapes can,
        # and json.loads gives back exactly the same text.
        return json.dumps(value)
    return text


def plain(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


@dataclass
class DraftRecord:
    id: str
    title: str
    created: float
    updated: float
    inputs: dict
    report: Report | None
    rev: int = 0  # the save this record reflects: the base of the tab's next save_merged
    notices: list[str] = field(default_factory=list)  # repairs made while loading (oversized sections)


@dataclass
class Version:
    seq: int
    created: float
    note: str
    paragraphs: list[Paragraph]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


def record_from_row(row: tuple) -> DraftRecord:
    """A drafts row (id, title, created, updated, inputs, report, rev) as a record. Oversized sections
    are cut to MAX_SECTION_CHARS, with a notice in record.notices; DraftDamaged if it cannot be read."""
    draft_id, title = row[0], str(row[1])
    try:
        inputs = json.loads(row[4])
        if not isinstance(inputs, dict):
            raise TypeError("inputs is not an object")
        data = json.loads(row[5]) if row[5] else None
        if data is not None and not isinstance(data, dict):
            raise TypeError("report is not an object")
        report = Report.from_dict(data) if data is not None else None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("draft %s is damaged: %s", draft_id, exc)
        raise DraftDamaged(draft_id, title) from exc
    notices = []
    for section in report.all_sections() if report is not None else []:
        size = len(section.text)
        if size > MAX_SECTION_CHARS:
            section.paragraphs = cap_paragraphs(section.paragraphs)
            name = "开头" if section.key == "opening" else f"“{section.heading}”"
            notices.append(f"{name}一节长达 {size} 字，超过每节 {MAX_SECTION_CHARS} 字的上限，"
                           f"打开时只保留了前 {MAX_SECTION_CHARS} 字。")
    return DraftRecord(draft_id, title, row[2], row[3], inputs, report, rev=int(row[6] or 0), notices=notices)


def versions_from_rows(rows: list[tuple], draft_id: str, section_key: str) -> list[Version]:
    """(seq, created, note, paragraphs) rows as versions; a damaged row is left out (and logged)."""
    out = []
    for seq, created, note, paragraphs in rows:
        try:
            items = json.loads(paragraphs)
            if not all(isinstance(p, dict) and isinstance(p.get("text"), str) for p in items):
                raise TypeError("not a list of paragraphs")
            out.append(Version(seq, created, str(note), [Paragraph(p["text"], list(p.get("bullet_ids", [])))
                                                          for p in items]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("skipping damaged version %s of %s/%s: %s", seq, draft_id, section_key, exc)
    return out
