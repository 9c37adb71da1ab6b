"""Ticked candidates into the bullets box: appended below what is there, each line keeping the role it
was given even under a header the cadre typed above ("下一步：" heads every line after it)."""
from __future__ import annotations

from ..brief import BriefError, parse_bullets
from ..provenance import Place, with_marker
from ..vocab import ROLE_RESULTS
from .candidate import ROLE_PREFIX

RESULT_PREFIX = "成效："


def append_lines(existing: str, picks: list[tuple[str, str, list[Place]]]) -> str:
    """`existing` with one line per pick (text, role, places) appended. A 成效 line gets the 成效：
    label only where a header above would otherwise claim it for 问题 or 计划."""
    text = existing.rstrip()
    for body, role, places in picks:
        body = " ".join(body.split())
        if not body:
            continue
        line = with_marker(ROLE_PREFIX.get(role, "") + body, places)
        if role == ROLE_RESULTS and _role_of_last(text, line) != ROLE_RESULTS:
            line = with_marker(RESULT_PREFIX + body, places)
        text = f"{text}\n{line}" if text else line
    return text


def _role_of_last(text: str, line: str) -> str | None:
    try:
        bullets = parse_bullets(f"{text}\n{line}" if text else line)
    except BriefError:  # too long or too many: the draft buttons will say so; keep the label to be safe
        return None
    return bullets[-1].role if bullets else None
