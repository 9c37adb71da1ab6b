"""Trace every fact of a text (or a whole report) to the bullets that back it: what is invented
(来源不明) and which bullets are left out (未采用)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import Bullet, FactIssue, IssueKind, Report
from .extract import Fact, extract_facts
from .match import backed, supports, wording_overlap

# Ledger source for a fact the caller gave outside the bullets (unit name, period, date).
GIVEN = "given"
# Share of a fact-less bullet's wording (see wording_overlap) that counts it as used.
OVERLAP_USED = 0.3


@dataclass
class CheckResult:
    """`used` maps bullet id → the text's facts that bullet backs; `used_bullets` also counts fact-less
    bullets matched by wording, so test membership there, not truthiness of `used`."""

    facts: list[Fact]
    unsupported: list[Fact]
    used: dict[str, list[Fact]]
    unused_bullets: list[str]
    used_bullets: list[str] = field(default_factory=list)


@dataclass
class Ledger:
    """Where every fact of the report came from: section key → [(fact raw, bullet id | GIVEN | None)]."""

    sections: dict[str, list[tuple[str, str | None]]]
    unsupported: list[FactIssue]
    unused: list[str]

    def issues(self) -> list[FactIssue]:
        return self.unsupported + [FactIssue(IssueKind.UNUSED, "", "", b) for b in self.unused]


@dataclass(frozen=True)
class _Traced:
    fact: Fact
    bullet_ids: tuple[str, ...]
    given: bool  # backed by the caller's `allowed` strings


def _trace(text: str, bullets: list[Bullet],
           allowed: Iterable[str]) -> tuple[list[_Traced], list[str], list[str]]:
    """Trace every fact of `text`; also split bullets into used and unused (in bullet order)."""
    allowed_list = [a for a in allowed if a]
    allowed_text = "\n".join(allowed_list)
    allowed_facts = [f for a in allowed_list for f in extract_facts(a)]
    bullet_facts = {b.id: extract_facts(b.text) for b in bullets}
    traced = []
    for fact in extract_facts(text):
        ids = tuple(b.id for b in bullets if backed(fact, bullet_facts[b.id], b.text))
        traced.append(_Traced(fact, ids, backed(fact, allowed_facts, allowed_text)))
    used, unused = [], []
    for b in bullets:
        # A bullet's own facts exclude what the caller gave anyway (the period's year), so a
        # draft that only repeats "2023年" does not count as using every bullet dated 2023.
        own = [f for f in bullet_facts[b.id] if not backed(f, allowed_facts, allowed_text)]
        if own:
            hit = any(supports(f, t.fact) for f in own for t in traced)
        else:
            hit = wording_overlap(b.text, text) >= OVERLAP_USED
        (used if hit else unused).append(b.id)
    return traced, used, unused


def check_facts(text: str, bullets: list[Bullet], *, allowed: Iterable[str] = ()) -> CheckResult:
    """Which facts of `text` no bullet (or allowed string) backs, and which bullets `text` leaves out.

    A bullet with facts is used when any of them appears in `text`; a bullet without facts when at
    least 30% of its distinctive character bigrams do (a rough heuristic: paraphrase can miss it).
    """
    traced, used_ids, unused = _trace(text, bullets, allowed)
    unsupported = [t.fact for t in traced if not t.bullet_ids and not t.given]
    used: dict[str, list[Fact]] = {}
    for t in traced:
        for bid in t.bullet_ids:
            if bid in used_ids:
                used.setdefault(bid, []).append(t.fact)
    return CheckResult([t.fact for t in traced], unsupported, used, unused, used_ids)


def _dedupe_raw(facts: Iterable[Fact]) -> list[Fact]:
    seen, out = set(), []
    for f in facts:
        if f.raw not in seen:
            seen.add(f.raw)
            out.append(f)
    return out


def issues_for_section(section_key: str, text: str, bullets_of_section: list[Bullet],
                       all_bullets: list[Bullet], allowed: Iterable[str] = ()) -> list[FactIssue]:
    """来源不明 for facts no bullet of the whole brief backs (borrowing another section's fact is no
    invention); 未采用 for this section's bullets the text leaves out."""
    allowed = list(allowed)
    pool = list(all_bullets) + [b for b in bullets_of_section if b not in all_bullets]
    invented = check_facts(text, pool, allowed=allowed).unsupported
    issues = [FactIssue(IssueKind.UNSUPPORTED, f.raw, section_key) for f in _dedupe_raw(invented)]
    result = check_facts(text, bullets_of_section, allowed=allowed)
    by_id = {b.id: b for b in bullets_of_section}
    issues += [FactIssue(IssueKind.UNUSED, by_id[i].text, section_key, i) for i in result.unused_bullets]
    # A bullet counts as used when one of its facts appears, but a dropped second number (the
    # 20余场 of "20余场，覆盖11560名") is still a lost fact: name what is missing.
    for bullet in bullets_of_section:
        if bullet.id in result.unused_bullets:
            continue
        missing = [f.raw for f in extract_facts(bullet.text) if f.kind == "number"
                   and not any(supports(f, claimed) for claimed in result.facts)]
        if missing:
            text = f"{bullet.text}（未写入：{'、'.join(missing)}）"
            issues.append(FactIssue(IssueKind.UNUSED, text, section_key, bullet.id))
    return issues


def report_ledger(report: Report, bullets: list[Bullet], allowed: Iterable[str] = ()) -> Ledger:
    """Trace every fact of every section's text; the report's unit, period and date count as given.

    A fact backed by several bullets is credited to one assigned to its section when there is one.
    Headings are not checked (they are short and rarely carry numbers).
    """
    given = [a for a in (*allowed, report.unit, report.period, report.date) if a]
    sections: dict[str, list[tuple[str, str | None]]] = {}
    unsupported: list[FactIssue] = []
    used_anywhere: set[str] = set()
    for section in report.all_sections():
        text = section.text
        if not text.strip():
            sections[section.key] = []
            continue
        traced, used, _ = _trace(text, bullets, given)
        used_anywhere.update(used)
        rows: list[tuple[str, str | None]] = []
        for t in traced:
            preferred = [i for i in t.bullet_ids if i in section.bullet_ids] or list(t.bullet_ids)
            source = preferred[0] if preferred else (GIVEN if t.given else None)
            rows.append((t.fact.raw, source))
            if source is None:
                unsupported.append(FactIssue(IssueKind.UNSUPPORTED, t.fact.raw, section.key))
        sections[section.key] = rows
    unused = [b.id for b in bullets if b.id not in used_anywhere]
    return Ledger(sections, unsupported, unused)
