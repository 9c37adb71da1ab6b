"""Section revisions that do what their name says, on any model (issue 15): 精简 and 突出数据 are done
in code (a 1.5B model echoed the text it was asked to shorten), 扩写 reuses the compact per-bullet
expansion, 润色 and 重写 ask the model and notice an echoed answer. Every revision keeps the section's
facts (checked with zongjie.facts); one that changes nothing says so instead of storing a copy."""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from .facts import check_facts, extract_facts, supports, wording_overlap
from .model import MAX_SECTION_CHARS, Brief, Bullet, FactIssue, IssueKind, Report, Section
from .text import ORDINALS, cn_index, shingles
from .vocab import ROLE_PLANS, ROLE_PROBLEMS, Kind

NO_CHANGE = "模型未做修改，可换个要求或手动修改"
# Similarity (difflib ratio) above which a model's answer is its input handed back, give or take a word.
ECHO_SIMILARITY = 0.97
# A sentence sharing this much of a bullet's wording carries that bullet (a bullet without figures).
CARRIES_WORDING = 0.3
# Sentences 扩写 may add per bullet: the worked example writes two per bullet, one is already there.
ADDED_PER_BULLET = 2
_SENTENCE = re.compile(r"[^。！？；\n]*[。！？；]|[^。！？；\n]+$")
_CLAUSE = re.compile(r"[^，,。！？；\n]*[，,。！？；]|[^，,。！？；\n]+$")
_ORDINAL = re.compile(f"^([{ORDINALS}]+)是")


class Action(Kind):
    """What a revision request asks for, read from the button or the typed 重写要求."""

    EXPAND = "扩写"
    SHORTEN = "精简"
    DATA = "突出数据"
    POLISH = "润色"
    REWRITE = "重写"


_WORDS = ((Action.DATA, ("突出数据", "数据", "数字")), (Action.SHORTEN, ("精简", "精炼", "简短", "压缩", "删减")),
          (Action.EXPAND, ("扩写", "展开", "增加", "充实", "详细", "丰富")), (Action.POLISH, ("润色",)))


def action_for(instruction: str) -> Action:
    """The action a request names; anything else is a free 重写 with the request passed to the model."""
    for action, words in _WORDS:
        if any(w in instruction for w in words):
            return action
    return Action.REWRITE


@dataclass(frozen=True)
class Revision:
    """The revised text (the old one when nothing changed) and, when unchanged, what to tell the user."""

    text: str
    changed: bool
    message: str = ""
    scaffolding: tuple[str, ...] = ()


# ---- sentences and facts ------------------------------------------------------------------------
def split_sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE.findall(paragraph) if s.strip()]


def carrier(bullets: list[Bullet]) -> Callable[[str], bool]:
    """Whether a sentence states a bullet's fact: one of its figures, dates or names, or (for a bullet
    without any) a good share of its wording. Sentences without are the generic ones."""
    facts = [f for b in bullets for f in extract_facts(b.text)]
    bare = [b.text for b in bullets if not extract_facts(b.text)]

    def carries(sentence: str) -> bool:
        found = extract_facts(sentence)
        return (any(supports(f, c) for f in facts for c in found)
                or any(wording_overlap(b, sentence) >= CARRIES_WORDING for b in bare))
    return carries


def has_figure(sentence: str) -> bool:
    return any(f.kind == "number" for f in extract_facts(sentence))


def kept_facts(before: str, after: str, bullets: list[Bullet]) -> bool:
    """Every bullet the old text used is still used, and the new text backs no fact the old did not."""
    old, new = check_facts(before, bullets), check_facts(after, bullets)
    if set(old.used_bullets) - set(new.used_bullets):
        return False
    old_raw = {f.raw for f in old.facts}
    return all(f.raw in old_raw or any(supports(g, f) for g in old.facts) for f in new.unsupported)


def renumber(paragraphs: list[str]) -> list[str]:
    """一是……二是…… in order again after sentences moved or went."""
    count = 0

    def number(sentence: str) -> str:
        nonlocal count
        m = _ORDINAL.match(sentence)
        if not m:
            return sentence
        count += 1
        word = cn_index(count)
        return f"{word}是" + sentence[m.end():]
    return ["".join(number(s) for s in split_sentences(p)) for p in paragraphs]


def same_text(a: str, b: str, *, echo: bool = True) -> bool:
    """Equal apart from whitespace, or (`echo`, for a model's answer) a near-verbatim copy. Code-side
    revisions compare exactly: moving sentences changes the order, not the characters."""
    a, b = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return a == b or (echo and difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= ECHO_SIMILARITY)


# ---- the code-side revisions ----------------------------------------------------------------------
def shorten(text: str, bullets: list[Bullet]) -> str:
    """Drop the sentences that state no bullet fact (a fact-free paragraph keeps its first sentence);
    when every sentence carries a fact, drop the generic middle clauses of the longest sentence."""
    carries = carrier(bullets)
    out: list[str] = []
    for paragraph in text.split("\n"):
        sentences = split_sentences(paragraph)
        kept: list[str] = []
        for sentence in sentences:
            # A closing that only names again what a kept sentence named (通过组建“青年突击队”，…) is generic.
            said = "".join(out + kept)
            if carries(sentence) and (any(f.raw not in said for f in extract_facts(sentence)) or
                                      not extract_facts(sentence)):
                kept.append(sentence)
        if not kept:
            kept = sentences[:1]
        elif _ORDINAL.match(sentences[0]) and not _ORDINAL.match(kept[0]):
            kept[0] = _ORDINAL.match(sentences[0]).group(0) + kept[0]  # the item keeps its 一是
        out.append("".join(kept))
    shorter = "\n".join(p for p in renumber(out) if p)
    if len(shorter) < len(text.strip()):
        return shorter
    return shorten_clauses(text, carries)


def shorten_clauses(text: str, carries: Callable[[str], bool]) -> str:
    """The longest sentence without its fact-free clauses between the first and the last."""
    paragraphs = [split_sentences(p) for p in text.split("\n")]
    flat = [(i, j, s) for i, p in enumerate(paragraphs) for j, s in enumerate(p)]
    for i, j, sentence in sorted(flat, key=lambda t: -len(t[2])):
        clauses = _CLAUSE.findall(sentence)
        if len(clauses) < 3:
            continue
        middle = [c for c in clauses[1:-1] if not carries(c) and not extract_facts(c)]
        if middle:
            paragraphs[i][j] = "".join(c for c in clauses if c not in middle[:max(1, len(middle) // 2 + 1)])
            return "\n".join("".join(p) for p in paragraphs)
    return text


def data_first(text: str) -> str:
    """Within each paragraph, the sentences with figures first (an item keeps its 一是 up front); then
    the items with the most figures first."""
    paragraphs = []
    for paragraph in text.split("\n"):
        sentences = split_sentences(paragraph)
        m = _ORDINAL.match(sentences[0]) if sentences else None
        if m:
            sentences[0] = sentences[0][m.end():]
        ordered = [s for s in sentences if has_figure(s)] + [s for s in sentences if not has_figure(s)]
        if m:
            ordered[0] = m.group(0) + ordered[0]
        paragraphs.append("".join(ordered))
    moved = renumber(paragraphs)
    if moved != renumber(text.split("\n")):
        return "\n".join(moved)
    figures = [sum(has_figure(s) for s in split_sentences(p)) for p in paragraphs]
    order = sorted(range(len(paragraphs)), key=lambda i: -figures[i])
    return "\n".join(renumber([paragraphs[i] for i in order]))


def said_before(sentence: str, others: list[str], share: float = 0.6) -> bool:
    """Whether most of `sentence` (its 3-grams) is already in one of `others`: a restatement, not news."""
    mine = shingles(re.sub(r"[\s，。；！？、]", "", sentence))
    return not mine or any(len(mine & shingles(re.sub(r"[\s，。；！？、]", "", o))) >= share * len(mine)
                           for o in others)


def add_sentences(text: str, bullets: list[Bullet], expansions: dict[str, str]) -> str:
    """扩写: after the sentence that states each bullet, the expansion's sentences the text does not
    already say and that do not restate the bullet (no new facts: the checked completion cut those)."""
    carries = {b.id: carrier([b]) for b in bullets}
    paragraphs = [split_sentences(p) for p in text.split("\n")]
    present = [s for p in paragraphs for s in p]
    for bullet in bullets:
        new = [s for s in split_sentences(expansions.get(bullet.id, ""))
               if not said_before(s, present + [bullet.text]) and not has_figure(s)]
        new = new[:ADDED_PER_BULLET]
        if not new:
            continue
        spot = next(((i, j) for i, p in enumerate(paragraphs) for j, s in enumerate(p) if carries[bullet.id](s)),
                    (len(paragraphs) - 1, len(paragraphs[-1]) - 1 if paragraphs[-1] else 0))
        i, j = spot
        paragraphs[i][j + 1:j + 1] = new
        present += new
    return "\n".join("".join(p) for p in paragraphs)


def reword(text: str, bullets: list[Bullet], expansions: dict[str, str]) -> str:
    """润色/重写 when the model echoed: the generic sentence after each bullet's sentence is replaced by
    the fresh expansion's (inserted when there is none); the sentences with the facts stay as written."""
    every = carrier(bullets)
    paragraphs = [split_sentences(p) for p in text.split("\n")]
    present = [s for p in paragraphs for s in p]
    for bullet in bullets:
        mine = carrier([bullet])
        fresh = [s for s in split_sentences(expansions.get(bullet.id, ""))
                 if not said_before(s, present + [bullet.text]) and not has_figure(s)][:1]
        spot = next(((i, j) for i, p in enumerate(paragraphs) for j, s in enumerate(p) if mine(s)), None)
        if not fresh or spot is None:
            continue
        i, j = spot
        follows = j + 1 < len(paragraphs[i]) and not every(paragraphs[i][j + 1])
        paragraphs[i][j + 1:j + 2 if follows else j + 1] = fresh
        present += fresh
    return "\n".join("".join(p) for p in paragraphs)


# ---- the entry point ----------------------------------------------------------------------------
def revise(section: Section, bullets: list[Bullet], instruction: str,
           ask: Callable[[str], str], expand: Callable[[Bullet], str]) -> Revision:
    """Revise `section` as `instruction` asks. `ask(instruction)` is the model's full revision (checked
    and cleaned by the drafter); `expand(bullet)` the compact 【扩写】 of one bullet. Nothing is stored."""
    before = section.text
    action = action_for(instruction)
    by_model = action in (Action.POLISH, Action.REWRITE)
    if action == Action.SHORTEN:
        candidate = shorten(before, bullets)
    elif action == Action.DATA:
        candidate = data_first(before)
    elif action == Action.EXPAND:
        candidate = add_sentences(before, bullets, {b.id: expand(b) for b in bullets}) if bullets else ""
        if len(candidate) <= len(before):
            candidate = ask(instruction)
            by_model = True
            if len(candidate) <= len(before):
                candidate = before
    else:
        candidate = ask(instruction)
        if (not candidate.strip() or same_text(candidate, before)) and bullets:
            # The small model handed the text back: say each item's follow-up sentence anew instead.
            candidate, by_model = reword(before, bullets, {b.id: expand(b) for b in bullets}), False
    candidate = candidate.strip()[:MAX_SECTION_CHARS]
    if not candidate or same_text(candidate, before, echo=by_model):
        return Revision(before, False, NO_CHANGE + _next_step(action, before))
    if not kept_facts(before, candidate, bullets):
        return Revision(before, False, "修改稿丢失或改动了要点中的数字和名称，未采用；" + NO_CHANGE)
    return Revision(candidate, True)


def _next_step(action: Action, text: str) -> str:
    """What the user can do instead, after a revision that changed nothing."""
    if action == Action.SHORTEN:
        return "。本节已没有可删的套话，可直接删改句子。"
    if action == Action.DATA:
        return "。数据已在各段开头。" if any(has_figure(s) for s in split_sentences(text)) else \
            "。本节没有数字可以突出，可在要点中补上数据后点“重新生成”。"
    if action == Action.EXPAND:
        return "。可补充要点中的具体做法或数字后再点“扩写”。"
    return "。可试“扩写”“精简”“突出数据”，或写明更具体的重写要求。"


def revise_section(drafter, report: Report, brief: Brief, key: str, instruction: str, listener=None) -> Revision:
    """The drafter's revision (Drafter.revise_section): the model is asked through the drafter's checked
    completion (fact check, one repair, an unbacked figure cut and flagged 已删去); a change is stored with
    its flags, no change leaves the section as it was."""
    from . import prompts
    from .draft import _begin
    from .facts import issues_for_section
    from .grounding import allowed_terms
    from .writers import FULL_SECTION_CHARS, SectionJob, format_facts
    from .writers.compact import CompactWriter, gist
    from .writers.length import ITEM_SENTENCES

    section, listener, bullets = _begin(report, brief, key, listener)
    if section.locked:
        return Revision(section.text, False, "本节已锁定，解锁后才能修改。")
    removed: list[FactIssue] = []

    def complete(messages, facts, *, max_chars=FULL_SECTION_CHARS, rewrite=lambda t: t) -> str:
        return drafter._checked(messages, report, brief, section, facts, listener, lambda: False, max_chars,
                                rewrite, removed)

    def ask(wish: str) -> str:
        user = prompts.render("revise", instruction=wish, facts=format_facts(bullets), draft=section.text or "（空）")
        return complete(drafter.writer.revise_messages(user), bullets)

    job = SectionJob(report, brief, section, bullets, complete, [], listener)

    def expand(bullet: Bullet) -> str:
        # The compact 【扩写】 of one bullet (its second sentence is what a 1.5B model adds reliably, where
        # a whole-section 【修改】 came back verbatim), then a 【成效】 of that bullet alone: the draft asked
        # the very same 【扩写】, so on a cached, low-temperature model only the 【成效】 may be new.
        # A problem or a plan is expanded by its own task: a 成效 sentence has no place there.
        writer = CompactWriter()
        if section.role in (ROLE_PROBLEMS, ROLE_PLANS):
            task = "compact_problem" if section.role == ROLE_PROBLEMS else "compact_plan_bullet"
            return writer._ask(job, prompts.render(task, bullet=bullet.text), [bullet])
        said = writer._ask(job, prompts.render("compact_bullet", bullet=bullet.text), [bullet], limit=ITEM_SENTENCES)
        effect = writer._ask(job, prompts.render("compact_effect", heading=section.heading, work=gist(bullet.text)),
                             [], limit=1)
        return said + effect

    result = revise(section, bullets, instruction, ask, expand)
    echoed = drafter.take_scaffolding(key)  # 提示词残留 of this revision's calls (a kept text keeps its flags)
    if result.changed:
        issues = issues_for_section(key, result.text, bullets, brief.bullets, allowed_terms(report, section))
        drafter._store(section, result.text, bullets, issues + removed + echoed, section.exemplar_ids)
    listener.section_done(key, section.text)
    return result


def scaffold_issues(key: str, dropped: tuple[str, ...] | list[str]) -> list[FactIssue]:
    """The 提示词残留 flags for what cleanup dropped from a section's model text."""
    return [FactIssue(IssueKind.SCAFFOLD, d[:40], key) for d in dict.fromkeys(dropped) if d.strip()]
