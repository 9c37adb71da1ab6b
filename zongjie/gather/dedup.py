"""Near-duplicate bullets merged: the same activity reported in two 简报 (or in a monthly 工作信息 and
the 简报 it fed) shows the same figures in much the same words. One bullet stays, with every place."""
from __future__ import annotations

import re
from collections import defaultdict

from .candidate import Candidate

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_NOISE = re.compile(r"[，,。；;：:、“”\"《》（）()\s的了和及与并]")
# Share of the shorter bullet's character pairs found in the longer one. With two or more figures in
# common a looser overlap suffices ("开展学雷锋志愿服务15场，600余人次参与" vs "组织“学雷锋”志愿服务
# 活动15场，参与志愿者600余人次"); one shared figure (often a year) needs the words to agree too.
MIN_OVERLAP_MANY, MIN_OVERLAP_ONE, MIN_OVERLAP_NONE = 0.45, 0.6, 0.85


def numbers(text: str) -> tuple[str, ...]:
    return tuple(sorted(_NUMBER.findall(text.translate(_WIDTH))))


def _pairs(text: str) -> set[str]:
    text = _NOISE.sub("", text)
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def overlap(a: str, b: str) -> float:
    pa, pb = _pairs(a), _pairs(b)
    return len(pa & pb) / min(len(pa), len(pb)) if pa and pb else 0.0


def merge_duplicates(candidates: list[Candidate]) -> tuple[list[Candidate], int]:
    """The candidates with near-duplicates folded into one (its places extended), and how
    many were folded. Two bullets are compared only when one's figures are all among the other's (the
    same figures, or one report adding a figure, "此次活动共走访120户"), so two different counts of the
    same kind of work never merge, and the comparisons stay few."""
    kept: list[Candidate] = []
    by_number: dict[str, list[Candidate]] = defaultdict(list)
    no_numbers: list[Candidate] = []
    merged = 0
    for c in candidates:
        key = set(numbers(c.text))
        pool = no_numbers if not key else {id(k): k for n in key for k in by_number[n]}.values()
        twin = next((k for k in pool if k.role == c.role and _same(k, c, key)), None)
        if twin is None:
            kept.append(c)
            for n in key:
                by_number[n].append(c)
            if not key:
                no_numbers.append(c)
            continue
        merged += 1
        if key > set(numbers(twin.text)) or (key == set(numbers(twin.text)) and len(c.text) > len(twin.text)):
            # The fuller report stays, its own place first: the first place backs every figure of the
            # text (the others report some of them).
            twin.text = c.text
            twin.places[:0] = [p for p in c.places if p not in twin.places]
        else:
            twin.places.extend(p for p in c.places if p not in twin.places)
            for n in key:
                if twin not in by_number[n]:
                    by_number[n].append(twin)
    return kept, merged


def _same(a: Candidate, b: Candidate, b_numbers: set[str]) -> bool:
    a_numbers = set(numbers(a.text))
    if a_numbers != b_numbers and not (a_numbers < b_numbers or b_numbers < a_numbers):
        return False
    common = len(a_numbers & b_numbers)
    if a_numbers != b_numbers and common < 2:
        return False  # one shared figure (a year, "2期") says little about being the same work
    need = MIN_OVERLAP_MANY if common >= 2 else MIN_OVERLAP_ONE if common else MIN_OVERLAP_NONE
    return overlap(a.text, b.text) >= need
