"""The parsed example-report tree (CorpusReport / CorpusSection) and its JSON files in corpus/."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS_DIR = REPO_ROOT / "corpus"


@dataclass
class CorpusSection:
    """A heading with its own paragraphs; level 1 = 一、, 2 = （一）, 3 = 1．."""

    heading: str
    role: str
    level: int = 1
    paragraphs: list[str] = field(default_factory=list)
    subsections: list[CorpusSection] = field(default_factory=list)

    def walk(self):
        yield self
        for sub in self.subsections:
            yield from sub.walk()


@dataclass
class CorpusReport:
    id: str
    title: str
    genre: str
    source: str = ""
    opening: list[str] = field(default_factory=list)
    sections: list[CorpusSection] = field(default_factory=list)
    # Summing-up paragraphs (总之…/总体来看…) after the last section, kept out of that section.
    closing: list[str] = field(default_factory=list)

    def all_sections(self) -> list[CorpusSection]:
        return [s for top in self.sections for s in top.walk()]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> CorpusReport:
        return CorpusReport(
            id=data["id"],
            title=data.get("title", ""),
            genre=data.get("genre", ""),
            source=data.get("source", ""),
            opening=list(data.get("opening", [])),
            sections=[_section_from_dict(s) for s in data.get("sections", [])],
            closing=list(data.get("closing", [])),
        )


def _section_from_dict(d: dict[str, Any]) -> CorpusSection:
    return CorpusSection(
        heading=d["heading"],
        role=d["role"],
        level=d.get("level", 1),
        paragraphs=list(d.get("paragraphs", [])),
        subsections=[_section_from_dict(s) for s in d.get("subsections", [])],
    )


def write_report(report: CorpusReport, directory: Path) -> Path:
    path = directory / f"{report.id}.json"
    path.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def load_corpus(path: str | Path | None = None) -> list[CorpusReport]:
    """Every report JSON in `path` (default: the repo's corpus/), in file-name order."""
    directory = Path(path) if path is not None else DEFAULT_CORPUS_DIR
    files = sorted(p for p in directory.glob("*.json"))
    return [CorpusReport.from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in files]
