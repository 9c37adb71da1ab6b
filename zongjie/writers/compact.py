"""The compact style, for the embedded 1.5B model: one short task per call behind one shared, cached
prefix of rules and worked examples; no exemplar in the prompt."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from .. import prompts
from ..cleanup import drop_unbacked, join_items, strip_headline, unnumber_items
from ..model import Bullet
from ..text import sentences
from ..vocab import ROLE_OPENING, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS
from . import SectionJob

log = logging.getLogger(__name__)

# The unit named in prompts/compact_examples.txt (a test keeps the two in step).
EXAMPLE_UNIT = "共青团某某委员会"
# 存在的问题 when the user listed none: a general shortcoming, stating no fact, which the page asks the
# user to replace (brief_warnings).
NO_PROBLEMS_TEXT = "理论学习的深度和广度还需进一步拓展，工作方式方法创新不够，服务青年的精准度和实效性有待提升。"
# Per-call output budget (characters): about twice what each task asks for (see FULL_SECTION_CHARS).
COMPACT_CALL_CHARS = 420


def compact_prefix() -> list[BaseMessage]:
    """The opening turns of every compact call: identical bytes each time, so llama.cpp reuses their
    KV cache. The worked examples sit here, not in the per-call turn, so they cost no prefill."""
    messages: list[BaseMessage] = [SystemMessage(content=prompts.load("compact_system"))]
    for user, reply in prompts.turns("compact_examples"):
        messages += [HumanMessage(content=user), AIMessage(content=reply)]
    return messages


@lru_cache(maxsize=1)
def example_sentences() -> tuple[str, ...]:
    """The worked examples' answers, sentence by sentence (not the opening, whose formula is meant to be
    followed): a sentence close to one of these was lifted from the examples."""
    turns = prompts.turns("compact_examples")[1:]
    return tuple(s for _, reply in turns for s in sentences(reply) if len(s) >= 12)


def warm_up(chat: BaseChatModel) -> None:
    """Prefill the compact prefix (system prompt and worked examples, about 700 tokens) into the
    embedded server's KV cache, decoding one token, so the first call of the first draft pays only
    for its own lines. Meant to run right after the server starts (8–12 s on 2 cores); best effort:
    a cold cache costs the first call that time, nothing more."""
    try:
        chat.invoke([*compact_prefix(), HumanMessage(content="【开头】")], extra_body={"max_tokens": 1})
    except Exception as exc:  # noqa: BLE001 - any failure here resurfaces, with its message, on the first real call
        log.warning("prefix warm-up failed: %s", exc)


@dataclass(frozen=True)
class CompactWriter:
    """One short call per bullet (results, problems, plans), joined as 一是……二是……, plus one call each
    for the opening and the measures answering the problems.

    Every call starts with the same prefix, a system prompt holding the rules of all tasks and one
    worked example per task (compact_prefix), and ends with a user turn that is just a task tag and its
    data. llama.cpp reuses the cached prefix across calls and task switches, so each call prefills only
    its own few dozen tokens (see warm_up); the examples are what make the small model write
    four-sentence paragraphs instead of one clipped line."""

    uses_exemplars = False

    def write(self, job: SectionJob) -> str:
        role = job.section.role
        if role == ROLE_OPENING:
            return self._ask(job, prompts.render("compact_opening", period=job.report.period, unit=job.report.unit), [])
        if role == ROLE_PROBLEMS:
            return self._problems(job)
        if role == ROLE_PLANS:
            return self._plans(job)
        return self._results(job)

    def _ask(self, job: SectionJob, user: str, facts_of: list[Bullet]) -> str:
        def scrub(text: str) -> str:
            # The model sometimes names the unit of the worked examples as the doer; it means this unit.
            text = text.replace(EXAMPLE_UNIT, job.report.unit) if job.report.unit else text
            if job.section.role == ROLE_OPENING:
                return text
            # Plans may propose new kinds of work; results and problems may only report them. Past the
            # four sentences a results paragraph is asked for, a small model adds work nobody reported.
            return drop_unbacked(text, [b.text for b in facts_of], examples=example_sentences(),
                                 work=job.section.role != ROLE_PLANS,
                                 limit=4 if job.section.role == ROLE_RESULTS else None)

        return job.complete([*compact_prefix(), HumanMessage(content=user)], facts_of,
                            max_chars=COMPACT_CALL_CHARS, rewrite=scrub)

    def _problems(self, job: SectionJob) -> str:
        # One call per problem, like results bullets: a 1.5B model asked for several at once wrote
        # remedies instead of problems.
        if not job.bullets:  # asked to invent one, it copied the worked example's problem as this unit's
            return NO_PROBLEMS_TEXT
        answers = [self._ask(job, prompts.render("compact_problem", bullet=b.text), [b]) for b in job.bullets]
        return join_items(unnumber_items(" ".join(answers)))  # a bullet may hold its own 一是……二是……

    def _plans(self, job: SectionJob) -> str:
        # Each plan bullet on its own (its numbers survive), then measures answering the problems.
        answers = [self._ask(job, prompts.render("compact_plan_bullet", bullet=b.text), [b]) for b in job.bullets]
        problems = [b.text for b in job.brief.bullets if b.role == ROLE_PROBLEMS]
        if problems or not answers:
            listed = "；".join(problems) or NO_PROBLEMS_TEXT.rstrip("。")
            answers.append(self._ask(job, prompts.render("compact_plans", problems=listed), []))
        return join_items(unnumber_items(" ".join(answers)))

    def _results(self, job: SectionJob) -> str:
        paragraphs = []
        for bullet in job.bullets or [None]:
            if job.should_stop():
                break
            user = prompts.render("compact_bullet", heading=job.section.heading,
                                  bullet=bullet.text if bullet else "（无具体要点：概括本节工作思路，不写数字）")
            paragraphs.append(strip_headline(self._ask(job, user, [bullet] if bullet else []), job.section.heading))
            job.listener.token(job.section.key, "\n")
        return join_items(paragraphs)

    def revise_messages(self, user: str) -> list[BaseMessage]:
        # The drafting prefix, so a revision does not evict it from the server's cache.
        return [*compact_prefix(), HumanMessage(content="【修改】" + user)]

    def warm_up(self, chat: BaseChatModel) -> None:
        warm_up(chat)
