"""Turn the user's pasted bullet text into a validated `Brief` with ids and a role per bullet."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import UserError
from .model import Brief, Bullet
from .proofread import Check, proofread_bullet
from .proofread.issue import quote
from .provenance import places, split_marker, with_marker
from .text import HAN_RE
from .vocab import GENRES, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS

MAX_BULLETS = 60
MAX_BULLET_CHARS = 600
MAX_INPUT_CHARS = 20_000
# Unit, period and title go into every prompt and onto the title line; real ones are under 40 字.
MAX_FIELD_CHARS = 100

# Leading list markers users paste from Word, WeChat or Markdown: "-", "•", "1.", "（一）", "一是".
# "3." only when no digit follows: "3.5万名青少年参加…" starts with a decimal, not with item 3. One "*"
# only: "***新时代…" is a masked name (a placeholder to report), not a Markdown bullet.
_MARKER = re.compile(
    r"^\s*(?:[-•·●▪◆■□>]+|\*(?![*＊])|\d{1,3}(?:[.．](?![0-9０-９])|[、)）])|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)]|"
    r"[一二三四五六七八九十]{1,3}[、．.]|[一二三四五六七八九十]是)\s*"
)
# The words a cadre puts above a group of lines ("问题：") or before one line ("下半年：深化…") to say
# which part of the report it belongs to.
_PROBLEM_WORDS = r"存在的?(?:问题|不足)(?:和不足)?|问题和不足|问题|不足|短板"
_PLAN_WORDS = (r"下一步(?:工作)?(?:打算|计划|安排|思路)?|(?:下半年|明年|今后|来年)(?:工作)?(?:打算|计划|安排|思路)?"
               r"|工作(?:打算|计划)|计划|打算")
_RESULT_WORDS = r"主要做法(?:和|及)?成效|主要(?:做法|成绩|成效)|工作成效|成效|做法|成绩"
_ROLE_WORDS = ((_PROBLEM_WORDS, ROLE_PROBLEMS), (_PLAN_WORDS, ROLE_PLANS), (_RESULT_WORDS, ROLE_RESULTS))
# A line that is only such a word switches the role of the lines below it.
_HEADER_ROLES = tuple((re.compile(rf"^[【\[]?\s*(?:{words})\s*[】\]]?\s*[:：]?$"), role) for words, role in _ROLE_WORDS)
# The same word before a colon, or in brackets, at the start of a line is a routing label: it sets that
# line's role and is no part of the fact ("一是下半年：深化…" must never reach the report).
_PREFIX_ROLES = tuple((re.compile(rf"^(?:[【\[]\s*(?:{words})\s*[】\]]\s*[:：]?|(?:{words})\s*[:：])\s*"), role)
                      for words, role in _ROLE_WORDS)
# A shortcoming stated as such ("理论学习形式单一，吸引力不强", "覆盖面有待提高"). 不足 before a number
# qualifies the number ("收入不足3000元的困难青年").
_SHORTCOMING = re.compile(r"不足(?![0-9０-９一二两三四五六七八九十百千万])|短板|欠缺|缺乏"
                          r"|有待(?:提高|加强|提升|完善|改进|深化)|还不够|不够(?:强|高|深入|完善|充分|广泛|紧密|到位)|薄弱|不平衡|不充分|不到位|不强(?!求)|不高"
                          r"|存在[^，,。；;]{0,12}(?:问题|差距|隐患)")
# ...unless it is what the work addressed: 补齐短板, 查找不足12条, 针对薄弱环节, 加强薄弱团支部建设.
_REMEDY = re.compile(r"(?:补齐|补强|补足|弥补|补上|针对|查找|查摆|排查|梳理|整改|破解|解决|克服|聚焦|找准|对照|着力|"
                     r"强化|加强|夯实|改善|扭转|消除|化解|治理|帮扶|补)[^，,。；;]{0,8}$")
# A plan says so at its start (下一步…, 下半年…, 明年…), or its first clause has the unit intend something:
# "团区委将于9月举办…", "拟发展团员50名", "力争全年…". 力争 later in a results line ("完成换届12个，
# 力争年底全覆盖") or in a quoted name ("“力争上游”活动") does not make the line a plan.
_PLAN_START = re.compile(r"^(?:下一步|下半年|明年|今后|接下来|来年)")
_PLAN_INTENT = re.compile(
    r"^[^，,。；;：:“”\"]{0,12}?(?:将(?:于|在|要|继续|进一步|持续|全面|深入|加快|着力|重点|积极|不断|大力|适时|启动|开展|组织|举办)"
    r"|拟(?:于|在|开展|举办|组织|召开|推进|实施|建设|建成|发展|完成|新建|启动|推荐|选派|成立)"
    r"|计划(?:于|在|开展|举办|组织|召开|推进|实施|建设|建成|发展|完成|新建|启动|培训)|力争(?!上游))")


class BriefError(UserError, ValueError):
    """Invalid input; the message is a Chinese sentence for the user."""


def clean_line(line: str) -> str:
    """Drop control characters (python-docx rejects them) and fold odd whitespace."""
    line = "".join(ch for ch in line if ch in "\t" or unicodedata.category(ch)[0] != "C")
    return re.sub(r"\s+", " ", line).strip()


def _has_content(line: str) -> bool:
    """A letter (any script, Han included) or a digit; punctuation and symbols alone say nothing."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in line)


def guess_role(text: str) -> str:
    """The role of a line without a label or header: 问题 when it states a shortcoming, 计划 when it
    states an intention, else 成效. A keyword alone decides nothing: "组织团干部补齐短板培训2期" is work done."""
    text = text.strip()
    for rx, role in _PREFIX_ROLES:
        if rx.match(text):
            return role
    if any(not _REMEDY.search(text[:m.start()]) for m in _SHORTCOMING.finditer(text)):
        return ROLE_PROBLEMS
    if _PLAN_START.match(text) or _PLAN_INTENT.match(text):
        return ROLE_PLANS
    return ROLE_RESULTS


def strip_labels(line: str) -> tuple[str, str | None]:
    """The line without its list markers and routing labels ("1. 下一步：下半年：深化…" -> "深化…"), and
    the role the first label names (None without one)."""
    role = None
    for _ in range(4):  # markers and labels may alternate: "一是问题：…", "下一步：1.…"
        before = line
        line = _MARKER.sub("", line, count=1).strip()
        for rx, label_role in _PREFIX_ROLES:
            m = rx.match(line)
            if m and m.end() < len(line):  # a label with nothing after it is a header, handled by the caller
                line = line[m.end():].strip()
                role = role or label_role
                break
        if line == before:
            break
    return line, role


def parse_bullets(text: str) -> list[Bullet]:
    """One bullet per non-empty line; header lines set the role of what follows."""
    return [bullet for _, bullet in _parse_lines(text)]


def _parse_lines(text: str) -> list[tuple[int, Bullet]]:
    """parse_bullets, with the line of the pasted text (from 1) each bullet came from."""
    if len(text) > MAX_INPUT_CHARS:
        raise BriefError(f"输入内容过长（{len(text)} 字），请控制在 {MAX_INPUT_CHARS} 字以内，或分几次起草。")
    bullets: list[Bullet] = []
    lines: list[int] = []
    section_role: str | None = None
    # Not splitlines(): it also breaks on \x0b/\x0c, which Word pastes inside a line.
    for number, raw in enumerate(re.split(r"\r\n|[\n\r\u2028\u2029]", text), start=1):
        # A gathered line's provenance (〔来自《…》第N段〕) is no part of the fact: its "3月" or "第2段"
        # must never reach the fact check or a prompt.
        line, source = split_marker(clean_line(raw))
        if not line:
            continue
        # "问题：" alone, or "（三）存在问题" with a list marker before it, heads a group.
        unmarked = _MARKER.sub("", line, count=1).strip()
        header = next((role for rx, role in _HEADER_ROLES for form in (line, unmarked) if rx.match(form)), None)
        if header:
            section_role = header
            continue
        line, label_role = strip_labels(line)
        if not line:
            continue
        if not _has_content(line):
            # "。。。" or "！！！" is not a fact, and it is not foreign text either (what the language
            # warning would otherwise call it): say what it is and where.
            raise BriefError(f"第 {number} 行只有标点或符号（{line[:12]}），没有要点内容，请删去该行或写出具体内容。")
        if len(line) > MAX_BULLET_CHARS:
            raise BriefError(
                f"第 {len(bullets) + 1} 条要点过长（{len(line)} 字），请拆成每条不超过 {MAX_BULLET_CHARS} 字的几条。"
            )
        # A label on the line itself wins over the header above it: it is the more specific statement.
        role = label_role or section_role or guess_role(line)
        bullets.append(Bullet(id=f"B{len(bullets) + 1}", text=line, role=role, source=source))
        lines.append(number)
    if len(bullets) > MAX_BULLETS:
        raise BriefError(f"要点过多（{len(bullets)} 条），请合并到 {MAX_BULLETS} 条以内。")
    return list(zip(lines, bullets, strict=True))


def make_brief(text: str, unit: str, period: str, genre: str, title: str = "") -> Brief:
    """Validate everything the pipeline needs; raise BriefError with a message the page can show."""
    unit, period, title = clean_line(unit), clean_line(period), clean_line(title)
    for name, value in (("单位名称", unit), ("时段", period), ("标题", title)):
        if len(value) > MAX_FIELD_CHARS:
            raise BriefError(f"{name}过长（{len(value)} 字），请控制在 {MAX_FIELD_CHARS} 字以内。")
    if not unit:
        raise BriefError("请填写单位名称，例如：共青团某某县委员会。")
    if not period:
        raise BriefError("请填写报告时段，例如：2023年上半年。")
    if genre not in GENRES:
        raise BriefError("请选择文种：" + "、".join(GENRES) + "。")
    bullets = parse_bullets(text)
    if not bullets:
        raise BriefError("请先输入工作要点，每行一条，例如：五四期间开展主题团日活动30余场，覆盖4560名团员青年。")
    if not any(b.role == ROLE_RESULTS for b in bullets):
        raise BriefError("至少需要一条工作做法或成效类要点（目前全部被识别为问题或计划）。")
    return Brief(unit=unit, period=period, genre=genre, bullets=bullets, title=title)


def brief_warnings(brief: Brief) -> list[str]:
    """Notes the page shows without blocking the draft: input that works, but not as well as it could."""
    notes = []
    if brief.bullets and not any(b.role == ROLE_PROBLEMS for b in brief.bullets):
        notes.append("未列出存在的问题：“存在的问题”一节将写成通用表述，请按本单位实际修改，"
                     "或以“问题：”开头补充问题要点。")
    reach = _out_of_reach(brief)
    if reach:
        notes.append(reach)
    foreign = [b.id[1:] for b in brief.bullets if not HAN_RE.search(b.text)]
    if foreign:
        which = "全部要点" if len(foreign) == len(brief.bullets) else f"第 {'、'.join(foreign)} 条要点"
        notes.append(f"{which}不含中文：报告将用中文起草，外文内容可能被照抄或译得不准确。建议先把要点译成中文，"
                     "或在生成后逐条核对。")
    return notes


# A target this far above what the bullets usually come to is seldom reached: asked for 3,000 characters,
# drafts of 18 and 20 bullets on the embedded model came to 2,157 and 2,361 (2026-12-02), 4–7 % above the
# same bullets with no target, and once to 2,555 (20 bullets, ninth session: just inside −15 %); at 1.2 × or
# less they land within ±15 %. More bullets are what make a longer report, so the user hears it before
# waiting minutes for a draft that falls short.
REACH = 1.2


def _out_of_reach(brief: Brief) -> str:
    target = getattr(brief, "target_chars", None)
    if not target or not brief.bullets:
        return ""
    from .writers.length import usual_length  # writers import the outline, which imports this module's model

    usual = usual_length(brief)
    if target <= REACH * usual:
        return ""
    return (f"目标约 {target} 字，比这些要点通常能写出的篇幅（约 {usual} 字）多出较多，起草结果可能明显偏短"
            "（内置小模型实测：目标 3000 字、18–20 条要点，写出约 2200–2600 字）。如需更长，请补充工作要点，"
            "或在设置中换用更大的模型。")


@dataclass(frozen=True)
class InputFinding:
    """Something in a bullet to settle before drafting: a leftover placeholder (XX, ***, 某某) or a known
    typo (掯实). The draft copies a bullet's words, so neither may reach it, and no step of the pipeline
    rewrites a user's word into another; the user fixes the bullet."""

    check: Check  # Check.PLACEHOLDER or Check.TYPO
    line: int  # line of the pasted text, from 1 (the bullet's number when found from a Brief)
    bullet_id: str
    span: str  # the characters found, e.g. "XX"
    message: str  # the sentence to show, e.g. 第3行要点含占位符“XX”，请先补全。
    fix: str | None = None  # the right word for a known typo (压实)


def input_findings(source: str | Brief) -> list[InputFinding]:
    """Placeholders and known typos in the bullets, in reading order, each with its line. `source` is the
    pasted bullet text (findings name its lines: 第3行) or a Brief (they name bullets: 第3条). Only the
    bullets are read: a unit name like 共青团某某区委员会 is a legitimate example in the unit field.
    Raises BriefError where parse_bullets does."""
    if isinstance(source, Brief):
        located = list(enumerate(source.bullets, start=1))
        where = "第{}条要点"
    else:
        located = _parse_lines(source)
        where = "第{}行要点"
    out = []
    for line, bullet in located:
        for issue in proofread_bullet(bullet.text, bullet.id):
            out.append(InputFinding(issue.check, line, bullet.id, issue.span_text,
                                    where.format(line) + _finding_text(issue.check, issue.span_text,
                                                                       issue.message, issue.fix), issue.fix))
    return out


def _finding_text(check: Check, span: str, message: str, fix: str | None) -> str:
    if check == Check.TYPO and fix and message.startswith("错别字"):
        return f"疑有错别字{quote(span)}，应为{quote(fix)}，请先改正。"
    if check == Check.TYPO:
        return f"{message}，请核对。"  # 用词存疑：… / 词语重复：…
    if any(c in span for c in "*＊xX×某【】（）().…") or "占位" in message:
        return f"含占位符{quote(span)}，请先补全。"
    return f"{message}。"  # a leader's name left out before 重要讲话


def bullets_to_text(bullets: list[Bullet]) -> str:
    """Inverse of parse_bullets for editing: grouped under role headers so a round trip keeps roles."""
    out: list[str] = []
    for role, header in ((ROLE_RESULTS, "成效："), (ROLE_PROBLEMS, "问题："), (ROLE_PLANS, "下一步：")):
        group = [with_marker(b.text, places(b.source)) for b in bullets if b.role == role]
        if group:
            out.append(header)
            out.extend(group)
    return "\n".join(out)
