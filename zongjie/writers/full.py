"""The whole-section style, for capable remote models: one call per section, with the task of its role
and one masked exemplar of the same role as a style model."""
from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from .. import prompts
from ..cleanup import lead_out_verb
from ..facts import mask_exemplar
from ..vocab import ROLE_OPENING, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS
from . import SectionJob, format_facts

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


@dataclass(frozen=True)
class FullWriter:
    """One call per section: facts, task and a masked exemplar in one prompt (prompts/section.txt)."""

    exemplar_chars: int = EXEMPLAR_CHARS
    uses_exemplars = True

    def write(self, job: SectionJob) -> str:
        return job.complete(self.section_messages(job), job.bullets)

    def section_messages(self, job: SectionJob) -> list[BaseMessage]:
        report, section = job.report, job.section
        task = prompts.render(TASK_BY_ROLE.get(section.role, "task_results"),
                              period=report.period, unit=report.unit, verb=lead_out_verb(report.genre))
        exemplar = "\n".join(mask_exemplar(p.text)[: self.exemplar_chars] for p in job.exemplars) or "（无）"
        user = prompts.render(
            "section", genre=report.genre, unit=report.unit, period=report.period,
            heading=section.heading if section.role != ROLE_OPENING else "开头（不写标题）",
            task=task, facts=format_facts(job.bullets), exemplar=exemplar,
            length=LENGTH_BY_ROLE.get(section.role, "200字左右"),
        )
        return [SystemMessage(content=prompts.load("system")), HumanMessage(content=user)]

    def revise_messages(self, user: str) -> list[BaseMessage]:
        return [SystemMessage(content=prompts.load("system")), HumanMessage(content=user)]

    def warm_up(self, chat: BaseChatModel) -> None:
        """Nothing to prepare: each section's prompt is different anyway."""
