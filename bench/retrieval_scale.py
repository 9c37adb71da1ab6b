"""Retrieval at scale: index a synthetic corpus recombined from the shipped reports and time queries.

    .venv/bin/python bench/retrieval_scale.py [--reports 10000] [--queries 500] [--seed 0]

Builds N reports deterministically (random.Random(seed)) by recombining the real corpus: each synthetic
report takes the role skeleton of a real report (so its genre and section roles stay consistent), fills
each slot with a same-role section drawn from any report, shuffles and mixes that section's paragraphs
and subsections with same-role ones, gives it a new unit/year title and perturbs its numbers. Then it
times SectionIndex(passages_from_reports(reports)) — jieba tokenisation and the bm25s index separately —
and Q searches (headings, phrases, and app-like "heading + bullets" queries, with and without role/genre
filters), each timed with time.perf_counter. Then, separately, SectionIndex.save to a temporary file and
SectionIndex.load from it (key check included), checked to answer like the built index. Prints one summary
block; single run, percentiles over queries. Other processes may share the machine: the load average is
printed with the figures.

Tokenising options (retrieval.index): --processes (pool size for large corpora; 1 = no pool),
--pool-min-passages, --no-memo (cut every passage in full instead of each distinct jieba block once;
the recombined corpus repeats its blocks far more than real reports would, so this shows the cost
without that repetition), --skip-cache (no save/load stage).
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import re
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import retrieval.index as index_module  # noqa: E402
from bench.machine import describe  # noqa: E402
from retrieval.corpus import CorpusReport, CorpusSection, load_corpus  # noqa: E402
from retrieval.index import SectionIndex, passages_from_reports  # noqa: E402
from retrieval.tokens import tokenize  # noqa: E402

GOAL_INDEX_S = 60.0
GOAL_P50_MS = 5.0
GOAL_P99_MS = 20.0

# Title parts: synthetic units and the genre's usual title wording.
_PLACES = ("某某区", "某某县", "某某市", "某某镇", "某某街道", "某某学院", "某某大学", "某某中学", "某某公司", "某某局")
_ORGS = ("团委", "团工委", "党委", "党支部", "党总支", "宣传部", "机关党委", "团总支", "工会", "办公室")
_TITLE_BY_GENRE = {
    "工作总结": ("{year}年工作总结", "{year}年度工作总结", "{year}年工作情况总结"),
    "意识形态工作情况汇报": ("{year}年意识形态工作情况汇报", "{year}年上半年意识形态工作情况汇报",
                     "{year}年意识形态工作总结", "关于{year}年意识形态工作的情况报告"),
    "上半年工作总结及下半年工作计划": ("{year}年上半年工作总结及下半年工作计划",
                                         "{year}年上半年工作总结和下半年工作打算"),
}
_NUMBER = re.compile(r"\d+")
_CLAUSE = re.compile(r"[，。；：！？、]")


# ---- synthetic corpus ------------------------------------------------------------------------
@dataclass
class _Pools:
    """Same-role material from the real corpus, by (role, level) for sections, by role for paragraphs."""

    sections: dict[tuple[str, int], list[CorpusSection]] = field(default_factory=dict)
    same_genre: dict[tuple[str, str, int], list[CorpusSection]] = field(default_factory=dict)
    paragraphs: dict[str, list[str]] = field(default_factory=dict)
    openings: dict[str, list[list[str]]] = field(default_factory=dict)
    closings: list[list[str]] = field(default_factory=list)


def _pools(seeds: list[CorpusReport]) -> _Pools:
    pools = _Pools()
    for report in seeds:
        if report.opening:
            pools.openings.setdefault(report.genre, []).append(report.opening)
        if report.closing:
            pools.closings.append(report.closing)
        for section in report.all_sections():
            pools.sections.setdefault((section.role, section.level), []).append(section)
            pools.same_genre.setdefault((report.genre, section.role, section.level), []).append(section)
            pools.paragraphs.setdefault(section.role, []).extend(section.paragraphs)
    return pools


def _perturb(text: str, rng: random.Random) -> str:
    """New numbers of the same size (years stay plausible), so no two reports are byte-identical."""
    def repl(m: re.Match) -> str:
        digits = m.group(0)
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return str(rng.randint(2016, 2025))
        if len(digits) == 1:
            return str(rng.randint(1, 9))
        return str(rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))
    return _NUMBER.sub(repl, text)


def _remix(section: CorpusSection, genre: str, pools: _Pools, rng: random.Random) -> CorpusSection:
    """A same-role, same-level section: the donor's heading, its paragraphs shuffled and sometimes
    swapped for same-role paragraphs of other reports, its subsections drawn the same way."""
    paragraphs = list(section.paragraphs)
    rng.shuffle(paragraphs)
    pool = pools.paragraphs.get(section.role, [])
    for i in range(len(paragraphs)):
        if pool and rng.random() < 0.3:
            paragraphs[i] = rng.choice(pool)
    subsections = []
    for sub in section.subsections:
        donor = _pick(sub.role, sub.level, genre, pools, rng) if rng.random() < 0.5 else sub
        subsections.append(_remix(donor, genre, pools, rng))
    rng.shuffle(subsections)
    return CorpusSection(heading=section.heading, role=section.role, level=section.level,
                         paragraphs=[_perturb(p, rng) for p in paragraphs], subsections=subsections)


def _pick(role: str, level: int, genre: str, pools: _Pools, rng: random.Random) -> CorpusSection:
    same = pools.same_genre.get((genre, role, level))
    if same and rng.random() < 0.5:
        return rng.choice(same)
    return rng.choice(pools.sections[(role, level)])


def synthesize(seeds: list[CorpusReport], n: int, seed: int = 0) -> list[CorpusReport]:
    """n reports recombined from `seeds`, deterministic for a given seed."""
    rng = random.Random(seed)
    pools = _pools(seeds)
    skeletons = [r for r in seeds if r.sections]
    reports = []
    for i in range(n):
        skeleton = rng.choice(skeletons)
        genre = skeleton.genre
        year = rng.randint(2016, 2025)
        wording = rng.choice(_TITLE_BY_GENRE.get(genre, ("{year}年工作总结",))).format(year=year)
        title = rng.choice(_PLACES) + rng.choice(_ORGS) + wording
        sections = [_remix(_pick(s.role, s.level, genre, pools, rng), genre, pools, rng) for s in skeleton.sections]
        openings = pools.openings.get(genre) or [o for v in pools.openings.values() for o in v]
        opening = [_perturb(p, rng) for p in rng.choice(openings)] if openings and rng.random() < 0.9 else []
        closing = ([_perturb(p, rng) for p in rng.choice(pools.closings)]
                   if pools.closings and rng.random() < 0.15 else [])
        reports.append(CorpusReport(id=f"syn{i:05d}", title=title, genre=genre, source="synthetic",
                                    opening=opening, sections=sections, closing=closing))
    return reports


# ---- queries ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    k: int = 3
    role: str | None = None
    genre: str | None = None
    exclude_report: str | None = None


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if 6 <= len(c) <= 40]


def make_queries(seeds: list[CorpusReport], reports: list[CorpusReport], q: int, seed: int = 0) -> list[Query]:
    """A third each of: section headings, single phrases from paragraphs, and app-like queries (a heading
    plus 3–6 bullet-sized clauses of the same role, k=1, role filter, own report excluded, as draft.py
    asks). Headings and phrases go with a role filter half the time and a genre filter a tenth of it."""
    rng = random.Random(seed + 1)
    sections = [(r, s) for r in seeds for s in r.all_sections()]
    by_role: dict[str, list[str]] = {}
    for _, s in sections:
        for p in s.paragraphs:
            by_role.setdefault(s.role, []).extend(_clauses(p))
    ids = [r.id for r in reports]
    out = []
    for i in range(q):
        report, section = rng.choice(sections)
        kind = ("heading", "phrase", "app")[i % 3]
        if kind == "app":
            clauses = by_role.get(section.role) or [section.heading]
            bullets = [_perturb(rng.choice(clauses), rng) for _ in range(rng.randint(3, 6))]
            out.append(Query(kind, section.heading + " " + " ".join(bullets), k=1, role=section.role,
                             exclude_report=rng.choice(ids)))
            continue
        if kind == "heading":
            text = section.heading
        else:
            clauses = [c for p in section.paragraphs for c in _clauses(p)] or [section.heading]
            text = rng.choice(clauses)
        out.append(Query(kind, text, k=3,
                         role=section.role if rng.random() < 0.5 else None,
                         genre=report.genre if rng.random() < 0.1 else None))
    return out


# ---- measurement -----------------------------------------------------------------------------
def rss_mib() -> float:
    """Current resident set size, from /proc (Linux)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return peak / 1024


@contextmanager
def _timed_stages(totals: dict[str, float]):
    """Split SectionIndex construction into tokenising and the bm25s build without changing it:
    wrap the module's `tokenize_many` and `SectionIndex._rebuild` for the duration."""
    original_tokenize = index_module.tokenize_many
    original_rebuild = SectionIndex._rebuild

    def timed_tokenize(*args, **kwargs) -> list[list[str]]:
        t = time.perf_counter()
        try:
            return original_tokenize(*args, **kwargs)
        finally:
            totals["tokenise"] += time.perf_counter() - t

    def timed_rebuild(self) -> None:
        t = time.perf_counter()
        try:
            original_rebuild(self)
        finally:
            totals["bm25"] += time.perf_counter() - t

    index_module.tokenize_many = timed_tokenize
    SectionIndex._rebuild = timed_rebuild
    try:
        yield
    finally:
        index_module.tokenize_many = original_tokenize
        SectionIndex._rebuild = original_rebuild


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(pct / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def _search(index: SectionIndex, query: Query) -> list:
    return index.search(query.text, k=query.k, role=query.role, genre=query.genre, exclude_report=query.exclude_report)


def run(n_reports: int = 10_000, n_queries: int = 500, seed: int = 0, cache: bool = True) -> dict:
    """Build, index and query; returns every figure the summary prints."""
    fig: dict = {"reports": n_reports, "queries": n_queries, "seed": seed,
                 "options": {"processes": index_module.POOL_PROCESSES,
                             "pool_min_passages": index_module.POOL_MIN_PASSAGES,
                             "memo": index_module.MEMO_BLOCKS}}
    t = time.perf_counter()
    seeds = load_corpus()
    fig["seed_reports"] = len(seeds)
    tokenize("预热分词词典")  # jieba loads its dictionary on first use; that is start-up, not indexing
    fig["jieba_init_s"] = time.perf_counter() - t

    t = time.perf_counter()
    reports = synthesize(seeds, n_reports, seed)
    fig["synth_s"] = time.perf_counter() - t

    gc.collect()
    rss_before = rss_mib()
    t = time.perf_counter()
    passages = passages_from_reports(reports)
    fig["passages_s"] = time.perf_counter() - t
    fig["passages"] = len(passages)
    fig["chars"] = sum(len(p.content) for p in passages)
    rss_passages = rss_mib()

    stages = {"tokenise": 0.0, "bm25": 0.0}
    with _timed_stages(stages):
        t = time.perf_counter()
        index = SectionIndex(passages)
        fig["index_s"] = time.perf_counter() - t
    gc.collect()
    rss_after = rss_mib()
    fig["tokenise_s"], fig["bm25_s"] = stages["tokenise"], stages["bm25"]
    fig["tokenize_stats"] = dict(index.tokenize_stats)
    fig["vocab"] = len(index._bm25.vocab_dict) if index._bm25 is not None else 0
    fig["tokens"] = sum(len(tokens) for tokens in index._tokens)
    fig["rss_passages_mib"] = rss_passages - rss_before
    fig["rss_index_mib"] = rss_after - rss_passages

    queries = make_queries(seeds, reports, n_queries, seed)
    for query in queries[:10]:  # warm-up (numpy/bm25s first-call paths), not counted
        _search(index, query)
    times: dict[str, list[float]] = {"all": [], "filtered": [], "unfiltered": []}
    empty = 0
    for query in queries:
        t = time.perf_counter()
        hits = _search(index, query)
        ms = (time.perf_counter() - t) * 1000
        empty += not hits
        times["all"].append(ms)
        filtered = query.role or query.genre or query.exclude_report
        times["filtered" if filtered else "unfiltered"].append(ms)
        times.setdefault(query.kind, []).append(ms)
    fig["empty_results"] = empty
    fig["latency_ms"] = {
        name: {"n": len(v), "p50": percentile(sorted(v), 50), "p95": percentile(sorted(v), 95),
               "p99": percentile(sorted(v), 99), "max": max(v) if v else float("nan")}
        for name, v in times.items()
    }
    fig["peak_rss_mib"] = peak_rss_mib()
    fig["rss_end_mib"] = rss_mib()
    if cache:
        fig["cache"] = _cache_stage(index, passages, queries)
    return fig


def _cache_stage(index: SectionIndex, passages: list, queries: list[Query]) -> dict:
    """SectionIndex.save then SectionIndex.load (which hashes the passages to check the key), timed apart
    from the build; the loaded index must answer a sample of queries exactly like the built one. The built
    index is dropped before loading, so the two are not in memory together."""
    out: dict = {}
    sample = queries[:: max(1, len(queries) // 50)]
    expected = [[(p.id, s) for p, s in _search(index, q)] for q in sample]
    with tempfile.TemporaryDirectory(prefix="zongjie-index-") as tmp:
        path = os.path.join(tmp, "index.npz")
        t = time.perf_counter()
        index.save(path)
        out["save_s"] = time.perf_counter() - t
        out["file_mib"] = os.path.getsize(path) / 2 ** 20
        del index
        gc.collect()
        t = time.perf_counter()
        loaded = SectionIndex.load(path, passages, save=False)
        out["load_s"] = time.perf_counter() - t
        out["loaded"] = loaded.loaded_from_cache
        out["checked"] = len(sample)
        out["identical"] = expected == [[(p.id, s) for p, s in _search(loaded, q)] for q in sample]
    return out


def summary(fig: dict) -> str:
    lat = fig["latency_ms"]
    ok_index = fig["index_s"] < GOAL_INDEX_S
    ok_p50 = lat["all"]["p50"] < GOAL_P50_MS
    ok_p99 = lat["all"]["p99"] < GOAL_P99_MS
    mark = {True: "met", False: "NOT met"}
    lines = [
        "== retrieval at scale (bench/retrieval_scale.py) ==",
        f"machine   {describe()}",
        f"corpus    {fig['reports']} synthetic reports from {fig['seed_reports']} seed reports (seed {fig['seed']}): "
        f"{fig['passages']} passages, {fig['chars'] / 1e6:.1f} M chars, {fig['tokens'] / 1e6:.2f} M tokens, "
        f"vocab {fig['vocab']}",
        f"prepare   jieba dictionary load {fig['jieba_init_s']:.2f} s (not counted), synthesis {fig['synth_s']:.2f} s, "
        f"passages_from_reports {fig['passages_s']:.2f} s",
        f"index     SectionIndex(...) {fig['index_s']:.2f} s  = tokenise (jieba) {fig['tokenise_s']:.2f} s"
        f" + bm25s index {fig['bm25_s']:.2f} s + other {fig['index_s'] - fig['tokenise_s'] - fig['bm25_s']:.2f} s"
        f"   [goal < {GOAL_INDEX_S:.0f} s: {mark[ok_index]}]",
        f"          tokenise rate {fig['chars'] / max(fig['tokenise_s'], 1e-9) / 1e3:.0f} k chars/s; "
        f"{_tokenise_note(fig)}",
        f"query     {fig['queries']} queries (+10 warm-up), single run, per-query time.perf_counter; "
        f"{fig['empty_results']} returned no hit",
        f"          {'set':<11}{'n':>5}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}  (ms)",
    ]
    for name in ("all", "unfiltered", "filtered", "heading", "phrase", "app"):
        if name in lat and lat[name]["n"]:
            r = lat[name]
            lines.append(f"          {name:<11}{r['n']:>5}{r['p50']:>9.2f}{r['p95']:>9.2f}"
                         f"{r['p99']:>9.2f}{r['max']:>9.2f}")
    lines += [
        f"          goal p50 < {GOAL_P50_MS:.0f} ms: {mark[ok_p50]}; p99 < {GOAL_P99_MS:.0f} ms: {mark[ok_p99]}",
        f"memory    peak RSS {fig['peak_rss_mib']:.0f} MiB (ru_maxrss), RSS at end {fig['rss_end_mib']:.0f} MiB; "
        f"RSS delta: passages {fig['rss_passages_mib']:.0f} MiB, index (tokens + bm25s) {fig['rss_index_mib']:.0f} MiB",
    ]
    if "cache" in fig:
        c = fig["cache"]
        lines.append(
            f"cache     (not used by the app or by the index figure above) SectionIndex.save {c['save_s']:.2f} s, "
            f"file {c['file_mib']:.0f} MiB; SectionIndex.load (hash passages + read) {c['load_s']:.2f} s, "
            f"{'loaded from cache' if c['loaded'] else 'REBUILT (cache not used)'}, "
            f"answers {'identical' if c['identical'] else 'DIFFERENT'} on {c['checked']} queries")
    return "\n".join(lines)


def _tokenise_note(fig: dict) -> str:
    st, opt = fig.get("tokenize_stats") or {}, fig["options"]
    procs = f"{st.get('processes', 1)} process{'es' if st.get('processes', 1) > 1 else ''}"
    pool = (f"pool of {opt['processes']} from {opt['pool_min_passages']} passages" if opt["processes"] > 1
            else "pool off")
    if st.get("memo"):
        share = st.get("cut_chars", 0) / max(st.get("chars", 1), 1)
        return (f"{procs} ({pool}); memo: jieba cut {st.get('distinct_blocks', 0)} distinct blocks, "
                f"{st.get('cut_chars', 0) / 1e6:.2f} M chars = {share:.1%} of the text")
    return f"{procs} ({pool}); memo off: jieba cut all of the text"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--processes", type=int, default=index_module.POOL_PROCESSES,
                        help="tokeniser pool size for large corpora (1 = no pool)")
    parser.add_argument("--pool-min-passages", type=int, default=index_module.POOL_MIN_PASSAGES)
    parser.add_argument("--no-memo", action="store_true", help="cut every passage in full (no block memo)")
    parser.add_argument("--skip-cache", action="store_true", help="skip the save/load stage")
    args = parser.parse_args(argv)
    saved = index_module.POOL_PROCESSES, index_module.POOL_MIN_PASSAGES, index_module.MEMO_BLOCKS
    index_module.POOL_PROCESSES, index_module.POOL_MIN_PASSAGES = args.processes, args.pool_min_passages
    index_module.MEMO_BLOCKS = not args.no_memo
    try:
        print(summary(run(args.reports, args.queries, args.seed, cache=not args.skip_cache)), flush=True)
    finally:
        index_module.POOL_PROCESSES, index_module.POOL_MIN_PASSAGES, index_module.MEMO_BLOCKS = saved
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
