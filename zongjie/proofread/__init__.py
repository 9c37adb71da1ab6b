"""Proofreading for drafts and pasted text: outdated 提法, typos, leftover placeholders, punctuation (rules),
repetition (repeats), headline parallelism (headlines) and 问题↔计划 matching (plans), each reported as a
ProofIssue with a fix where safe (issue). The names below are the package's interface.
"""
from __future__ import annotations

from ..model import Report, Section
from .headlines import headline_issues, headline_problems, headline_shape, propose_parallel_headlines
from .issue import CHECKS, Check, ProofIssue, apply_fix
from .period import period_date
from .plans import content_bigrams, item_spans, plan_issues
from .repeats import NEAR_DUP_JACCARD, find_repeats
from .rules import TIFA_PATH, proofread_bullet, proofread_text, tifa_rules

__all__ = [
    "CHECKS", "NEAR_DUP_JACCARD", "TIFA_PATH", "Check", "ProofIssue", "apply_fix", "check_report", "content_bigrams",
    "find_repeats", "headline_problems", "headline_shape", "item_spans", "period_date", "propose_parallel_headlines",
    "proofread_bullet", "proofread_text", "tifa_rules",
]


def _label(s: Section) -> str:
    return s.heading or s.key


def check_report(report: Report) -> dict[str, list[ProofIssue]]:
    """Every check on a report, by section key (every section has a key in the result, maybe empty)."""
    out: dict[str, list[ProofIssue]] = {s.key: [] for s in report.all_sections()}
    for s in report.all_sections():
        if s.key == report.opening.key:
            continue
        for issue in proofread_text(s.heading, period=report.period, section_key=s.key):
            issue.message, issue.start, issue.end = f"标题：{issue.message}", -1, -1
            out[s.key].append(issue)
    units = report.drafting_units()
    for s in units:
        out[s.key].extend(proofread_text(s.text, period=report.period, section_key=s.key))
    labels = {s.key: _label(s) for s in report.all_sections()}
    extra = [*find_repeats([(s.key, s.text) for s in units], labels), *headline_issues(report),
             *plan_issues(report)]
    for issue in extra:
        out.setdefault(issue.section_key, []).append(issue)
    return out
