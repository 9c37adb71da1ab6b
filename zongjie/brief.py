"""Turn the user's pasted bullet text into a validated `Brief` with ids and a role per bullet."""
from __future__ import annotations

import re
import unicodedata

from .model import Brief, Bullet
from .text import HAN_RE
from .vocab import GENRES, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS
from .errors import UserError

MAX_BULLETS = 60
MAX_BULLET_CHARS = 600
MAX_INPUT_CHARS = 20_000
# Unit, period and title go into every prompt and onto the title line; real ones are under 40 字.
MAX_FIELD_CHARS = 100

# Leading list markers users paste from Word, WeChat or Markdown: "-", "•", "1.", "（一）", "一是".
_MARKER = re.compile(
    r"^\s*(?:[-*•·●▪◆■□>]+|\d{1,3}[.、．)）]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)]|"
    r"[一二三四五六七八九十]{1,3}[、．.]|[一二三四五六七八九十]是)\s*"
)
# A line such as "问题：" or "【下一步】" switches the role of the lines below it.
_HEADER_ROLES = (
    (re.compile(r"^[【\[]?\s*(存在的?问题|问题|不足|短板)\s*[】\]]?\s*[:：]?$"), ROLE_PROBLEMS),
    (re.compile(r"^[【\[]?\s*(下一步(工作)?(打算|计划)?|下半年(工作)?计划|计划|打算)\s*[】\]]?\s*[:：]?$"), ROLE_PLANS),
    (re.compile(r"^[【\[]?\s*(主要做法和?成效|成效|做法|成绩|工作成效)\s*[】\]]?\s*[:：]?$"), ROLE_RESULTS),
)
_PROBLEM_HINT = re.compile(r"^(问题|不足)[:：]|不足|短板|欠缺|有待(提高|加强|提升)|还不够|不够(强|高|深入|完善)|薄弱|不平衡|不充分")
_PLAN_HINT = re.compile(r"^(下一步|计划|打算)[:：]|^下一步|^下半年|^明年|^(将|拟|计划)|力争")


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
    if _PROBLEM_HINT.search(text):
        return ROLE_PROBLEMS
    if _PLAN_HINT.search(text):
        return ROLE_PLANS
    return ROLE_RESULTS


def parse_bullets(text: str) -> list[Bullet]:
    """One bullet per non-empty line; header lines set the role of what follows."""
    if len(text) > MAX_INPUT_CHARS:
        raise BriefError(f"输入内容过长（{len(text)} 字），请控制在 {MAX_INPUT_CHARS} 字以内，或分几次起草。")
    bullets: list[Bullet] = []
    section_role: str | None = None
    # Not splitlines(): it also breaks on \x0b/\x0c, which Word pastes inside a line.
    for number, raw in enumerate(re.split(r"\r\n|[\n\r\u2028\u2029]", text), start=1):
        line = clean_line(raw)
        if not line:
            continue
        header = next((role for rx, role in _HEADER_ROLES if rx.match(line)), None)
        if header:
            section_role = header
            continue
        line = _MARKER.sub("", line, count=1).strip()
        line = re.sub(r"^(问题|不足|下一步|计划)[:：]\s*", "", line)
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
        role = section_role or guess_role(raw.strip())
        bullets.append(Bullet(id=f"B{len(bullets) + 1}", text=line, role=role))
    if len(bullets) > MAX_BULLETS:
        raise BriefError(f"要点过多（{len(bullets)} 条），请合并到 {MAX_BULLETS} 条以内。")
    return bullets


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
    foreign = [b.id[1:] for b in brief.bullets if not HAN_RE.search(b.text)]
    if foreign:
        which = "全部要点" if len(foreign) == len(brief.bullets) else f"第 {'、'.join(foreign)} 条要点"
        notes.append(f"{which}不含中文：报告将用中文起草，外文内容可能被照抄或译得不准确。建议先把要点译成中文，"
                     "或在生成后逐条核对。")
    return notes


def bullets_to_text(bullets: list[Bullet]) -> str:
    """Inverse of parse_bullets for editing: grouped under role headers so a round trip keeps roles."""
    out: list[str] = []
    for role, header in ((ROLE_RESULTS, "成效："), (ROLE_PROBLEMS, "问题："), (ROLE_PLANS, "下一步：")):
        group = [b.text for b in bullets if b.role == role]
        if group:
            out.append(header)
            out.extend(group)
    return "\n".join(out)
