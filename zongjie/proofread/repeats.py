"""Sentences that repeat an earlier one, exactly or nearly, within a section or across sections."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import HALF_SENTENCE_ENDS, SENTENCE_ENDS, is_cjk, sentence_matches, shingles
from .issue import Check, ProofIssue

# Sentences shorter than this (in CJK/alnum characters) are set phrases ("取得了良好效果"), not repeats.
MIN_SENTENCE_CHARS = 8
# Character 3-gram Jaccard similarity at or above which two sentences count as near-duplicates.
# 0.6 catches one- or two-word edits of a 20-character sentence; unrelated sentences on the same
# topic ("加强理论学习…" vs "加强宣传引导…") stay below 0.3 on the example corpus.
NEAR_DUP_JACCARD = 0.6

_ORDINAL_RE = re.compile(r"^(?:[一二三四五六七八九十]是|首先|其次|再次|最后|同时|此外|另外|"
                         r"[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、])")


def _norm_sentence(s: str) -> str:
    s = _ORDINAL_RE.sub("", s.strip())
    return "".join(ch for ch in s if is_cjk(ch) or ch.isalnum())


@dataclass(frozen=True)
class _Sentence:
    key: str
    start: int
    end: int
    text: str
    norm: str
    grams: frozenset[str]


def _sentences(key: str, text: str) -> list[_Sentence]:
    out = []
    for m in sentence_matches(text, SENTENCE_ENDS + HALF_SENTENCE_ENDS, lines=True):
        lead = len(m.group()) - len(m.group().lstrip())
        norm = _norm_sentence(m.group())
        if len(norm) >= MIN_SENTENCE_CHARS:
            out.append(_Sentence(key, m.start() + lead, m.end(), m.group()[lead:], norm,
                                 frozenset(shingles(norm))))
    return out


def find_repeats(units: list[tuple[str, str]], labels: dict[str, str] | None = None) -> list[ProofIssue]:
    """Sentences that repeat an earlier one, exactly or nearly, within or across units (key, text).

    Each repeat is reported once, on the later sentence; deleting an exact repeat is the safe fix.
    """
    labels = labels or {}
    seen: list[_Sentence] = []
    out = []
    for key, text in units:
        for s in _sentences(key, text):
            best, best_sim = None, 0.0
            for prev in seen:
                small, big = sorted((len(s.grams), len(prev.grams)))
                if small < NEAR_DUP_JACCARD * big:
                    continue  # Jaccard can never reach the threshold: skip the set arithmetic
                sim = 1.0 if prev.norm == s.norm else len(s.grams & prev.grams) / len(s.grams | prev.grams)
                if sim > best_sim:
                    best, best_sim = prev, sim
            if best is not None and best_sim >= NEAR_DUP_JACCARD:
                where = "本节前文" if best.key == key else f"“{labels.get(best.key, best.key)}”"
                if best.norm == s.norm:
                    out.append(ProofIssue(Check.REPEAT, key, f"与{where}中的句子重复，可删去", s.text, s.start,
                                          s.end, ""))
                else:
                    out.append(ProofIssue(Check.REPEAT, key,
                                          f"与{where}中的句子高度相似（相似度{best_sim:.0%}）：{best.text[:24]}",
                                          s.text, s.start, s.end))
            seen.append(s)
    return out
