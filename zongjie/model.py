"""Domain dataclasses shared by every part of zongjie: the brief a user gives and the report we build.

Numbering (一、 / (一)) is never stored: it is derived from position, so moving or deleting a
section can never leave stale labels behind.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .text import cn_index
from .vocab import ROLE_OTHER, ROLE_RESULTS, Kind


class IssueKind(Kind):
    """What a FactIssue reports."""

    UNSUPPORTED = "来源不明"  # a number, date or name no bullet backs
    UNUSED = "未采用"  # a bullet (or one of its numbers) the text leaves out
    REMOVED = "已删去"  # a figure or name no bullet backs, cut from the text with its clause after the repair failed
    SCAFFOLD = "提示词残留"  # prompt wording the model echoed (本节标题：…, 【扩写】), dropped by cleanup


@dataclass
class Bullet:
    """One fact the user typed. `id` (B1, B2…) is how every generated fact points back to it; `source`
    ("《3月工作信息》第2段") says which file a gathered bullet came from (zongjie.provenance), "" if typed."""

    id: str
    text: str
    role: str = ROLE_RESULTS
    source: str = ""


@dataclass
class Brief:
    unit: str
    period: str
    genre: str
    bullets: list[Bullet]
    title: str = ""
    target_chars: int | None = None  # the length the user asked for (约N字), None = the usual range

    def bullet(self, bullet_id: str) -> Bullet | None:
        return next((b for b in self.bullets if b.id == bullet_id), None)


# The most characters one section may hold, on every path into a report: model output (cut), a user's
# edit (refused), a stored draft (cut on load, with a notice). A real section is 100–3,000 字; one
# 10 MB model reply once put 3.5 M characters into every section and the page never rendered again.
MAX_SECTION_CHARS = 10_000


@dataclass
class Paragraph:
    text: str
    bullet_ids: list[str] = field(default_factory=list)


def cap_paragraphs(paragraphs: list[Paragraph], limit: int = MAX_SECTION_CHARS) -> list[Paragraph]:
    """The paragraphs, cut so that their text (joined by newlines, as Section.text) fits `limit`."""
    out: list[Paragraph] = []
    room = limit
    for p in paragraphs:
        if room <= 0:
            break
        if len(p.text) > room:
            out.append(Paragraph(p.text[:room], list(p.bullet_ids)))
            break
        out.append(p)
        room -= len(p.text) + 1
    return out


@dataclass
class FactIssue:
    """A fact in generated text that no bullet supports (来源不明) or a bullet left out (未采用)."""

    kind: IssueKind
    text: str
    section_key: str = ""
    bullet_id: str = ""


@dataclass
class Section:
    """A unit of the report. Top-level sections (一、) may hold subsections ((一)).

    `key` is stable across edits ("opening", "s1", "s1.2") so the editor, the store and the
    ledger can refer to a section even after its headline changes.
    """

    key: str
    heading: str
    role: str
    level: int = 1
    bullet_ids: list[str] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    locked: bool = False
    issues: list[FactIssue] = field(default_factory=list)
    exemplar_ids: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)  # figures/names the user confirmed (确认保留): not 来源不明

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    def walk(self):
        yield self
        for sub in self.subsections:
            yield from sub.walk()


@dataclass
class Report:
    title: str
    unit: str
    period: str
    genre: str
    opening: Section
    sections: list[Section] = field(default_factory=list)
    date: str = ""

    def all_sections(self) -> list[Section]:
        out = [self.opening]
        for s in self.sections:
            out.extend(s.walk())
        return out

    def find(self, key: str) -> Section | None:
        return next((s for s in self.all_sections() if s.key == key), None)

    def drafting_units(self) -> list[Section]:
        """Sections that get text of their own from the model: leaves of the tree."""
        return [s for s in self.all_sections() if not s.subsections]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Report:
        return Report(
            title=data["title"],
            unit=data.get("unit", ""),
            period=data.get("period", ""),
            genre=data.get("genre", ""),
            opening=_section_from_dict(data["opening"]),
            sections=[_section_from_dict(s) for s in data.get("sections", [])],
            date=data.get("date", ""),
        )


def _section_from_dict(d: dict[str, Any]) -> Section:
    return Section(
        key=d["key"],
        heading=d.get("heading", ""),
        role=d.get("role", ROLE_OTHER),
        level=d.get("level", 1),
        bullet_ids=list(d.get("bullet_ids", [])),
        paragraphs=[Paragraph(p["text"], list(p.get("bullet_ids", []))) for p in d.get("paragraphs", [])],
        subsections=[_section_from_dict(s) for s in d.get("subsections", [])],
        locked=d.get("locked", False),
        issues=[FactIssue(**{**i, "kind": IssueKind(i["kind"])}) for i in d.get("issues", [])],
        exemplar_ids=list(d.get("exemplar_ids", [])),
        confirmed=[str(c) for c in d.get("confirmed", []) if c],
    )


def numbered_heading(section: Section, index: int) -> str:
    """The label a 公文 puts before a heading: 一、 for level 1, (一) for level 2, 1. for level 3."""
    if section.level == 1:
        return f"{cn_index(index)}、{section.heading}"
    if section.level == 2:
        return f"（{cn_index(index)}）{section.heading}"
    return f"{index}．{section.heading}"
