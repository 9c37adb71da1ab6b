"""Rules read from data files and applied to one text: outdated 提法 (tifa.json), typos (typos.json),
leftover placeholders and punctuation."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..text import CJK, CJK_RE, HALF_TO_FULL, is_cjk
from .headlines import char_count, leading_verb
from .issue import Check, ProofIssue, dedupe, quote
from .period import period_date

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TIFA_PATH = DATA_DIR / "tifa.json"
TYPOS_PATH = DATA_DIR / "typos.json"


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
                msg = f"提法已更新：自{rule.since.isoformat()}起应为{quote(fix)}（{rule.note}）"
            elif rule.kind == "past":
                hint = f"，可改为{quote(rule.new)}" if rule.new else ""
                msg = f"{quote(m.group())}已是过去的提法（{rule.note}）；如非回顾往事请更新{hint}"
            else:
                msg = f"{quote(m.group())}在本报告期内尚未出现（{rule.note}），请核对报告期或提法"
            out.append(ProofIssue(Check.TIFA, key, msg, m.group(), m.start(), m.end(), fix,
                                  rule.since.isoformat()))
    return out


_DOUBLED_RE = re.compile(f"([{CJK}]{{2,4}})\\1")
_DOUBLED_LIST_RE = re.compile(f"(?<![{CJK}])([{CJK}]{{2,6}})、\\1(?![{CJK}])")


def _check_typos(text: str, key: str) -> list[ProofIssue]:
    rules, doubled_ok = _typo_data()
    out = []
    for rule in rules:
        for m in rule.regex.finditer(text):
            if rule.safe:
                msg, fix = f"错别字：{quote(m.group())}应为{quote(rule.right)}", rule.right
            else:
                msg, fix = f"用词存疑：{quote(m.group())}，公文中一般用{rule.right}", None
            out.append(ProofIssue(Check.TYPO, key, msg, m.group(), m.start(), m.end(), fix))
    # "力量力量", "按照按照": a word typed twice. Reduplicated 2-character words are rare in 公文.
    for m in _DOUBLED_RE.finditer(text):
        if m.group() not in doubled_ok:
            out.append(ProofIssue(Check.TYPO, key, f"词语重复：“{m.group()}”", m.group(), m.start(), m.end(),
                                  m.group(1)))
    for m in _DOUBLED_LIST_RE.finditer(text):
        out.append(ProofIssue(Check.TYPO, key, f"列举项重复：“{m.group()}”", m.group(), m.start(), m.end(),
                              m.group(1)))
    return out


_MEASURE = "场名个次人篇项期支所家户件批处年月日万余多"
_LEADER_MASK = "疑似删去了领导人姓名，请核对（如“习近平总书记”）"
# (regex, message, fix, in bullets). Specific rules come first so they win over the generic ones on
# overlap. The last flag says whether the rule also holds in a cadre's own bullets: there "团员/青年" and
# "--" are shorthand, not a masked original.
_PLACEHOLDERS: tuple[tuple[re.Pattern[str], str, str | None, bool], ...] = (
    # Scraped 范文 replace 习近平 with *** only before his thought's name, so the fill-in is certain.
    (re.compile(r"[*＊]{2,}(?=新时代中国特色社会主义思想)"), "遮挡的“习近平”", "习近平", True),
    (re.compile(r"[*＊]+"), "遮挡符号“*”，请填入实际名称或数字", None, True),
    (re.compile(r"(?<![A-Za-z])[xX]{2,}(?![A-Za-z])"), "占位符“xx”，请填入实际名称", None, True),
    (re.compile(r"×{2,}|(?<!\d)×|×(?!\d)"), "占位符“×”，请填入实际内容", None, True),
    (re.compile(f"(?<![A-Za-z0-9])[xX](?=[{_MEASURE}])"), "占位符“X”，疑为遮挡的数字", None, True),
    # Masks like "WW工作": a repeated capital. QQ is an app name and AAA a rating, so both are spared.
    (re.compile(r"(?<![A-Za-z])([B-PR-WYZ])\1+(?![A-Za-z])"), "疑似遮挡的字母占位", None, True),
    (re.compile(r"(?:--+|_)[-_]*"), "占位符“--”或“_”，请填入实际内容", None, False),
    (re.compile(r"\.{2,}"), "省略号占位，请补全被省略的内容", None, True),
    (re.compile(r"【[^】\n]*】"), "模板占位“【】”，请替换为实际内容", None, True),
    (re.compile(r"[（(][ \t　]*[）)]"), "空括号，疑为未填写的内容", None, True),
    (re.compile(r"此处填写|请填写|待补充|待填写"), "模板提示语未删除", None, True),
    (re.compile(r"某某"), "“某某”只能用于示例，正式报告请写实际名称", None, True),
    (re.compile(f"(?<=[{CJK}])/(?=[{CJK}])"), "汉字间的“/”疑为删节遮挡，请核对原文", None, False),
    (re.compile(r"(?<![总副委团记部])书记(?=系列重要讲话|重要系列讲话|重要讲话精神为)"), _LEADER_MASK, None, True),
    (re.compile(r"(?<![副团席总])主席(?=指出|强调|系列重要讲话|重要讲话)"), _LEADER_MASK, None, True),
)


def _check_placeholders(text: str, key: str, *, bullets: bool = False) -> list[ProofIssue]:
    out = []
    for regex, msg, fix, in_bullets in _PLACEHOLDERS:
        if bullets and not in_bullets:
            continue
        out.extend(ProofIssue(Check.PLACEHOLDER, key, msg, m.group(), m.start(), m.end(), fix)
                   for m in regex.finditer(text))
    return out


_LIST_ITEM = f"(?:[{CJK}]{{2,6}}|“[^”\\n]{{1,12}}”)"
_LIST_RUN_RE = re.compile(f"(?<![{CJK}”])(?:{_LIST_ITEM}[、，,]){{2,}}{_LIST_ITEM}(?=等|[^{CJK}“]|$)")


def _neighbours(text: str, start: int, end: int) -> tuple[str, str]:
    return (text[start - 1] if start > 0 else ""), (text[end] if end < len(text) else "")


def _check_half_width(text: str, key: str) -> list[ProofIssue]:
    out = []
    for m in re.finditer(r"[,;:!?][ \t]*", text):
        ch = m.group()[0]
        prev, nxt = _neighbours(text, m.start(), m.end())
        if not (is_cjk(prev) or is_cjk(nxt) or prev in "”）》" or nxt in "“（《"):
            continue
        if ch in ",:" and prev.isdigit() and nxt.isdigit():
            continue  # 13,000 and 8:30 are numbers, not prose
        if ch == "?" and is_cjk(prev) and is_cjk(nxt):
            # In the corpus "三?八" and "文明?喜迎" are mojibake of "·", not questions.
            out.append(ProofIssue(Check.PUNCT, key, "汉字间的“?”疑为乱码（如“·”），请核对", m.group(),
                                  m.start(), m.end()))
            continue
        out.append(ProofIssue(Check.PUNCT, key, f"中文里用了半角“{ch}”，应为全角“{HALF_TO_FULL[ch]}”",
                              m.group(), m.start(), m.end(), HALF_TO_FULL[ch]))
    for m in re.finditer(r"\(([^()\n]{0,60})\)", text):
        prev, nxt = _neighbours(text, m.start(), m.end())
        if CJK_RE.search(m.group(1)) or is_cjk(prev) or is_cjk(nxt):
            out.append(ProofIssue(Check.PUNCT, key, "中文里用了半角括号，应为全角“（）”", m.group(),
                                  m.start(), m.end(), f"（{m.group(1)}）"))
    for m in re.finditer(r'"([^"\n]{1,40})"', text):
        if CJK_RE.search(m.group(1)):
            out.append(ProofIssue(Check.PUNCT, key, "中文里用了半角引号，应为“”", m.group(), m.start(),
                                  m.end(), f"“{m.group(1)}”"))
    for m in re.finditer(f"(?<=[{CJK}])\\.(?![\\d.])", text):
        out.append(ProofIssue(Check.PUNCT, key, "中文句末用了半角“.”，应为“。”", ".", m.start(), m.end(), "。"))
    for m in re.finditer(f"(?<=[{CJK}])-(?=[{CJK}])", text):
        out.append(ProofIssue(Check.PUNCT, key, "汉字间的半角“-”疑为删节或误用，请核对（连接号用“—”）", "-",
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
            x, y = char_count(items[k]), char_count(items[k + 1])
            if (sep in "，," and 0 < k < len(seps) - 1 and seps[k - 1] == "、" and seps[k + 1] == "、"
                    and max(x, y) <= 5 and abs(x - y) <= 1 and not _opens_clause(items[k + 1])):
                out.append(ProofIssue(Check.PUNCT, key, "并列词语之间应统一用顿号“、”", sep, offset, offset + 1, "、"))
            offset += 1
    return out


def _opens_clause(item: str) -> bool:
    return bool(leading_verb(item)) or item.startswith(("把", "以", "对", "让", "使", "在", "做到", "着力"))


def _check_punctuation(text: str, key: str) -> list[ProofIssue]:
    out = _check_half_width(text, key)
    for m in re.finditer(r"([。，、；：！？])\1+", text):
        out.append(ProofIssue(Check.PUNCT, key, f"标点重复：“{m.group()}”", m.group(), m.start(), m.end(),
                              m.group(1)))
    out.extend(_check_mixed_lists(text, key))
    return out


def proofread_bullet(text: str, key: str = "") -> list[ProofIssue]:
    """Known typos and leftover placeholders in one of the user's bullets: what must be settled before
    drafting, because the draft copies a bullet's words and must not turn them into something else."""
    return dedupe([*_check_typos(text, key), *_check_placeholders(text, key, bullets=True)])


def proofread_text(text: str, *, period: str = "", section_key: str = "") -> list[ProofIssue]:
    """提法, typos, placeholders and punctuation in one text (a section or anything the user pastes).

    Without a parsable period the 提法 table is read as of today: that is when a pasted text is written.
    """
    when = period_date(period) or date.today()
    return dedupe([
        *_check_tifa(text, when, section_key),
        *_check_typos(text, section_key),
        *_check_placeholders(text, section_key),
        *_check_punctuation(text, section_key),
    ])
