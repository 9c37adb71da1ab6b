"""Genre of a report from its title and role (成效/问题/计划/…) of a section from its heading."""
from __future__ import annotations

import re

from zongjie.vocab import GENRES, ROLE_OTHER, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS

GENRE_SUMMARY, GENRE_IDEOLOGY, GENRE_HALF_YEAR = GENRES

# Order matters: "存在的问题及下步打算" is first of all a problems section.
# Bare "问题" is too broad for a heading (正确区分政治问题与学术问题), so it needs a qualifier.
_PROBLEMS = re.compile(r"存在.{0,6}问题|问题(及|与|和)?(原因|不足|分析)|主要问题|^问题"
                       r"|不足|短板|差距|薄弱|欠缺|不适应|不到位")
_PLANS = re.compile(r"下一步|下步|计划|打算|下半年|明年|来年|今后|谋划|思路|展望|努力方向|重点工作")
_RESULTS = re.compile(r"做法|成效|成绩|情况|亮点|进展|经验|举措|主要工作|工作开展")
# An opening that reports on a period ("今年以来…") marks a results report, whose thematic
# headings ("强化理论学习，坚定理想信念") describe work done.
_PERIOD_OPENING = re.compile(r"今年以来|今年来|年初以来|半年来|一年来|上半年|全年|现将.{0,20}(汇报|总结)")


def genre_for_title(title: str) -> str:
    if "意识形态" in title:
        return GENRE_IDEOLOGY
    if "上半年" in title and "下半年" in title:
        return GENRE_HALF_YEAR
    return GENRE_SUMMARY


def explicit_role(heading: str) -> str | None:
    """The role a heading names outright, or None for a thematic heading."""
    for pattern, role in ((_PROBLEMS, ROLE_PROBLEMS), (_PLANS, ROLE_PLANS), (_RESULTS, ROLE_RESULTS)):
        if pattern.search(heading):
            return role
    return None


def is_results_report(opening: list[str], headings: list[str]) -> bool:
    return bool(_PERIOD_OPENING.search("".join(opening)[:300])) or any(
        explicit_role(h) == ROLE_RESULTS for h in headings
    )


def role_for_heading(heading: str, results_report: bool) -> str:
    role = explicit_role(heading)
    if role:
        return role
    return ROLE_RESULTS if results_report else ROLE_OTHER
