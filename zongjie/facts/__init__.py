"""Fact fidelity: find the numbers, dates and quoted names in a text (extract), trace each one to a user
bullet (match, ledger), mask exemplars so their facts cannot leak into a draft (mask), and spot kinds of
work nobody reported (work). The names below are the package's interface; the modules hold the rules.
"""
from __future__ import annotations

from .extract import Fact, extract_facts, fixed_terms
from .ledger import GIVEN, CheckResult, Ledger, check_facts, issues_for_section, report_ledger
from .mask import mask_exemplar
from .match import supports, units_compatible, wording_overlap
from .work import unreported_work

__all__ = [
    "GIVEN", "CheckResult", "Fact", "Ledger", "check_facts", "extract_facts", "fixed_terms", "issues_for_section",
    "mask_exemplar", "report_ledger", "supports", "units_compatible", "unreported_work", "wording_overlap",
]
