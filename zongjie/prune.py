"""Removing what must not stay in a draft, after the model has written it: generic sentences that repeat
earlier ones of the same document, and clauses whose figure no bullet backs once the repair has failed.

LangChain-free and pure (texts in, texts out), like cleanup.py; the orchestrator (zongjie.draft) applies
it. Human reports repeat under 2 % of their 10-character windows (issue 14); a small model writing a
subsection at a time repeats its generic clauses across subsections, which no single call can see.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .text import CLAUSE_RE, cjk_only, drop_clauses

WINDOW = 10
# A sentence whose 10-character windows were this much seen before in the document repeats it.
REPEAT_SHARE = 0.34
_SENTENCE = re.compile(r"[^。！？；\n]*[。！？；]|[^。！？；\n]+$")
han = cjk_only  # the name this module's callers know


def windows(text: str, n: int = WINDOW) -> list[str]:
    h = han(text)
    return [h[i:i + n] for i in range(len(h) - n + 1)]


def drop_repeated(texts: Iterable[str], keep: Callable[[str], bool] = lambda _s: False,
                  seen: set[str] | None = None) -> tuple[list[str], list[str]]:
    """Texts in document order, each with the sentences dropped that mostly repeat windows seen earlier
    in the document (or in `seen`, which is updated). A sentence for which `keep` is true (it carries
    a bullet's fact) always stays. Returns (texts, dropped sentences). Line breaks are kept."""
    seen = set() if seen is None else seen
    out, dropped = [], []
    for text in texts:
        lines, first = [], None
        for line in text.split("\n"):
            kept = []
            for sentence in _SENTENCE.findall(line):
                first = first or sentence
                grams = windows(sentence)
                repeated = sum(g in seen for g in grams)
                if grams and repeated / len(grams) >= REPEAT_SHARE and not keep(sentence):
                    dropped.append(sentence)
                    continue
                sentence = _drop_repeated_clauses(sentence, seen, keep)
                seen.update(grams)
                kept.append(sentence)
            lines.append("".join(kept))
        result = "\n".join(line for line in lines if line.strip() or not line)
        if text.strip() and not result.strip() and first:
            result = first  # a section is never pruned away entirely: it keeps its first sentence
            dropped.remove(first)
        out.append(result)
    return out, dropped


# A clause (not a sentence's first) whose windows were this much seen before repeats a generic phrase:
# "……，也为乡村振兴注入了新的活力" said a second time.
REPEAT_CLAUSE_SHARE = 0.5


def _drop_repeated_clauses(sentence: str, seen: set[str], keep: Callable[[str], bool]) -> str:
    def repeated(match: re.Match[str]) -> bool:
        grams = windows(match.group(0))
        return (match.start() > 0 and bool(grams) and not keep(match.group(0))
                and sum(g in seen for g in grams) / len(grams) >= REPEAT_CLAUSE_SHARE)

    return drop_clauses(sentence, repeated)[0]


def drop_clauses_with(text: str, raws: Iterable[str]) -> tuple[str, list[str]]:
    """Remove each clause (between ，；。) that states one of `raws` — figures or names the fact check
    could not trace after the repair — so a guessed number never stays in the prose. Returns the text
    and the clauses removed. A sentence left without its last clause ends with 。 again."""
    raws = [r for r in raws if r]
    if not raws:
        return text, []
    removed: list[str] = []
    lines = []
    for line in text.split("\n"):
        # A quoted name may hold a comma (“缅怀先烈，传承精神”): every clause it overlaps goes.
        spans = [(m.start(), m.start() + len(r)) for r in raws for m in re.finditer(re.escape(r), line)]
        joined, gone = drop_clauses(line, lambda m, spans=spans: any(a < m.end() and m.start() < b for a, b in spans))
        removed += gone
        if joined[-1:] in "，,":
            joined = joined[:-1] + "。"
        lines.append(joined)
    return "\n".join(lines), removed


def _own(brief, role: str = ""):
    """Whether a sentence carries a bullet's fact or most of a bullet's wording (then it always stays).
    In 打算 only the plan and problem bullets count: a direction saying a results item again word for
    word ("清明节期间，组织青少年前往烈士陵园进行祭扫", bench case 02) repeats it and is no plan of the user's."""
    from .cleanup import OWN_WORDING
    from .facts import extract_facts, wording_overlap
    from .vocab import ROLE_PLANS, ROLE_PROBLEMS

    sources = [b.text for b in brief.bullets if role != ROLE_PLANS or b.role in (ROLE_PLANS, ROLE_PROBLEMS)]
    raws = [f.raw for text in sources for f in extract_facts(text)]
    return lambda sentence: (any(r in sentence for r in raws)
                             or any(wording_overlap(b, sentence) >= OWN_WORDING for b in sources))


def _own_by_role(brief):
    """_own for a section of each role, each built once: 打算's and every other section's."""
    from .vocab import ROLE_PLANS

    plans, rest = _own(brief, ROLE_PLANS), _own(brief)
    return lambda role: plans if role == ROLE_PLANS else rest


def prune_section(text: str, report, brief, key: str) -> str:
    """A freshly written section without generic sentences that repeat the rest of the document or
    itself (one section regenerated alone must not reintroduce a clause the others already use)."""
    seen: set[str] = set()
    for other in report.drafting_units():
        if other.key != key and other.text:
            seen.update(windows(other.text))
    section = report.find(key)
    (pruned,), _dropped = drop_repeated([text], keep=_own(brief, section.role if section else ""), seen=seen)
    return pruned


def prune_report(report, brief, keys: set[str]) -> list[str]:
    """Drop, from the sections in `keys`, generic sentences that repeat earlier text of the document
    (sections in document order; sections outside `keys` — locked or hand-edited — count as earlier
    text but are never changed). A sentence with a bullet's fact or most of its wording always stays.
    Returns the sentences dropped."""
    from .grounding import section_bullets, to_paragraphs

    own = _own_by_role(brief)
    seen: set[str] = set()
    dropped_all: list[str] = []
    for section in report.drafting_units():
        if section.key not in keys or not section.text:
            seen.update(windows(section.text))  # remembered, never changed
            continue
        (text,), dropped = drop_repeated([section.text], keep=own(section.role), seen=seen)
        dropped_all += dropped
        if text != section.text:  # a clause dropped changes the text too, without a sentence dropped
            section.paragraphs = to_paragraphs(text, section_bullets(brief, section))
    target = getattr(brief, "target_chars", None)
    if target:
        dropped_all += fit_length(report, brief, keys, target)
    return dropped_all


def han_length(report) -> int:
    """Characters of the report's prose as a reader counts them (Chinese characters only)."""
    return sum(len(han(s.text)) for s in report.all_sections())


def fit_length(report, brief, keys: set[str], target: int, slack: float = 0.1) -> list[str]:
    """Bring a draft longer than target × (1 + slack) down to it by dropping sentences that carry no
    bullet fact — the generic second sentences, closings and directions — from the longest sections
    first, last sentence first. Never drops a section's first sentence or a fact. Returns what it cut."""
    from .grounding import section_bullets, to_paragraphs

    limit = round(target * (1 + slack))
    cut: list[str] = []
    sections = [s for s in report.drafting_units() if s.key in keys and s.text]
    own = _own_by_role(brief)
    while han_length(report) > limit:
        best = None  # (length of its section, section, line index, sentence)
        for section in sections:
            lines = section.text.split("\n")
            first = _SENTENCE.findall(section.text)[0]  # once per section, not once per sentence
            candidates = [(i, s) for i, line in enumerate(lines) for s in _SENTENCE.findall(line)
                          if not own(section.role)(s) and s != first]
            if candidates:
                size = len(han(section.text))
                if best is None or size > best[0]:
                    best = (size, section, *candidates[-1])
        if best is None:
            break
        _size, section, index, sentence = best
        lines = section.text.split("\n")
        lines[index] = lines[index].replace(sentence, "", 1)
        section.paragraphs = to_paragraphs("\n".join(line for line in lines if line.strip()),
                                           section_bullets(brief, section))
        cut.append(sentence)
    return cut


# Han characters a clause shares in one run with a bullet that make it a restatement of that bullet.
RESTATE_RUN = 6
# A clause that only sets a frame (在……下 / 在……中 / 随着……): it cannot end a sentence.
FRAME_ONLY = re.compile(r"^[^，。；]*?(?:在[^，。；]*[下中]|随着[^，。；]*)[，,。；]?$")


def restates(clause: str, bullets: list[str], run: int = RESTATE_RUN) -> bool:
    h = han(clause)
    sources = [han(b) for b in bullets]
    return any(h[i:i + run] in s for i in range(len(h) - run + 1) for s in sources)


def drop_restatements(text: str, bullets: list[str], connector: str, keep_first: bool = False,
                      carries: Callable[[str], bool] = lambda _c: False, run: int = RESTATE_RUN) -> str:
    """Clauses that say a bullet's wording again, out of the sentences that are meant to add to it: a
    closing 成效 that opens "通过联合镇妇联、派出所开展“护苗”网络安全进校园活动，提高……" after the item
    already said so, or an item's second sentence doing the same (issue 14: closings restated items).
    A restating 通过…… opening becomes `connector` (通过上述工作，); any other restating clause goes, and a
    sentence left with no content of its own goes with it. `keep_first`: the first sentence (the item
    itself, which is meant to carry the bullet) stays as it is; `carries`: a clause with a fact nowhere
    else in the text stays too."""
    out: list[str] = []
    for n, sentence in enumerate(_SENTENCE.findall(text)):
        if keep_first and n == 0:
            out.append(sentence)
            continue
        clauses = CLAUSE_RE.findall(sentence)
        kept: list[str] = []
        for i, clause in enumerate(clauses):
            if not restates(clause, bullets, run) or carries(clause):
                kept.append(clause)
            elif i == 0 and clause.startswith("通过") and len(clauses) > 1:
                kept.append(connector)
        while len(kept) < len(clauses) and kept and FRAME_ONLY.match(kept[-1]):
            kept.pop()  # ……，全镇团支部在村级和非公企业的有效覆盖下。: the frame lost what it framed
        rest = "".join(kept)
        if rest.startswith("通过") and len(kept) == 1 and len(kept) < len(clauses):
            continue  # 通过…… left without what it achieved is a fragment
        if len(han(rest)) - (len(han(connector)) if rest.startswith(connector) else 0) < 6:
            continue
        if rest[-1:] in "，,、":
            rest = rest[:-1] + "。"
        out.append(rest)
    return "".join(out)
