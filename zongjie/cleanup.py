"""Post-processing of model text, free of LangChain: strip what a model wraps around the prose, drop
repeats and an unfinished tail, number items as 一是……二是……, drop the sentences a small model adds that
no bullet backs, and end an opening with its lead-out formula."""
from __future__ import annotations

import re
from collections.abc import Sequence

from .facts import extract_facts, unreported_work, wording_overlap
from .text import ORDINALS, SENTENCE_ENDS, jaccard, sentences, xml_safe

# A sentence this close (3-gram Jaccard) to one of the worked examples' answers was lifted from it.
EXAMPLE_COPY = 0.6
OWN_WORDING = 0.6  # share of a bullet's wording that makes a sentence the user's own
# A looping model repeats sentences with a character changed: this close (3-gram Jaccard) is a copy.
NEAR_COPY = 0.8

_FENCE = re.compile(r"```[a-zA-Z]*")
_PREAMBLE = re.compile(r"^(好的|当然|以下是|下面是|根据您?的?要求)[^\n]{0,40}[:：。]\s*")
_HEADING_LINE = re.compile(r"^\s*(#+\s*|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]\s*\S{0,30}$"
                           r"|【[^】]*】)")
_MD = re.compile(r"\*\*|__|^\s*[-*>]\s+", re.M)
# Labels of our own prompts that a small model echoes back ("【本节事实】：", "工作要点：").
_LABEL = re.compile(r"【[^】\n]{1,12}】[:：]?|^(?:工作要点|计划要点|本节标题|改写|段落|打算|工作思路|具体做法"
                    r"|工作成效|成效|成效和意义|第[一二三]句)[:：]\s*", re.M)
_NUMBERED = re.compile(r"^\d+\s*[.、．]\s*\S")
_ITEM_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十]是|\d+[.、．]|[（(][一二三四五六七八九十\d]+[)）])\s*")
# What a complete text may end with.
_ENDINGS = "。！？：；”’）)…"


def clean_output(raw: str) -> str:
    """Strip what small models wrap around the prose (fences, preambles, headings, Markdown), fold a
    numbered list into 一是……二是……, drop repeated sentences and an unfinished last sentence."""
    text = _FENCE.sub("", xml_safe(raw))  # XML-invalid debris would break autosave and export
    # 公文 speak in the unit's name; small models slip into 我们, which reads fine simply dropped.
    text = _PREAMBLE.sub("", _LABEL.sub("", text).replace("我们的", "").replace("我们", "").strip())
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if _HEADING_LINE.match(stripped) and len(stripped) <= 40:
            continue  # a heading the model added: the report structure already has it
        line = _LABEL.sub("", _MD.sub("", stripped)).strip()  # again: "**第一句**：" hides behind Markdown
        if line:
            lines.append(line)
    numbered = [ln for ln in lines if _NUMBERED.match(ln)]
    if len(numbered) >= 2:
        first = lines.index(numbered[0])
        lines = lines[:first] + [join_items(numbered)] + [ln for ln in lines[first:] if ln not in numbered]
    return _trim_unfinished(_drop_repeats(lines))


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


def drop_unbacked(text: str, sources: list[str], *, examples: Sequence[str] = (), work: bool = True,
                  limit: int | None = None) -> str:
    """Drop the sentences a small model adds that no bullet backs: ones lifted from `examples` (the worked
    examples' answers: 就业渠道 in a paragraph about children, 部门协同 nobody reported); with `work`, ones
    naming a kind of work or partner no source mentions (讲座, 与社区合作; see facts.unreported_work); with
    `limit`, every sentence past that many. A sentence carrying a number or name of `sources` (the bullets
    being written up) or most of one's wording is the user's and always stays; its facts are checked as
    usual."""
    own_facts = [f.raw for b in sources for f in extract_facts(b)]

    def own(sentence: str) -> bool:
        return any(f in sentence for f in own_facts) or any(wording_overlap(b, sentence) >= OWN_WORDING
                                                            for b in sources)

    def unbacked(sentence: str) -> bool:
        if work and unreported_work(sentence, sources):
            return True
        return len(sentence) >= 12 and max((jaccard(sentence, e) for e in examples), default=0.0) >= EXAMPLE_COPY

    kept: list[str] = []
    for sentence in sentences(text):
        if own(sentence) or not (unbacked(sentence) or (limit is not None and len(kept) >= limit)):
            kept.append(sentence)
    return "".join(kept).strip()


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
    already printed above, so drop that echo."""
    for candidate in (heading, heading.split("，")[0]):
        if candidate and sentence.startswith(candidate):
            rest = sentence[len(candidate):].lstrip("。，：:；; ")
            if len(rest) >= 10:
                return rest
    return sentence


def unnumber_items(text: str) -> list[str]:
    """Undo a model's own 一是……；二是…… so items from several calls can be numbered once (join_items)."""
    parts = re.split(r"[；;。]?\s*(?=[一二三四五六七八九十]是)", text.strip())
    return [_ITEM_PREFIX.sub("", p).strip() for p in parts if p.strip()]


def join_items(items: list[str]) -> str:
    """One sentence stays as it is; several become 一是……。二是……。 as a 公文 paragraph does."""
    items = [_ITEM_PREFIX.sub("", s).strip() for s in items if s.strip()]
    items = [s if s[-1] in "。！？" else s.rstrip("；;，,") + "。" for s in items]
    if len(items) <= 1:
        return items[0] if items else ""
    return "".join(f"{ORDINALS[i] if i < 10 else i + 1}是{s}" for i, s in enumerate(items))
