"""上期计划对照: the plan items of last period's report (三、下一步工作打算 / 下半年工作计划, their
（一）/1. points or 一是……二是……) matched against this period's bullets, each judged 已落实 / 部分落实 /
未见落实 by rules: word overlap after reading abbreviations as one word (青马工程 = 青年马克思主义者培养工程),
and the figures a plan promised. No model call."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from retrieval.parse import parse_text_report, split_headline

from .model import Bullet
from .vocab import ROLE_PLANS, ROLE_RESULTS, Kind

ABBREVIATIONS_PATH = Path(__file__).parent / "data" / "abbreviations.json"
# Words every plan item and every bullet shares: they say nothing about which work it is.
_GENERIC = frozenset("""加强 推进 深化 持续 进一步 深入 扎实 全面 大力 积极 不断 切实 着力 重点 继续 完善 健全 提升
提高 强化 推动 做好 抓好 抓实 落实 开展 组织 举办 工作 活动 建设 机制 体系 水平 能力 质量
作用 力度 全县 全区 全市 团县委 团区委 团市委 我们 围绕 聚焦 坚持 以及 各类 广大 青年 一是 二是
三是 四是 五是 六是 下半年 下一步 今年 明年 年度 计划 打算 力争 确保 实现 全年""".split())
_SHI = re.compile(r"(?:^|[。；;，,：:])\s*(?:[一二三四五六七八九十]{1,2}是)")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_QUANTITY = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(?:余|多)?\s*(期|场|名|个|人次|人|次|家|所|支|项|户|篇|万|%)")
DONE, PARTLY = 0.5, 0.25  # shares of an item's words a bullet must share (measured: bench/plancheck.py)


class Status(Kind):
    DONE = "已落实"
    PARTLY = "部分落实"
    NOT_SEEN = "未见落实"


@dataclass(frozen=True)
class PlanItem:
    label: str  # what the table shows: the item's headline or its first clause
    text: str  # all its words, for matching


@dataclass(frozen=True)
class PlanMatch:
    item: PlanItem
    status: Status
    score: float
    bullet: Bullet | None  # the best matching bullet; None when 未见落实


@lru_cache(maxsize=1)
def abbreviations() -> tuple[tuple[str, str], ...]:
    pairs = json.loads(ABBREVIATIONS_PATH.read_text(encoding="utf-8"))["pairs"]
    return tuple(sorted(pairs.items(), key=lambda kv: -len(kv[0])))  # longest first: 青马工程 before 青马


def normalise(text: str) -> str:
    for long, short in abbreviations():
        text = text.replace(long, short)
    return text


def plan_items(report_text: str) -> list[PlanItem]:
    """The items of the report's plan part(s): each (一)/1. point, else each 一是… or paragraph."""
    report = parse_text_report(report_text)
    items: list[PlanItem] = []
    for top in report.sections:
        if top.role != ROLE_PLANS:
            continue
        points = [s for s in top.walk() if s is not top]
        for point in points:
            items.append(PlanItem(_label(point.heading), " ".join([point.heading, *point.paragraphs])))
        if not points:
            for paragraph in top.paragraphs:
                if not paragraph.rstrip().endswith(("：", ":")):  # 下一步，将重点抓好以下工作： leads in
                    items.extend(_split_points(paragraph))
    return items


def _split_points(paragraph: str) -> list[PlanItem]:
    parts = [p.strip(" 。；;，,") for p in _SHI.split(paragraph)]
    parts = [p for p in parts if len(p) >= 6]
    if len(parts) > 1 and _SHI.search(paragraph):
        parts = parts[1:] if not _SHI.match(paragraph) and len(parts[0]) < 40 else parts  # a lead-in clause
    return [PlanItem(_label(p), p) for p in parts]


def _label(text: str) -> str:
    head = split_headline(text)[0] or text
    return re.split(r"[，,。；;：:]", head, maxsplit=1)[0][:30]


def _words(text: str) -> set[str]:
    # jieba is imported on first use, not with the page: its import would sit on the first paint.
    from retrieval.tokens import tokenize

    return {w for w in tokenize(normalise(text)) if w not in _GENERIC and len(w) > 1 and not w.isdigit()}


def _quantities(text: str) -> dict[str, float]:
    return {unit: float(n) for n, unit in _QUANTITY.findall(text)}


def _score(item: set[str], planned: dict[str, float], bullet: Bullet) -> tuple[float, bool]:
    """The share of the item's words the bullet has, and whether a figure it promised fell short
    ("举办培训班2期" against "举办培训班1期": partly done however well the words match)."""
    if not item:
        return 0.0, False
    share = len(item & _words(bullet.text)) / len(item)
    if share == 0:
        return 0.0, False
    done = _quantities(bullet.text)
    common = [u for u in planned if u in done]
    short = any(done[u] < planned[u] for u in common)
    if common and not short:
        share = min(1.0, share + 0.25)  # a plan's figure met ("培训班2期") is the strongest sign it was done
    return share, short


def check_plans(items: list[PlanItem], bullets: list[Bullet]) -> list[PlanMatch]:
    """Each item with its status and best bullet. Only 成效 bullets count as work done."""
    done = [b for b in bullets if b.role == ROLE_RESULTS]
    out = []
    for item in items:
        words, planned = _words(item.label + " " + item.text), _quantities(item.text)
        # The headline says what the item is; its body words dilute the share, so the label's words count
        # on their own too.
        label_words = _words(item.label)
        best: tuple[float, bool, Bullet | None] = (0.0, False, None)
        for b in done:
            score, short = max(_score(words, planned, b), _score(label_words, planned, b))
            if score > best[0]:
                best = (score, short, b)
        score, short, bullet = best
        status = Status.DONE if score >= DONE else Status.PARTLY if score >= PARTLY else Status.NOT_SEEN
        if short and status == Status.DONE:
            status = Status.PARTLY
        out.append(PlanMatch(item, status, round(score, 2), None if status == Status.NOT_SEEN else bullet))
    return out


def summary_line(matches: list[PlanMatch]) -> str:
    """对照年初确定的N项重点任务，已完成M项 — for the opening, once the user has confirmed the table."""
    done = sum(m.status == Status.DONE for m in matches)
    return f"对照年初确定的{len(matches)}项重点任务，已完成{done}项。"
