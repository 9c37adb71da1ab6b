"""LangChain BaseRetriever over a SectionIndex, so exemplar lookup plugs into any LangChain chain."""
from __future__ import annotations

from dataclasses import asdict

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

from retrieval.index import Passage, SectionIndex, default_index


def passage_document(passage: Passage, score: float) -> Document:
    """page_content = heading + text; metadata = every Passage field plus the BM25 score."""
    return Document(page_content=passage.content, metadata={**asdict(passage), "score": score})


class SectionRetriever(BaseRetriever):
    index: SectionIndex = Field(default_factory=default_index)
    k: int = 3
    role: str | None = None
    genre: str | None = None
    exclude_report: str | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.index.search(
            query, k=self.k, role=self.role, genre=self.genre, exclude_report=self.exclude_report
        )
        return [passage_document(p, s) for p, s in hits]
