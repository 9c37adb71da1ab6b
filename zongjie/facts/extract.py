"""Find the numbers (with unit and approximation), dates and quoted names in a text, with their spans.

Passes run from the most specific pattern to the least, each claiming its spans, so a date is never
also read as two numbers and a fixed term (五四, 十四五) never as a count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..text import CN_NUMERAL_CHARS, parse_cn_number, parse_mixed_number

FIXED_TERMS_PATH = Path(__file__).resolve().parent.parent / "data" / "fixed_terms.txt"

# ---- numerals ------------------------------------------------------------------------------
_NUMERAL_CHARS = "0123456789" + CN_NUMERAL_CHARS
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
    # 112对 (couples matched at a 联谊), 连续3届, 12站, 走进8校; 对 is also a preposition (1对1, 2对接).
    "对": "0-9０-９一二三四五六七八九十接象于外此照比待标口策话应付称齐准焦", "届": "时满", "站": "点长位",
    "校": "园区内长级",
}

# Approximation words, grouped by what they claim: more than (余), just under (近), about (约),
# several (数), at most (内: a cap or a limit, 30%以内). A draft may drop a qualifier the user gave but
# never add or change one, and never drop 内: "30%以内" is a ceiling, "30%" an achieved figure.
_APPROX = {"余": "余", "多": "余", "以上": "余", "有余": "余", "超过": "余", "超": "余", "逾": "余",
           "突破": "余", "多达": "余", "不少于": "余", "至少": "余", "上": "余",
           "近": "近", "将近": "近", "接近": "近", "不到": "近", "不足": "近",
           "约": "约", "大约": "约", "左右": "约", "数": "数", "几": "数", "破": "余",
           "以内": "内", "以下": "内", "之内": "内", "不超过": "内", "不高于": "内"}


def _unit_alternation() -> str:
    parts = []
    for unit in sorted(_UNITS, key=len, reverse=True):
        stop = _UNITS[unit]
        parts.append(re.escape(unit) + (f"(?![{stop}])" if stop else ""))
    return "|".join(parts)


_UNIT_RE = _unit_alternation()
# 破百万, 破千, 破5万 ("passed a million"): only before a round figure, so 打破3项纪录 is no approximation.
_PREFIX_RE = ("将近|接近|近|大约|约|不超过|不高于|超过|超|逾|突破|多达|不少于|至少|不到|不足|"
              "(?<!打)破(?=[百千万亿]|[0-9]+(?:\\.[0-9]+)?[万亿])|"
              "上(?=[百千万])|数(?=[十百千万])|几(?=[十百千万])")
_POST_RE = "以上|左右|有余|以内|以下|之内"
# Prefixes that make a bare Chinese round figure a count: 破百万, 超千, 逾万 (but not 数十, 上百: vague).
_COUNTING_PREFIXES = frozenset({"破", "超", "超过", "逾", "突破", "近", "将近", "接近"})
# "1万1千", "3万5千", "1亿2千万": Arabic digits with several powers, one number (11000), not two.
_MIXED_RE = r"[0-9]+(?:亿[0-9]+(?:千万|百万|十万|万)|万[0-9]+[千百])(?:[0-9]+[千百十])*"
_AR_RE = rf"{_MIXED_RE}|[0-9]+(?:,[0-9]{{3}})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_NUMBER = re.compile(
    rf"(?P<pre>{_PREFIX_RE})?(?P<num>{_AR_RE}|[{CN_NUMERAL_CHARS}]+)(?P<a1>余|多)?"
    rf"(?P<mult>千万|百万|十万|万亿|万|亿|千|百)?(?P<a2>余|多)?(?P<unit>{_UNIT_RE})?(?P<post>{_POST_RE})?")
_FRACTION = re.compile(
    rf"(?P<pre>{_PREFIX_RE})?(?P<den>百|千|[0-9]+|[{CN_NUMERAL_CHARS}]+)分之"
    rf"(?P<num>[0-9]+(?:\.[0-9]+)?|[{CN_NUMERAL_CHARS}]+)(?P<post>以上|左右|以内|以下)?")
# "从三个方面" counts the report's own parts, not the world: structure, not a fact.
_STRUCTURAL = re.compile(rf"[{CN_NUMERAL_CHARS}]+个?方面")
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
class Hit:
    """A span a scanning pass claimed, with the Fact it is (if any) and its exemplar placeholder."""

    fact: Fact | None  # None: a span that is claimed (fixed term, list marker) but is no fact
    start: int
    end: int
    mask: str = ""


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


# ---- numeral helpers ----------------------------------------------------------------------------
def _parse_number(s: str) -> Decimal | None:
    if s[0].isdigit():
        if not s[-1].isdigit():
            return parse_mixed_number(s)  # 1万1千
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


def _scan_names(text: str, work: list[str]) -> list[Hit]:
    hits = []
    for m in _NAME.finditer("".join(work)):
        inner = next(g for g in m.groups() if g is not None)
        name = inner.strip()
        _claim(work, m.start(), m.end())
        if name in fixed_terms() or set(name) <= _PLACEHOLDER_CHARS:
            hits.append(Hit(None, m.start(), m.end()))
            continue
        raw = text[m.start():m.end()]
        mask = raw[0] + "××" + raw[-1]
        hits.append(Hit(Fact(raw, "name", None, "", "", m.start(), m.end(), name), m.start(), m.end(), mask))
    return hits


def _date_part(s: str | None) -> str:
    if not s:
        return ""
    value = _parse_number(s)
    return str(int(value)) if value is not None else ""


def _scan_dates(text: str, work: list[str]) -> list[Hit]:
    hits = []
    for m in _DATE.finditer("".join(work)):
        g = m.groupdict()
        raw = text[m.start():m.end()]
        if g["time"]:
            # A clock time: its own norm ("T9:30"), so it only matches the same time.
            norm = "T" + ":".join(str(int(p)) for p in g["time"].split(":"))
            fact = Fact(raw, "date", None, "", "", m.start(), m.end(), norm)
            hits.append(Hit(fact, m.start(), m.end(), re.sub("[0-9]+", "X", raw)))
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
        hits.append(Hit(Fact(raw, "date", None, "", "", m.start(), m.end(), norm), m.start(), m.end(), mask))
        _claim(work, m.start(), m.end())
    return hits


def _scan_fixed(work: list[str]) -> list[Hit]:
    hits = []
    for m in _fixed_re().finditer("".join(work)):
        hits.append(Hit(None, m.start(), m.end()))
        _claim(work, m.start(), m.end())
    return hits


def _scan_fractions(text: str, work: list[str]) -> list[Hit]:
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
        hits.append(Hit(fact, m.start(), m.end(), mask))
        _claim(work, m.start(), m.end())
    return hits


def _scan_non_facts(work: list[str]) -> list[Hit]:
    hits = []
    joined = "".join(work)
    for m in [*_LIST_MARKER.finditer(joined), *_STRUCTURAL.finditer(joined)]:
        hits.append(Hit(None, m.start(), m.end()))
        _claim(work, m.start(), m.end())
    return hits


def _number_hit(text: str, joined: str, m: re.Match[str]) -> Hit | None:
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
        # A bare Chinese numeral is too ambiguous (十分, 万一); it counts only with a unit or 余/多,
        # or as a round figure after a counting prefix (破百万, 超千).
        counted = m["pre"] in _COUNTING_PREFIXES and any(c in "十百千万亿" for c in num)
        if not unit and not approx_marker and not m["mult"] and not counted:
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
    return Hit(fact, start, end, mask)


def _scan_numbers(text: str, work: list[str]) -> list[Hit]:
    joined = "".join(work)
    hits = []
    for m in _NUMBER.finditer(joined):
        hit = _number_hit(text, joined, m)
        if hit is not None:
            hits.append(hit)
    return hits


@lru_cache(maxsize=4096)
def scan(text: str) -> tuple[Hit, ...]:
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
    return [h.fact for h in scan(text) if h.fact is not None]
