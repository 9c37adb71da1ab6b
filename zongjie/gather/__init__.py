"""素材 → bullets: read a cadre's scattered material (工作信息, 简报, news items, notices), keep the
fact-bearing statements, condense them by rules (no model call) to terse bullets that each name the file
and paragraph they came from, guess role and theme, and merge the same activity reported twice.

Interface: `gather_files` (uploads or paths as name/bytes pairs, plus pasted text) and `gather` (texts
already read); both return a GatherResult. The modules hold the rules: sources (reading), split
(paragraphs, furniture), condense (statements), dedup (near-duplicates)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..brief import guess_role
from ..model import Bullet
from ..outline import load_themes, theme_of
from ..provenance import Place
from ..vocab import ROLE_RESULTS
from .candidate import ROLE_PREFIX, Candidate
from .condense import statements, traceable
from .dedup import merge_duplicates
from .sources import MAX_FILES, FileProblem, Source, read_sources
from .split import is_boilerplate, paragraphs

__all__ = ["MAX_FILES", "ROLE_PREFIX", "Candidate", "FileProblem", "GatherResult", "Source", "gather",
           "gather_files", "read_sources", "traceable"]


@dataclass
class GatherResult:
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    sources: int = 0  # files (and the paste) read
    found: int = 0  # statements found before duplicates were merged
    merged: int = 0  # statements folded into a duplicate

    @property
    def dedup_rate(self) -> float:
        return self.merged / self.found if self.found else 0.0


def gather(sources: list[Source]) -> GatherResult:
    themes, fallback = load_themes()
    found: list[Candidate] = []
    for source in sources:
        for number, paragraph in paragraphs(source.text):
            if is_boilerplate(paragraph):
                continue
            for text in statements(paragraph):
                role = guess_role(text)
                theme = theme_of(Bullet("", text), themes, fallback).first if role == ROLE_RESULTS else ""
                found.append(Candidate(text, [Place(source.label, number)], role, theme))
    kept, merged = merge_duplicates(found)
    return GatherResult(kept, [], len(sources), len(found), merged)


def gather_files(files: Iterable[tuple[str, bytes]], pasted: str = "") -> GatherResult:
    """Read every file (a bad one gets its problem, the rest go on) and the paste, then gather."""
    sources, problems = read_sources(files, pasted)
    result = gather(sources)
    result.problems = problems
    return result
