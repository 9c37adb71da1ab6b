"""The drafting orchestration: for each section, retrieve exemplars, hand the section to the writer of
the chosen style, and give the writer a checked completion: stream, clean, fact-check, repair once."""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import InitVar, dataclass, field

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from . import prompts
from .cleanup import clean_model_text, lead_out_verb, with_lead_out
from .events import DraftListener, QueuedListener
from .facts import issues_for_section
from .grounding import allowed_terms, section_bullets, to_paragraphs
from .llm import stream_text
from .model import MAX_SECTION_CHARS, Brief, Bullet, FactIssue, IssueKind, Report, Section
from .outline import build_outline
from .prune import drop_clauses_with, prune_report, prune_section
from .revise import Revision, revise_section, scaffold_issues
from .vocab import ROLE_OPENING
from .writers import FULL_SECTION_CHARS, SectionJob, Writer
from .writers.compact import COMPACT_CALL_CHARS, EXAMPLE_UNIT, CompactWriter, warm_up
from .writers.full import FullWriter
from .writers.patterns import section_phrases

# The writers' budgets, example unit and warm-up, named here for callers that know the drafter (benches).
__all__ = ["COMPACT_CALL_CHARS", "EXAMPLE_UNIT", "FULL_SECTION_CHARS", "Drafter", "describe", "warm_up"]


@dataclass
class Drafter:
    """Holds what every section call needs; stateless between calls apart from the model client.

    `writer` is the drafting style (writers.FullWriter by default); `compact=True` is shorthand for
    writer=CompactWriter()."""

    chat: BaseChatModel
    index: object | None = None  # retrieval.index.SectionIndex; None drafts without exemplars
    repair: bool = True
    pinned_report: str | None = None
    exclude_report: str | None = None
    writer: Writer = field(default_factory=FullWriter)
    compact: InitVar[bool] = False
    stats: dict = field(default_factory=lambda: {"calls": 0, "repairs": 0})
    scaffolding: dict[str, list[str]] = field(default_factory=dict)  # section key → echoed prompt wording dropped
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self, compact: bool) -> None:
        if compact:
            self.writer = CompactWriter()

    def _count(self, name: str) -> None:
        with self._lock:  # sections may be drafted on worker threads
            self.stats[name] += 1

    # ---- whole report -------------------------------------------------------------------
    def draft_report(self, brief: Brief, report: Report | None = None, listener: DraftListener | None = None,
                     should_stop: Callable[[], bool] | None = None, concurrency: int = 1) -> Report:
        """Fill every unlocked leaf section. Sequentially, a failure stops there, keeping what is written;
        concurrently (endpoints serving requests in parallel), every section is attempted and the first
        failure is raised at the end. Events reach `listener` on the calling thread, for a UI to update."""
        report = report or build_outline(brief)
        units = [s for s in report.drafting_units() if not s.locked]
        if concurrency <= 1:
            for section in units:
                if should_stop and should_stop():
                    break
                self.draft_section(report, brief, section.key, listener=listener, should_stop=should_stop, alone=False)
            prune_report(report, brief, {s.key for s in units})
            return report
        queued = QueuedListener(listener or DraftListener())
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="draft") as pool:
            futures = [pool.submit(self.draft_section, report, brief, s.key, queued, should_stop, False) for s in units]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=0.05)
                queued.drain()
                if should_stop and should_stop():
                    # 停止: unstarted sections are never sent (paid APIs bill each); running ones stop at next text.
                    for future in pending:
                        future.cancel()
        queued.drain()
        prune_report(report, brief, {s.key for s in units})
        for future in futures:
            if not future.cancelled():
                future.result()  # re-raise the first failure; the other sections are already written
        return report

    # ---- one section --------------------------------------------------------------------
    def draft_section(self, report: Report, brief: Brief, key: str, listener: DraftListener | None = None,
                      should_stop: Callable[[], bool] | None = None, alone: bool = True) -> Section:
        stop = should_stop or (lambda: False)
        if stop() and report.find(key) is not None:
            return report.find(key)  # stopped before it began: its text stays as it was
        section, listener, bullets = _begin(report, brief, key, listener)
        if section.locked:
            return section
        exemplars = self.exemplars_for(section, report, bullets)
        removed: list[FactIssue] = []

        def complete(messages: list[BaseMessage], facts: list[Bullet], *, max_chars: int = FULL_SECTION_CHARS,
                     rewrite: Callable[[str], str] = lambda t: t) -> str:
            return self._checked(messages, report, brief, section, facts, listener, stop, max_chars, rewrite,
                                 removed)

        phrases = section_phrases(self.index, report, section, bullets, self.exclude_report)  # a lead's wording
        text = self.writer.write(SectionJob(report, brief, section, bullets, complete, exemplars, listener, stop,
                                            phrases))
        if stop() and not text.strip():
            return section  # stopped before any text came: what the section held stays
        if section.role == ROLE_OPENING and text:
            text = with_lead_out(text, lead_out_verb(report.genre))
        # A section of many calls may outgrow what the store takes: cut before the fact check. Alone (a
        # redraft) it must not repeat the rest; in a whole draft prune_report does that in document order.
        text = prune_section(text[:MAX_SECTION_CHARS], report, brief, key) if alone else text[:MAX_SECTION_CHARS]
        self._store(section, text, bullets, self._issues(report, brief, section, bullets, text) + removed
                    + self.take_scaffolding(key), exemplars)
        listener.section_done(key, section.text)
        return section

    def revise_section(self, report: Report, brief: Brief, key: str, instruction: str,
                       listener: DraftListener | None = None) -> Revision:
        """重写/扩写/精简/润色/突出数据 (zongjie.revise): as asked with every fact kept, or unchanged and why."""
        return revise_section(self, report, brief, key, instruction, listener)

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

    def _checked(self, messages: list[BaseMessage], report: Report, brief: Brief, section: Section,
                 bullets: list[Bullet], listener: DraftListener, should_stop: Callable[[], bool],
                 max_chars: int, rewrite: Callable[[str], str], removed: list[FactIssue] | None = None) -> str:
        """One completion, fact-checked against `bullets`; with problems, one repair turn that
        continues the same conversation (so llama.cpp reuses the cached prefix). `rewrite` is
        applied to every answer before it is checked. A figure or name that still has no source after
        the repair is cut out with its clause (a guessed number must not stay in the prose) and
        reported in `removed` as 已删去, so the page tells the user what gap to fill."""
        text = rewrite(self._complete(messages, section.key, listener, should_stop, max_chars))
        issues = self._issues(report, brief, section, bullets, text)
        if not issues or not self.repair or should_stop():
            return self._cut_unsupported(text, issues, section, removed)
        self._count("repairs")
        listener.repairing(section.key)
        messages = messages + [AIMessage(content=text),
                               HumanMessage(content=prompts.render("repair", problems=describe(issues, brief)))]
        repaired = rewrite(self._complete(messages, section.key, listener, should_stop, max_chars))
        # Keep whichever draft is more faithful.
        repaired_issues = self._issues(report, brief, section, bullets, repaired)
        if repaired.strip() and _badness(repaired_issues) <= _badness(issues):
            text, issues = repaired, repaired_issues
        return self._cut_unsupported(text, issues, section, removed)

    @staticmethod
    def _cut_unsupported(text: str, issues: list[FactIssue], section: Section,
                         removed: list[FactIssue] | None) -> str:
        raws = [i.text for i in issues if i.kind == IssueKind.UNSUPPORTED]
        if not raws or removed is None:
            return text
        pruned, _clauses = drop_clauses_with(text, raws)
        removed += [FactIssue(IssueKind.REMOVED, raw, section.key) for raw in raws]
        return pruned

    def _complete(self, messages: list[BaseMessage], key: str, listener: DraftListener,
                  should_stop: Callable[[], bool], max_chars: int = FULL_SECTION_CHARS) -> str:
        """Stream one answer; past `max_chars` the stream is closed (llama.cpp then stops decoding), so
        a looping small model costs a bounded amount of time whatever the server's token limit. A
        single oversized delta is cut at the budget too (stream_text's max_chars). After 停止 no call
        is made at all: a section written in several calls (compact style) asks nothing more."""
        if should_stop():
            return ""
        self._count("calls")
        received = 0

        def on_token(piece: str) -> None:
            nonlocal received
            received += len(piece)
            listener.token(key, piece)

        def stop() -> bool:
            return received >= max_chars or should_stop()

        def on_retry(_n: int, _delay: float, reason: str) -> None:
            # A retried attempt starts from scratch: its budget too, and the UI drops the cut text.
            nonlocal received
            received = 0
            listener.retrying(key, reason)

        raw = stream_text(self.chat, messages, on_token=on_token, should_stop=stop, on_retry=on_retry,
                          max_chars=max_chars, on_queue=lambda ahead: listener.queued(key, ahead))
        cleaned = clean_model_text(raw)
        with self._lock:
            self.scaffolding.setdefault(key, []).extend(cleaned.scaffolding)
        return cleaned.text

    def take_scaffolding(self, key: str) -> list[FactIssue]:
        with self._lock:
            return scaffold_issues(key, self.scaffolding.pop(key, []))

    def _issues(self, report: Report, brief: Brief, section: Section, bullets: list[Bullet],
                text: str) -> list[FactIssue]:
        return issues_for_section(section.key, text, bullets, brief.bullets, allowed_terms(report, section))

    @staticmethod
    def _store(section: Section, text: str, bullets: list[Bullet], issues: list[FactIssue],
               exemplars: list) -> None:
        section.paragraphs = to_paragraphs(text, bullets)
        section.issues = issues
        section.exemplar_ids = [getattr(p, "id", str(p)) for p in exemplars]


def _begin(report: Report, brief: Brief, key: str,
           listener: DraftListener | None) -> tuple[Section, DraftListener, list[Bullet]]:
    """Common start of every section call: the section, a listener (told of the start unless the
    section is locked, which no call may touch) and the section's bullets."""
    section = report.find(key)
    if section is None:
        raise KeyError(key)
    listener = listener or DraftListener()
    if not section.locked:
        listener.section_started(key, section.heading)
    return section, listener, section_bullets(brief, section)


def _badness(issues: list[FactIssue]) -> tuple[int, int]:
    """Invented facts weigh more than unused bullets."""
    return (sum(i.kind == IssueKind.UNSUPPORTED for i in issues), sum(i.kind == IssueKind.UNUSED for i in issues))


def describe(issues: list[FactIssue], brief: Brief) -> str:
    """The repair turn's list of problems, one line each, telling the model what to change."""
    lines = []
    for issue in issues:
        if issue.kind == IssueKind.UNSUPPORTED:
            lines.append(f"- “{issue.text}”在事实中找不到来源，必须删去或改为事实中的原文。")
        elif issue.kind == IssueKind.UNUSED:
            bullet = brief.bullet(issue.bullet_id)
            lines.append(f"- 漏写了这条事实，必须写入：{bullet.text if bullet else issue.text}")
    return "\n".join(lines)
