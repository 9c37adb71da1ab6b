"""The domain's words that every layer shares: section roles and report genres.

The bottom layer: it imports nothing from the project, so retrieval/ and the core can both depend on it
without depending on each other.
"""
from __future__ import annotations

from enum import Enum

# Section roles, shared by the outline, the drafting prompts and the corpus tagging in retrieval/.
ROLE_OPENING = "开头"
ROLE_RESULTS = "成效"
ROLE_PROBLEMS = "问题"
ROLE_PLANS = "计划"
ROLE_OTHER = "其他"
ROLES = (ROLE_OPENING, ROLE_RESULTS, ROLE_PROBLEMS, ROLE_PLANS, ROLE_OTHER)

GENRES = ("工作总结", "意识形态工作情况汇报", "上半年工作总结及下半年工作计划")


class Kind(str, Enum):
    """A fixed word of the domain (an issue kind, a proofreading check, a fault): it compares, hashes,
    prints and serialises as its value, so stored JSON and messages read the same as plain strings."""

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)
