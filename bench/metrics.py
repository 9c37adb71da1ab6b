"""Measures of a drafted report's text for issue 14: repetition, leaked prompt wording, half-width
punctuation and ASCII spaces, part lengths against the human range, verbatim copying and fact fidelity.

Pure functions on strings (and on a zongjie Report or its dict form, read by duck typing): no model,
no LangChain, no files except the prompt templates `instruction_echoes` reads and the case files
`load_case` reads. Facts are found and matched only through `zongjie.facts`' public names, so a figure
here means what the drafting pipeline's own fact check means.

    from bench.metrics import repeat_share, part_lengths, length_ranges
    repeat_share(text)                       # 0.0 … 1.0, human reports: median 0.014, max 0.069
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from zongjie.facts import Fact, check_facts, extract_facts, supports, unreported_work

# ---- characters --------------------------------------------------------------------------------
# CJK ideographs: basic block, extension A, compatibility, extensions B–G, and 〇 (a numeral in dates).
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RE = re.compile(f"[{HAN}]")
_NOT_HAN_RE = re.compile(f"[^{HAN}]+")
# "Chinese" around punctuation and spaces: ideographs plus CJK/full-width punctuation (。，“”…—).
_CHINESE = HAN + "\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026\u2014\u00b7"
_CHINESE_RE = re.compile(f"[{_CHINESE}]")
_HALF_PUNCT = ",.:;?!()"
# A Markdown heading marker at a line start ("## 一、…") and HTML comments: syntax, not prose.
_MD_HEADING = re.compile(r"(?m)^#{1,6} +")
_MD_COMMENT = re.compile(r"<!--.*?-->", re.S)


def han_only(text: str) -> str:
    """`text` with everything that is not a CJK ideograph removed."""
    return _NOT_HAN_RE.sub("", text)


def han_count(text: str) -> int:
    """Number of CJK ideographs in `text` (the unit of every length here)."""
    return len(_HAN_RE.findall(text))


def _han_positions(text: str) -> tuple[str, list[int]]:
    """The ideographs of `text` and, for each, its index in `text`."""
    positions = [m.start() for m in _HAN_RE.finditer(text)]
    return "".join(text[i] for i in positions), positions


# ---- repetition -----------------------------------------------------------------------------------
def repeat_share(text: str, window: int = 10) -> float:
    """Share of the `window`-character windows of the text's ideographs that occur more than once.

    Everything that is not a CJK ideograph (digits, Latin, punctuation, spaces, line breaks) is
    stripped first; then a window of 10 slides one character at a time. The result is the number of
    windows whose string occurs at least twice in the document divided by the number of windows
    (every occurrence counts, so two copies of one 10-character clause give 2 windows). 0.0 for a
    text shorter than one window. Issue 14: human reports (corpus/*.txt) 0.014 median, 0.069 max;
    the goal for drafts is ≤ 0.03 each and ≤ 0.02 on average.
    """
    han = han_only(text)
    total = len(han) - window + 1
    if total <= 0:
        return 0.0
    windows = [han[i:i + window] for i in range(total)]
    counts = Counter(windows)
    return sum(1 for w in windows if counts[w] > 1) / total


# ---- leaked instructions ----------------------------------------------------------------------------
# Prompt labels and fixed instruction phrases that no report prose contains. Regexes, because some words
# are ordinary 公文 in another position: "年度工作要点" is a document name, "不能照抄照搬" a stock phrase.
ECHO_LABELS = (
    r"【[^【】\n]{1,16}】",                       # any task tag: 【扩写】【本节事实】【参考范文】
    r"本节",                                      # 本节标题 / 本节事实 / 本节任务 / 本节正文
    r"要点[:：]",                                 # "工作要点：…" pasted as a label
    r"(?:^|(?<=[，。；：、\s]))工作要点(?![的和与及])|工作要点(?=[:：中里])",
    r"以事实中的原文为准", r"事实中的", r"一条一句", r"参考范文", r"扩写", r"照抄(?!照搬)",
    r"一字不改", r"绝不编造", r"不得新增", r"只输出", r"修改要求", r"文种[:：]", r"时段[:：]", r"标题[:：]",
)
_ECHO_LABEL_RES = tuple(re.compile(p, re.M) for p in ECHO_LABELS)
# 公文 vocabulary that instruction lines use as ordinary words: a 6-character window found in one is no echo.
GENERIC_PROSE = (
    "习近平新时代中国特色社会主义思想", "在上级党委和团组织的坚强领导下", "团结带领广大团员青年",
    "紧紧围绕中心", "服务大局", "扎实推进各项工作", "取得了积极成效", "现将有关情况总结如下",
    "现将有关情况汇报如下", "存在的问题和不足", "下一步工作打算", "工作总结和情况汇报", "围绕中心工作",
    "针对存在的问题", "工作中存在的问题和不足", "上级党委和团组织领导下", "共青团组织的工作总结", "的工作总结和",
    "主要工作做法和成效", "提出下一步工作打算",
)
ECHO_MIN_CHARS = 6
# A worked example in a prompt file: task input, "----", the answer the model should imitate, "====".
_EXAMPLE_SPLIT = re.compile(r"(?m)^-{3,}\s*$")
_BLOCK_SPLIT = re.compile(r"(?m)^={3,}\s*$")
_QUOTED = re.compile(r"“[^“”\n]*”|‘[^‘’\n]*’|\"[^\"\n]*\"|「[^「」\n]*」")
_PLACEHOLDER = re.compile(r"\{[^{}\n]*\}")
_TAG = re.compile(r"【[^【】\n]*】")


def _prompt_parts(prompt_dir: Path) -> tuple[list[str], list[str]]:
    """(instruction text, model-voice text) of every prompts/*.txt. A file of worked examples (blocks of
    task, "----", answer, "====") gives answers, written in report prose, and no instructions: its task
    lines are a tag, labels and example data (the labels are in ECHO_LABELS)."""
    instructions, answers = [], []
    for path in sorted(Path(prompt_dir).glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if not _EXAMPLE_SPLIT.search(text):
            instructions.append(text)
            continue
        for block in _BLOCK_SPLIT.split(text):
            answers.extend(_EXAMPLE_SPLIT.split(block, maxsplit=1)[1:])
    return instructions, answers


def _instruction_runs(instructions: Iterable[str]) -> list[str]:
    """Ideograph runs of ≥ ECHO_MIN_CHARS characters from instruction text, with {placeholders}, 【tags】 and
    quoted words removed: “坚持”“现将有关情况总结如下：” are words the model is told to write."""
    runs = []
    for text in instructions:
        text = _TAG.sub("\n", _QUOTED.sub("\n", _PLACEHOLDER.sub("\n", text)))
        runs.extend(r for r in re.findall(f"[{HAN}]+", text) if len(r) >= ECHO_MIN_CHARS)
    return runs


def echo_phrases(prompt_dir: str | Path, ordinary: Iterable[str] | None = None) -> frozenset[str]:
    """The 6-character ideograph windows of the prompts' instruction runs that count as leaked wording.

    Built automatically: every run of ≥ 6 ideographs in an instruction line of prompts/*.txt (worked
    answers, quoted words, {placeholders} and 【tags】 left out) gives its 6-character windows; a window is
    dropped when it also occurs in ordinary report prose — the worked answers in the prompt files,
    GENERIC_PROSE, and `ordinary` (default: the human reports corpus/*.txt next to prompt_dir, if any).
    """
    prompt_dir = Path(prompt_dir)
    if ordinary is None:
        corpus = sorted((prompt_dir.parent / "corpus").glob("*.txt"))
        files = (*sorted(prompt_dir.glob("*.txt")), *corpus)
        return _default_echo_phrases(str(prompt_dir.resolve()), tuple((str(p), p.stat().st_mtime) for p in files))
    return _build_echo_phrases(prompt_dir, list(ordinary))


@lru_cache(maxsize=4)
def _default_echo_phrases(prompt_dir: str, files: tuple[tuple[str, float], ...]) -> frozenset[str]:
    del files  # part of the cache key only: an edited prompt or corpus file rebuilds the list
    corpus = sorted((Path(prompt_dir).parent / "corpus").glob("*.txt"))
    return _build_echo_phrases(Path(prompt_dir), [p.read_text(encoding="utf-8") for p in corpus])


def _build_echo_phrases(prompt_dir: Path, ordinary: list[str]) -> frozenset[str]:
    instructions, answers = _prompt_parts(prompt_dir)
    prose = "\n".join([*answers, *GENERIC_PROSE, *ordinary])
    prose_han = "\n".join(han_only(line) for line in prose.split("\n"))
    phrases = set()
    for run in _instruction_runs(instructions):
        for i in range(len(run) - ECHO_MIN_CHARS + 1):
            window = run[i:i + ECHO_MIN_CHARS]
            if window not in prose_han:
                phrases.add(window)
    return frozenset(phrases)


def instruction_echoes(text: str, prompt_dir: str | Path, ordinary: Iterable[str] | None = None) -> list[str]:
    """Prompt wording found in `text`, as the matched passages in reading order (empty list: none).

    Two sources, merged where they overlap: the fixed labels of ECHO_LABELS (any 【…】 tag, 本节,
    要点：, 以事实中的原文为准, 一条一句, 参考范文 …) and the phrases `echo_phrases` builds from the
    prompt templates (6-character windows of instruction runs that no ordinary prose contains; a match
    is grown over adjacent windows inside one run of ideographs, so "以事实中的原文为准" comes back whole
    and "坚强领导下，围绕中心" is not read as the instruction "坚强领导下围绕中心").
    """
    spans = [(m.start(), m.end()) for rx in (*_ECHO_LABEL_RES, *_template_labels(str(prompt_dir)))
             for m in rx.finditer(text)]
    phrases = echo_phrases(prompt_dir, ordinary)
    for run in re.finditer(f"[{HAN}]{{{ECHO_MIN_CHARS},}}", text):
        for i in range(run.start(), run.end() - ECHO_MIN_CHARS + 1):
            if text[i:i + ECHO_MIN_CHARS] in phrases:
                spans.append((i, i + ECHO_MIN_CHARS))
    return [text[a:b] for a, b in _merge(spans)]


@lru_cache(maxsize=8)
def _template_labels(prompt_dir: str) -> tuple[re.Pattern[str], ...]:
    """The labels the templates put before their data ("本期工作：{work}"): one in a draft is the prompt
    copied (bench case 01: 五是本期工作：全镇团支部：……)."""
    labels = {m.group(1) for path in Path(prompt_dir).glob("*.txt")
              for m in re.finditer(rf"([{HAN}]{{3,8}})[：:]\{{", path.read_text(encoding="utf-8"))}
    return tuple(re.compile(rf"{label}[：:]") for label in sorted(labels))


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


# ---- punctuation and spaces -------------------------------------------------------------------------
def _prose(text: str) -> str:
    return _MD_HEADING.sub("", _MD_COMMENT.sub("", text))


def _neighbour(text: str, i: int, step: int) -> str:
    """The nearest character to i in direction `step` that is not an ASCII space ("" at the ends)."""
    j = i + step
    while 0 <= j < len(text) and text[j] == " ":
        j += step
    return text[j] if 0 <= j < len(text) else ""


def halfwidth_punct(text: str) -> int:
    """Count of half-width , . : ; ? ! ( ) next to Chinese (an ideograph or CJK/full-width punctuation on
    either side, ASCII spaces skipped), e.g. "团支部20个:村级16个,镇直1个" gives 2. A mark between two
    digits is part of a number (8.6万, 9:30, 1,200): it touches no Chinese and is not counted. Markdown
    heading markers and HTML comments are ignored. Goal: 0 in the final text."""
    text = _prose(text)
    count = 0
    for i, ch in enumerate(text):
        if ch not in _HALF_PUNCT:
            continue
        before, after = _neighbour(text, i, -1), _neighbour(text, i, 1)
        if _CHINESE_RE.match(before or " ") or _CHINESE_RE.match(after or " "):
            count += 1
    return count


def ascii_spaces(text: str) -> int:
    """Count of ASCII spaces (U+0020) in runs that touch Chinese (an ideograph or CJK/full-width
    punctuation) on either side: "青年。 一是" gives 1, "2024 年" gives 1, "Word 2016" gives 0. The
    space after a Markdown heading marker ("## 一、") is syntax and not counted. Goal: 0."""
    count = 0
    for m in re.finditer(r" +", _prose(text)):
        s = m.string
        before = s[m.start() - 1] if m.start() else ""
        after = s[m.end()] if m.end() < len(s) else ""
        if _CHINESE_RE.match(before or " ") or _CHINESE_RE.match(after or " "):
            count += len(m.group(0))
    return count


# ---- part lengths -----------------------------------------------------------------------------------
RESULTS, PROBLEMS, PLANS, OPENING = "results", "problems", "plans", "opening"
_ROLE_PART = {"成效": RESULTS, "问题": PROBLEMS, "计划": PLANS, "开头": OPENING}
_PROBLEM_HEADING = re.compile(r"问题|不足|短板")
_PLAN_HEADING = re.compile(r"打算|计划|下一步|下步|思路|展望|安排")
# "一是" starting a sentence or a paragraph opens one item of a results paragraph.
_ITEM_START = re.compile(r"(?:^|(?<=[。；！？：]))\s*[一二三四五六七八九十]是")
_MD_HEAD = re.compile(r"^(#{1,6})\s+(.*)$")
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十]+[）)]|\d+[．.、])\s*")


@dataclass
class PartLengths:
    """Ideograph counts of a report's prose (headings excluded): the whole, the opening, part 一
    (做法和成效), part 二 (问题), part 三 (打算/计划) and each "一是…" item of part 一 (see result_items),
    with the count of numbers in each item (issue 14: a human item runs 150–400 characters with 2–8
    figures)."""

    total: int = 0
    opening: int = 0
    results: int = 0
    problems: int = 0
    plans: int = 0
    items: list[int] = field(default_factory=list)
    item_figures: list[int] = field(default_factory=list)  # numbers (extract_facts) in each item

    @property
    def results_share(self) -> float:
        return self.results / self.total if self.total else 0.0


def part_of(heading: str, role: str = "") -> str:
    """Which part a top-level section belongs to: its role when it is one of 成效/问题/计划/开头, else
    its heading (问题/不足 → problems, 打算/计划/下一步 → plans), else results (part 一)."""
    if role in _ROLE_PART:
        return _ROLE_PART[role]
    heading = _NUMBERING.sub("", heading)
    if _PROBLEM_HEADING.search(heading):
        return PROBLEMS
    if _PLAN_HEADING.search(heading):
        return PLANS
    return RESULTS


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _paragraph_texts(section: Any) -> list[str]:
    """A section's own paragraphs and its subsections', depth first (Report, Report.to_dict() or corpus JSON)."""
    out = []
    for p in _get(section, "paragraphs", []) or []:
        out.append(p if isinstance(p, str) else _get(p, "text", ""))
    for sub in _get(section, "subsections", []) or []:
        out.extend(_paragraph_texts(sub))
    return out


def _parts_of_report(report: Any) -> list[tuple[str, list[str]]]:
    opening = _get(report, "opening", [])
    parts = [(OPENING, opening if isinstance(opening, list) else _paragraph_texts(opening))]
    for section in _get(report, "sections", []) or []:
        parts.append((part_of(_get(section, "heading", ""), _get(section, "role", "")), _paragraph_texts(section)))
    closing = _get(report, "closing", []) or []
    if closing:
        parts.append((RESULTS if len(parts) == 1 else parts[-1][0], list(closing)))
    return parts


def _parts_of_markdown(markdown: str) -> list[tuple[str, list[str]]]:
    """Paragraphs before the first "## " heading are the opening; each "## " heading starts a part; deeper
    headings stay inside it. The title ("# "), HTML comments and trailing 落款 lines (short, no 。) are left out."""
    parts: list[tuple[str, list[str]]] = [(OPENING, [])]
    lines = [line.strip() for line in _MD_COMMENT.sub("", markdown).splitlines() if line.strip()]
    while lines and not _MD_HEAD.match(lines[-1]) and len(lines[-1]) <= 40 and not re.search("[。！？；]", lines[-1]):
        lines.pop()  # signature: unit and date
    for line in lines:
        head = _MD_HEAD.match(line)
        if head:
            if len(head.group(1)) == 2:
                parts.append((part_of(head.group(2)), []))
            continue
        parts[-1][1].append(line.lstrip("\\"))
    return parts


def result_items(paragraph: str) -> list[str]:
    """The "一是…" items of a results paragraph: from each 一是/二是… that starts the paragraph or a sentence
    to the next. Text before the first marker is a lead, not an item; a paragraph without markers is one item."""
    starts = [m.start() for m in _ITEM_START.finditer(paragraph)]
    if not starts:
        return [paragraph] if han_count(paragraph) else []
    bounds = [*starts, len(paragraph)]
    return [paragraph[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if han_count(paragraph[a:b])]


def part_lengths(markdown_or_report: Any) -> PartLengths:
    """Ideograph counts (Chinese prose only: no headings, title, digits or punctuation) of the whole report
    and of its parts. Accepts a zongjie Report (opening → sections → subsections → paragraphs; a top-level
    section's role 成效/问题/计划 decides its part), a dict of the same shape (Report.to_dict() or a
    corpus/*.json report, whose `closing` paragraphs join the last part), or the Markdown export
    (`## ` headings are the parts, classified by their wording; the title and 落款 are left out).
    """
    if isinstance(markdown_or_report, str):
        parts = _parts_of_markdown(markdown_or_report)
    else:
        parts = _parts_of_report(markdown_or_report)
    out = PartLengths()
    for part, paragraphs in parts:
        n = sum(han_count(p) for p in paragraphs)
        out.total += n
        setattr(out, part, getattr(out, part) + n)
        if part == RESULTS:
            for item in (item for p in paragraphs for item in result_items(p)):
                out.items.append(han_count(item))
                out.item_figures.append(sum(1 for f in extract_facts(item) if f.kind == "number"))
    return out


# ---- human length ranges ----------------------------------------------------------------------------
# Issue 14's human figures, in ideographs: a whole report, part 二 (问题), part 三 (打算), one "一是" item,
# and part 一 as a share of the whole.
HUMAN_TOTAL = (2000, 3300)
HUMAN_PROBLEMS = (120, 500)
HUMAN_PLANS = (650, 1150)
HUMAN_ITEM = (150, 400)
HUMAN_RESULTS_SHARE = (0.45, 0.60)
# Calibration on corpus/ (see length_ranges and calibrate_length; bench/human_baseline.py refits it):
# length ∝ bullets ** LENGTH_ELASTICITY, and the issue's range is centred on REFERENCE_BULLETS.
LENGTH_ELASTICITY = 0.71
REFERENCE_BULLETS = 18.8
GENRES = ("工作总结", "意识形态工作情况汇报", "上半年工作总结及下半年工作计划")


@dataclass(frozen=True)
class LengthRanges:
    """Human ranges (ideographs) for a report of a given number of bullets; `scale` is the factor applied
    to issue 14's figures. `item` (one "一是" paragraph) and `results_share` are not scaled."""

    scale: float
    total: tuple[int, int]
    results: tuple[int, int]
    results_share: tuple[float, float]
    problems: tuple[int, int]
    plans: tuple[int, int]
    item: tuple[int, int]


def length_ranges(n_bullets: int, genre: str) -> LengthRanges:
    """The human length range for the whole report and each part, scaled to `n_bullets`.

    Figures (issue 14): whole report 2,000–3,300 ideographs, part 一 45–60 % of it, 问题 120–500,
    打算 650–1,150, one "一是" item 150–400. They are put at REFERENCE_BULLETS bullets and scaled
    by (n_bullets / REFERENCE_BULLETS) ** LENGTH_ELASTICITY, which is how length grows with content
    in the human reports:

    - Calibration (calibrate_length, run by bench/human_baseline.py): for each corpus/*.json report the
      proxy for a cadre's bullets is the number of its sentences (split at 。！？；) that carry at least
      one fact by zongjie.facts.extract_facts (a number, date or quoted name): a terse bullet is one
      such sentence. Reports with fewer than 5 (three essays without facts) are left out. A
      least-squares fit of log(ideographs) on log(proxy) over the other 11 gives the elasticity 0.71
      (more bullets, more text, but less than in proportion: opening, 问题 and 打算 are partly fixed).
    - The fit puts a report of 2,569 ideographs (the geometric centre of 2,000–3,300) at 18.8 proxy
      bullets: that is REFERENCE_BULLETS, where the scale is 1. So 6 bullets → ×0.45 (900–1,490),
      12 → ×0.73 (1,460–2,410), 20 → ×1.04 (2,090–3,450).
    - Part 一's absolute range is 45 % of the low and 60 % of the high total; 问题 and 打算 scale with
      the total. The corpus holds 12 意识形态 reports, one 工作总结 and one 半年总结, too few to fit the
      genres apart, so `genre` is only checked (one of the three GENRES) and all share the figures.
    """
    if genre not in GENRES:
        raise ValueError(f"unknown genre {genre!r}; expected one of {GENRES}")
    if n_bullets < 1:
        raise ValueError("n_bullets must be at least 1")
    scale = (n_bullets / REFERENCE_BULLETS) ** LENGTH_ELASTICITY

    def scaled(pair: tuple[int, int]) -> tuple[int, int]:
        return round(pair[0] * scale), round(pair[1] * scale)

    total = scaled(HUMAN_TOTAL)
    results = (round(total[0] * HUMAN_RESULTS_SHARE[0]), round(total[1] * HUMAN_RESULTS_SHARE[1]))
    return LengthRanges(scale, total, results, HUMAN_RESULTS_SHARE, scaled(HUMAN_PROBLEMS), scaled(HUMAN_PLANS),
                        HUMAN_ITEM)


def length_findings(lengths: PartLengths, ranges: LengthRanges) -> list[str]:
    """The parts of `lengths` outside `ranges`, one line each ("total 1450 < 1460"); empty when all fit.
    Items are reported as how many fall outside the per-item range."""
    out = []
    for name in ("total", "results", "problems", "plans"):
        value, (lo, hi) = getattr(lengths, name), getattr(ranges, name)
        if value < lo:
            out.append(f"{name} {value} < {lo}")
        elif value > hi:
            out.append(f"{name} {value} > {hi}")
    lo, hi = ranges.item
    outside = [n for n in lengths.items if not lo <= n <= hi]
    if outside:
        out.append(f"items {len(outside)}/{len(lengths.items)} outside {lo}–{hi}")
    return out


def proxy_bullets(paragraphs: Iterable[str]) -> int:
    """Sentences (split at 。！？；) holding at least one fact (number, date or quoted name): the stand-in
    for a cadre's bullet count when calibrating on human reports."""
    return sum(1 for p in paragraphs for s in re.split(r"(?<=[。！？；])", p) if han_count(s) and extract_facts(s))


def calibrate_length(points: Sequence[tuple[int, int]]) -> tuple[float, float]:
    """(elasticity, reference bullets) from (proxy bullets, ideographs) pairs: least squares of log(length)
    on log(bullets); the reference is where the fit reaches the geometric centre of HUMAN_TOTAL."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(c) for _, c in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    centre = math.log(math.sqrt(HUMAN_TOTAL[0] * HUMAN_TOTAL[1]))
    return slope, math.exp(mx + (centre - my) / slope)


# ---- verbatim copying ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Copy:
    """A passage of the text whose ideographs (≥ n in a row) also occur in one source, in that order."""

    passage: str  # the text's own span, punctuation and digits included
    chars: int  # ideographs in it
    source: int  # index into `sources`


def verbatim_copies(text: str, sources: Sequence[str], n: int = 13) -> list[Copy]:
    """Passages of `text` sharing ≥ n consecutive ideographs with any source (an exemplar, a worked
    example), longest first per place. Both sides are compared as ideographs only, so a copy with new
    numbers or punctuation ("开展活动30场覆盖" vs "开展活动X场，覆盖") still counts. Each maximal run of
    n-windows found in one source is one Copy; issue 14 allows about 12 characters, hence n=13."""
    han, positions = _han_positions(text)
    copies: list[Copy] = []
    for index, source in enumerate(sources):
        src = han_only(source)
        grams = {src[i:i + n] for i in range(len(src) - n + 1)}
        spans = [(i, i + n) for i in range(len(han) - n + 1) if han[i:i + n] in grams]
        for a, b in _merge(spans):
            copies.append(Copy(text[positions[a]:positions[b - 1] + 1], b - a, index))
    return sorted(copies, key=lambda c: (text.find(c.passage), -c.chars))


# ---- facts -----------------------------------------------------------------------------------------------
@dataclass
class FactScore:
    """Bullet facts found in the text (recall) and the text's facts and kinds of work no bullet backs."""

    recall: float  # recalled / total; 1.0 when the bullets hold no facts
    recalled: int
    total: int
    missing: list[str]  # bullet facts not in the text, as written in the bullet
    invented: list[str]  # the text's numbers, dates and names with no bullet (or allowed) source
    invented_work: list[str] = field(default_factory=list)  # kinds of work (讲座, 社区合作) no bullet names


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def _recalled(given: Fact, text_facts: list[Fact], text_letters: str) -> bool:
    if any(supports(given, claimed) for claimed in text_facts):
        return True
    if given.kind == "date":  # the text may state more of the date than the bullet (2024年3月 for 3月)
        return any(supports(claimed, given) for claimed in text_facts if claimed.kind == "date")
    if given.kind == "name":  # quoted in the bullet, written without quotes in the text
        return bool(_letters(given.norm)) and _letters(given.norm) in text_letters
    return False


def misplaced_figures(parts: Iterable[tuple[str, Sequence[str]]]) -> list[str]:
    """Figures of each part (a section's text, with the bullets it was written from) that none of its own
    bullets gives. The invented-number check backs a figure by any bullet of the report, so "共开展活动6次"
    under a bullet counting 团支部6个 passed on another section's 讲座不少于6场 (held-out case 23,
    2026-12-02): a number put on work it does not belong to is as invented as one from nowhere."""
    out: list[str] = []
    for text, own in parts:
        given = [f for b in own for f in extract_facts(b)]
        out += [f.raw for f in extract_facts(text)
                if f.kind == "number" and not any(supports(g, f) for g in given)]
    return out


def fact_recall_and_invented(text: str, bullets: Iterable[Any], allowed: Iterable[str] = ()) -> FactScore:
    """Recall of the bullets' facts in `text`, and what `text` states that no bullet backs.

    `bullets` are strings or objects with `.text` (zongjie Bullets); `allowed` are strings the caller
    gave outside the bullets (unit, period, date), whose facts are neither required nor invented.
    Facts are zongjie.facts.extract_facts' numbers, dates and quoted names. A bullet fact is recalled
    when a fact of the text is backed by it under zongjie.facts.supports (same value, compatible unit,
    no added or changed 余/近/约), a date also when the text states it more fully, a name also when its
    letters appear unquoted. Invented: zongjie.facts.check_facts' unsupported facts (deduplicated by
    wording) and unreported_work's kinds of work that no bullet mentions.
    """
    texts = [b if isinstance(b, str) else b.text for b in bullets]
    items = [SimpleNamespace(id=f"B{i}", text=t) for i, t in enumerate(texts, start=1)]
    allowed = [a for a in allowed if a]
    allowed_facts = [f for a in allowed for f in extract_facts(a)]
    text_facts = extract_facts(text)
    text_letters = _letters(text)
    total = recalled = 0
    missing = []
    for bullet_text in texts:
        for fact in extract_facts(bullet_text):
            if any(supports(a, fact) for a in allowed_facts):
                continue
            total += 1
            if _recalled(fact, text_facts, text_letters):
                recalled += 1
            else:
                missing.append(fact.raw)
    result = check_facts(text, items, allowed=allowed)
    invented = list(dict.fromkeys(f.raw for f in result.unsupported))
    work = list(dict.fromkeys(unreported_work(text, [*texts, *allowed])))
    return FactScore(recalled / total if total else 1.0, recalled, total, missing, invented, work)


# ---- cases ---------------------------------------------------------------------------------------------
CASES_DIR = Path(__file__).resolve().parent / "cases"
_HEADER = re.compile(r"^#\s*(unit|period|genre|kind)\s*:\s*(.*?)\s*$")


@dataclass
class Case:
    """One bench case (bench/cases/*.txt): "# unit: …", "# period: …", "# genre: …", "# kind: …" header
    lines, then the bullet text exactly as a cadre would paste it (问题：/计划：/下一步： lines included)."""

    name: str
    unit: str
    period: str
    genre: str
    kind: str
    bullets: str

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.bullets.splitlines() if line.strip()]


def load_case(path: str | Path) -> Case:
    path = Path(path)
    header: dict[str, str] = {}
    body = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _HEADER.match(line)
        if m and not body:
            header[m.group(1)] = m.group(2)
        elif line.strip():
            body.append(line.strip())
    missing = [k for k in ("unit", "period", "genre", "kind") if not header.get(k)]
    if missing:
        raise ValueError(f"{path.name}: missing header {', '.join(missing)}")
    return Case(path.stem, header["unit"], header["period"], header["genre"], header["kind"], "\n".join(body))


def load_cases(directory: str | Path = CASES_DIR) -> list[Case]:
    """Every bench/cases/*.txt, in name order."""
    return [load_case(p) for p in sorted(Path(directory).glob("*.txt"))]
