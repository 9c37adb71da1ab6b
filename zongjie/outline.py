"""Build the report skeleton from a Brief: fixed top-level sections, themed subsections, every bullet assigned.

The outline is rule-based on purpose: on a 1.5B local model a generated outline is slow and
often malformed, while a keyword table is instant, predictable and editable by the user.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .model import Brief, Bullet, Report, Section
from .vocab import ROLE_OPENING, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS

MAX_SUBSECTIONS = 5
THEMES_FILE = Path(__file__).parent / "data" / "themes.json"


@dataclass(frozen=True)
class Theme:
    id: str
    headline: str
    keywords: tuple[str, ...]

    @property
    def first(self) -> str:
        """The headline's first clause (6 characters in the table)."""
        return self.headline.split("，", 1)[0]

    @property
    def second(self) -> str:
        """The headline's second clause (8 characters in the table)."""
        return self.headline.split("，", 1)[-1]


@lru_cache(maxsize=1)
def load_themes() -> tuple[tuple[Theme, ...], Theme]:
    data = json.loads(THEMES_FILE.read_text(encoding="utf-8"))
    themes = tuple(Theme(t["id"], t["headline"], tuple(t["keywords"])) for t in data["themes"])
    fb = data["fallback"]
    return themes, Theme(fb["id"], fb["headline"], ())


def top_headings(genre: str) -> tuple[str, str, str]:
    if genre.startswith("上半年"):
        return "上半年主要做法和成效", "存在的问题", "下半年工作计划"
    return "主要做法和成效", "存在的问题", "下一步工作打算"


def make_title(brief: Brief) -> str:
    if brief.title:
        return brief.title
    period = brief.period
    if brief.genre.startswith("上半年") and period.endswith("上半年"):
        period = period[: -len("上半年")]
    return f"{brief.unit}{period}{brief.genre}"


def theme_of(bullet: Bullet, themes: tuple[Theme, ...], fallback: Theme) -> Theme:
    """Most keyword hits wins; ties go to the earlier theme, which the table orders by priority."""
    best, best_hits = fallback, 0
    for theme in themes:
        hits = sum(bullet.text.count(k) for k in theme.keywords)
        if hits > best_hits:
            best, best_hits = theme, hits
    return best


def group_results(bullets: list[Bullet]) -> list[tuple[Theme, list[Bullet]]]:
    """Bullets per theme in table order; beyond MAX_SUBSECTIONS the smallest groups fold into the fallback."""
    themes, fallback = load_themes()
    groups: dict[str, list[Bullet]] = {}
    for b in bullets:
        groups.setdefault(theme_of(b, themes, fallback).id, []).append(b)
    order = [t for t in (*themes, fallback) if t.id in groups]
    while len(order) > MAX_SUBSECTIONS:
        smallest = min((t for t in order if t.id != fallback.id), key=lambda t: len(groups[t.id]))
        groups.setdefault(fallback.id, []).extend(groups.pop(smallest.id))
        order = [t for t in (*themes, fallback) if t.id in groups]
    return [(t, sorted(groups[t.id], key=lambda b: int(b.id[1:]))) for t in order]


def build_outline(brief: Brief) -> Report:
    results = [b for b in brief.bullets if b.role == ROLE_RESULTS]
    problems = [b for b in brief.bullets if b.role == ROLE_PROBLEMS]
    plans = [b for b in brief.bullets if b.role == ROLE_PLANS]
    h_results, h_problems, h_plans = top_headings(brief.genre)

    subsections = [
        Section(key=f"s1.{i}", heading=theme.headline, role=ROLE_RESULTS, level=2,
                bullet_ids=[b.id for b in group])
        for i, (theme, group) in enumerate(group_results(results), start=1)
    ]
    sections = [
        Section(key="s1", heading=h_results, role=ROLE_RESULTS, level=1, subsections=subsections),
        Section(key="s2", heading=h_problems, role=ROLE_PROBLEMS, level=1, bullet_ids=[b.id for b in problems]),
        Section(key="s3", heading=h_plans, role=ROLE_PLANS, level=1, bullet_ids=[b.id for b in plans]),
    ]
    opening = Section(key="opening", heading="开头", role=ROLE_OPENING, level=0)
    return Report(title=make_title(brief), unit=brief.unit, period=brief.period, genre=brief.genre,
                  opening=opening, sections=sections)


def next_subsection_key(parent: Section) -> str:
    """Keys are never reused, so history and autosave entries of a deleted subsection cannot resurface."""
    used = [int(s.key.rsplit(".", 1)[1]) for s in parent.subsections if "." in s.key]
    return f"{parent.key}.{max(used, default=0) + 1}"
