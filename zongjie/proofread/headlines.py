"""Subsection headlines: is a set parallel (对仗), and a rule-based proposal that makes it so."""
from __future__ import annotations

import re
from collections import Counter
from typing import TypeVar

from ..model import Report
from ..outline import Theme, load_themes
from ..text import is_cjk
from .issue import Check, ProofIssue, quote

# Headlines in one set may differ by this many characters per clause and still read as parallel;
# long clauses get 15% of their length (12 vs 14 characters still reads as one rhythm).
HEADLINE_LEN_TOLERANCE = 1
HEADLINE_LEN_TOLERANCE_RATIO = 0.15

_T = TypeVar("_T")

VERBS = frozenset("""
强化 加强 突出 注重 压实 健全 夯实 深化 聚焦 推动 推进 服务 提高 提升 落实 筑牢 唱响 用好 打响 打好 坚定 紧抓
抓好 抓实 抓牢 弘扬 践行 统一 形成 明确 增强 引领 把握 创新 巩固 拓展 拓宽 完善 严把 凝聚 坚持 树立 构建 建强
激发 彰显 传递 护航 守好 守牢 压紧 织密 优化 规范 做好 做实 当好 助力 助推 立足 紧扣 围绕 畅通 依靠 掌握 管控
传播 确保 统筹 汇聚 锻造 培育 营造 发挥 维护 贯彻 开展 实施 保障 带动 加大 深耕 扛牢 扛起 抓住 提供 搭建 打造
倾听 回应 投身 传达 选树 搭好 用活 激活 擦亮 叫响
""".split())
# Adverbs that may precede the leading verb ("进一步落实…", "坚持不懈抓好…").
_LEAD_ADVERBS = ("坚持不懈", "进一步", "持续", "全面", "切实", "不断", "着力", "继续", "扎实", "深入", "积极", "大力",
                 "主动", "高度", "始终", "稳步")
_NUMBERING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．、]"
                           r"|第[一二三四五六七八九十]+[，,、])\s*")


def _clean_headline(h: str) -> str:
    return _NUMBERING_RE.sub("", h).strip().rstrip("。．.；;，,")


def _clauses(h: str) -> list[str]:
    return [c.strip() for c in re.split(r"[，,；;：:]", _clean_headline(h)) if c.strip()]


def char_count(s: str) -> int:
    """Characters as a reader counts them in a headline: quotes and marks take no space in the rhythm."""
    return sum(1 for ch in s if is_cjk(ch) or ch.isalnum())


def _strip_adverbs(c: str) -> str:
    changed = True
    while changed:
        changed = False
        for adv in _LEAD_ADVERBS:
            if c.startswith(adv) and len(c) > len(adv) + 1:
                c, changed = c[len(adv):], True
    return c


def leading_verb(clause: str) -> str:
    c = _strip_adverbs(clause)
    return c[:2] if c[:2] in VERBS else ""


def headline_shape(h: str) -> tuple[tuple[int, ...], bool, str]:
    """(characters per clause, starts with a verb, tail pattern "主X" / "引号" / "").

    "强化组织领导，落实意识形态“主心骨”" → ((6, 9), True, "主X").
    """
    clauses = _clauses(h) or [""]
    quoted = re.search(r"[“\"]([^”\"]+)[”\"]", clauses[-1]) if len(clauses) > 1 else None
    tail = ("主X" if quoted.group(1).startswith("主") else "引号") if quoted else ""
    return tuple(char_count(c) for c in clauses), bool(leading_verb(clauses[0])), tail


def _mode(values: list[_T]) -> _T:
    """Most common value; on a tie the one seen first."""
    return Counter(values).most_common(1)[0][0]


def headline_problems(headlines: list[str]) -> dict[int, str]:
    """Headlines (by index) that break the set's majority shape, with the reason in Chinese."""
    if len(headlines) < 2:
        return {}
    shapes = [headline_shape(h) for h in headlines]
    bad: dict[int, str] = {}
    n_major = _mode([len(s[0]) for s in shapes])
    for i, s in enumerate(shapes):
        if len(s[0]) != n_major:
            bad[i] = f"分为{len(s[0])}句，其余多为{n_major}句"
    same = [s for s in shapes if len(s[0]) == n_major]
    for p in range(n_major):
        typical = _mode([s[0][p] for s in same])
        tolerance = max(HEADLINE_LEN_TOLERANCE, round(typical * HEADLINE_LEN_TOLERANCE_RATIO))
        for i, s in enumerate(shapes):
            if i not in bad and abs(s[0][p] - typical) > tolerance:
                bad[i] = f"第{p + 1}句{s[0][p]}字，其余多为{typical}字"
    verbs = [s[1] for s in shapes]
    tails = [s[2] for s in shapes]
    for i, s in enumerate(shapes):
        if i in bad:
            continue
        if s[1] != _mode(verbs):
            bad[i] = "开头不是动词，与其余不一致" if not s[1] else "以动词开头，与其余不一致"
        elif s[2] != _mode(tails):
            bad[i] = f"结尾句式（{s[2] or '无引号'}）与其余不一致"
    return dict(sorted(bad.items()))


# ---- headline generator -----------------------------------------------------------------------
# How a key noun phrase is brought to a slot length: drop generic suffixes/prefixes, shorten known
# long terms, and pad a 2-character noun with 工作. Nothing is ever cut in the middle of a word.
_DROP_SUFFIXES = ("方面", "工作", "情况", "行动", "活动", "水平", "建设", "制")
_DROP_PREFIXES = ("进一步", "各种", "各级", "全区", "我区", "全镇", "我镇", "全县", "我县", "广大", "自身", "青少年",
                  "青年", "对外", "新形势下", "新时代", "对", "把")
_ABBREV = (("思想政治", "思政"), ("意识形态工作", "意识形态"), ("志愿者", "志愿服务"), ("共青团", "团"))
_VERB_POOL = ("坚持", "强化", "深化", "加强", "推动", "夯实", "聚焦", "提升", "健全", "拓展", "压实", "筑牢")


def _key_noun(clause: str) -> str:
    """The noun phrase a clause is about: without adverbs, leading verb, 以…为契机 and 对…的 frames."""
    c = _strip_adverbs(clause.strip())
    frame = re.match(r"^以(.+?)为(?:契机|抓手|载体|引领|统领|重点|核心|主线)$", c)
    if frame:
        c = frame.group(1)
    if c[:2] in VERBS and char_count(c) > 3:
        c = c[2:]
    elif _subject_verb(c):
        c = c[4:]
    if "的" in c:
        parts = [p for p in c.split("的") if p]
        # "落实党委对…的领导责任" is about 领导责任; "加强对思想阵地的管理" about 思想阵地, not 管理.
        c = parts[-1] if char_count(parts[-1]) >= 4 else max(parts, key=char_count)
        c = re.sub(r"^.{0,4}?[对把向](?=.{4})", "", c)
    c = re.split(r"[和与及]", c)[0] if char_count(c) > 6 else c
    return c.removesuffix("方面") if char_count(c) > 4 else c


def _subject_verb(clause: str) -> str:
    """The verb of "党委维护网络思想安全": a 2-character subject, then the verb."""
    c = _strip_adverbs(clause)
    return c[2:4] if c[2:4] in VERBS and char_count(c) > 5 else ""


def _main_clause(clauses: list[str]) -> int:
    """Which clause carries the headline's topic: "凝聚青年，紧扣时代主题，…" is about 时代主题.

    A verbless first clause of 4+ characters ("从严治团") is the topic itself; otherwise the first
    clause led by a verb whose noun has at least 4 characters, else any clause with such a noun.
    """
    if not leading_verb(clauses[0]) and char_count(_key_noun(clauses[0])) >= 4:
        return 0
    for need_verb in (True, False):
        for i, c in enumerate(clauses):
            if char_count(_key_noun(c)) >= 4 and (bool(leading_verb(c)) or not need_verb):
                return i
    return 0


def _fit(noun: str, n: int) -> tuple[str | None, str]:
    """(noun rewritten to exactly n characters or None, the candidate closest to n)."""
    queue, seen, closest = [noun], set(), noun
    while queue:
        c = queue.pop(0)
        if c in seen:
            continue
        seen.add(c)
        if char_count(c) == n:
            return c, c
        if abs(char_count(c) - n) < abs(char_count(closest) - n):
            closest = c
        if char_count(c) > n:
            queue.extend(c[:-len(s)] for s in _DROP_SUFFIXES if c.endswith(s) and char_count(c) - len(s) >= 2)
            queue.extend(c[len(p):] for p in _DROP_PREFIXES if c.startswith(p) and char_count(c) - len(p) >= 2)
            queue.extend(c.replace(a, b, 1) for a, b in _ABBREV if a in c)
        elif n == 4 and char_count(c) == 2:
            queue.append(c + "工作")  # "维权" → "维权工作"; a 4-character noun is never padded to 6
    return None, closest


def _pick_theme(headline: str, used: set[Theme]) -> Theme:
    themes, fallback = load_themes()
    scored = [(sum(headline.count(k) for k in t.keywords), -i, t) for i, t in enumerate(themes) if t not in used]
    hits, _, best = max(scored, key=lambda x: (x[0], x[1]), default=(0, 0, fallback))
    if hits:
        return best
    if fallback not in used:
        return fallback
    return next((t for t in themes if t not in used), fallback)


def _pick_verb(preferred: str, used: set[str], avoid: str = "") -> str:
    """The headline's own verb (a set may repeat one on purpose: 严把…关 ×3); else an unused one."""
    if preferred and preferred != avoid:
        return preferred
    return next((v for v in _VERB_POOL if v not in used and v != avoid), _VERB_POOL[0])


def propose_parallel_headlines(headlines: list[str]) -> list[str]:
    """Rewrite a set of subsection headlines into one shape: "动词+4字，动词+6字" (6字，8字, as themes.json).

    Rule-based and deterministic. A set that already passes headline_problems() is returned as is.
    For each headline: the key noun phrase comes from its main clause (_main_clause) without adverbs,
    leading verb and 以…为契机 / 对…的 frames; it is fitted to 4 characters (_fit) and led by its own
    verb, or the first unused verb of _VERB_POOL. The second clause is the headline's next clause if its
    noun fits 6 characters behind its own verb, else the second clause of the themes.json theme its
    words hit most (each theme used once, so no two headlines share a clause). A noun that only fits 6
    characters goes into the second clause behind the theme's first clause; one that fits neither is
    kept whole, so that headline is off by its extra characters — a word is never cut.
    """
    if len(headlines) < 2 or not headline_problems(headlines):
        return list(headlines)
    used_verbs: set[str] = set()
    used_themes: set[Theme] = set()
    out = []
    for h in headlines:
        clauses = _clauses(h) or [h]
        main = _main_clause(clauses)
        own_verb = leading_verb(clauses[main]) or _subject_verb(clauses[main])
        noun = _key_noun(clauses[main])
        theme = _pick_theme(_clean_headline(h), used_themes)
        used_themes.add(theme)
        second = _second_clause(clauses[main + 1:], theme)
        n4, closest = _fit(noun, 4)
        if n4 is None:
            n6, _ = _fit(noun, 6)
            if n6 is not None:
                verb = _pick_verb(own_verb, used_verbs, avoid=theme.first[:2])
                used_verbs.add(verb)
                out.append(f"{theme.first}，{verb}{n6}")
                continue
        verb = _pick_verb(own_verb, used_verbs, avoid=second[:2])
        used_verbs.add(verb)
        out.append(f"{verb}{n4 or closest}，{second}")
    return out


def _second_clause(rest: list[str], theme: Theme) -> str:
    """The headline's own next clause brought to 8 characters (verb + 6), else the theme's."""
    for clause in rest[:1]:
        verb = leading_verb(clause)
        n6, _ = _fit(_key_noun(clause), 6)
        # A quoted name would change the set's tail pattern (see headline_shape), so it stays out.
        if verb and n6 is not None and "“" not in n6:
            return verb + n6
    return theme.second


def headline_issues(report: Report) -> list[ProofIssue]:
    out = []
    for parent in report.all_sections():
        # A subsection the user has just added has no headline yet: nothing to compare.
        heads = [sub.heading for sub in parent.subsections if sub.heading.strip()]
        bad = headline_problems(heads)
        if not bad:
            continue
        reasons = "；".join(f"{quote(heads[i])}{why}" for i, why in bad.items())
        proposal = "／".join(propose_parallel_headlines(heads))
        first = heads[next(iter(bad))]
        out.append(ProofIssue(Check.HEADLINE, parent.key, f"小标题不对仗：{reasons}。可参考：{proposal}", first))
    return out
