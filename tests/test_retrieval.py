"""Section-level BM25 retrieval over the corpus: ranking, role/genre/report filters, LangChain wrapper."""
from __future__ import annotations

from dataclasses import fields

import pytest
from langchain_core.documents import Document

from retrieval.corpus import CorpusReport, CorpusSection
from retrieval.index import Passage, SectionIndex, default_index, passages_from_reports
from retrieval.ingest import load_corpus, parse_text_report
from retrieval.retriever import SectionRetriever
from retrieval.tokens import tokenize
from zongjie.model import GENRES, ROLE_OPENING, ROLE_OTHER, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS


@pytest.fixture(scope="module")
def index() -> SectionIndex:
    return default_index()


def _report(rid: str, genre: str, sections: list[CorpusSection], opening: list[str] | None = None) -> CorpusReport:
    return CorpusReport(id=rid, title=f"{rid}工作总结", genre=genre, opening=opening or [], sections=sections)


def test_tokenize_drops_punctuation_space_and_function_words():
    tokens = tokenize("（三）注重舆论引导，唱响意识形态“主旋律”。 存在的问题")
    assert "舆论" in tokens and "意识形态" in tokens and "问题" in tokens
    assert not {"（", "）", "，", "“", "。", " ", "的"} & set(tokens)


def test_passages_cover_opening_every_section_and_closing():
    reports = load_corpus()
    passages = passages_from_reports(reports)
    assert len(passages) == 113
    assert sum(p.role == ROLE_OPENING for p in passages) == 13
    assert len({p.id for p in passages}) == len(passages)
    by_id = {p.id: p for p in passages}
    plans = by_id["004#s3"]
    assert (plans.role, plans.level, plans.heading, plans.genre) == (ROLE_PLANS, 1, "下半年工作计划", GENRES[2])
    # A parent shows its children's headings; each child is its own passage with its text.
    assert plans.text.split("\n")[:2] == ["（一）从严治团", "（二）“青年大学习”行动"]
    child = by_id["004#s3.1"]
    assert (child.level, child.heading) == (2, "从严治团") and child.text.startswith("完善机关团干部")
    assert by_id["002-06#closing"].text.startswith("总之") and by_id["002-06#closing"].role == ROLE_OTHER


def test_public_opinion_query_ranks_a_publicity_passage_first(index):
    hits = index.search("如何做好舆论引导工作", k=3)
    assert len(hits) == 3
    first, score = hits[0]
    assert "舆论" in first.heading + first.text or "宣传" in first.heading + first.text
    assert score >= hits[1][1] >= hits[2][1] > 0


def test_role_filter_returns_only_that_role_and_still_finds_results(index):
    hits = index.search("加强理论学习", k=5, role=ROLE_PLANS)
    assert len(hits) == 5
    assert {p.role for p, _ in hits} == {ROLE_PLANS}


def test_filter_returns_the_best_matches_within_it(index):
    """Same ranking as scoring everything and filtering afterwards, even with a tiny filter."""
    query = "舆论引导 宣传"
    everything = index.search(query, k=len(index))
    for role in (ROLE_PROBLEMS, ROLE_PLANS, ROLE_OPENING):
        expected = [p.id for p, _ in everything if p.role == role][:4]
        assert expected, role
        assert [p.id for p, _ in index.search(query, k=4, role=role)] == expected


def test_filter_smaller_than_k(index):
    problems = [p for p in index.passages if p.role == ROLE_PROBLEMS]
    hits = index.search("问题 不足 薄弱", k=50, role=ROLE_PROBLEMS)
    assert 0 < len(hits) <= len(problems) < 50
    assert all(p.role == ROLE_PROBLEMS for p, _ in hits)


def test_problem_query_with_problem_role(index):
    hits = index.search("存在的问题和不足", k=3, role=ROLE_PROBLEMS)
    assert len(hits) == 3
    for passage, _ in hits:
        assert passage.role == ROLE_PROBLEMS
        assert any(w in passage.heading + passage.text for w in ("问题", "不足", "不够", "不适应"))


def test_genre_filter(index):
    hits = index.search("青年 工作", k=5, genre=GENRES[0])
    assert hits and {p.genre for p, _ in hits} == {GENRES[0]}
    assert {p.report_id for p, _ in hits} == {"003"}  # the only 工作总结 in the corpus
    half = index.search("青年大学习", k=3, genre=GENRES[2], role=ROLE_PLANS)
    assert [p.id for p, _ in half][0] == "004#s3.2"


def test_exclude_report(index):
    query = "网上共青团 青年之声 雷锋超市"
    assert index.search(query, k=1)[0][0].report_id == "004"
    hits = index.search(query, k=5, exclude_report="004")
    assert hits and all(p.report_id != "004" for p, _ in hits)


def test_no_overlap_or_empty_query_returns_nothing(index):
    assert index.search("，。！", k=3) == []
    assert index.search("zzqqxx", k=3) == []
    assert index.search("舆论", k=0) == []
    assert index.search("舆论", role="没有这个角色") == []


def test_small_index_mask_keeps_only_allowed_documents():
    reports = [
        _report("a", GENRES[0], [CorpusSection("舆论引导工作", ROLE_RESULTS, 1, ["加强舆论引导。"])]),
        _report("b", GENRES[1], [CorpusSection("存在问题", ROLE_PROBLEMS, 1, ["舆论引导能力不足。"])]),
        _report("c", GENRES[1], [CorpusSection("下一步打算", ROLE_PLANS, 1, ["抓好队伍建设。"])]),
    ]
    idx = SectionIndex(passages_from_reports(reports))
    assert [p.id for p, _ in idx.search("舆论引导", k=3)] == ["a#s1", "b#s1"]
    assert [p.id for p, _ in idx.search("舆论引导", k=3, genre=GENRES[1])] == ["b#s1"]
    assert idx.search("舆论引导", k=3, role=ROLE_PLANS) == []  # in the filter but no shared word
    assert [p.id for p, _ in idx.search("舆论引导", k=3, exclude_report="a")] == ["b#s1"]
    assert SectionIndex().search("舆论") == []


def test_add_reports_indexes_user_examples_and_replaces_by_id(index):
    mine = parse_text_report("我的总结\n一、科普活动\n开展无人机科普。", "user-1")
    own = index.copy()
    own.add_reports([mine])
    assert own.search("无人机", k=1)[0][0].id == "user-1#s1"
    assert index.search("无人机", k=1) == []  # the shared default is untouched
    own.add_reports([parse_text_report("我的总结\n一、科普活动\n开展天文观测。", "user-1")])
    assert own.search("无人机", k=1) == []
    assert own.search("天文观测", k=1)[0][0].id == "user-1#s1"
    assert len(own) == len(index) + 1


def test_langchain_retriever_returns_documents_with_metadata(index):
    retriever = SectionRetriever(index=index, k=2, role=ROLE_PLANS, genre=GENRES[2])
    docs = retriever.invoke("青年志愿者行动")
    assert len(docs) == 2 and all(isinstance(d, Document) for d in docs)
    meta = docs[0].metadata
    assert {f.name for f in fields(Passage)} <= set(meta)
    assert meta["role"] == ROLE_PLANS and meta["genre"] == GENRES[2] and meta["score"] > 0
    assert docs[0].page_content == f"{meta['heading']}\n{meta['text']}"
    # The subsection, and its parent whose outline names it.
    assert {d.metadata["heading"] for d in docs} == {"青年志愿者行动方面", "下半年工作计划"}


def test_langchain_retriever_exclude_report_and_default_index():
    retriever = SectionRetriever(k=3, exclude_report="004")
    docs = retriever.invoke("青年大学习")
    assert docs and all(d.metadata["report_id"] != "004" for d in docs)


def test_report_filter_and_lookup(index):
    rid, title = index.reports()[0]
    hits = index.search("意识形态 工作", k=5, report_id=rid)
    assert hits and all(p.report_id == rid for p, _ in hits)
    assert index.get(hits[0][0].id) is hits[0][0]
    assert index.get("no-such-id") is None
    assert title
