"""The drafting pipeline: per section, retrieve style exemplars, prompt, stream, fact-check, repair once."""
from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from . import facts, prompts
from .export_md import clean_text
from .llm import stream_text
from .grounding import allowed_terms, section_bullets, to_paragraphs  # noqa: F401 (re-exported)
from .model import Brief, Bullet, FactIssue, Report, Section
from .vocab import ROLE_OPENING, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS
from .outline import build_outline
from .text import jaccard

log = logging.getLogger(__name__)

TASK_BY_ROLE = {
    ROLE_OPENING: "task_opening",
    ROLE_RESULTS: "task_results",
    ROLE_PROBLEMS: "task_problems",
    ROLE_PLANS: "task_plans",
}
LENGTH_BY_ROLE = {
    ROLE_OPENING: "100字左右",
    ROLE_RESULTS: "200到350字",
    ROLE_PROBLEMS: "150字左右",
    ROLE_PLANS: "200字左右",
}
# Exemplars are style only; short ones keep prefill cheap on the local model (~55 tokens/s).
EXEMPLAR_CHARS = 220
# The unit named in prompts/compact_examples.txt (a test keeps the two in step).
EXAMPLE_UNIT = "共青团某某委员会"
# 存在的问题 in compact mode when the user listed none: a general shortcoming, stating no fact, which
# the page asks the user to replace (brief_warnings).
NO_PROBLEMS_TEXT = "理论学习的深度和广度还需进一步拓展，工作方式方法创新不够，服务青年的精准度和实效性有待提升。"

# Per-call output budgets (characters): about twice what each prompt asks for, so a normal answer
# is never cut, while a loop stops early; clean_output then drops the unfinished last sentence.
COMPACT_CALL_CHARS = 420
FULL_SECTION_CHARS = 900

Event = Callable[[str, str, str], None]  # (section key, kind, payload) kind: start|token|done|error


@dataclass
class Drafter:
    """Holds what every section call needs; stateless between calls apart from the model client."""

    chat: BaseChatModel
    index: object | None = None  # retrieval.index.SectionIndex; None drafts without exemplars
    repair: bool = True
    exemplar_chars: int = EXEMPLAR_CHARS
    pinned_report: str | None = None
    exclude_report: str | None = None
    compact: bool = False  # one short task per call; see Settings.compact
    stats: dict = field(default_factory=lambda: {"calls": 0, "repairs": 0})
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def _count(self, name: str) -> None:
        with self._lock:  # sections may be drafted on worker threads
            self.stats[name] += 1

    # ---- whole report -------------------------------------------------------------------
    def draft_report(self, brief: Brief, report: Report | None = None, on_event: Event | None = None,
                     should_stop: Callable[[], bool] | None = None, concurrency: int = 1) -> Report:
        """Fill every unlocked leaf section. Sequentially, a failure stops there, keeping what is
        written; concurrently (for remote endpoints that serve requests in parallel), every section
        is attempted and the first failure is raised at the end. Events always reach `on_event` on
        the calling thread, so a UI can update from it."""
        report = report or build_outline(brief)
        units = [s for s in report.drafting_units() if not s.locked]
        if concurrency <= 1:
            for section in units:
                if should_stop and should_stop():
                    break
                self.draft_section(report, brief, section.key, on_event=on_event, should_stop=should_stop)
            return report
        events: queue.Queue = queue.Queue()
        emit = on_event or (lambda *_: None)
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="draft") as pool:
            futures = [pool.submit(self.draft_section, report, brief, s.key, lambda *e: events.put(e), should_stop)
                       for s in units]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=0.05)
                _drain(events, emit)
        _drain(events, emit)
        for future in futures:
            future.result()  # re-raise the first failure; the other sections are already written
        return report

    # ---- one section --------------------------------------------------------------------
    def draft_section(self, report: Report, brief: Brief, key: str, on_event: Event | None = None,
                      should_stop: Callable[[], bool] | None = None) -> Section:
        section, emit, bullets = _begin(report, brief, key, on_event)
        if section.locked:
            return section
        exemplars = self.exemplars_for(section, report, bullets)
        if self.compact:
            text = self._compact_text(report, brief, section, bullets, emit, should_stop)
        else:
            messages = self.section_messages(report, section, bullets, exemplars)
            text = self._checked(messages, report, brief, section, bullets, emit, should_stop)
        if section.role == ROLE_OPENING and text:
            text = with_lead_out(text, _verb(report))
        self._store(section, text, bullets, self._issues(report, brief, section, bullets, text), exemplars)
        emit(key, "done", section.text)
        return section

    def _checked(self, messages: list[BaseMessage], report: Report, brief: Brief, section: Section,
                 bullets: list[Bullet], emit: Event, should_stop: Callable[[], bool] | None,
                 max_chars: int = FULL_SECTION_CHARS, rewrite: Callable[[str], str] = lambda t: t) -> str:
        """One completion, fact-checked against `bullets`; with problems, one repair turn that
        continues the same conversation (so llama.cpp reuses the cached prefix). `rewrite` is
        applied to every answer before it is checked."""
        text = rewrite(self._complete(messages, section.key, emit, should_stop, max_chars))
        issues = self._issues(report, brief, section, bullets, text)
        if not issues or not self.repair or (should_stop and should_stop()):
            return text
        self._count("repairs")
        emit(section.key, "repair", "")
        messages = messages + [AIMessage(content=text),
                               HumanMessage(content=prompts.render("repair", problems=describe(issues, brief)))]
        repaired = rewrite(self._complete(messages, section.key, emit, should_stop, max_chars))
        # Keep whichever draft is more faithful; the flags of the kept one stay visible either way.
        if repaired.strip() and _badness(self._issues(report, brief, section, bullets, repaired)) <= _badness(issues):
            return repaired
        return text

    def _compact_text(self, report: Report, brief: Brief, section: Section, bullets: list[Bullet],
                      emit: Event, should_stop: Callable[[], bool] | None) -> str:
        """Small-model strategy: one short call per bullet (results, problems, plans), joined as
        一是……二是……, plus one call each for the opening and the measures answering the problems.

        Every call starts with the same prefix, a system prompt holding the rules of all tasks and
        one worked example per task (compact_prefix), and ends with a user turn that is just a task
        tag and its data. llama.cpp reuses the cached prefix across calls and task switches, so each
        call prefills only its own few dozen tokens (see warm_up); the examples are what make the
        small model write four-sentence paragraphs instead of one clipped line."""
        prefix = compact_prefix()

        def ask(user: str, facts_of: list[Bullet]) -> str:
            def scrub(text: str) -> str:
                # The model sometimes names the unit of the worked examples as the doer; it means this unit.
                text = text.replace(EXAMPLE_UNIT, report.unit) if report.unit else text
                if section.role == ROLE_OPENING:
                    return text
                # Plans may propose new kinds of work; results and problems may only report them. Past
                # the four sentences a results paragraph is asked for, a small model adds work nobody reported.
                return drop_unbacked(text, [b.text for b in facts_of], work=section.role != ROLE_PLANS,
                                     limit=4 if section.role == ROLE_RESULTS else None)

            return self._checked([*prefix, HumanMessage(content=user)], report, brief, section, facts_of,
                                 emit, should_stop, COMPACT_CALL_CHARS, scrub)

        if section.role == ROLE_OPENING:
            return ask(prompts.render("compact_opening", period=report.period, unit=report.unit), [])
        if section.role == ROLE_PROBLEMS:
            # One call per problem, like results bullets: a 1.5B model asked for several at once
            # wrote remedies instead of problems.
            if not bullets:  # asked to invent one, it copied the worked example's problem as this unit's
                return NO_PROBLEMS_TEXT
            answers = [ask(prompts.render("compact_problem", bullet=b.text), [b]) for b in bullets]
            return join_items(split_items(" ".join(answers)))  # a bullet may hold its own 一是……二是……
        if section.role == ROLE_PLANS:
            # Each plan bullet on its own (its numbers survive), then measures answering the problems.
            sentences = [ask(prompts.render("compact_plan_bullet", bullet=b.text), [b]) for b in bullets]
            problems = [b.text for b in brief.bullets if b.role == ROLE_PROBLEMS]
            if problems or not sentences:
                listed = "；".join(problems) or NO_PROBLEMS_TEXT.rstrip("。")
                sentences.append(ask(prompts.render("compact_plans", problems=listed), []))
            return join_items(split_items(" ".join(sentences)))
        sentences = []
        for bullet in bullets or [None]:
            if should_stop and should_stop():
                break
            user = prompts.render("compact_bullet", heading=section.heading,
                                  bullet=bullet.text if bullet else "（无具体要点：概括本节工作思路，不写数字）")
            sentence = strip_headline(ask(user, [bullet] if bullet else []), section.heading)
            sentences.append(sentence)
            emit(section.key, "token", "\n")
        return join_items(sentences)

    def revise_section(self, report: Report, brief: Brief, key: str, instruction: str,
                       on_event: Event | None = None) -> Section:
        """重写/扩写/精简/润色: the current text plus an instruction; fact-checked like a fresh draft."""
        section, emit, bullets = _begin(report, brief, key, on_event)
        if section.locked:
            return section
        user = prompts.render("revise", instruction=instruction, facts=format_facts(bullets),
                              draft=section.text or "（空）")
        if self.compact:  # same cached prefix as drafting, so a revision does not evict it
            messages = [*compact_prefix(), HumanMessage(content="【修改】" + user)]
        else:
            messages = [SystemMessage(content=prompts.load("system")), HumanMessage(content=user)]
        text = self._complete(messages, key, emit, None)
        issues = self._issues(report, brief, section, bullets, text)
        self._store(section, text, bullets, issues, section.exemplar_ids)
        emit(key, "done", section.text)
        return section

    # ---- pieces ---------------------------------------------------------------------------
    def exemplars_for(self, section: Section, report: Report, bullets: list[Bullet]) -> list:
        """One short exemplar of the same role; a pinned report, when it has such a passage, wins."""
        if self.index is None:
            return []
        query = section.heading + " " + " ".join(b.text for b in bullets)
        hits = []
        if self.pinned_report:
            hits = self.index.search(query, k=1, role=section.role, report_id=self.pinned_report)
        if not hits:
            hits = self.index.search(query, k=1, role=section.role, exclude_report=self.exclude_report)
        return [p for p, _ in hits[:1]]

    def section_messages(self, report: Report, section: Section, bullets: list[Bullet],
                         exemplars: list) -> list[BaseMessage]:
        task = prompts.render(TASK_BY_ROLE.get(section.role, "task_results"),
                              period=report.period, unit=report.unit, verb=_verb(report))
        exemplar = "\n".join(facts.mask_exemplar(p.text)[: self.exemplar_chars] for p in exemplars) or "（无）"
        user = prompts.render(
            "section", genre=report.genre, unit=report.unit, period=report.period,
            heading=section.heading if section.role != ROLE_OPENING else "开头（不写标题）",
            task=task, facts=format_facts(bullets), exemplar=exemplar,
            length=LENGTH_BY_ROLE.get(section.role, "200字左右"),
        )
        return [SystemMessage(content=prompts.load("system")), HumanMessage(content=user)]

    def _complete(self, messages: list[BaseMessage], key: str, emit: Event,
                  should_stop: Callable[[], bool] | None, max_chars: int = FULL_SECTION_CHARS) -> str:
        """Stream one answer; past `max_chars` the stream is closed (llama.cpp then stops decoding), so
        a looping small model costs a bounded amount of time whatever the server's token limit."""
        self._count("calls")
        received = 0

        def on_token(piece: str) -> None:
            nonlocal received
            received += len(piece)
            emit(key, "token", piece)

        def stop() -> bool:
            return received >= max_chars or bool(should_stop and should_stop())

        def on_retry(_n: int, _delay: float, reason: str) -> None:
            # A retried attempt starts from scratch: its budget too, and the UI drops the cut text.
            nonlocal received
            received = 0
            emit(key, "retry", reason)

        raw = stream_text(self.chat, messages, on_token=on_token, should_stop=stop, on_retry=on_retry)
        return clean_output(raw)

    def _issues(self, report: Report, brief: Brief, section: Section, bullets: list[Bullet],
                text: str) -> list[FactIssue]:
        return facts.issues_for_section(section.key, text, bullets, brief.bullets, allowed_terms(report, section))

    @staticmethod
    def _store(section: Section, text: str, bullets: list[Bullet], issues: list[FactIssue],
               exemplars: list) -> None:
        section.paragraphs = to_paragraphs(text, bullets)
        section.issues = issues
        section.exemplar_ids = [getattr(p, "id", str(p)) for p in exemplars]


def compact_prefix() -> list[BaseMessage]:
    """The opening turns of every compact call: identical bytes each time, so llama.cpp reuses their
    KV cache. The worked examples sit here, not in the per-call turn, so they cost no prefill."""
    messages: list[BaseMessage] = [SystemMessage(content=prompts.load("compact_system"))]
    for user, reply in prompts.turns("compact_examples"):
        messages += [HumanMessage(content=user), AIMessage(content=reply)]
    return messages


def warm_up(chat: BaseChatModel) -> None:
    """Prefill the compact prefix (system prompt and worked examples, about 700 tokens) into the
    embedded server's KV cache, decoding one token, so the first call of the first draft pays only
    for its own lines. Meant to run right after the server starts (8–12 s on 2 cores); best effort:
    a cold cache costs the first call that time, nothing more."""
    try:
        chat.invoke([*compact_prefix(), HumanMessage(content="【开头】")], extra_body={"max_tokens": 1})
    except Exception as exc:  # noqa: BLE001 - any failure here resurfaces, with its message, on the first real call
        log.warning("prefix warm-up failed: %s", exc)


# A sentence this close (3-gram Jaccard) to one of the worked examples' answers was lifted from it.
EXAMPLE_COPY = 0.6
OWN_WORDING = 0.6  # share of a bullet's wording that makes a sentence the user's own


def _sentences(text: str) -> list[str]:
    """Sentences as clean_output splits them (_SENTENCE: a clause ending in ；counts as one)."""
    return [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0).strip()]


@lru_cache(maxsize=1)
def _example_sentences() -> tuple[str, ...]:
    turns = prompts.turns("compact_examples")[1:]  # not the opening, whose formula is meant to be followed
    return tuple(s for _, reply in turns for s in _sentences(reply) if len(s) >= 12)


def drop_unbacked(text: str, sources: list[str], work: bool = True, limit: int | None = None) -> str:
    """Drop the sentences a small model adds that no bullet backs: ones lifted from the worked
    examples' answers (就业渠道 in a paragraph about children, 部门协同 nobody reported); with
    `work`, ones naming a kind of work or partner no source mentions (讲座, 与社区合作; see
    facts.unreported_work); with `limit`, every sentence past that many. A sentence carrying a
    number or name of `sources` (the bullets being written up) or most of one's wording is the
    user's and always stays; its facts are checked as usual."""
    examples = _example_sentences()
    own_facts = [f.raw for b in sources for f in facts.extract_facts(b)]

    def own(sentence: str) -> bool:
        return any(f in sentence for f in own_facts) or any(facts.wording_overlap(b, sentence) >= OWN_WORDING
                                                            for b in sources)

    def unbacked(sentence: str) -> bool:
        if work and facts.unreported_work(sentence, sources):
            return True
        return len(sentence) >= 12 and max(jaccard(sentence, e) for e in examples) >= EXAMPLE_COPY

    kept: list[str] = []
    for sentence in _sentences(text):
        if own(sentence) or not (unbacked(sentence) or (limit is not None and len(kept) >= limit)):
            kept.append(sentence)
    return "".join(kept).strip()


def _drain(events: queue.Queue, emit: Event) -> None:
    while True:
        try:
            emit(*events.get_nowait())
        except queue.Empty:
            return


def with_lead_out(opening: str, verb: str) -> str:
    """An opening ends with the fixed formula that leads into section 一; small models forget it.
    It states no fact, so adding it is formatting, not invention."""
    text = re.sub(r"(现将[^。：:]{0,12}?)(?:总结|汇报|报告)(如下[：:。.]?)$", rf"\g<1>{verb}\g<2>", opening.rstrip())
    if re.search(r"如下[：:]$", text):
        return text
    if re.search(r"如下[。.]$", text):
        return text[:-1] + "："
    return text + f"现将有关情况{verb}如下："


def _verb(report: Report) -> str:
    return "汇报" if "汇报" in report.genre else "总结"


_ORDINALS = "一二三四五六七八九十"
_ITEM_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十]是|\d+[.、．]|[（(][一二三四五六七八九十\d]+[)）])\s*")


def strip_headline(sentence: str, heading: str) -> str:
    """Small models often restate the section headline before the sentence; the heading is
    already printed above, so drop that echo."""
    for candidate in (heading, heading.split("，")[0]):
        if candidate and sentence.startswith(candidate):
            rest = sentence[len(candidate):].lstrip("。，：:；; ")
            if len(rest) >= 10:
                return rest
    return sentence


def split_items(text: str) -> list[str]:
    """Undo a model's own 一是……；二是…… so items from several calls can be numbered once."""
    parts = re.split(r"[；;。]?\s*(?=[一二三四五六七八九十]是)", text.strip())
    return [_ITEM_PREFIX.sub("", p).strip() for p in parts if p.strip()]


def join_items(sentences: list[str]) -> str:
    """One sentence stays as it is; several become 一是……。二是……。 as a 公文 paragraph does."""
    items = [_ITEM_PREFIX.sub("", s).strip() for s in sentences if s.strip()]
    items = [s if s[-1] in "。！？" else s.rstrip("；;，,") + "。" for s in items]
    if len(items) <= 1:
        return items[0] if items else ""
    return "".join(f"{_ORDINALS[i] if i < 10 else i + 1}是{s}" for i, s in enumerate(items))


def _begin(report: Report, brief: Brief, key: str, on_event: Event | None) -> tuple[Section, Event, list[Bullet]]:
    """Common start of every section call: the section, an event sink (announcing the start unless
    the section is locked, which no call may touch) and the section's bullets."""
    section = _require(report, key)
    emit = on_event or (lambda *_: None)
    if not section.locked:
        emit(key, "start", section.heading)
    return section, emit, section_bullets(brief, section)


def _require(report: Report, key: str) -> Section:
    section = report.find(key)
    if section is None:
        raise KeyError(key)
    return section


def _badness(issues: list[FactIssue]) -> tuple[int, int]:
    """Invented facts weigh more than unused bullets."""
    return (sum(i.kind == "来源不明" for i in issues), sum(i.kind == "未采用" for i in issues))


def format_facts(bullets: list[Bullet]) -> str:
    if not bullets:
        return "（本节无具体事实，不得出现任何数字和名称）"
    return "\n".join(f"- {b.text}" for b in bullets)


def describe(issues: list[FactIssue], brief: Brief) -> str:
    lines = []
    for issue in issues:
        if issue.kind == "来源不明":
            lines.append(f"- “{issue.text}”在事实中找不到来源，必须删去或改为事实中的原文。")
        elif issue.kind == "未采用":
            bullet = brief.bullet(issue.bullet_id)
            lines.append(f"- 漏写了这条事实，必须写入：{bullet.text if bullet else issue.text}")
    return "\n".join(lines)


_FENCE = re.compile(r"```[a-zA-Z]*")
_PREAMBLE = re.compile(r"^(好的|当然|以下是|下面是|根据您?的?要求)[^\n]{0,40}[:：。]\s*")
_HEADING_LINE = re.compile(r"^\s*(#+\s*|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]\s*\S{0,30}$|【[^】]*】)")
_MD = re.compile(r"\*\*|__|^\s*[-*>]\s+", re.M)
# Labels of our own prompts that a small model echoes back ("【本节事实】：", "工作要点：").
_LABEL = re.compile(r"【[^】\n]{1,12}】[:：]?|^(?:工作要点|计划要点|本节标题|改写|段落|打算|工作思路|具体做法|工作成效|成效|成效和意义|第[一二三]句)[:：]\s*", re.M)


def clean_output(raw: str) -> str:
    """Strip what small models wrap around the prose (fences, preambles, headings, Markdown), fold a
    numbered list into 一是……二是……, drop repeated sentences and an unfinished last sentence."""
    text = _FENCE.sub("", clean_text(raw))  # XML-invalid debris would break autosave and export
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


NEAR_COPY = 0.8
_NUMBERED = re.compile(r"^\d+\s*[.、．]\s*\S")
_SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")
_ENDINGS = "。！？：；”’）)…"


def _drop_repeats(lines: list[str]) -> list[str]:
    """A looping model repeats whole sentences, sometimes with a character changed at the start;
    keep each sentence (8+ characters) once, and drop one that is a near copy (3-gram Jaccard ≥
    NEAR_COPY) of a longer sentence already kept. A dropped near copy carrying a different number
    only loses that number, which the fact check then reports."""
    seen: list[str] = []
    out = []
    for line in lines:
        kept = []
        for sentence in _SENTENCE.findall(line):
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
        cut = max(last.rfind(ch) for ch in "。！？；")
        if cut >= 0:
            lines[-1] = last[: cut + 1]
        elif len(lines) > 1:
            lines.pop()
    return "\n".join(lines).strip()
