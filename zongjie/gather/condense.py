"""A paragraph's fact-bearing statements, each cut down by rules to the terse line a cadre types:
framing (近日，/为深入学习贯彻…，/据悉) and evaluative tails (取得良好效果) go, the activity and its figures
stay. Rules only ever delete whole words or clauses without digits, and every result is checked: a
number it shows must occur verbatim in the paragraph it came from, or the sentence is kept as written."""
from __future__ import annotations

import re

from ..brief import guess_role
from ..facts import extract_facts
from ..text import sentences
from ..vocab import ROLE_PLANS, ROLE_PROBLEMS

# Lead-ins that carry no fact of their own.
_LEAD = re.compile(r"^(?:近日|日前|近期|近来|最近|目前|当前|据悉|据了解|据介绍|据统计|另悉|又讯|本报讯|本网讯|"
                   r"讯|与此同时|同时|"
                   r"此外|另外|今年以来|年初以来|一年来|半年来|本年度|本季度|本月)[，,：:\s]*")
_HEARD = re.compile(r"^[^，,。；]{0,24}(?:获悉|了解到|报道)[，,]")
# Framing clauses before the first comma: 为深入学习贯彻…， 按照…要求， 在团市委的指导下， 围绕…主题，
_FRAME = re.compile(r"^(?:为了?|按照|根据|依据|围绕|结合|紧扣|聚焦|对照|坚持|以[^，,。；]{2,40}?为(?:契机|"
                    r"抓手|载体|引领|主线|目标|重点))"
                    r"[^，,。；]{0,60}?[，,]|^在[^，,。；]{2,50}?(?:领导|指导|支持|带领|推动|关心|帮助|组织)下[，,]")
# Evaluative tails: a last clause without a figure that says how well it went.
_PRAISE = re.compile(r"(?:取得|收到)[^，,]{0,8}(?:效果|成效)|反响|好评|赞誉|一致认可|广泛关注|氛围|营造|"
                     r"进一步(?:增强|提升|提高|激发|坚定|扩大|加深|促进)|切实(?:增强|提升|提高)|有效(?:增强|"
                     r"提升|提高|激发)|"
                     r"(?:增强|提升|提高|激发|坚定|加深|拉近)了|奠定了?|打下了?|助力|受到|"
                     r"得到了?[^，,]{0,8}(?:肯定|认可|欢迎)|"
                     r"引导(?:广大|团员|青年|青少年)|让[^，,]{0,10}(?:感受|体会|认识)|使[^，,]{0,10}(?:感受|体会|认识)")
_DONE = re.compile(r"(开展|举办|组织|召开|发放|走访|慰问|参加|吸引|覆盖|发展|完成|建成|成立|培训|评选|推荐|"
                   r"收集|征集|发布|推送|"
                   r"录制|制作|联系|服务|帮扶|资助|筹集|募集|招募|选派|签订|设立|建立|评出|表彰|印发|制定|"
                   r"出台|实现|达到|新增)了")
# A list marker a file's own numbering left in front ("1．", "（二）", "一是").
_MARKER = re.compile(r"^(?:[0-9]{1,2}[.．、](?![0-9])|[（(][一二三四五六七八九十0-9]{1,3}[）)]|"
                     r"[一二三四五六七八九十]{1,3}[、．.]"
                     r"|[一二三四五六七八九十]是|[-•·●▪◆■□]+)\s*")
# A sentence that continues the one before it: "此次活动共吸引200余名青年参加。"
_CONTINUES = re.compile(r"^(?:此次|本次|该|这次|其中|共有|共计|累计|活动中|期间)")
_SUBJECT = re.compile(r"^(?:此次|本次|这次|该)(?:活动|培训|比赛|大赛|会议|讲座|宣讲|行动|课程|项目|"
                      r"赛事)?(?:中|期间)?[，,]?")
_DIGITS = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
_CN_NUMBER = re.compile(r"[一二两三四五六七八九十百千万亿〇零]{2,}")
MIN_CHARS = 8
MAX_CHARS = 200
# What a named activity needs to be one: something the unit did.
_ACTIVITY = re.compile(r"开展|举办|举行|组织|召开|启动|成立|建成|建立|评选|表彰|发布|推出|印发|出台|制定|起草|"
                       r"走访|慰问|招募|"
                       r"发放|培训|宣讲|参加|参与|覆盖|吸引|评出|设立|创建|打造|实施")
# Sentences about others' words or the report itself, not the unit's work.
_NOT_WORK = re.compile(r"总书记|强调|指出|党中央|现将.{0,20}(?:汇报|报告|总结)|如下[：:]|必须|要求")
MAX_PLAIN_CHARS = 60


def has_fact(text: str) -> bool:
    """A figure or date of its own; or a named activity (“青年大学习”, 《…》) that the unit did. A quoted
    slogan in a sentence about what must be done (“两学一做”, 习近平总书记强调“…”) is no fact of the work."""
    found = extract_facts(text)
    if any(f.kind in ("number", "date") for f in found):
        return True
    named = any(f.kind == "name" for f in found)
    return named and bool(_ACTIVITY.search(text)) and not _NOT_WORK.search(text)


def worth_keeping(text: str) -> bool:
    """A fact (has_fact); or, without one, a shortcoming or an intention stated briefly (a 简报 rarely
    has them, and the report needs its 问题 and 计划 parts)."""
    if has_fact(text):
        return not _NOT_WORK.search(text) or _DIGITS.search(text) is not None
    return len(text) <= MAX_PLAIN_CHARS and guess_role(text) in (ROLE_PROBLEMS, ROLE_PLANS)


def traceable(bullet: str, paragraph: str) -> bool:
    """Every number the bullet shows (digits, multi-character Chinese numerals, fact spans) occurs
    verbatim in the paragraph: condensing may drop a number, never make or change one."""
    tokens = _DIGITS.findall(bullet) + _CN_NUMBER.findall(bullet)
    tokens += [f.raw for f in extract_facts(bullet) if f.kind in ("number", "date")]
    return all(t in paragraph for t in tokens)


def condense(sentence: str) -> str:
    """The sentence as a terse bullet: markers, lead-ins, framing, praise and 了 after a verb dropped."""
    text = sentence.strip().rstrip("。；;！!？?").strip()
    for _ in range(4):  # "近日，为深入学习贯彻…，在团市委指导下，…": lead-ins and frames alternate
        before = text
        text = _MARKER.sub("", text, count=1)
        text = _LEAD.sub("", text, count=1)
        text = _HEARD.sub("", text, count=1)
        m = _FRAME.match(text)
        if m and not _DIGITS.search(m.group(0)) and len(text) - m.end() >= MIN_CHARS:
            text = text[m.end():]
        if text == before:
            break
    clauses = re.split(r"(?<=[，,])", text)
    while len(clauses) > 1 and _PRAISE.search(clauses[-1]) and not _DIGITS.search(clauses[-1]) \
            and "“" not in clauses[-1]:
        clauses.pop()
    text = "".join(clauses).rstrip("，,、 ")
    text = _DONE.sub(r"\1", text)
    return text.strip()


def statements(paragraph: str) -> list[str]:
    """The paragraph's fact-bearing sentences, condensed; a continuing sentence ("此次活动共吸引200余名
    青年参加") joins the one before it, which it needs to make sense."""
    out: list[tuple[str, str]] = []  # (condensed, the words it was cut from)
    previous = ""
    for raw in sentences(paragraph):
        sentence = raw.strip()
        if not sentence:
            continue
        if _CONTINUES.match(sentence) and has_fact(sentence) and (out or previous):
            rest = condense(_SUBJECT.sub("", sentence)) or condense(sentence)
            if out and out[-1][1] == previous:
                head, source = out.pop()
            else:
                head, source = condense(previous), previous
            out.append((f"{head}，{rest}" if head else rest, source + sentence))
        elif worth_keeping(sentence):
            out.append((condense(sentence), sentence))
        previous = sentence
    kept = (_checked(text, source, paragraph) for text, source in out)
    return [text for text in kept if len(text) >= MIN_CHARS and worth_keeping(text)]


def _checked(bullet: str, source: str, paragraph: str) -> str:
    """The condensed bullet if every number in it traces to the paragraph, else the words it was cut from
    (a rule's slip must never put a number in front of the user that the file lacks)."""
    text = bullet if traceable(bullet, paragraph) else source.strip().rstrip("。；;")
    return _cut(text)


def _cut(text: str) -> str:
    """At most MAX_CHARS, cut after a comma or semicolon so that no number is ever cut in two."""
    if len(text) <= MAX_CHARS:
        return text
    stops = [i for i, ch in enumerate(text[:MAX_CHARS]) if ch in "，,；;、"]
    return text[: stops[-1]] if stops else re.sub(r"[0-9０-９.．]+$", "", text[:MAX_CHARS])
