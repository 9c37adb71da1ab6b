"""Wording retrieved for the small model: short 公文 phrases (健全工作机制, 牢牢把握话语权) taken from the
example reports' passages that match a subsection, offered to its lead sentence.

The embedded model cannot use a whole exemplar: given one, it copied it verbatim, placeholders and other
units' activities included. What it can use is a few words. A phrase is kept only when it is a whole
clause of 4–9 Chinese characters that opens with a working verb and names no number, name, place,
organ or kind of work (data/work_terms.txt), so no fact of another unit can ride on it and no copy
runs past 9 characters. Phrases the report already says are skipped: each subsection gets fresh ones,
which is what keeps the leads from falling back on the same few clauses."""
from __future__ import annotations

import re
from collections.abc import Iterable

from ..facts.work import unreported_work
from ..text import cjk_bigrams, cjk_only
from ..vocab import ROLE_RESULTS

# Verbs a lead's phrase may open with: what a unit does to its work (加强, 健全), never an activity.
VERBS = ("加强", "强化", "突出", "筑牢", "压实", "健全", "完善", "把握", "提升", "提高", "深化", "推动", "推进",
         "夯实", "拓展", "守好", "守牢", "牢牢", "切实", "坚定", "凝聚", "激发", "引导", "增强", "营造", "创新",
         "丰富", "规范", "严格", "落实", "聚焦", "发挥", "构建", "打造", "建立", "形成", "唱响", "传播", "弘扬",
         "树立", "扩大", "优化", "巩固", "织密", "厚植", "畅通", "搭建", "用好", "抓实", "讲好", "坚守", "彰显",
         "锤炼", "涵养", "培育", "拓宽", "做好", "守住", "提振")
# Clause boundaries. Not 、: a clause cut at an enumeration comma is half a phrase (加强对政务网).
CLAUSES = re.compile(r"[，,。；;：:！？\n]")
ORDINAL = "[一二三四五六七八九十]+"
MARKERS = re.compile(rf"^(?:{ORDINAL}是|[（(]{ORDINAL}[）)]|首先|其次|同时|此外|并且?|还|要)")
# What a phrase must not hold: digits or Latin (a figure, a code), quotes and brackets (a name), the
# organs and places of another unit, words that leave it unfinished (了, 对, 为目标, a trailing 的).
FOREIGN = re.compile(r"[^\u4e00-\u9fff]|党组|中央|[省市县区局镇乡村]|习|我|其中|有关|该|了|对|为目标|的$|以$"
                     r"|廉政|禁毒|邪教|接待|三包|门前")
# Words every subsection shares: a phrase matching the subsection on one of these alone is off topic.
COMMON = {"工作", "青年", "建设", "开展", "组织", "共青", "青团", "团员", "活动", "进一", "一步", "发展"}
# Bodies a phrase may name only when the subsection's own bullets do: 完善学生会制度 claims work on a 学生会.
BODIES = re.compile(r"学生会|研究生会|青联|少先队|红领巾|讲师团|志愿者|协会|社团|中心|委员会|支部")
SHORTEST, LONGEST = 4, 9
PHRASES = 2  # offered to one lead; more and the model strings them together
PASSAGES = 8  # passages searched for them, best first


def phrases_in(text: str) -> list[tuple[int, str]]:
    """The usable phrases of one passage, in order, each once, with the place of its clause."""
    out: list[tuple[int, str]] = []
    for place, clause in enumerate(CLAUSES.split(text)):
        phrase = MARKERS.sub("", clause.strip())
        if (SHORTEST <= len(phrase) <= LONGEST and phrase.startswith(VERBS) and not FOREIGN.search(phrase)
                and not unreported_work(phrase, []) and phrase not in [p for _, p in out]):
            out.append((place, phrase))
    return out


def on_topic(phrase: str, topic: str) -> bool:
    """Whether the phrase's object (what follows its verb) shares a word with the subsection's headline:
    形成正确的就业观 fits one on 就业. Not its bullets: 形成良好的阅读氛围 matched 总阅读量1.8万人次 under 加强
    舆论引导 (bench case 02)."""
    return bool((cjk_bigrams(phrase[2:]) & cjk_bigrams(topic)) - COMMON)


def pick(passages: Iterable[str], topic: str, said: str, avoid: Iterable[str] = (),
         count: int = PHRASES, sources: str = "") -> list[str]:
    """Up to `count` phrases from `passages` (best match first) on the subsection's `topic` (its headline)
    that `said` (the report so far) and `avoid` (the headline: a lead that says it again is asked once
    more) do not already hold, naming no body that `sources` (its headline and bullets) does not."""
    said_han = cjk_only(said)
    avoid_han = [cjk_only(a) for a in avoid]
    out: list[str] = []
    for text in passages:
        last = -2
        for place, phrase in phrases_in(text):
            if (not on_topic(phrase, topic) or phrase in said_han or any(phrase in a for a in avoid_han)
                    or phrase in out or any(b not in sources for b in BODIES.findall(phrase))):
                continue
            if place == last + 1:
                # Two clauses in a row of one passage: the model joined them (完善学生会制度、优化学生会构成,
                # bench case 08), which is a 14-character copy.
                continue
            out.append(phrase)
            last = place
            if len(out) == count:
                return out
    return out


def lead_phrases(index, query: str, role: str, said: str, avoid: Iterable[str] = (),
                 exclude_report: str | None = None, topic: str | None = None) -> list[str]:
    """Phrases for one subsection's lead from the passages of `index` (retrieval.index.SectionIndex)
    whose role is `role` that best match `query` (its headline and bullets), on `topic` (its headline;
    the query by default); none without an index."""
    if index is None or not query.strip():
        return []
    hits = index.search(query, k=PASSAGES, role=role, exclude_report=exclude_report)
    return pick([passage.text for passage, _score in hits], topic or query, said, avoid, sources=query)


def section_phrases(index, report, section, bullets, exclude_report: str | None = None) -> list[str]:
    """lead_phrases for a results subsection of `report`, against what the report says so far."""
    if section.role != ROLE_RESULTS or section.subsections:
        return []
    said = "\n".join(s.text for s in report.all_sections() if s.key != section.key)
    query = section.heading + " " + " ".join(b.text for b in bullets)
    return lead_phrases(index, query, section.role, said, [section.heading], exclude_report, topic=section.heading)
