"""Problems ↔ plans: every problem the report names should meet a matching measure in its plans."""
from __future__ import annotations

import re

from ..model import Report
from ..text import CJK, CJK_RE
from ..vocab import ROLE_PLANS, ROLE_PROBLEMS
from .issue import Check, ProofIssue

# A problem item is answered by a plan item sharing at least this many content bigrams (after stop
# words). One is enough: items are short, and the check is there to catch a problem the plan never
# mentions at all (seed 002-09: 新兴媒体, 舆论本领), not to grade how well it is answered.
PLAN_MIN_SHARED_BIGRAMS = 1

_ITEM_MARKER_RE = re.compile(r"[一二三四五六七八九十]是|[（(][一二三四五六七八九十]{1,2}[）)]"
                             r"|(?<![\d.．])\d{1,2}[.．、](?!\d)|首先|其次|再次")
_ITEM_SEP_RE = re.compile(r"[；;\n]")
# Words every problem and every plan in a 团委 report shares; they say nothing about which is which.
_STOP_WORDS = tuple(sorted("""
进一步 意识形态 共青团 团员青年 青年 工作 有待 还需 需要 不够 不足 不强 不高 不到位 加强 提高 提升 增强 存在 问题
方面 一定 仍然 仍有 仍显 欠缺 缺乏 还不 还有 继续 持续 切实 不断 深入 推进 开展 积极 全面 着力 坚持 我们 我局 我委
我镇 部分 相关 有关 情况 进行 一些 较为 比较 力度 水平 主要 以及 同时 更加 充分 做好 抓好 落实 推动 强化 完善
健全 下一步 下半年 今后 将 要 一是 二是 三是 四是 五是 六是 七是 八是 九是 十是
""".split(), key=len, reverse=True))
_STOP_CHARS = set("的了和与及对等是把将为也都并而或其之被于还在有")


def content_bigrams(text: str) -> set[str]:
    """Character bigrams of a text after cutting it at stop words, stop characters and punctuation."""
    s = text
    for w in _STOP_WORDS:
        s = s.replace(w, "|")
    s = "".join("|" if ch in _STOP_CHARS else ch for ch in s)
    runs = re.findall(f"[{CJK}]+", s)
    return {r[i:i + 2] for r in runs for i in range(len(r) - 1)}


def item_spans(text: str) -> list[tuple[int, int, str]]:
    """Items of a 问题/计划 text: cut before 一是/（一）/1. and after ；or a line break.

    A lead-in ending with a colon ("主要表现在：") is not an item.
    """
    cuts = {0, len(text)}
    cuts.update(m.start() for m in _ITEM_MARKER_RE.finditer(text))
    cuts.update(m.end() for m in _ITEM_SEP_RE.finditer(text))
    items = []
    for a, b in zip(sorted(cuts), sorted(cuts)[1:], strict=False):
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip())
        body = seg.strip()
        if len(CJK_RE.findall(body)) < 6 or body.rstrip("。；;").endswith(("：", ":")):
            continue
        items.append((a + lead, a + lead + len(body), body))
    return items


def plan_issues(report: Report) -> list[ProofIssue]:
    problems = [s for s in report.drafting_units() if s.role == ROLE_PROBLEMS]
    plans = [s for s in report.drafting_units() if s.role == ROLE_PLANS]
    # An undrafted plan section would make every problem look unanswered: wait until it has text.
    if not any(s.text.strip() for s in plans):
        return []
    plan_docs = []
    for s in plans:
        heading = s.heading if s.level >= 2 else ""
        items = item_spans(s.text) or [(0, 0, "")]
        plan_docs.extend(content_bigrams(heading + "，" + body) for _, _, body in items)
    out = []
    for s in problems:
        head = s.heading if s.level >= 2 else ""
        for start, end, body in item_spans(s.text):
            grams = content_bigrams(head + "，" + body)
            best = max((len(grams & d) for d in plan_docs), default=0)
            if best < PLAN_MIN_SHARED_BIGRAMS:
                label = body if len(body) <= 30 else body[:30] + "…"
                out.append(ProofIssue(Check.PLAN, s.key, f"这个问题在下一步工作打算中没有对应的措施：{label}",
                                      body, start, end))
    return out
