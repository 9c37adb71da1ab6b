"""Section-level BM25 retrieval over the corpus: ranking, role/genre/report filters, LangChain wrapper."""
from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from langchain_core.documents import Document

from retrieval.corpus import CorpusReport, CorpusSection
from retrieval.index import Passage, SectionIndex, default_index, passages_from_reports
from retrieval.ingest import load_corpus, parse_text_report
from retrieval.retriever import SectionRetriever
from retrieval.tokens import tokenize, tokenize_many
from zongjie.vocab import GENRES, ROLE_OPENING, ROLE_OTHER, ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS


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


# ---------------------------------------------------------------- scoring, tokeniser and cache at scale

SCORING_QUERIES = (
    "如何做好舆论引导工作", "加强理论学习", "存在的问题和不足", "青年大学习", "网上共青团 青年之声 雷锋超市",
    "意识形态 工作", "下半年工作计划", "舆论 舆论 引导", "问题 不足 薄弱", "Word 2023年 第一 ①",
    "党建 带 团建 志愿 服务 活动 开展 情况", "zzqqxx 舆论",
)


def _filters(index: SectionIndex) -> list[dict]:
    rid = index.reports()[1][0]
    return [
        {}, {"role": ROLE_PLANS}, {"role": ROLE_PROBLEMS}, {"role": ROLE_OPENING}, {"genre": GENRES[1]},
        {"genre": GENRES[2], "role": ROLE_PLANS}, {"exclude_report": "004"}, {"report_id": rid},
        {"role": ROLE_RESULTS, "exclude_report": rid}, {"exclude_report": "no-such-report"},
    ]


def _bm25s_reference(index: SectionIndex, query: str, k: int, role=None, genre=None, exclude_report=None,
                     report_id=None) -> list[tuple[int, float]]:
    """What the index returned before it scored by itself: bm25s's retrieve with a float weight mask."""
    mask = np.array([
        (role is None or p.role == role) and (genre is None or p.genre == genre)
        and (exclude_report is None or p.report_id != exclude_report)
        and (report_id is None or p.report_id == report_id)
        for p in index.passages
    ], dtype=np.float32)
    tokens = [t for t in tokenize(query) if t in index._bm25.vocab_dict]
    if not mask.sum() or not tokens:
        return []
    docs, scores = index._bm25.retrieve([tokens], k=min(k, int(mask.sum())), weight_mask=mask, show_progress=False)
    return [(int(i), float(s)) for i, s in zip(docs[0], scores[0], strict=False) if s > 0 and mask[int(i)]]


@pytest.mark.parametrize("k", [1, 3, 10])
def test_scores_equal_bm25s_retrieve_on_the_shipped_corpus(index, k):
    full = {}
    position = {p.id: i for i, p in enumerate(index.passages)}
    for query in SCORING_QUERIES:
        dense = index._bm25.get_scores([t for t in tokenize(query) if t in index._bm25.vocab_dict] or [""])
        full[query] = dense
        for filters in _filters(index):
            expected = _bm25s_reference(index, query, k, **filters)
            got = index.search(query, k=k, **filters)
            assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-5, abs=1e-5), (query, filters)
            for (passage, score), (i, _) in zip(got, expected, strict=False):
                # each score is that passage's bm25s score; a different passage only where scores tie
                assert score == pytest.approx(float(dense[position[passage.id]]), rel=1e-5, abs=1e-5)
                if position[passage.id] != i:
                    assert float(dense[i]) == pytest.approx(score, rel=1e-5, abs=1e-5)
    assert index.search("zzqqxx 舆论", k=3) and not index.search("zzqqxx", k=3)


def test_ties_break_by_passage_order_and_repeated_words_count_again():
    same = [CorpusSection("舆论引导", ROLE_RESULTS, 1, ["加强舆论引导。"])]
    reports = [_report(rid, GENRES[0], same) for rid in ("r1", "r2", "r3", "r4")]
    reports.append(_report("r5", GENRES[0], [CorpusSection("宣传", ROLE_RESULTS, 1, ["宣传思想工作。"])]))
    idx = SectionIndex(passages_from_reports(reports))
    hits = idx.search("舆论引导", k=3)
    assert [p.report_id for p, _ in hits] == ["r1", "r2", "r3"]
    assert len({s for _, s in hits}) == 1
    assert [p.report_id for p, _ in idx.search("舆论引导", k=3, exclude_report="r2")] == ["r1", "r3", "r4"]
    once, twice = idx.search("宣传", k=1)[0][1], idx.search("宣传 宣传", k=1)[0][1]
    assert twice == pytest.approx(2 * once)  # as bm25s: a repeated query word is scored again


def test_filters_on_unknown_values():
    reports = [_report("a", GENRES[0], [CorpusSection("舆论引导工作", ROLE_RESULTS, 1, ["加强舆论引导。"])])]
    idx = SectionIndex(passages_from_reports(reports))
    assert idx.search("舆论", genre="没有这个体裁") == []
    assert idx.search("舆论", report_id="zz") == []
    assert [p.id for p, _ in idx.search("舆论", exclude_report="zz")] == ["a#s1"]


def test_passages_without_any_token_index_to_nothing():
    reports = [_report("p", GENRES[0], [CorpusSection("，", ROLE_RESULTS, 1, ["。。！"])])]
    idx = SectionIndex(passages_from_reports(reports))
    assert len(idx) == 1 and idx.search("舆论") == [] and idx.search("，") == []


TRICKY_TEXTS = (
    "", "   \n\t", "（三）注重舆论引导，唱响意识形态“主旋律”。\r\n存在的问题",
    "Word2023年第1季度 共开展活动35场次、覆盖12,345人；GDP增长5.6%", "①②③ 〇 ＡＢＣ abc-def C++ #话题# 的的的",
    "一、加强理论学习\n（一）坚持“三会一课”制度\n1．组织学习习近平新时代中国特色社会主义思想",
    "ＫＰＩ考核 Ｅｍａｉｌ：a.b@example.com ～～ ……", "日本語テキストと한국어 mixed",
)


@pytest.mark.parametrize("memo", [True, False])
@pytest.mark.parametrize("processes", [1, 2])
def test_tokenize_many_gives_tokenize_tokens(memo, processes):
    texts = [*TRICKY_TEXTS, *(p.content for p in passages_from_reports(load_corpus()))] * 2
    stats: dict = {}
    # pool_min_cut_chars=200: the first texts are cut here, the rest (with memo) in the pool
    got = tokenize_many(texts, processes=processes, memo=memo, pool_min_cut_chars=200, stats=stats)
    assert got == [tokenize(t) for t in texts]
    assert stats["texts"] == len(texts) and stats["processes"] in (1, processes)
    if processes > 1 and memo and stats["processes"] > 1:
        assert 0 < stats["pool_from"] < len(texts) / 2
    if memo:
        assert stats["cut_chars"] < stats["chars"] / 2  # every text is there twice


def test_equal_tokens_are_one_string_object():
    a, b = tokenize_many(["加强舆论引导工作", "舆论引导，工作"], memo=False)
    assert a[1:] == b and all(x is y for x, y in zip(a[1:], b, strict=False))
    assert tokenize("加强舆论引导")[1] is tokenize("舆论引导")[0]


def test_pool_tokenising_builds_the_same_index(index, monkeypatch):
    import retrieval.index as index_module

    monkeypatch.setattr(index_module, "POOL_MIN_PASSAGES", 1)
    monkeypatch.setattr(index_module, "POOL_MIN_CUT_CHARS", 1000)
    monkeypatch.setattr(index_module, "_usable_cpus", lambda: 2)
    pooled = SectionIndex(index.passages)
    assert pooled.tokenize_stats["processes"] in (1, 2) and pooled.tokenize_stats["pool_from"] != 0
    assert pooled._tokens == index._tokens
    for query in SCORING_QUERIES:
        assert pooled.search(query, k=5, role=ROLE_PLANS) == index.search(query, k=5, role=ROLE_PLANS)


def _same_index(a: SectionIndex, b: SectionIndex) -> None:
    assert a.passages == b.passages and a._tokens == b._tokens
    for query in SCORING_QUERIES:
        for filters in _filters(a):
            assert a.search(query, k=4, **filters) == b.search(query, k=4, **filters)


def test_save_and_load_round_trip(index, tmp_path):
    path = tmp_path / "cache" / "index.npz"
    index.save(path)
    loaded = SectionIndex.load(path, index.passages)
    assert loaded.loaded_from_cache
    _same_index(loaded, index)
    assert loaded.get("004#s3.1") is index.get("004#s3.1")
    # A loaded index is a full index: it copies and takes new reports like a built one.
    own = loaded.copy()
    own.add_reports([parse_text_report("我的总结\n一、科普活动\n开展无人机科普。", "user-1")])
    assert own.search("无人机", k=1)[0][0].id == "user-1#s1" and loaded.search("无人机") == []
    assert not list(path.parent.glob(".index.npz.*"))  # no temporary file left behind


def test_load_rebuilds_when_stale_or_damaged(index, tmp_path):
    path = tmp_path / "index.npz"
    fewer = [p for p in index.passages if p.report_id != "004"]
    missing = SectionIndex.load(path, fewer)  # no file yet: built, then saved
    assert not missing.loaded_from_cache and path.exists()
    assert SectionIndex.load(path, fewer).loaded_from_cache

    changed = [*fewer[:-1], Passage(**{**fewer[-1].__dict__, "text": fewer[-1].text + "变动"})]
    stale = SectionIndex.load(path, changed)  # one passage's text differs: the key does not match
    assert not stale.loaded_from_cache
    _same_index(stale, SectionIndex(changed))
    assert SectionIndex.load(path, changed).loaded_from_cache  # and the file was rewritten

    assert not SectionIndex.load(path, index.passages, save=False).loaded_from_cache
    assert not SectionIndex.load(path, index.passages).loaded_from_cache
    path.write_bytes(path.read_bytes()[:1000])  # truncated
    damaged = SectionIndex.load(path, index.passages, save=False)
    assert not damaged.loaded_from_cache
    _same_index(damaged, index)


def test_save_and_load_empty_index(tmp_path):
    path = tmp_path / "empty.npz"
    SectionIndex().save(path)
    empty = SectionIndex.load(path, [])
    assert empty.loaded_from_cache and len(empty) == 0 and empty.search("舆论") == []


def test_cache_key_covers_every_field(index):
    key = SectionIndex.cache_key(index.passages)
    assert key == SectionIndex.cache_key(list(index.passages))
    first = index.passages[0]
    for name in ("id", "report_id", "report_title", "genre", "role", "heading", "text"):
        changed = Passage(**{**first.__dict__, name: getattr(first, name) + "x"})
        assert SectionIndex.cache_key([changed, *index.passages[1:]]) != key, name
    assert SectionIndex.cache_key(index.passages[::-1]) != key
