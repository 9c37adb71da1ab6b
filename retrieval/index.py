"""BM25 index over corpus passages at section granularity, searchable within a role/genre filter."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import bm25s
import numpy as np

from retrieval.corpus import CorpusReport, CorpusSection, load_corpus
from retrieval.tokens import tokenize
from zongjie.model import ROLE_OPENING, ROLE_OTHER, cn_index

CLOSING_HEADING = "结尾"


@dataclass(frozen=True)
class Passage:
    """One retrievable unit: a report's opening, closing, or one section at any level.

    `id` is "<report id>#opening", "#s2", "#s2.1", "#closing", like zongjie.model.Section keys.
    """

    id: str
    report_id: str
    report_title: str
    genre: str
    role: str
    heading: str
    level: int
    text: str

    @property
    def content(self) -> str:
        return f"{self.heading}\n{self.text}" if self.heading else self.text


def _label(level: int, index: int) -> str:
    if level <= 1:
        return f"{cn_index(index)}、"
    return f"（{cn_index(index)}）" if level == 2 else f"{index}．"


def _section_text(section: CorpusSection) -> str:
    """Own paragraphs, then the child headings: a parent passage shows its outline, while each
    child is a passage of its own, so no text is indexed twice."""
    children = [f"{_label(c.level, i)}{c.heading}" for i, c in enumerate(section.subsections, 1)]
    return "\n".join([*section.paragraphs, *children])


def _section_passages(report: CorpusReport, section: CorpusSection, key: str) -> Iterable[Passage]:
    yield _passage(report, key, section.role, section.heading, section.level, _section_text(section))
    for i, sub in enumerate(section.subsections, 1):
        yield from _section_passages(report, sub, f"{key}.{i}")


def _passage(report: CorpusReport, key: str, role: str, heading: str, level: int, text: str) -> Passage:
    return Passage(f"{report.id}#{key}", report.id, report.title, report.genre, role, heading, level, text)


def passages_from_reports(reports: Iterable[CorpusReport]) -> list[Passage]:
    out: list[Passage] = []
    for report in reports:
        if report.opening:
            out.append(_passage(report, "opening", ROLE_OPENING, "", 0, "\n".join(report.opening)))
        for i, section in enumerate(report.sections, 1):
            out.extend(_section_passages(report, section, f"s{i}"))
        if report.closing:
            out.append(_passage(report, "closing", ROLE_OTHER, CLOSING_HEADING, 0, "\n".join(report.closing)))
    return out


class SectionIndex:
    """Passages plus a jieba-tokenised bm25s index; filters are a weight mask, so the top k are the
    best matches *within* the filter however few passages it leaves."""

    def __init__(self, passages: Iterable[Passage] = ()):
        self.passages: list[Passage] = []
        self._tokens: list[list[str]] = []
        self._bm25: bm25s.BM25 | None = None
        self._add(list(passages))

    def __len__(self) -> int:
        return len(self.passages)

    def _add(self, passages: list[Passage]) -> None:
        self.passages.extend(passages)
        self._tokens.extend(tokenize(p.content) for p in passages)
        self._rebuild()

    def _rebuild(self) -> None:
        # bm25s has no incremental add; the corpus is small, so a full rebuild takes milliseconds.
        self._bm25 = None
        if self.passages:
            self._bm25 = bm25s.BM25()
            self._bm25.index(self._tokens, show_progress=False)

    def add_reports(self, reports: Iterable[CorpusReport]) -> None:
        """Index more reports (a user's own examples); a report id already present is replaced."""
        new = passages_from_reports(reports)
        ids = {p.report_id for p in new}
        kept = [(p, t) for p, t in zip(self.passages, self._tokens) if p.report_id not in ids]
        self.passages = [p for p, _ in kept]
        self._tokens = [t for _, t in kept]
        self._add(new)

    def copy(self) -> SectionIndex:
        """An independent index, so one user's examples never leak into the shared default."""
        clone = SectionIndex()
        clone.passages, clone._tokens = list(self.passages), list(self._tokens)
        clone._rebuild()
        return clone

    def get(self, passage_id: str) -> Passage | None:
        """Look a passage up by id, e.g. to show the user which exemplar shaped a section."""
        return next((p for p in self.passages if p.id == passage_id), None)

    def reports(self) -> list[tuple[str, str]]:
        """(report id, title) of every indexed report, in index order, for choosing a style model."""
        seen: dict[str, str] = {}
        for p in self.passages:
            seen.setdefault(p.report_id, p.report_title)
        return list(seen.items())

    def _mask(self, role: str | None, genre: str | None, exclude_report: str | None,
              report_id: str | None = None) -> np.ndarray:
        keep = [
            (role is None or p.role == role)
            and (genre is None or p.genre == genre)
            and (exclude_report is None or p.report_id != exclude_report)
            and (report_id is None or p.report_id == report_id)
            for p in self.passages
        ]
        return np.asarray(keep, dtype=np.float32)

    def search(
        self,
        query: str,
        k: int = 3,
        role: str | None = None,
        genre: str | None = None,
        exclude_report: str | None = None,
        report_id: str | None = None,
    ) -> list[tuple[Passage, float]]:
        """Best k passages for `query` among those passing the filters, best first; passages
        sharing no word with the query are left out. `report_id` keeps one report (a pinned style model)."""
        if self._bm25 is None or k <= 0:
            return []
        mask = self._mask(role, genre, exclude_report, report_id)
        allowed = int(mask.sum())
        query_tokens = [t for t in tokenize(query) if t in self._bm25.vocab_dict]
        if not allowed or not query_tokens:
            return []
        docs, scores = self._bm25.retrieve(
            [query_tokens], k=min(k, allowed), weight_mask=mask, show_progress=False
        )
        return [
            (self.passages[int(i)], float(s))
            for i, s in zip(docs[0], scores[0])
            if s > 0 and mask[int(i)]
        ]


@lru_cache(maxsize=1)
def default_index() -> SectionIndex:
    """The index over the shipped corpus/, built once per process. Call .copy() before add_reports."""
    return SectionIndex(passages_from_reports(load_corpus()))
