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
from .text import cjk_bigrams
from .vocab import ROLE_OPENING, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS

MAX_SUBSECTIONS = 6
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


def _hits(bullet: Bullet, theme: Theme) -> int:
    """Keyword hits weighted by length: the longer keyword is the more specific. Counted once each,
    建成“青年之家”阵地4个 went to 舆论引导 on 阵地 and 青年技能比武 to 服务青年 on 技能 (held-out cases 23 and 21,
    2026-12-02), ahead of 青年之家 and 技能比武. A keyword inside another that hits counts once, as the longer:
    团干部 and 团干 both hit 召开团干部意识形态工作专题培训会2次 and outweighed 意识形态 (bench case 16)."""
    hit = [k for k in theme.keywords if k in bullet.text]
    return sum(bullet.text.count(k) * len(k) for k in hit if not any(k != o and k in o for o in hit))


def theme_of(bullet: Bullet, themes: tuple[Theme, ...], fallback: Theme) -> Theme:
    """Most keyword hits (_hits) wins; ties go to the earlier theme, which the table orders by priority."""
    best, best_hits = fallback, 0
    for theme in themes:
        hits = _hits(bullet, theme)
        if hits > best_hits:
            best, best_hits = theme, hits
    return best


def _closest(bullet: Bullet, candidates: list[Theme], groups: dict[str, list[Bullet]]) -> Theme | None:
    """The candidate theme with most keyword hits for this bullet, else the one whose bullets share most
    of its wording (character bigrams); None when nothing is shared at all."""
    by_hits = max(candidates, key=lambda t: _hits(bullet, t), default=None)
    if by_hits is not None and _hits(bullet, by_hits) > 0:
        return by_hits

    own = cjk_bigrams(bullet.text)  # figures and 余名 say nothing about the kind of work
    shared = {t.id: max((len(own & cjk_bigrams(b.text)) for b in groups.get(t.id, [])), default=0)
              for t in candidates}
    best = max(candidates, key=lambda t: shared[t.id], default=None)
    return best if best is not None and shared[best.id] >= 2 else None


def group_results(bullets: list[Bullet]) -> list[tuple[Theme, list[Bullet]]]:
    """Bullets per theme in table order. A bullet no theme's keywords name joins the theme whose bullets
    it resembles most; only what resembles nothing goes to the catch-all (issue 14: a catch-all
    collecting whatever did not match read as a heap). Beyond MAX_SUBSECTIONS the smallest group is
    folded, bullet by bullet, into the closest remaining theme; what fits none merges with the next
    smallest group under a headline made of both (深化志愿服务，护航少年儿童成长)."""
    themes, fallback = load_themes()
    groups: dict[str, list[Bullet]] = {}
    for b in bullets:
        groups.setdefault(theme_of(b, themes, fallback).id, []).append(b)
    for b in list(groups.get(fallback.id, [])):
        home = _closest(b, [t for t in themes if t.id in groups], groups)
        if home is not None:
            groups[fallback.id].remove(b)
            groups[home.id].append(b)
    entries = [(t, groups[t.id]) for t in (*themes, fallback) if groups.get(t.id)]
    while len(entries) > MAX_SUBSECTIONS:
        entries = _fold_smallest(entries, fallback)
    return [(t, sorted(group, key=lambda b: int(b.id[1:]))) for t, group in entries]


def _fold_smallest(entries: list[tuple[Theme, list[Bullet]]], fallback: Theme) -> list[tuple[Theme, list[Bullet]]]:
    """One subsection fewer: the smallest group's bullets go to the closest other themes; if some fit
    none, the smallest merges with the next smallest instead, under a headline of both (the larger
    group's first clause, the smaller's second; a real theme's headline when one is the catch-all)."""
    order = sorted(range(len(entries)), key=lambda i: (len(entries[i][1]), entries[i][0].id == fallback.id))
    small, nxt = order[0], order[1]
    theme, group = entries[small]
    others = [t for i, (t, _g) in enumerate(entries) if i != small and t.id != fallback.id]
    groups = {t.id: g for t, g in entries}
    homes = [_closest(b, others, groups) for b in group]
    rest = [e for i, e in enumerate(entries) if i != small]
    if all(h is not None for h in homes):
        for b, home in zip(group, homes, strict=True):
            groups[home.id].append(b)
        return rest
    other, other_group = entries[nxt]
    if theme.id == fallback.id or other.id == fallback.id:
        merged = other if theme.id == fallback.id else theme
    else:
        big, little = (other, theme) if len(other_group) >= len(group) else (theme, other)
        merged = Theme(f"{big.id}+{little.id}", f"{big.first}，{little.second}", ())
    at = min(small, nxt)
    out = [e for i, e in enumerate(entries) if i not in (small, nxt)]
    out.insert(at, (merged, other_group + group))
    return out


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
