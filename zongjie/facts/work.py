"""Kinds of work and partners (data/work_terms.txt) that a text names and no bullet mentions."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

WORK_TERMS_PATH = Path(__file__).resolve().parent.parent / "data" / "work_terms.txt"


@lru_cache(maxsize=1)
def _terms() -> dict[str, tuple[str, ...]]:
    """Each term with the words that also back it ("结对帮扶 = 结对": a bullet's 结对独居老人62户 written up
    as 结对帮扶 is the bullet's own work, named as 公文 names it, not work nobody reported)."""
    terms: dict[str, tuple[str, ...]] = {}
    for line in WORK_TERMS_PATH.read_text(encoding="utf-8").splitlines():
        term, _, backers = line.split("#", 1)[0].partition("=")
        if term.strip():
            terms[term.strip()] = (term.strip(), *backers.split())
    return terms


@lru_cache(maxsize=1)
def _work_re() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t) for t in sorted(_terms(), key=len, reverse=True)))


def unreported_work(text: str, sources: Iterable[str]) -> list[str]:
    """Kinds of work and partners (data/work_terms.txt) that `text` names and no source mentions:
    讲座 or 社区合作 in a paragraph whose bullet says neither is work nobody reported. Not numbers or
    names, so not a 来源不明 fact; the compact drafter drops such sentences instead. A term is mentioned
    when a source has it or one of the words the list gives after its "=" (结对帮扶 = 结对)."""
    pool = "".join(sources)
    return [m.group(0) for m in _work_re().finditer(text) if not any(w in pool for w in _terms()[m.group(0)])]
