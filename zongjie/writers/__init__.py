"""Drafting styles behind one small interface: a Writer turns one section's job into text.

FullWriter (full.py) writes a whole section in one call with a masked exemplar, for capable remote
models; CompactWriter (compact.py) writes one short task per call behind a cached prefix, for the
embedded 1.5B model. A writer gets everything from the orchestrator (zongjie.draft) through the
SectionJob: the checked completion call, the exemplars, the listener; it never imports draft.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..events import DraftListener
from ..model import Brief, Bullet, Report, Section

if TYPE_CHECKING:  # the interface is importable without LangChain (the page's first paint is not kept waiting)
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import BaseMessage

# Per-call output budget (characters) of a whole section, and of any revision: about twice what the
# prompt asks for, so a normal answer is never cut while a loop stops early (clean_output then drops
# the unfinished last sentence).
FULL_SECTION_CHARS = 900


class Complete(Protocol):
    """The orchestrator's checked completion: stream `messages`, fact-check the answer against `facts`
    (after `rewrite`), repair once if needed, and return the text."""

    def __call__(self, messages: list[BaseMessage], facts: list[Bullet], *, max_chars: int = FULL_SECTION_CHARS,
                 rewrite: Callable[[str], str] = ...) -> str: ...


@dataclass
class SectionJob:
    """What a writer may use to write one section."""

    report: Report
    brief: Brief
    section: Section
    bullets: list[Bullet]  # the section's own bullets
    complete: Complete
    exemplars: list = field(default_factory=list)  # retrieval Passages of the same role (style only)
    listener: DraftListener = field(default_factory=DraftListener)
    should_stop: Callable[[], bool] = lambda: False
    phrases: list[str] = field(default_factory=list)  # retrieved wording for a subsection's lead (patterns)


class Writer(Protocol):
    """A drafting style. Writers hold only settings, so one instance serves concurrent sections."""

    uses_exemplars: bool  # whether exemplars reach the model's prompt (the page says so)

    def write(self, job: SectionJob) -> str:
        """The section's text (the orchestrator stores it, with its fact flags)."""

    def revise_messages(self, user: str) -> list[BaseMessage]:
        """The messages for a revision whose user turn (current text, facts, instruction) is `user`."""

    def warm_up(self, chat: BaseChatModel) -> None:
        """Prepare a freshly started model server (best effort)."""


def format_facts(bullets: list[Bullet]) -> str:
    """The 【本节事实】 block of a prompt: one bullet a line, or a line forbidding any number or name."""
    if not bullets:
        return "（本节无具体事实，不得出现任何数字和名称）"
    return "\n".join(f"- {b.text}" for b in bullets)


def writer_for(compact: bool) -> Writer:
    """The writer for a style (Settings.compact)."""
    from .compact import CompactWriter
    from .full import FullWriter

    return CompactWriter() if compact else FullWriter()
