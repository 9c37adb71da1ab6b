"""Sentence patterns from the example reports, for the small model's subsection leads and closings.

A 1.5B model given a whole exemplar passage copies it; given nothing, it falls back on the same three
generic clauses in every subsection (issue 14: repeated filler). What it can use is one short masked
sentence of the right kind — a lead (思路: 坚持把……作为……) or a closing (成效: 通过……，……) — taken
from the example section that best matches the subsection, a different one for each subsection.
Numbers, dates, quoted names and unit names are masked (×× / X) before a pattern enters a prompt.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from .tokens import tokenize

_SPLIT = re.compile(r"(?<=[。；！？])")
_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]是|\d+[.、．]|[（(][一二三四五六七八九十\d]+[)）])\s*")
_LEAD_START = re.compile(r"^(?:始终)?(?:坚持|围绕|聚焦|紧扣|立足|紧紧围绕|牢牢把握|着眼|以[^，。]{2,12}为)")
_EFFECT_START = re.compile(r"^(?:通过|经过|在此基础上|上半年以来|一系列)")
_EFFECT_WORDS = re.compile(r"提升|增强|凝聚|激发|营造|筑牢|夯实|推动|促进|彰显|扩大")
# First person and the document's own scaffolding make a bad pattern.
_BAD = re.compile(r"我们|我镇|我区|我县|我校|我局|我委|本人|[×X]{3,}|\*\*\*|一是|二是|如下|附件")


class Kind(str, Enum):
    LEAD = "导语"
    EFFECT = "成效"


@dataclass(frozen=True)
class Pattern:
    kind: Kind
    text: str  # masked
    source: str  # passage id, for the record
    tokens: frozenset[str]


def classify(sentence: str) -> Kind | None:
    """A lead opens with 坚持/围绕/聚焦…; a closing opens with 通过/经过 and names an effect."""
    if _LEAD_START.match(sentence):
        return Kind.LEAD
    if _EFFECT_START.match(sentence) and _EFFECT_WORDS.search(sentence):
        return Kind.EFFECT
    return None


def extract_patterns(passages: Iterable, mask) -> list[Pattern]:
    """Every lead or closing sentence of 14–70 characters in the passages of role 成效, masked."""
    out: list[Pattern] = []
    seen: set[str] = set()
    for passage in passages:
        if getattr(passage, "role", "") != "成效":
            continue
        for raw in _SPLIT.split(passage.text):
            sentence = _ITEM.sub("", raw.strip()).rstrip("；;")
            if not 14 <= len(sentence) <= 70 or _BAD.search(sentence):
                continue
            kind = classify(sentence)
            if kind is None:
                continue
            masked = mask(sentence).rstrip("。；") + "。"
            if masked in seen:
                continue
            seen.add(masked)
            out.append(Pattern(kind, masked, passage.id, frozenset(tokenize(passage.heading + sentence))))
    return out


class PatternPicker:
    """Picks, for each subsection, the best-matching pattern of a kind that this document has not used
    yet, so no two subsections share a lead or a closing. One picker per draft (it remembers)."""

    def __init__(self, patterns: list[Pattern]):
        self._patterns = patterns
        self._used: set[str] = set()
        self._lock = threading.Lock()  # sections may be drafted on worker threads

    def pick(self, kind: Kind, query: str) -> Pattern | None:
        words = set(tokenize(query))
        with self._lock:
            candidates = [p for p in self._patterns if p.kind is kind and p.text not in self._used]
            if not candidates:
                return None
            best = max(candidates, key=lambda p: (len(words & p.tokens), -len(p.text)))
            self._used.add(best.text)
            return best
