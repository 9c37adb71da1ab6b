"""Kinds of work and partners (data/work_terms.txt) that a text names and no bullet mentions."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

WORK_TERMS_PATH = Path(__file__).resolve().parent.parent / "data" / "work_terms.txt"


@lru_cache(maxsize=1)
def _work_re() -> re.Pattern[str]:
    terms = {line.split("#", 1)[0].strip() for line in WORK_TERMS_PATH.read_text(encoding="utf-8").splitlines()}
    return re.compile("|".join(re.escape(t) for t in sorted(terms - {""}, key=len, reverse=True)))


def unreported_work(text: str, sources: Iterable[str]) -> list[str]:
    """Kinds of work and partners (data/work_terms.txt) that `text` names and no source mentions:
    讲座 or 社区合作 in a paragraph whose bullet says neither is work nobody reported. Not numbers or
    names, so not a 来源不明 fact; the compact drafter drops such sentences instead."""
    pool = "".join(sources)
    return [m.group(0) for m in _work_re().finditer(text) if m.group(0) not in pool]
