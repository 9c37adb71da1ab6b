"""Fact fidelity: find the numbers, dates and quoted names in a text and trace each one to a user bullet.

Also masks exemplar passages so their facts cannot leak into a draft, and builds the report's fact ledger.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from .model import Bullet, FactIssue, Report

ISSUE_UNSUPPORTED = "来源不明"
ISSUE_UNUSED = "未采用"
# Ledger source for a fact the caller gave outside the bullets (unit name, period, date).
GIVEN = "given"

FIXED_TERMS_PATH = Path(__file__).parent / "data" / "fixed_terms.txt"

# ---- numerals ------------------------------------------------------------------------------
_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_CHARS = "".join(_CN_DIGIT) + "十百千万亿"
_NUMERAL_CHARS = "0123456789" + _CN_CHARS
_MULT = {"万": Decimal(10**4), "亿": Decimal(10**8), "千": Decimal(1000), "百": Decimal(100),
         "十万": Decimal(10**5), "百万": Decimal(10**6), "千万": Decimal(10**7), "万亿": Decimal(10**12)}

# Full-width digits and signs become ASCII one for one, so positions in the text never shift.
# The full-width comma stays: it separates clauses, so "30，200人" must not read as 30200.
_WIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")

# Measure words. The lookahead lists words that start with the unit character but are not a
# count (3支部 is rare, 支持 after a number is "support"); longest units are tried first.
_UNITS: dict[str, str] = {
    "个百分点": "", "百分点": "", "平方公里": "", "平方米": "", "人次": "", "场次": "", "户次": "",
    "批次": "", "课时": "", "学时": "", "小时": "", "分钟": "", "周年": "", "周岁": "", "个月": "",
    "部门": "", "公里": "", "千克": "", "公斤": "",
    "个": "", "名": "单称义", "人": "员才", "位": "置于", "场": "所地景", "次": "数", "期": "间待望",
    "篇": "", "项": "目", "支": "部持援撑付出", "所": "有以在谓属得", "家": "庭长乡园属", "户": "籍",
    "本": "领职质", "份": "子额", "条": "件例", "件": "事", "批": "准评", "处": "理置罚", "座": "谈",
    "间": "", "台": "", "套": "", "张": "", "幅": "", "首": "次届", "部": "分署", "集": "中体",
    "节": "点约日", "堂": "", "门": "户", "类": "", "种": "植", "轮": "", "组": "织建成", "册": "",
    "封": "", "起": "来", "块": "", "年": "级代", "天": "", "周": "边末围到", "岁": "", "倍": "",
    "米": "", "亩": "", "吨": "", "度": "", "元": "", "%": "", "‰": "", "成": "为立果效员功绩长",
}
_PEOPLE = frozenset({"人", "名", "位"})
_UNIT_GROUPS = (_PEOPLE, frozenset({"场", "场次", "次", "期", "轮"}), frozenset({"年", "周年"}))
# 个 is the universal classifier: it may stand in for any of these but not for 人次, %, money or time.
_CLASSIFIERS = frozenset("个家所支处座间项条件篇份本册部套台张幅首组类种门批户节堂集封起块") | {"部门"}

# Approximation words, grouped by what they claim: more than (余), just under (近), about (约),
# several (数). A draft may drop a qualifier the user gave but never add or change one.
_APPROX = {"余": "余", "多": "余", "以上": "余", "有余": "余", "超过": "余", "超": "余", "逾": "余",
           "突破": "余", "多达": "余", "不少于": "余", "至少": "余", "上": "余",
           "近": "近", "将近": "近", "接近": "近", "不到": "近", "不足": "近",
           "约": "约", "大约": "约", "左右": "约", "数": "数", "几": "数"}


def _unit_alternation() -> str:
    parts = []
    for unit in sorted(_UNITS, key=len, reverse=True):
        stop = _UNITS[unit]
        parts.append(re.escape(unit) + (f"(?![{stop}])" if stop else ""))
    return "|".join(parts)


_UNIT_RE = _unit_alternation()
_PREFIX_RE = ("将近|接近|近|大约|约|超过|超|逾|突破|多达|不少于|至少|不到|不足|"
              "上(?=[百千万])|数(?=[十百千万])|几(?=[十百千万])")
_AR_RE = r"[0-9]+(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_NUMBER = re.compile(
    rf"(?P<pre>{_PREFIX_RE})?(?P<num>{_AR_RE}|[{_CN_CHARS}]+)(?P<a1>余|多)?"
    rf"(?P<mult>千万|百万|十万|万亿|万|亿|千|百)?(?P<a2>余|多)?(?P<unit>{_UNIT_RE})?(?P<post>以上|左右|有余)?")
_FRACTION = re.compile(
    rf"(?P<pre>{_PREFIX_RE})?(?P<den>百|千|[0-9]+|[{_CN_CHARS}]+)分之"
    rf"(?P<num>[0-9]+(?:\.[0-9]+)?|[{_CN_CHARS}]+)(?P<post>以上|左右)?")
# "从三个方面" counts the report's own parts, not the world: structure, not a fact.
_STRUCTURAL = re.compile(rf"[{_CN_CHARS}]+个?方面")
# "1." / "1、" / "(1)" number a list; only "1." at a line start, since "共30." ends a sentence.
_LIST_MARKER = re.compile(r"(?m)^[ \t\u3000]*[0-9]{1,2}[.、](?![0-9])|[0-9]{1,2}、(?![0-9])"
                          r"|[（(][0-9]{1,2}[)）]")

# ---- dates ---------------------------------------------------------------------------------
_Y = r"(?:19|20)[0-9]{2}|[一二][〇零一二三四五六七八九]{3}"
_M = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_D = r"3[01]|[12][0-9]|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九]"
_NOT_AFTER_NUMERAL = rf"(?<![{_NUMERAL_CHARS}])"
_DATE = re.compile(
    rf"(?<![0-9])(?P<y1>(?:19|20)[0-9]{{2}})[-/.](?P<m1>[0-9]{{1,2}})[-/.](?P<d1>[0-9]{{1,2}})(?![0-9])"
    rf"|(?<![0-9])(?P<y2>{_Y})年度?"
    rf"(?:第?(?P<q2>[1-4一二三四])季度|(?P<m2>{_M})月份?(?:(?P<d2>{_D})[日号])?)?"
    rf"|(?<![0-9])(?P<y3>(?:19|20)[0-9]{{2}})(?=\s*[-—–~至到]\s*(?:19|20)[0-9]{{2}}年|[上下]半年|全年)"
    rf"|{_NOT_AFTER_NUMERAL}第?(?P<q4>[1-4一二三四])季度"
    rf"|{_NOT_AFTER_NUMERAL}(?P<m5>{_M})(?=\s*[-—–~至到]\s*(?:{_M})月)"
    rf"|{_NOT_AFTER_NUMERAL}(?P<m6>{_M})月份?(?:(?P<d6>{_D})[日号])?"
    r"|(?<![0-9])(?P<time>(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?)(?![0-9])"
)

# ---- quoted names ---------------------------------------------------------------------------
_NAME = re.compile(r"“([^“”\n]{1,40})”|《([^《》\n]{1,40})》|\"([^\"\n]{1,40})\""
                   r"|「([^「」\n]{1,40})」|『([^『』\n]{1,40})』")
_PLACEHOLDER_CHARS = set("×xXｘＸ*＊某 ·.、")
_LATIN = re.compile(r"[A-Za-z]")

# ---- exemplar placeholders -------------------------------------------------------------------
_LATIN_PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:[xX]{2,}|[ｘＸ]{2,})(?![A-Za-z])|\*{1,4}|＊{1,4}|某某|_{1,4}")
# Bare 委/政府 are left alone: "按照市委部署" names no place, it points at the level above.
_PLACE_BEFORE_ORG = re.compile(
    r"(?P<suffix>街道|社区|县|市|区|镇|乡|村)(?=团委|团工委|团支部|团总支|党委|党工委|党支部|青年之家)"
    r"|(?<=共青团)[\u4e00-\u9fff]{2,4}?(?P<level>县|市|区)委")
# Characters that end a place name when walking back from its suffix: function words, common
# verbs and prepositions, and 团 (团县委 is not a place called 团).
_NAME_STOP = set("在和与及的由对向为是了将把被从自于团全我本该各其此每省市县区镇乡村等按照据合同经受请到给让使"
                 "领导联带协助至赴往、，,。；;：:（）()“”《》 \n")


@dataclass(frozen=True)
class Fact:
    """One number, date or quoted name found in a text.

    `unit` and `approx` are normalised (人/名 kept apart, 多/以上/超过 all become 余); `norm` is the
    canonical date ("2023-6-1-", year-month-day-quarter) or the name without its quotes.
    """

    raw: str
    kind: str  # "number" | "date" | "name"
    value: float | None
    unit: str
    approx: str
    start: int
    end: int
    norm: str = ""

    @property
    def key(self) -> str:
        """Identity for exact comparison; `supports` decides the looser "is this backed by that"."""
        if self.kind == "number":
            return f"number|{_fmt(self.value)}|{self.unit}|{self.approx}"
        return f"{self.kind}|{self.norm}"


@dataclass(frozen=True)
class _Hit:
    fact: Fact | None  # None: a span that is claimed (fixed term, list marker) but is no fact
    start: int
    end: int
    mask: str = ""


@dataclass
class CheckResult:
    """`used` maps bullet id → the text's facts that bullet backs; `used_bullets` also counts fact-less
    bullets matched by wording, so test membership there, not truthiness of `used`."""

    facts: list[Fact]
    unsupported: list[Fact]
    used: dict[str, list[Fact]]
    unused_bullets: list[str]
    used_bullets: list[str] = field(default_factory=list)


@dataclass
class Ledger:
    """Where every fact of the report came from: section key → [(fact raw, bullet id | GIVEN | None)]."""

    sections: dict[str, list[tuple[str, str | None]]]
    unsupported: list[FactIssue]
    unused: list[str]

    def issues(self) -> list[FactIssue]:
        return self.unsupported + [FactIssue(ISSUE_UNUSED, "", "", b) for b in self.unused]


# ---- fixed terms --------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def fixed_terms() -> frozenset[str]:
    terms = set()
    for line in FIXED_TERMS_PATH.read_text(encoding="utf-8").splitlines():
        term = line.split("#", 1)[0].strip()
        if term:
            terms.add(term)
    return frozenset(terms)


@lru_cache(maxsize=1)
def _fixed_re() -> re.Pattern[str]:
    unit_ahead = _UNIT_RE.replace("期(?![间待望])", "期(?!间)")
    parts = []
    for term in sorted(fixed_terms(), key=len, reverse=True):
        pattern = re.escape(term)
        # Glued to another numeral the term is part of a bigger number (三十一名 is not 十一).
        if term[0] in _NUMERAL_CHARS:
            pattern = f"(?<![{_NUMERAL_CHARS}])" + pattern
        if term[-1] in _NUMERAL_CHARS:
            pattern += f"(?![{_NUMERAL_CHARS}])"
        # An all-numeral festival (十一) followed by a measure word is a count: 十一名, but 十一期间.
        if all(c in _NUMERAL_CHARS for c in term):
            pattern += f"(?!{unit_ahead})"
        parts.append(pattern)
    return re.compile("|".join(parts))


# ---- numeral parsing ----------------------------------------------------------------------------
def parse_cn_number(s: str) -> Decimal | None:
    """三十 -> 30, 两千 -> 2000, 一百零五 -> 105, 二〇二三 -> 2023; None for digit runs like 五四."""
    if all(c in _CN_DIGIT for c in s):
        if len(s) == 1:
            return Decimal(_CN_DIGIT[s])
        if any(c in "〇零" for c in s):
            return Decimal("".join(str(_CN_DIGIT[c]) for c in s))
        return None  # 五四, 三四 (three or four): a name or a vague range, never a count
    total, section, digit = 0, 0, 0
    for c in s:
        if c in _CN_DIGIT:
            digit = _CN_DIGIT[c]
        elif c in _CN_SMALL:
            section += (digit or 1) * _CN_SMALL[c]
            digit = 0
        elif c == "万":
            total += ((section + digit) or 1) * 10**4
            section = digit = 0
        else:  # 亿
            total = ((total + section + digit) or 1) * 10**8
            section = digit = 0
    return Decimal(total + section + digit)


def _parse_number(s: str) -> Decimal | None:
    if s[0].isdigit():
        return Decimal(s.replace(",", ""))
    return parse_cn_number(s)


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    rounded = round(value, 6)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.6f}".rstrip("0")


def _approx(*markers: str | None) -> str:
    return next((_APPROX[m] for m in markers if m), "")


def _canon_unit(unit: str) -> str:
    return "百分点" if unit == "个百分点" else unit


# ---- scanning -------------------------------------------------------------------------------------
def _claim(work: list[str], start: int, end: int) -> None:
    # A claimed span turns into a non-numeral so later passes neither see nor join across it.
    for i in range(start, end):
        work[i] = "\x00"


def _scan_names(text: str, work: list[str]) -> list[_Hit]:
    hits = []
    for m in _NAME.finditer("".join(work)):
        inner = next(g for g in m.groups() if g is not None)
        name = inner.strip()
        _claim(work, m.start(), m.end())
        if name in fixed_terms() or set(name) <= _PLACEHOLDER_CHARS:
            hits.append(_Hit(None, m.start(), m.end()))
            continue
        raw = text[m.start():m.end()]
        mask = raw[0] + "××" + raw[-1]
        hits.append(_Hit(Fact(raw, "name", None, "", "", m.start(), m.end(), name), m.start(), m.end(), mask))
    return hits


def _date_part(s: str | None) -> str:
    if not s:
        return ""
    value = _parse_number(s)
    return str(int(value)) if value is not None else ""


def _scan_dates(text: str, work: list[str]) -> list[_Hit]:
    hits = []
    for m in _DATE.finditer("".join(work)):
        g = m.groupdict()
        raw = text[m.start():m.end()]
        if g["time"]:
            # A clock time: its own norm ("T9:30"), so it only matches the same time.
            norm = "T" + ":".join(str(int(p)) for p in g["time"].split(":"))
            fact = Fact(raw, "date", None, "", "", m.start(), m.end(), norm)
            hits.append(_Hit(fact, m.start(), m.end(), re.sub("[0-9]+", "X", raw)))
            _claim(work, m.start(), m.end())
            continue
        year = _date_part(g["y1"] or g["y2"] or g["y3"])
        month = _date_part(g["m1"] or g["m2"] or g["m5"] or g["m6"])
        day = _date_part(g["d1"] or g["d2"] or g["d6"])
        quarter = _date_part(g["q2"] or g["q4"])
        if (month and not 1 <= int(month) <= 12) or (day and not 1 <= int(day) <= 31):
            continue
        norm = f"{year}-{month}-{day}-{quarter}"
        mask = re.sub(f"[{_NUMERAL_CHARS}]+", "X", raw)
        hits.append(_Hit(Fact(raw, "date", None, "", "", m.start(), m.end(), norm), m.start(), m.end(), mask))
        _claim(work, m.start(), m.end())
    return hits


def _scan_fixed(work: list[str]) -> list[_Hit]:
    hits = []
    for m in _fixed_re().finditer("".join(work)):
        hits.append(_Hit(None, m.start(), m.end()))
        _claim(work, m.start(), m.end())
    return hits


def _scan_fractions(text: str, work: list[str]) -> list[_Hit]:
    hits = []
    for m in _FRACTION.finditer("".join(work)):
        den, num = _parse_number(m["den"]), _parse_number(m["num"])
        if den is None or num is None or den == 0:
            continue
        if m["den"] in ("百", "千"):
            unit = "%" if m["den"] == "百" else "‰"
            value, mask = num, "X" + unit
        else:
            value, unit, mask = num / den, "分之", "X分之X"
        raw = text[m.start():m.end()]
        fact = Fact(raw, "number", float(value), unit, _approx(m["post"], m["pre"]), m.start(), m.end())
        hits.append(_Hit(fact, m.start(), m.end(), mask))
        _claim(work, m.start(), m.end())
    return hits


def _scan_non_facts(work: list[str]) -> list[_Hit]:
    hits = []
    joined = "".join(work)
    for m in [*_LIST_MARKER.finditer(joined), *_STRUCTURAL.finditer(joined)]:
        hits.append(_Hit(None, m.start(), m.end()))
        _claim(work, m.start(), m.end())
    return hits


def _number_hit(text: str, joined: str, m: re.Match[str]) -> _Hit | None:
    num = m["num"]
    arabic = num[0].isdigit()
    start = m.start("num") if not m["pre"] else m.start()
    before = joined[start - 1] if start > 0 else ""
    if before == "第":
        return None  # an ordinal
    after = joined[m.end("num"):m.end("num") + 1]
    if arabic and (_LATIN.fullmatch(before) or _LATIN.fullmatch(after)):
        return None  # part of a code like H5, 5G, G20
    value = _parse_number(num)
    if value is None:
        return None
    unit = m["unit"] or ""
    approx_marker = m["a1"] or m["a2"] or m["post"]
    if not arabic:
        # A bare Chinese numeral is too ambiguous (十分, 万一); it counts only with a unit or 余/多.
        if not unit and not approx_marker and not m["mult"]:
            return None
        # "一个/一次/一名" work like an article in 公文 prose ("一项重要内容"), not like a count.
        if num == "一" and not m["mult"] and not approx_marker and not m["pre"]:
            return None
    if m["mult"]:
        value *= _MULT[m["mult"]]
    end = m.end()
    mask_unit = unit or (m["mult"] or "")
    if unit == "成":
        if value > 10:
            return None
        value, unit = value * 10, "%"
    raw = text[start:end]
    fact = Fact(raw, "number", float(value), _canon_unit(unit), _approx(approx_marker, m["pre"]), start, end)
    mask = "X" + ("%" if m["unit"] == "成" else mask_unit)
    return _Hit(fact, start, end, mask)


def _scan_numbers(text: str, work: list[str]) -> list[_Hit]:
    joined = "".join(work)
    hits = []
    for m in _NUMBER.finditer(joined):
        hit = _number_hit(text, joined, m)
        if hit is not None:
            hits.append(hit)
    return hits


@lru_cache(maxsize=4096)
def _scan(text: str) -> tuple[_Hit, ...]:
    """Passes run from the most specific to the least; each claims its spans so the next cannot reuse them."""
    work = list(text.translate(_WIDTH))
    hits = _scan_names(text, work)
    hits += _scan_dates(text, work)
    hits += _scan_fractions(text, work)
    hits += _scan_fixed(work)
    hits += _scan_non_facts(work)
    hits += _scan_numbers(text, work)
    return tuple(sorted(hits, key=lambda h: h.start))


def extract_facts(text: str) -> list[Fact]:
    """Every number (with unit and approximation), date and quoted name in `text`, in reading order."""
    return [h.fact for h in _scan(text) if h.fact is not None]


# ---- exemplar masking ----------------------------------------------------------------------------
def _name_char(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" and c not in _NAME_STOP


def _place_spans(text: str) -> list[tuple[int, int, str]]:
    """Place names right before an organisation (宜兴市团委 -> ××市团委): walk back from the suffix
    over up to four characters until a function word or punctuation."""
    spans = []
    for m in _PLACE_BEFORE_ORG.finditer(text):
        if m["level"]:
            spans.append((m.start(), m.start("level"), "××"))
            continue
        i = m.start()
        while i > max(0, m.start() - 4) and _name_char(text[i - 1]):
            i -= 1
        if m.start() - i >= 2:
            spans.append((i, m.start(), "××"))
    return spans


def mask_exemplar(text: str) -> str:
    """Replace an exemplar's facts with placeholders so only its style reaches the prompt.

    Numbers keep their unit (130余场次 -> X场次), dates their shape (2021年11月 -> X年X月), quoted
    names their quotes (“××”); placeholder runs (xx, **, 某某), place names before 团委/党委/团支部/
    青年之家 (up to four characters back to a function word) and the X in 共青团X县委 become ××.
    Fixed terms stay. Limits: unquoted person names, and place names elsewhere (西厦社区“家”主题),
    survive; a verb glued before a place (联合宜兴市团委) may be masked with it.
    """
    spans = [(h.start, h.end, h.mask) for h in _scan(text) if h.fact is not None]
    spans += [(m.start(), m.end(), "××") for m in _LATIN_PLACEHOLDER.finditer(text)]
    spans += _place_spans(text)
    out, pos = [], 0
    for start, end, repl in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < pos:
            continue  # overlaps a span already replaced (facts come first at equal starts)
        out.append(text[pos:start])
        out.append(repl)
        pos = end
    out.append(text[pos:])
    return "".join(out)


# ---- matching --------------------------------------------------------------------------------------
def units_compatible(a: str, b: str) -> bool:
    """Same unit, or one side has none, or both in one group (人/名/位; 场/场次/次/期/轮; 年/周年),
    or one is 个 and the other a classifier or a people unit. 人次 stays apart from 人: turning
    13000人次 into 13000人 overstates the reach."""
    if not a or not b or a == b:
        return True
    if any(a in g and b in g for g in _UNIT_GROUPS):
        return True
    other = b if a == "个" else a if b == "个" else None
    return other is not None and (other in _CLASSIFIERS or other in _PEOPLE)


def _same_value(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _date_parts(norm: str) -> list[str]:
    return norm.split("-")


def supports(given: Fact, claimed: Fact) -> bool:
    """Does the fact `given` by the user back the fact `claimed` in a draft?

    Numbers: same value and kind, compatible units, and the draft's approximation is either absent
    or the same class as the user's (30场 and 三十多场 are backed by 30余场; 40余场 and 约30场 are not).
    Dates: every part the draft states (year, month, day, quarter) is stated alike by the user.
    Names: same text inside the quotes.
    """
    if given.kind != claimed.kind:
        return False
    if claimed.kind == "number":
        return (_same_value(given.value, claimed.value) and units_compatible(given.unit, claimed.unit)
                and claimed.approx in ("", given.approx))
    if claimed.kind == "date":
        if claimed.norm.startswith("T") or given.norm.startswith("T"):
            return claimed.norm == given.norm
        return all(not c or c == g for c, g in zip(_date_parts(claimed.norm), _date_parts(given.norm)))
    return given.norm == claimed.norm


def _backed(claimed: Fact, facts: Iterable[Fact], source_text: str) -> bool:
    if claimed.kind == "name" and _letters(claimed.norm) and _letters(claimed.norm) in _letters(source_text):
        # The user wrote the name (perhaps unquoted); a model that quotes it back with 、 for ，
        # or without a space has not invented anything.
        return True
    return any(supports(f, claimed) for f in facts)


def _letters(text: str) -> str:
    """Text without punctuation and spaces, for comparing names across punctuation variants."""
    return re.sub(r"[\W_]+", "", text)


# Bigrams too common in 公文 to show that a fact-less bullet was used.
_COMMON_BIGRAMS = frozenset(
    "开展 活动 工作 加强 建设 青年 团员 推进 组织 深入 持续 全面 不断 积极 提升 落实 学习 思想 "
    "进一步 强化 完善 机制 服务 团委 共青 青团 广泛 有效 重要 坚持 切实 扎实 各类 主题 教育 引导".split())


def _bigrams(text: str) -> set[str]:
    grams = set()
    for run in re.findall(r"\w+", text):
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams


def wording_overlap(bullet_text: str, text: str) -> float:
    """Share of the bullet's character bigrams (minus stock 公文 bigrams) that occur in `text`.

    The bullet's own facts are cut out first: a shared "2023年" says nothing about shared content.
    """
    stripped = list(bullet_text)
    for fact in extract_facts(bullet_text):
        stripped[fact.start:fact.end] = [" "] * (fact.end - fact.start)
    grams = _bigrams("".join(stripped))
    grams = (grams - _COMMON_BIGRAMS) or grams
    if not grams:
        return 1.0 if bullet_text.strip() and bullet_text.strip() in text else 0.0
    found = _bigrams(text)
    return len(grams & found) / len(grams)


OVERLAP_USED = 0.3


@dataclass(frozen=True)
class _Traced:
    fact: Fact
    bullet_ids: tuple[str, ...]
    given: bool  # backed by the caller's `allowed` strings


def _trace(text: str, bullets: list[Bullet],
           allowed: Iterable[str]) -> tuple[list[_Traced], list[str], list[str]]:
    """Trace every fact of `text`; also split bullets into used and unused (in bullet order)."""
    allowed_list = [a for a in allowed if a]
    allowed_text = "\n".join(allowed_list)
    allowed_facts = [f for a in allowed_list for f in extract_facts(a)]
    bullet_facts = {b.id: extract_facts(b.text) for b in bullets}
    traced = []
    for fact in extract_facts(text):
        ids = tuple(b.id for b in bullets if _backed(fact, bullet_facts[b.id], b.text))
        traced.append(_Traced(fact, ids, _backed(fact, allowed_facts, allowed_text)))
    used, unused = [], []
    for b in bullets:
        # A bullet's own facts exclude what the caller gave anyway (the period's year), so a
        # draft that only repeats "2023年" does not count as using every bullet dated 2023.
        own = [f for f in bullet_facts[b.id] if not _backed(f, allowed_facts, allowed_text)]
        if own:
            hit = any(supports(f, t.fact) for f in own for t in traced)
        else:
            hit = wording_overlap(b.text, text) >= OVERLAP_USED
        (used if hit else unused).append(b.id)
    return traced, used, unused


def check_text(text: str, bullets: list[Bullet], *, allowed: Iterable[str] = ()) -> CheckResult:
    """Which facts of `text` no bullet (or allowed string) backs, and which bullets `text` leaves out.

    A bullet with facts is used when any of them appears in `text`; a bullet without facts when at
    least 30% of its distinctive character bigrams do (a rough heuristic: paraphrase can miss it).
    """
    traced, used_ids, unused = _trace(text, bullets, allowed)
    unsupported = [t.fact for t in traced if not t.bullet_ids and not t.given]
    used: dict[str, list[Fact]] = {}
    for t in traced:
        for bid in t.bullet_ids:
            if bid in used_ids:
                used.setdefault(bid, []).append(t.fact)
    return CheckResult([t.fact for t in traced], unsupported, used, unused, used_ids)


def _dedupe_raw(facts: Iterable[Fact]) -> list[Fact]:
    seen, out = set(), []
    for f in facts:
        if f.raw not in seen:
            seen.add(f.raw)
            out.append(f)
    return out


def issues_for_section(section_key: str, text: str, bullets_of_section: list[Bullet],
                       all_bullets: list[Bullet], allowed: Iterable[str] = ()) -> list[FactIssue]:
    """来源不明 for facts no bullet of the whole brief backs (borrowing another section's fact is no
    invention); 未采用 for this section's bullets the text leaves out."""
    allowed = list(allowed)
    pool = list(all_bullets) + [b for b in bullets_of_section if b not in all_bullets]
    invented = check_text(text, pool, allowed=allowed).unsupported
    issues = [FactIssue(ISSUE_UNSUPPORTED, f.raw, section_key) for f in _dedupe_raw(invented)]
    result = check_text(text, bullets_of_section, allowed=allowed)
    by_id = {b.id: b for b in bullets_of_section}
    issues += [FactIssue(ISSUE_UNUSED, by_id[i].text, section_key, i) for i in result.unused_bullets]
    # A bullet counts as used when one of its facts appears, but a dropped second number (the
    # 20余场 of "20余场，覆盖11560名") is still a lost fact: name what is missing.
    for bullet in bullets_of_section:
        if bullet.id in result.unused_bullets:
            continue
        missing = [f.raw for f in extract_facts(bullet.text) if f.kind == "number"
                   and not any(supports(f, claimed) for claimed in result.facts)]
        if missing:
            issues.append(FactIssue(ISSUE_UNUSED, f"{bullet.text}（未写入：{'、'.join(missing)}）", section_key, bullet.id))
    return issues


def report_ledger(report: Report, bullets: list[Bullet], allowed: Iterable[str] = ()) -> Ledger:
    """Trace every fact of every section's text; the report's unit, period and date count as given.

    A fact backed by several bullets is credited to one assigned to its section when there is one.
    Headings are not checked (they are short and rarely carry numbers).
    """
    given = [a for a in (*allowed, report.unit, report.period, report.date) if a]
    sections: dict[str, list[tuple[str, str | None]]] = {}
    unsupported: list[FactIssue] = []
    used_anywhere: set[str] = set()
    for section in report.all_sections():
        text = section.text
        if not text.strip():
            sections[section.key] = []
            continue
        traced, used, _ = _trace(text, bullets, given)
        used_anywhere.update(used)
        rows: list[tuple[str, str | None]] = []
        for t in traced:
            preferred = [i for i in t.bullet_ids if i in section.bullet_ids] or list(t.bullet_ids)
            source = preferred[0] if preferred else (GIVEN if t.given else None)
            rows.append((t.fact.raw, source))
            if source is None:
                unsupported.append(FactIssue(ISSUE_UNSUPPORTED, t.fact.raw, section.key))
        sections[section.key] = rows
    unused = [b.id for b in bullets if b.id not in used_anywhere]
    return Ledger(sections, unsupported, unused)


# ---- kinds of work ------------------------------------------------------------------------------
WORK_TERMS_PATH = Path(__file__).parent / "data" / "work_terms.txt"


@lru_cache(maxsize=1)
def _work_re() -> re.Pattern[str]:
    terms = {line.split("#", 1)[0].strip() for line in WORK_TERMS_PATH.read_text(encoding="utf-8").splitlines()}
    return re.compile("|".join(re.escape(t) for t in sorted(terms - {""}, key=len, reverse=True)))


def unreported_work(text: str, sources: Iterable[str]) -> list[str]:
    """Kinds of work and partners (data/work_terms.txt) that `text` names and no source mentions:
    讲座 or 社区合作 in a paragraph whose bullet says neither is work nobody reported. Not numbers or
    names, so not a 来源不明 fact; the compact drafter drops such sentences instead."""
    pool = "".join(sources)
    return [m.group(0) for m in _work_re().finditer(text) if m.group(0) not in pool]
