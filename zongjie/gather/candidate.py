"""One proposed bullet: its text, where it was found, and the guesses the cadre confirms."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..provenance import Place, source_text, with_marker
from ..vocab import ROLE_PLANS, ROLE_PROBLEMS

# The labels parse_bullets reads as a line's role (brief._PREFIX_ROLES); 成效 needs none.
ROLE_PREFIX = {ROLE_PROBLEMS: "问题：", ROLE_PLANS: "计划："}


@dataclass
class Candidate:
    text: str
    places: list[Place] = field(default_factory=list)
    role: str = ""
    theme: str = ""  # the 主要做法和成效 subsection it would go to (outline themes), "" for 问题/计划

    @property
    def places_key(self) -> list[tuple[str, int]]:
        return [(p.file, p.paragraph) for p in self.places]

    @property
    def source(self) -> str:
        return source_text(self.places)

    def line(self, *, marker: bool = True) -> str:
        """The bullets-box line: role label, text and (by default) its provenance marker."""
        text = ROLE_PREFIX.get(self.role, "") + self.text
        return with_marker(text, self.places) if marker else text
