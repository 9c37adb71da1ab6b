"""Provenance helpers shared by drafting and editing: which bullets a section owns, which terms the
user gave, and which bullets each paragraph draws on. Free of LangChain so the page loads fast."""
from __future__ import annotations

from . import facts
from .model import Brief, Bullet, Paragraph, Report, Section


def section_bullets(brief: Brief, section: Section) -> list[Bullet]:
    return [b for b in (brief.bullet(i) for i in section.bullet_ids) if b is not None]


def allowed_terms(report: Report, section: Section | None = None) -> list[str]:
    """The unit, period, title and the section's headline come from the user (the outline is theirs
    to edit), so numbers or names in them are not inventions; nor are those the user confirmed (确认保留)."""
    given = [report.unit, report.period, report.title, section.heading if section else ""]
    return [t for t in given if t] + (list(section.confirmed) if section else [])


def to_paragraphs(text: str, bullets: list[Bullet]) -> list[Paragraph]:
    """Each paragraph records which bullets its facts came from, for the ledger and the editor."""
    out = []
    for chunk in (c.strip() for c in text.split("\n")):
        if not chunk:
            continue
        used = facts.check_facts(chunk, bullets).used_bullets if bullets else []
        out.append(Paragraph(text=chunk, bullet_ids=[b.id for b in bullets if b.id in used]))
    return out
