"""Post-processing of model text, free of LangChain: strip what a model wraps around the prose and the
prompt scaffolding it echoes (reported, so it can be flagged), drop repeats and an unfinished tail, put
公文 punctuation in place, number items as 一是……二是……, drop the sentences a small model adds that no
bullet backs, and end an opening with its lead-out formula."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .facts import extract_facts, unreported_work, wording_overlap
from .prune import drop_clauses_with
from .text import (
    CJK,
    ORDINALS,
    SENTENCE_ENDS,
    cjk_bigrams,
    cjk_only,
    cn_index,
    drop_clauses,
    jaccard,
    sentences,
    xml_safe,
)

# A sentence this close (3-gram Jaccard) to one of the worked examples' answers was lifted from it.
EXAMPLE_COPY = 0.6
# A clause of this many Chinese characters found whole in one of them was lifted too (the bench counts a
# copy from 13 characters on).
COPIED_CLAUSE = 12
# ... and so was a clause sharing a run this long with one: "团组织在青年中的号召力和影响力显著增强" under 组织建设
# (bench case 08) after the example's "……号召力和影响力明显增强".
COPIED_RUN = 10
OWN_WORDING = 0.6  # share of a bullet's wording that makes a sentence the user's own
# A looping model repeats sentences with a character changed: this close (3-gram Jaccard) is a copy.
NEAR_COPY = 0.8

_FENCE = re.compile(r"```[a-zA-Z]*")
_PREAMBLE = re.compile(r"^(好的|当然|以下是|下面是|根据您?的?要求)[^\n]{0,40}[:：。]\s*")
_HEADING_LINE = re.compile(r"^\s*(#+\s*|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]\s*\S{0,30}$"
                           r"|【[^】]*】)")
_MD = re.compile(r"\*\*|__|^\s*[-*>]\s+", re.M)
# ---- prompt scaffolding a small model echoes ------------------------------------------------------
# Labels of the prompts' data lines whose content is the prompt's own input (the heading, an opener, a
# direction): echoed, label and content are scaffolding ("本节标题：统筹各项工作" is no prose).
_INPUT_LABELS = r"本节标题|本节工作|本节任务|本节正文|本节事实|标题|开头用|工作方向|修改要求|文种|时段|单位名称"
# Labels whose content is the answer or the bullet itself ("工作要点：开展活动30场"): the label goes, the
# words stay (they may be the only place the bullet's facts are).
_ANSWER_LABELS = (r"工作要点|计划要点|要点|事实|改写|段落|打算|工作思路|具体做法|工作成效|成效|成效和意义"
                  r"|第[一二三]句|原文|正文|答案|输出")
# A label starts a line or follows a sentence end ("…。工作要点：…"); "取得明显成效：" is prose.
_AT_START = r"(?:^|(?<=[。！？；]))[ \t　]*"
_LABEL_LEAD = _AT_START + rf"(?:\*\*)?(?:{_INPUT_LABELS}|{_ANSWER_LABELS})(?:\*\*)?[:：]"
_INPUT_LABEL = re.compile(_AT_START + rf"(?:\*\*)?(?:{_INPUT_LABELS})(?:\*\*)?[:：]"
                          rf"(?:(?!{_LABEL_LEAD})[^\n。！？；])*[。！？；]?", re.M)
_LABEL = re.compile(r"【[^】\n]{1,12}】[:：]?|" + _AT_START + rf"(?:\*\*)?(?:{_ANSWER_LABELS})(?:\*\*)?[:：][ \t　]*",
                    re.M)
# Wording of the prompts' rules that no report contains ("以事实中的原文为准", "围绕本节工作"): the clause
# holding it goes, the rest of its sentence stays. ("不能照抄照搬" is a stock phrase, not a rule.)
# Not 工作要点中/修改要求: "落实团市委年度工作要点中的任务" and "按上级修改要求完善方案" are prose.
_INSTRUCTION = re.compile(r"本节|事实中的|原文为准|一条一句|参考范文|扩写|照抄(?!照搬)|一字不改|绝不编造|不得编造"
                          r"|不得新增|只输出|没有来源的|原样保留|据此改写|改写后的正文"
                          # the repair turn's problem lines (draft.describe), echoed once as 上一稿漏写了“…”的事实
                          r"|上一稿|漏写了?(?:这条)?(?:“|事实)|找不到来源|必须删去|必须写入"
                          # the compact prompts' own labels (五是本期工作：全镇团支部：……, bench case 01)
                          r"|(?:本期工作|工作方向|工作要点|开头用)[：:]")
# What is left of a sentence whose clauses were all scaffolding: a bare connector (因此。).
_BARE_CONNECTOR = re.compile(r"(?:^|(?<=[。！？；]))(?:因此|所以|同时|此外|另外|然而|但是|并且|从而)[。！？；]")
_NUMBERED = re.compile(r"^\d+\s*[.、．]\s*\S")
_ITEM_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}是|\d+[.、．]|[（(][一二三四五六七八九十\d]+[)）])\s*")
# What a complete text may end with.
_ENDINGS = "。！？：；”’）)…"


@dataclass(frozen=True)
class Cleaned:
    """Model text after clean-up, and the prompt scaffolding dropped from it (labels with what they
    carried, 【】 tags, clauses quoting the rules), in reading order, for the section's flags."""

    text: str
    scaffolding: tuple[str, ...] = ()


def clean_output(raw: str) -> str:
    """The text of clean_model_text(raw), for callers that need no report of what was dropped."""
    return clean_model_text(raw).text


def clean_model_text(raw: str) -> Cleaned:
    """Strip what small models wrap around the prose (fences, preambles, headings, Markdown) and the prompt
    scaffolding they echo (本节标题：…, 工作要点：, 【扩写】, "以事实中的原文为准"), fold a numbered list into
    一是……二是……, drop repeated sentences and an unfinished last sentence, and put 公文 punctuation in
    place (normalize_prose). Words are never changed: a bullet's typo stays for the proofreader to show."""
    dropped: list[str] = []
    text = _FENCE.sub("", xml_safe(raw))  # XML-invalid debris would break autosave and export
    # The preamble first: "以下是本节正文：" is a preamble, not a clause quoting the rules.
    text = _drop_scaffolding(_PREAMBLE.sub("", text.strip()), dropped)
    # 公文 speak in the unit's name; small models slip into 我们, which reads fine simply dropped.
    text = _PREAMBLE.sub("", text.replace("我们的", "").replace("我们", "").strip())
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if _HEADING_LINE.match(stripped) and len(stripped) <= 40:
            continue  # a heading the model added: the report structure already has it
        line = _drop_scaffolding(_MD.sub("", stripped), dropped).strip()  # "**第一句**：" hides behind Markdown
        if line:
            lines.append(normalize_prose(line))
    numbered = [ln for ln in lines if _NUMBERED.match(ln)]
    if len(numbered) >= 2:
        first = lines.index(numbered[0])
        lines = lines[:first] + [join_items(numbered)] + [ln for ln in lines[first:] if ln not in numbered]
    return Cleaned(_trim_unfinished(_drop_repeats(lines)), tuple(d for d in dropped if d.strip()))


def _drop_scaffolding(text: str, dropped: list[str]) -> str:
    """`text` without echoed prompt labels, tags and rule wording; what went is appended to `dropped`."""
    def cut(m: re.Match[str]) -> str:
        dropped.append(m.group().strip())
        return ""

    text = _LABEL.sub(cut, _INPUT_LABEL.sub(cut, text))
    if not _INSTRUCTION.search(text):
        return text
    lines = []
    for line in text.split("\n"):
        kept, gone = drop_clauses(line, lambda m: bool(_INSTRUCTION.search(m.group(0))))
        dropped.extend(clause.rstrip("，,") for clause in gone)
        lines.append(_BARE_CONNECTOR.sub("", kept))
    return "\n".join(lines)


# ---- 公文 punctuation, in code ----------------------------------------------------------------------
# Characters of Chinese prose: an ideograph or full-width punctuation (a regex class body).
_FULL_MARKS = "，。：；？！、“”‘’（）《》…—"
_PROSE = CJK + _FULL_MARKS
_PROSE_RE = re.compile(f"[{_PROSE}]")
_HALF = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_SPACES = re.compile(rf"(?<=[{_PROSE}])[ \t]+(?![A-Za-z])|(?<![A-Za-z])[ \t]+(?=[{_PROSE}])")
_HALF_MARK = re.compile(r"[,;:!?]")
_HALF_STOP = re.compile(rf"(?<=[{CJK}])\.(?![0-9.])")
_HALF_PARENS = re.compile(r"\(([^()\n]{0,60})\)")
_HALF_QUOTES = re.compile(r'"([^"\n]{1,40})"')
_DOUBLED_MARK = re.compile(r"([。，、；：！？])\1+")
# An ASCII hyphen joining two Chinese words (团干-青年关系, from the model once) is the 连接号 一字线 of GB/T
# 15834: 团干—青年关系. Between digits (3-5人) or Latin (COVID-19) it stays.
_CJK_HYPHEN = re.compile(f"(?<=[{CJK}])-(?=[{CJK}])")
# "一是是共青团…", "一是一是…": a join that numbered an item twice.
_DOUBLED_ITEM = re.compile(rf"(?<![{CJK}])([{ORDINALS}]是)(?:[{ORDINALS}]是|是(?![否非]))")


def normalize_prose(text: str) -> str:
    """公文 punctuation, put in place by code rather than by asking the model: half-width ,;:!? next to
    Chinese become ，；：！？ (not between digits: 13,000 and 8:30 stay), a half-width . ending a Chinese
    sentence becomes 。 (8.6万, 92%, 2023.5 stay), (…) and "…" around Chinese become （…） and “…”, ASCII
    spaces next to Chinese go (not next to a Latin word: "Office 软件"), a doubled mark (。。) is one, and a
    doubled item marker (一是是, 一是一是) is mended, an ASCII hyphen between Chinese words is —. Line
    breaks are kept; no word is changed."""
    text = _CJK_HYPHEN.sub("—", _SPACES.sub("", text))

    def mark(m: re.Match[str]) -> str:
        i = m.start()
        before, after = text[i - 1:i], text[i + 1:i + 2]
        if m.group() in ",:" and before.isdigit() and after.isdigit():
            return m.group()
        return _HALF[m.group()] if _PROSE_RE.fullmatch(before) or _PROSE_RE.fullmatch(after) else m.group()

    text = _HALF_MARK.sub(mark, text)
    text = _HALF_STOP.sub("。", text)

    def parens(m: re.Match[str]) -> str:
        i, j = m.start(), m.end()
        near = text[i - 1:i] + text[j:j + 1]
        return f"（{m.group(1)}）" if re.search(f"[{CJK}]", m.group(1) + near) else m.group()

    text = _HALF_PARENS.sub(parens, text)
    text = _HALF_QUOTES.sub(lambda m: f"“{m.group(1)}”" if re.search(f"[{CJK}]", m.group(1)) else m.group(), text)
    return _DOUBLED_ITEM.sub(r"\1", _DOUBLED_MARK.sub(r"\1", text))


def _drop_repeats(lines: list[str]) -> list[str]:
    """A looping model repeats whole sentences, sometimes with a character changed at the start;
    keep each sentence (8+ characters) once, and drop one that is a near copy (3-gram Jaccard ≥
    NEAR_COPY) of a longer sentence already kept. A dropped near copy carrying a different number
    only loses that number, which the fact check then reports."""
    seen: list[str] = []
    out = []
    for line in lines:
        kept = []
        for sentence in sentences(line):
            key = re.sub(r"^[一二三四五六七八九十]+是|\W", "", sentence)
            if len(key) >= 8 and any(key == k or (len(key) >= 16 and jaccard(key, k) >= NEAR_COPY) for k in seen):
                continue
            seen.append(key)
            kept.append(sentence)
        if "".join(kept).strip():
            out.append("".join(kept).strip())
    return out


def _trim_unfinished(lines: list[str]) -> str:
    """Output cut off by max_tokens ends mid-sentence; end the text at the last complete sentence."""
    if lines and lines[-1][-1] not in _ENDINGS:
        last = lines[-1]
        cut = max(last.rfind(ch) for ch in SENTENCE_ENDS)
        if cut >= 0:
            lines[-1] = last[: cut + 1]
        elif len(lines) > 1:
            lines.pop()
    return "\n".join(lines).strip()


_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def without_foreign_words(text: str, pool: str) -> str:
    """`text` without the clauses holding an English word no bullet (`pool`) has: the embedded model
    switched language mid-clause (提升团干部的意识形态 awareness和管理能力, bench case 02). A bullet's own
    QQ群 or APP stays wherever it is used."""
    allowed = {w.lower() for w in _LATIN_WORD.findall(pool)}
    foreign = [w for w in _LATIN_WORD.findall(text) if w.lower() not in allowed]
    return drop_clauses_with(text, foreign)[0] if foreign else text


def drop_unbacked(text: str, sources: list[str], *, examples: Sequence[str] = (), work: bool = True,
                  limit: int | None = None, context: Sequence[str] = ()) -> str:
    """Drop the sentences a small model adds that no bullet backs: ones lifted from `examples` (the worked
    examples' answers: 就业渠道 in a paragraph about children, 部门协同 nobody reported); with `work`, ones
    naming a kind of work or partner no source mentions (讲座, 与社区合作; see facts.unreported_work); with
    `limit`, every sentence past that many. A sentence carrying a number or name of `sources` (the bullets
    being written up) that no sentence before it carried, or most of a bullet's wording, is the user's and
    always stays; its facts are checked as usual. `context` (the bullets a lead or closing sums up) may
    name work too, without making a sentence the user's."""
    own_facts = [f.raw for b in sources for f in extract_facts(b)]

    def own(sentence: str, said: str = "") -> bool:
        # A figure said already does not make a sentence the user's: "参与活动的120余人纷纷表示，……" after
        # "……参与120余人。" is a reaction nobody reported, riding on a number it repeats (bench case 02).
        return any(f in sentence and f not in said for f in own_facts) \
            or any(wording_overlap(b, sentence) >= OWN_WORDING for b in sources)

    pool = [*sources, *context]

    def copied(sentence: str) -> bool:
        return len(sentence) >= 12 and max((jaccard(sentence, e) for e in examples), default=0.0) >= EXAMPLE_COPY

    lifted = [cjk_only(e) for e in examples]
    own_words = [cjk_only(b) for b in sources]  # the user's problem may happen to be the example's

    def copied_clause(m: re.Match[str]) -> bool:
        words = cjk_only(m.group(0))
        if any(f in m.group(0) for f in own_facts) or any(words in s for s in own_words):
            return False
        runs = {words[i:i + COPIED_RUN] for i in range(len(words) - COPIED_RUN + 1)}
        return (len(words) >= COPIED_CLAUSE and any(words in e for e in lifted)) \
            or any(run in e for e in lifted for run in runs)

    kept: list[str] = []
    for sentence in sentences(text):
        # A clause lifted whole from a worked example ("为求职青年和用人单位搭建了面对面的对接平台" in a
        # sentence of its own) goes, whoever's sentence it is; the rest is judged as usual (after the
        # whole sentence is: an adapted copy is one only with all its clauses).
        if lifted and not own(sentence) and copied(sentence):
            continue
        sentence = drop_clauses(sentence, copied_clause)[0] if lifted else sentence
        if not sentence:
            continue
        if own(sentence, "".join(kept)):
            # The user's sentence stays, but not a clause of it that adds work nobody reported
            # (……进校园活动4场，通过举办讲座、培训和实践活动，提升……).
            kept.append(without_work_clauses(sentence, pool, own_facts) if work else sentence)
        elif not (copied(sentence) or (limit is not None and len(kept) >= limit)):
            salvaged = salvage(sentence, pool) if work else sentence
            if salvaged:
                kept.append(salvaged)
    return "".join(kept).strip()


def salvage(sentence: str, pool: list[str], least: int = 10) -> str:
    """A sentence without its clauses naming work nobody reported, if what is left still stands: its first
    clause kept (or only a 通过…… means dropped) and `least` characters or more ("" otherwise). A lead
    came back "聚焦青年理想信念的教育和培养，通过组织主题党日活动、开展读书分享会等方式，激发……" on most
    tries, and dropping it whole left a subsection without a lead."""
    if not unreported_work(sentence, pool):
        return sentence
    rest, removed = drop_clauses(sentence, lambda m: bool(unreported_work(m.group(0), pool)))
    if not rest or (sentence.startswith(removed[0]) and not removed[0].startswith("通过")):
        return ""
    return rest if len(cjk_only(rest)) >= least else ""


def without_work_clauses(sentence: str, pool: list[str], own_facts: Sequence[str] = ()) -> str:
    """The sentence without its clauses naming work or a partner no source in `pool` mentions, unless they
    carry one of `own_facts`; the sentence as it was if that leaves nothing."""
    kept, _removed = drop_clauses(sentence, lambda m: bool(unreported_work(m.group(0), pool))
                                  and not any(f in m.group(0) for f in own_facts))
    return kept or sentence


def lead_out_verb(genre: str) -> str:
    """总结 or 汇报, as the genre's name says: "现将有关情况汇报如下"."""
    return "汇报" if "汇报" in genre else "总结"


def with_lead_out(opening: str, verb: str) -> str:
    """An opening ends with the fixed formula that leads into section 一; small models forget it.
    It states no fact, so adding it is formatting, not invention."""
    text = re.sub(r"(现将[^。：:]{0,12}?)(?:总结|汇报|报告)(如下[：:。.]?)$", rf"\g<1>{verb}\g<2>", opening.rstrip())
    if re.search(r"如下[：:]$", text):
        return text
    if re.search(r"如下[。.]$", text):
        return text[:-1] + "："
    return text + f"现将有关情况{verb}如下："


def strip_headline(sentence: str, heading: str) -> str:
    """Small models often restate the section headline before the sentence; the heading is
    already printed above, so drop that echo. Only a headline set off by punctuation is an echo: in
    "青年大学习是共青团工作的核心任务" it is the subject, and cutting it left "一是是共青团工作……"."""
    for candidate in (heading, heading.split("，")[0]):
        if candidate and sentence.startswith(candidate) and sentence[len(candidate):len(candidate) + 1] in "。，：:；;":
            rest = sentence[len(candidate):].lstrip("。，：:；; ")
            if len(rest) >= 10:
                return rest
    return sentence


def _headline_clauses(heading: str, least: int) -> list[str]:
    return [c for c in (cjk_only(p) for p in re.split(r"[，,；;、]", heading)) if len(c) >= least]


def says_headline(sentence: str, heading: str, least: int = 6) -> bool:
    """Whether a clause of the headline (`least` Chinese characters or more) stands whole in the sentence:
    "坚持压实工作责任，健全意识形态机制，确保……" under （一）压实工作责任，健全意识形态机制 (bench cases 02 and 06)
    says the headline again right below it, 14 repeated characters."""
    words = cjk_only(sentence)
    return any(c in words for c in _headline_clauses(heading, least))


def without_headline(sentence: str, heading: str, least: int = 6, opener: int = 4) -> str:
    """The sentence without its clauses that are a headline clause (`least` characters or more) plus at
    most an `opener` (聚焦/围绕/进一步…): "聚焦压实工作责任，健全意识形态机制，确保……" under that headline
    becomes "确保……". "" when under 10 characters are left."""
    parts = _headline_clauses(heading, least)

    def is_headline(m: re.Match[str]) -> bool:
        words = cjk_only(m.group(0))
        return any(p in words and len(words) <= len(p) + opener for p in parts)

    rest, removed = drop_clauses(sentence, is_headline)
    if not removed:
        return sentence
    return rest if len(cjk_only(rest)) >= 10 else ""


def heading_echo(sentence: str, heading: str, share: float = 0.5) -> bool:
    """A lead that only says its headline again (紧扣中心大局，彰显青春担当作为。 under 服务中心大局，彰显青春
    担当作为): at least `share` of its character bigrams are the headline's."""
    own = cjk_bigrams(sentence)
    return bool(own) and len(own & cjk_bigrams(heading)) / len(own) >= share


def unnumber_items(text: str) -> list[str]:
    """Undo a model's own 一是……；二是…… so items from several calls can be numbered once (join_items)."""
    parts = re.split(r"[；;。]?\s*(?<![一二三四五六七八九十])(?=[一二三四五六七八九十]{1,3}是)", text.strip())
    return [_ITEM_PREFIX.sub("", p).strip() for p in parts if p.strip()]


def join_items(items: list[str], sep: str = "") -> str:
    """One sentence stays as it is; several become 一是……。二是……。 as a 公文 paragraph does (or, with
    sep="\n", one paragraph each)."""
    # An item that still starts with 是 after its marker went would read 一是是…: the marker says 是.
    items = [re.sub(r"^是(?![否非])", "", _ITEM_PREFIX.sub("", normalize_prose(s)).strip()) for s in items]
    items = [s if s[-1] in "。！？" else s.rstrip("；;，,") + "。" for s in items if s]
    if len(items) <= 1:
        return items[0] if items else ""
    return sep.join(f"{cn_index(i + 1)}是{s}" for i, s in enumerate(items))
