"""Proofreading for drafts and pasted text: outdated 提法, typos, leftover placeholders, punctuation,
repetition, headline parallelism and 问题↔计划 matching, each reported as a ProofIssue with a fix where safe.
"""
from __future__ import annotations

import calendar
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from .model import ROLE_PLANS, ROLE_PROBLEMS, Report, Section
from .outline import Theme, load_themes

DATA_DIR = Path(__file__).parent / "data"
TIFA_PATH = DATA_DIR / "tifa.json"
TYPOS_PATH = DATA_DIR / "typos.json"

CHECK_TIFA = "提法"
CHECK_TYPO = "错别字"
CHECK_PLACEHOLDER = "占位符"
CHECK_PUNCT = "标点"
CHECK_REPEAT = "重复"
CHECK_HEADLINE = "标题"
CHECK_PLAN = "问题计划"
# Also the priority order when two findings cover the same characters: the more specific one wins.
CHECKS = (CHECK_TIFA, CHECK_TYPO, CHECK_PLACEHOLDER, CHECK_PUNCT, CHECK_REPEAT, CHECK_HEADLINE, CHECK_PLAN)

# ---- thresholds (each has a test on both sides) ----------------------------------------------
# Sentences shorter than this (in CJK/alnum characters) are set phrases ("取得了良好效果"), not repeats.
MIN_SENTENCE_CHARS = 8
# Character 3-gram Jaccard similarity at or above which two sentences count as near-duplicates.
# 0.6 catches one- or two-word edits of a 20-character sentence; unrelated sentences on the same
# topic ("加强理论学习…" vs "加强宣传引导…") stay below 0.3 on the example corpus.
NEAR_DUP_JACCARD = 0.6
# Headlines in one set may differ by this many characters per clause and still read as parallel;
# long clauses get 15% of their length (12 vs 14 characters still reads as one rhythm).
HEADLINE_LEN_TOLERANCE = 1
HEADLINE_LEN_TOLERANCE_RATIO = 0.15
# A problem item is answered by a plan item sharing at least this many content bigrams (after stop
# words). One is enough: items are short, and the check is there to catch a problem the plan never
# mentions at all (seed 002-09: 新兴媒体, 舆论本领), not to grade how well it is answered.
PLAN_MIN_SHARED_BIGRAMS = 1

_T = TypeVar("_T")
_CJK = "\u4e00-\u9fff"
_CJK_RE = re.compile(f"[{_CJK}]")


@dataclass
class ProofIssue:
    """One finding. start/end index the section text (-1 when the finding is not in the text, e.g. a headline)."""

    check: str
    section_key: str
    message: str
    span_text: str
    start: int = -1
    end: int = -1
    fix: str | None = None
    rule_since: str = ""


def _q(s: str) -> str:
    """Quote a span for a message; quotes inside it become ‘’ as in print."""
    if s.startswith("“") and s.endswith("”") and s.count("“") == 1:
        return s
    return "“" + s.replace("“", "‘").replace("”", "’") + "”"


def _is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_CJK_RE.match(ch))


# ---- period ---------------------------------------------------------------------------------
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_FULLWIDTH = str.maketrans("０１２３４５６７８９－～", "0123456789-~")


def _month_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s.startswith("十"):
        return 10 + (_CN_DIGITS[s[1]] if len(s) > 1 else 0)
    return _CN_DIGITS[s]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_date(period: str) -> date | None:
    """The last day a report period covers: "2023年上半年" → 2023-06-30, "2023年" → 2023-12-31.

    A 提法 is judged by the end of the period because that is when the report is written.
    """
    s = period.translate(_FULLWIDTH)
    s = re.sub(r"[〇零一二三四五六七八九]{4}(?=年)", lambda m: "".join(str(_CN_DIGITS[c]) for c in m.group()), s)
    years = list(re.finditer(r"(?<!\d)(\d{4})(?!\d)", s))
    if not years:
        return None
    year = int(years[-1].group(1))
    if not 1900 <= year <= 2200:
        return None
    rest = s[years[-1].end():]
    if "学年" in rest:
        return date(year, 8, 31)
    if "上半年" in rest:
        return date(year, 6, 30)
    if "下半年" in rest:
        return date(year, 12, 31)
    quarter = re.search(r"([1-4一二三四])季度", rest)
    if quarter:
        return _month_end(year, 3 * _month_number(quarter.group(1)))
    months = re.findall(r"(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月", rest)
    if months:
        return _month_end(year, _month_number(months[-1].lstrip("0")))
    return date(year, 12, 31)


# ---- data files -----------------------------------------------------------------------------
@dataclass(frozen=True)
class TifaRule:
    old: str
    regex: re.Pattern[str]
    new: str
    since: date
    kind: str  # replace | past | future
    note: str

    def applies(self, when: date) -> bool:
        return when < self.since if self.kind == "future" else when >= self.since


@dataclass(frozen=True)
class TypoRule:
    wrong: str
    regex: re.Pattern[str]
    right: str
    safe: bool


@lru_cache(maxsize=1)
def tifa_rules() -> tuple[TifaRule, ...]:
    data = json.loads(TIFA_PATH.read_text(encoding="utf-8"))
    return tuple(
        TifaRule(r["old"], re.compile(r.get("pattern") or re.escape(r["old"])), r.get("new", ""),
                 date.fromisoformat(r["since"]), r["kind"], r.get("note", ""))
        for r in data["rules"])


@lru_cache(maxsize=1)
def _typo_data() -> tuple[tuple[TypoRule, ...], frozenset[str]]:
    data = json.loads(TYPOS_PATH.read_text(encoding="utf-8"))
    rules = tuple(TypoRule(t["wrong"], re.compile(t.get("pattern") or re.escape(t["wrong"])), t["right"],
                           bool(t.get("safe", False))) for t in data["typos"])
    return rules, frozenset(data.get("doubled_ok", ()))


# ---- single-text checks ---------------------------------------------------------------------
def _check_tifa(text: str, when: date, key: str) -> list[ProofIssue]:
    out = []
    for rule in tifa_rules():
        if not rule.applies(when):
            continue
        for m in rule.regex.finditer(text):
            fix = None
            if rule.kind == "replace":
                fix = m.expand(rule.new)
                msg = f"提法已更新：自{rule.since.isoformat()}起应为{_q(fix)}（{rule.note}）"
            elif rule.kind == "past":
                hint = f"，可改为{_q(rule.new)}" if rule.new else ""
                msg = f"{_q(m.group())}已是过去的提法（{rule.note}）；如非回顾往事请更新{hint}"
            else:
                msg = f"{_q(m.group())}在本报告期内尚未出现（{rule.note}），请核对报告期或提法"
            out.append(ProofIssue(CHECK_TIFA, key, msg, m.group(), m.start(), m.end(), fix,
                                  rule.since.isoformat()))
    return out


_DOUBLED_RE = re.compile(f"([{_CJK}]{{2,4}})\\1")
_DOUBLED_LIST_RE = re.compile(f"(?<![{_CJK}])([{_CJK}]{{2,6}})、\\1(?![{_CJK}])")


def _check_typos(text: str, key: str) -> list[ProofIssue]:
    rules, doubled_ok = _typo_data()
    out = []
    for rule in rules:
        for m in rule.regex.finditer(text):
            if rule.safe:
                msg, fix = f"错别字：{_q(m.group())}应为{_q(rule.right)}", rule.right
            else:
                msg, fix = f"用词存疑：{_q(m.group())}，公文中一般用{rule.right}", None
            out.append(ProofIssue(CHECK_TYPO, key, msg, m.group(), m.start(), m.end(), fix))
    # "力量力量", "按照按照": a word typed twice. Reduplicated 2-character words are rare in 公文.
    for m in _DOUBLED_RE.finditer(text):
        if m.group() not in doubled_ok:
            out.append(ProofIssue(CHECK_TYPO, key, f"词语重复：“{m.group()}”", m.group(), m.start(), m.end(),
                                  m.group(1)))
    for m in _DOUBLED_LIST_RE.finditer(text):
        out.append(ProofIssue(CHECK_TYPO, key, f"列举项重复：“{m.group()}”", m.group(), m.start(), m.end(),
                              m.group(1)))
    return out


_MEASURE = "场名个次人篇项期支所家户件批处年月日万余多"
_LEADER_MASK = "疑似删去了领导人姓名，请核对（如“习近平总书记”）"
# (regex, message, fix). Specific rules come first so they win over the generic ones on overlap.
_PLACEHOLDERS: tuple[tuple[re.Pattern[str], str, str | None], ...] = (
    # Scraped 范文 replace 习近平 with *** only before his thought's name, so the fill-in is certain.
    (re.compile(r"[*＊]{2,}(?=新时代中国特色社会主义思想)"), "遮挡的“习近平”", "习近平"),
    (re.compile(r"[*＊]+"), "遮挡符号“*”，请填入实际名称或数字", None),
    (re.compile(r"(?<![A-Za-z])[xX]{2,}(?![A-Za-z])"), "占位符“xx”，请填入实际名称", None),
    (re.compile(r"×{2,}|(?<!\d)×|×(?!\d)"), "占位符“×”，请填入实际内容", None),
    (re.compile(f"(?<![A-Za-z0-9])[xX](?=[{_MEASURE}])"), "占位符“X”，疑为遮挡的数字", None),
    # Masks like "WW工作": a repeated capital. QQ is an app name and AAA a rating, so both are spared.
    (re.compile(r"(?<![A-Za-z])([B-PR-WYZ])\1+(?![A-Za-z])"), "疑似遮挡的字母占位", None),
    (re.compile(r"(?:--+|_)[-_]*"), "占位符“--”或“_”，请填入实际内容", None),
    (re.compile(r"\.{2,}"), "省略号占位，请补全被省略的内容", None),
    (re.compile(r"【[^】\n]*】"), "模板占位“【】”，请替换为实际内容", None),
    (re.compile(r"[（(][ \t　]*[）)]"), "空括号，疑为未填写的内容", None),
    (re.compile(r"此处填写|请填写|待补充|待填写"), "模板提示语未删除", None),
    (re.compile(r"某某"), "“某某”只能用于示例，正式报告请写实际名称", None),
    (re.compile(f"(?<=[{_CJK}])/(?=[{_CJK}])"), "汉字间的“/”疑为删节遮挡，请核对原文", None),
    (re.compile(r"(?<![总副委团记部])书记(?=系列重要讲话|重要系列讲话|重要讲话精神为)"), _LEADER_MASK, None),
    (re.compile(r"(?<![副团席总])主席(?=指出|强调|系列重要讲话|重要讲话)"), _LEADER_MASK, None),
)


def _check_placeholders(text: str, key: str) -> list[ProofIssue]:
    out = []
    for regex, msg, fix in _PLACEHOLDERS:
        out.extend(ProofIssue(CHECK_PLACEHOLDER, key, msg, m.group(), m.start(), m.end(), fix)
                   for m in regex.finditer(text))
    return out


_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_LIST_ITEM = f"(?:[{_CJK}]{{2,6}}|“[^”\\n]{{1,12}}”)"
_LIST_RUN_RE = re.compile(f"(?<![{_CJK}”])(?:{_LIST_ITEM}[、，,]){{2,}}{_LIST_ITEM}(?=等|[^{_CJK}“]|$)")


def _neighbours(text: str, start: int, end: int) -> tuple[str, str]:
    return (text[start - 1] if start > 0 else ""), (text[end] if end < len(text) else "")


def _check_half_width(text: str, key: str) -> list[ProofIssue]:
    out = []
    for m in re.finditer(r"[,;:!?][ \t]*", text):
        ch = m.group()[0]
        prev, nxt = _neighbours(text, m.start(), m.end())
        if not (_is_cjk(prev) or _is_cjk(nxt) or prev in "”）》" or nxt in "“（《"):
            continue
        if ch in ",:" and prev.isdigit() and nxt.isdigit():
            continue  # 13,000 and 8:30 are numbers, not prose
        if ch == "?" and _is_cjk(prev) and _is_cjk(nxt):
            # In the corpus "三?八" and "文明?喜迎" are mojibake of "·", not questions.
            out.append(ProofIssue(CHECK_PUNCT, key, "汉字间的“?”疑为乱码（如“·”），请核对", m.group(),
                                  m.start(), m.end()))
            continue
        out.append(ProofIssue(CHECK_PUNCT, key, f"中文里用了半角“{ch}”，应为全角“{_HALF_TO_FULL[ch]}”",
                              m.group(), m.start(), m.end(), _HALF_TO_FULL[ch]))
    for m in re.finditer(r"\(([^()\n]{0,60})\)", text):
        prev, nxt = _neighbours(text, m.start(), m.end())
        if _CJK_RE.search(m.group(1)) or _is_cjk(prev) or _is_cjk(nxt):
            out.append(ProofIssue(CHECK_PUNCT, key, "中文里用了半角括号，应为全角“（）”", m.group(),
                                  m.start(), m.end(), f"（{m.group(1)}）"))
    for m in re.finditer(r'"([^"\n]{1,40})"', text):
        if _CJK_RE.search(m.group(1)):
            out.append(ProofIssue(CHECK_PUNCT, key, "中文里用了半角引号，应为“”", m.group(), m.start(),
                                  m.end(), f"“{m.group(1)}”"))
    for m in re.finditer(f"(?<=[{_CJK}])\\.(?![\\d.])", text):
        out.append(ProofIssue(CHECK_PUNCT, key, "中文句末用了半角“.”，应为“。”", ".", m.start(), m.end(), "。"))
    for m in re.finditer(f"(?<=[{_CJK}])-(?=[{_CJK}])", text):
        out.append(ProofIssue(CHECK_PUNCT, key, "汉字间的半角“-”疑为删节或误用，请核对（连接号用“—”）", "-",
                              m.start(), m.end()))
    return out


def _check_mixed_lists(text: str, key: str) -> list[ProofIssue]:
    """A comma inside a run of short 、-separated items ("校园、企业，社区、乡村") should be 、.

    The comma must sit between two items that both touch a 、 ("、X，Y、"), X and Y must be short and
    of about the same length, and Y must not open a clause: in "政治性、先进性、群众性，增强组织、领导、
    服务能力" the comma ends one list and 增强 starts the next clause.
    """
    out = []
    for m in _LIST_RUN_RE.finditer(text):
        parts = re.split(r"([、，,])", m.group())
        items, seps = parts[0::2], parts[1::2]
        offset = m.start()
        for k, sep in enumerate(seps):
            offset += len(items[k])
            x, y = _count(items[k]), _count(items[k + 1])
            if (sep in "，," and 0 < k < len(seps) - 1 and seps[k - 1] == "、" and seps[k + 1] == "、"
                    and max(x, y) <= 5 and abs(x - y) <= 1 and not _opens_clause(items[k + 1])):
                out.append(ProofIssue(CHECK_PUNCT, key, "并列词语之间应统一用顿号“、”", sep, offset, offset + 1, "、"))
            offset += 1
    return out


def _opens_clause(item: str) -> bool:
    return bool(_leading_verb(item)) or item.startswith(("把", "以", "对", "让", "使", "在", "做到", "着力"))


def _check_punctuation(text: str, key: str) -> list[ProofIssue]:
    out = _check_half_width(text, key)
    for m in re.finditer(r"([。，、；：！？])\1+", text):
        out.append(ProofIssue(CHECK_PUNCT, key, f"标点重复：“{m.group()}”", m.group(), m.start(), m.end(),
                              m.group(1)))
    out.extend(_check_mixed_lists(text, key))
    return out


def _dedupe(issues: Iterable[ProofIssue]) -> list[ProofIssue]:
    """Keep one finding per stretch of text: the higher-priority check, then the earlier rule."""
    kept: list[ProofIssue] = []
    ranked = sorted(enumerate(issues), key=lambda p: (CHECKS.index(p[1].check), p[0]))
    for _, issue in ranked:
        if issue.start >= 0 and any(k.start >= 0 and k.start < issue.end and issue.start < k.end for k in kept):
            continue
        kept.append(issue)
    return sorted(kept, key=lambda i: (i.start, CHECKS.index(i.check)))


def check_text(text: str, *, period: str = "", section_key: str = "") -> list[ProofIssue]:
    """提法, typos, placeholders and punctuation in one text (a section or anything the user pastes).

    Without a parsable period the 提法 table is read as of today: that is when a pasted text is written.
    """
    when = period_date(period) or date.today()
    return _dedupe([
        *_check_tifa(text, when, section_key),
        *_check_typos(text, section_key),
        *_check_placeholders(text, section_key),
        *_check_punctuation(text, section_key),
    ])


def apply_fix(text: str, issue: ProofIssue) -> str:
    """Replace the issue's span with its fix; fall back to the first occurrence if the text moved."""
    if issue.fix is None or not issue.span_text:
        return text
    if 0 <= issue.start <= issue.end <= len(text) and text[issue.start:issue.end] == issue.span_text:
        return text[:issue.start] + issue.fix + text[issue.end:]
    pos = text.find(issue.span_text)
    if pos < 0:
        return text
    return text[:pos] + issue.fix + text[pos + len(issue.span_text):]


# ---- repetition -----------------------------------------------------------------------------
_SENTENCE_RE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
_ORDINAL_RE = re.compile(r"^(?:[一二三四五六七八九十]是|首先|其次|再次|最后|同时|此外|另外|"
                         r"[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、])")


def _norm_sentence(s: str) -> str:
    s = _ORDINAL_RE.sub("", s.strip())
    return "".join(ch for ch in s if _is_cjk(ch) or ch.isalnum())


def _shingles(s: str, n: int = 3) -> set[str]:
    return {s[i:i + n] for i in range(len(s) - n + 1)} if len(s) >= n else {s}


def jaccard(a: str, b: str) -> float:
    """Character 3-gram Jaccard similarity of two normalised sentences."""
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


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
    for m in _SENTENCE_RE.finditer(text):
        lead = len(m.group()) - len(m.group().lstrip())
        norm = _norm_sentence(m.group())
        if len(norm) >= MIN_SENTENCE_CHARS:
            out.append(_Sentence(key, m.start() + lead, m.end(), m.group()[lead:], norm,
                                 frozenset(_shingles(norm))))
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
                    out.append(ProofIssue(CHECK_REPEAT, key, f"与{where}中的句子重复，可删去", s.text, s.start,
                                          s.end, ""))
                else:
                    out.append(ProofIssue(CHECK_REPEAT, key,
                                          f"与{where}中的句子高度相似（相似度{best_sim:.0%}）：{best.text[:24]}",
                                          s.text, s.start, s.end))
            seen.append(s)
    return out


# ---- headlines ------------------------------------------------------------------------------
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
_NUMBERING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．、]|第[一二三四五六七八九十]+[，,、])\s*")


def _clean_headline(h: str) -> str:
    return _NUMBERING_RE.sub("", h).strip().rstrip("。．.；;，,")


def _clauses(h: str) -> list[str]:
    return [c.strip() for c in re.split(r"[，,；;：:]", _clean_headline(h)) if c.strip()]


def _count(s: str) -> int:
    """Characters as a reader counts them in a headline: quotes and marks take no space in the rhythm."""
    return sum(1 for ch in s if _is_cjk(ch) or ch.isalnum())


def _strip_adverbs(c: str) -> str:
    changed = True
    while changed:
        changed = False
        for adv in _LEAD_ADVERBS:
            if c.startswith(adv) and len(c) > len(adv) + 1:
                c, changed = c[len(adv):], True
    return c


def _leading_verb(clause: str) -> str:
    c = _strip_adverbs(clause)
    return c[:2] if c[:2] in VERBS else ""


def headline_shape(h: str) -> tuple[tuple[int, ...], bool, str]:
    """(characters per clause, starts with a verb, tail pattern "主X" / "引号" / "").

    "强化组织领导，落实意识形态“主心骨”" → ((6, 9), True, "主X").
    """
    clauses = _clauses(h) or [""]
    quoted = re.search(r"[“\"]([^”\"]+)[”\"]", clauses[-1]) if len(clauses) > 1 else None
    tail = ("主X" if quoted.group(1).startswith("主") else "引号") if quoted else ""
    return tuple(_count(c) for c in clauses), bool(_leading_verb(clauses[0])), tail


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
    if c[:2] in VERBS and _count(c) > 3:
        c = c[2:]
    elif _subject_verb(c):
        c = c[4:]
    if "的" in c:
        parts = [p for p in c.split("的") if p]
        # "落实党委对…的领导责任" is about 领导责任; "加强对思想阵地的管理" about 思想阵地, not 管理.
        c = parts[-1] if _count(parts[-1]) >= 4 else max(parts, key=_count)
        c = re.sub(r"^.{0,4}?[对把向](?=.{4})", "", c)
    c = re.split(r"[和与及]", c)[0] if _count(c) > 6 else c
    return c.removesuffix("方面") if _count(c) > 4 else c


def _subject_verb(clause: str) -> str:
    """The verb of "党委维护网络思想安全": a 2-character subject, then the verb."""
    c = _strip_adverbs(clause)
    return c[2:4] if c[2:4] in VERBS and _count(c) > 5 else ""


def _main_clause(clauses: list[str]) -> int:
    """Which clause carries the headline's topic: "凝聚青年，紧扣时代主题，…" is about 时代主题.

    A verbless first clause of 4+ characters ("从严治团") is the topic itself; otherwise the first
    clause led by a verb whose noun has at least 4 characters, else any clause with such a noun.
    """
    if not _leading_verb(clauses[0]) and _count(_key_noun(clauses[0])) >= 4:
        return 0
    for need_verb in (True, False):
        for i, c in enumerate(clauses):
            if _count(_key_noun(c)) >= 4 and (bool(_leading_verb(c)) or not need_verb):
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
        if _count(c) == n:
            return c, c
        if abs(_count(c) - n) < abs(_count(closest) - n):
            closest = c
        if _count(c) > n:
            queue.extend(c[:-len(s)] for s in _DROP_SUFFIXES if c.endswith(s) and _count(c) - len(s) >= 2)
            queue.extend(c[len(p):] for p in _DROP_PREFIXES if c.startswith(p) and _count(c) - len(p) >= 2)
            queue.extend(c.replace(a, b, 1) for a, b in _ABBREV if a in c)
        elif n == 4 and _count(c) == 2:
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
        own_verb = _leading_verb(clauses[main]) or _subject_verb(clauses[main])
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
        verb = _leading_verb(clause)
        n6, _ = _fit(_key_noun(clause), 6)
        # A quoted name would change the set's tail pattern (see headline_shape), so it stays out.
        if verb and n6 is not None and "“" not in n6:
            return verb + n6
    return theme.second


# ---- problems ↔ plans -----------------------------------------------------------------------
_ITEM_MARKER_RE = re.compile(r"[一二三四五六七八九十]是|[（(][一二三四五六七八九十]{1,2}[）)]|(?<![\d.．])\d{1,2}[.．、](?!\d)"
                             r"|首先|其次|再次")
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
    runs = re.findall(f"[{_CJK}]+", s)
    return {r[i:i + 2] for r in runs for i in range(len(r) - 1)}


def split_items(text: str) -> list[tuple[int, int, str]]:
    """Items of a 问题/计划 text: cut before 一是/（一）/1. and after ；or a line break.

    A lead-in ending with a colon ("主要表现在：") is not an item.
    """
    cuts = {0, len(text)}
    cuts.update(m.start() for m in _ITEM_MARKER_RE.finditer(text))
    cuts.update(m.end() for m in _ITEM_SEP_RE.finditer(text))
    items = []
    for a, b in zip(sorted(cuts), sorted(cuts)[1:]):
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip())
        body = seg.strip()
        if len(_CJK_RE.findall(body)) < 6 or body.rstrip("。；;").endswith(("：", ":")):
            continue
        items.append((a + lead, a + lead + len(body), body))
    return items


def _problem_measure_issues(report: Report) -> list[ProofIssue]:
    problems = [s for s in report.drafting_units() if s.role == ROLE_PROBLEMS]
    plans = [s for s in report.drafting_units() if s.role == ROLE_PLANS]
    # An undrafted plan section would make every problem look unanswered: wait until it has text.
    if not any(s.text.strip() for s in plans):
        return []
    plan_docs = []
    for s in plans:
        heading = s.heading if s.level >= 2 else ""
        items = split_items(s.text) or [(0, 0, "")]
        plan_docs.extend(content_bigrams(heading + "，" + body) for _, _, body in items)
    out = []
    for s in problems:
        head = s.heading if s.level >= 2 else ""
        for start, end, body in split_items(s.text):
            grams = content_bigrams(head + "，" + body)
            best = max((len(grams & d) for d in plan_docs), default=0)
            if best < PLAN_MIN_SHARED_BIGRAMS:
                label = body if len(body) <= 30 else body[:30] + "…"
                out.append(ProofIssue(CHECK_PLAN, s.key, f"这个问题在下一步工作打算中没有对应的措施：{label}",
                                      body, start, end))
    return out


# ---- the whole report -----------------------------------------------------------------------
def _headline_issues(report: Report) -> list[ProofIssue]:
    out = []
    for parent in report.all_sections():
        # A subsection the user has just added has no headline yet: nothing to compare.
        heads = [sub.heading for sub in parent.subsections if sub.heading.strip()]
        bad = headline_problems(heads)
        if not bad:
            continue
        reasons = "；".join(f"{_q(heads[i])}{why}" for i, why in bad.items())
        proposal = "／".join(propose_parallel_headlines(heads))
        first = heads[next(iter(bad))]
        out.append(ProofIssue(CHECK_HEADLINE, parent.key, f"小标题不对仗：{reasons}。可参考：{proposal}", first))
    return out


def _label(s: Section) -> str:
    return s.heading or s.key


def check_report(report: Report) -> dict[str, list[ProofIssue]]:
    """Every check on a report, by section key (every section has a key in the result, maybe empty)."""
    out: dict[str, list[ProofIssue]] = {s.key: [] for s in report.all_sections()}
    for s in report.all_sections():
        if s.key == report.opening.key:
            continue
        for issue in check_text(s.heading, period=report.period, section_key=s.key):
            issue.message, issue.start, issue.end = f"标题：{issue.message}", -1, -1
            out[s.key].append(issue)
    units = report.drafting_units()
    for s in units:
        out[s.key].extend(check_text(s.text, period=report.period, section_key=s.key))
    labels = {s.key: _label(s) for s in report.all_sections()}
    extra = [*find_repeats([(s.key, s.text) for s in units], labels), *_headline_issues(report),
             *_problem_measure_issues(report)]
    for issue in extra:
        out.setdefault(issue.section_key, []).append(issue)
    return out
