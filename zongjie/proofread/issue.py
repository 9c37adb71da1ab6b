"""One proofreading finding (ProofIssue), the checks that make them, and the one-click fix."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..vocab import Kind


class Check(Kind):
    """A proofreading check; the declaration order is also the priority when two findings cover the
    same characters (the more specific one wins)."""

    TIFA = "提法"
    TYPO = "错别字"
    PLACEHOLDER = "占位符"
    PUNCT = "标点"
    REPEAT = "重复"
    HEADLINE = "标题"
    PLAN = "问题计划"


CHECKS = tuple(Check)


@dataclass
class ProofIssue:
    """One finding. start/end index the section text (-1 when the finding is not in the text, e.g. a headline)."""

    check: Check
    section_key: str
    message: str
    span_text: str
    start: int = -1
    end: int = -1
    fix: str | None = None
    rule_since: str = ""


def quote(s: str) -> str:
    """Quote a span for a message; quotes inside it become ‘’ as in print."""
    if s.startswith("“") and s.endswith("”") and s.count("“") == 1:
        return s
    return "“" + s.replace("“", "‘").replace("”", "’") + "”"


def dedupe(issues: Iterable[ProofIssue]) -> list[ProofIssue]:
    """Keep one finding per stretch of text: the higher-priority check, then the earlier rule."""
    kept: list[ProofIssue] = []
    ranked = sorted(enumerate(issues), key=lambda p: (CHECKS.index(p[1].check), p[0]))
    for _, issue in ranked:
        if issue.start >= 0 and any(k.start >= 0 and k.start < issue.end and issue.start < k.end for k in kept):
            continue
        kept.append(issue)
    return sorted(kept, key=lambda i: (i.start, CHECKS.index(i.check)))


def apply_fix(text: str, issue: ProofIssue) -> str:
    """Replace the issue's span with its fix; fall back to the first occurrence if the text moved."""
    if issue.fix is None or not issue.span_text:
        return text
    if 0 <= issue.start <= issue.end <= len(text) and text[issue.start:issue.end] == issue.span_text:
        return text[:issue.start] + issue.fix + text[issue.end:]
    pos = text.find(issue.span_text)
    if pos < 0:
        return text
    return text[:pos] + issue.fix + text[pos + len(issue.span_text):]
