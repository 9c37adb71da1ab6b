"""Is a fact of a draft backed by one the user gave? Units, approximations and dates compared loosely
where a reader would, and how much of a bullet's wording a text reuses."""
from __future__ import annotations

import re
from collections.abc import Iterable

from .extract import Fact, extract_facts

_PEOPLE = frozenset({"人", "名", "位"})
_UNIT_GROUPS = (_PEOPLE, frozenset({"场", "场次", "次", "期", "轮"}), frozenset({"年", "周年"}))
# 个 is the universal classifier: it may stand in for any of these but not for 人次, %, money or time.
_CLASSIFIERS = frozenset("个家所支处座间项条件篇份本册部套台张幅首组类种门批户节堂集封起块站校") | {"部门"}


def units_compatible(a: str, b: str) -> bool:
    """Same unit, or one side has none, or both in one group (人/名/位; 场/场次/次/期/轮; 年/周年),
    or one is 个 and the other a classifier or a people unit. 人次 stays apart from 人: turning
    13000人次 into 13000人 overstates the reach."""
    if not a or not b or a == b:
        return True
    if any(a in g and b in g for g in _UNIT_GROUPS):
        return True
    other = b if a == "个" else a if b == "个" else None
    return other is not None and (other in _CLASSIFIERS or other in _PEOPLE)


def _same_value(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _date_parts(norm: str) -> list[str]:
    return norm.split("-")


def supports(given: Fact, claimed: Fact) -> bool:
    """Does the fact `given` by the user back the fact `claimed` in a draft?

    Numbers: same value and kind, compatible units, and the draft's approximation is either absent
    or the same class as the user's (30场 and 三十多场 are backed by 30余场; 40余场 and 约30场 are not).
    A cap the user gave (30%以内) must stay a cap: a bare 30% would state it as achieved.
    Dates: every part the draft states (year, month, day, quarter) is stated alike by the user.
    Names: same text inside the quotes.
    """
    if given.kind != claimed.kind:
        return False
    if claimed.kind == "number":
        # 个 stands in for a person only in the draft: a user's 2个 (新建“青年之家”2个) backs no "其中2名同学" (a
        # held-out draft, 2026-12-02), and a small number recurs across bullets.
        if given.unit == "个" and claimed.unit in _PEOPLE:
            return False
        return (_same_value(given.value, claimed.value) and units_compatible(given.unit, claimed.unit)
                and claimed.approx in ("", given.approx) and not (given.approx == "内" and not claimed.approx))
    if claimed.kind == "date":
        if claimed.norm.startswith("T") or given.norm.startswith("T"):
            return claimed.norm == given.norm
        return all(not c or c == g for c, g in zip(_date_parts(claimed.norm), _date_parts(given.norm), strict=False))
    return given.norm == claimed.norm


def backed(claimed: Fact, facts: Iterable[Fact], source_text: str) -> bool:
    if claimed.kind == "name" and _letters(claimed.norm) and _letters(claimed.norm) in _letters(source_text):
        # The user wrote the name (perhaps unquoted); a model that quotes it back with 、 for ，
        # or without a space has not invented anything.
        return True
    return any(supports(f, claimed) for f in facts)


def _letters(text: str) -> str:
    """Text without punctuation and spaces, for comparing names across punctuation variants."""
    return re.sub(r"[\W_]+", "", text)


# Bigrams too common in 公文 to show that a fact-less bullet was used.
_COMMON_BIGRAMS = frozenset(
    "开展 活动 工作 加强 建设 青年 团员 推进 组织 深入 持续 全面 不断 积极 提升 落实 学习 思想 "
    "进一步 强化 完善 机制 服务 团委 共青 青团 广泛 有效 重要 坚持 切实 扎实 各类 主题 教育 引导".split())


def _bigrams(text: str) -> set[str]:
    grams = set()
    for run in re.findall(r"\w+", text):
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams


def wording_overlap(bullet_text: str, text: str) -> float:
    """Share of the bullet's character bigrams (minus stock 公文 bigrams) that occur in `text`.

    The bullet's own facts are cut out first: a shared "2023年" says nothing about shared content.
    """
    stripped = list(bullet_text)
    for fact in extract_facts(bullet_text):
        stripped[fact.start:fact.end] = [" "] * (fact.end - fact.start)
    grams = _bigrams("".join(stripped))
    grams = (grams - _COMMON_BIGRAMS) or grams
    if not grams:
        return 1.0 if bullet_text.strip() and bullet_text.strip() in text else 0.0
    found = _bigrams(text)
    return len(grams & found) / len(grams)

