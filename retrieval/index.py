"""BM25 index over corpus passages at section granularity, searchable within a role/genre filter."""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import zipfile
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import bm25s
import numpy as np

from retrieval.corpus import CorpusReport, CorpusSection, load_corpus
from retrieval.tokens import TOKENIZER_VERSION, tokenize, tokenize_many
from zongjie.text import cn_index
from zongjie.vocab import ROLE_OPENING, ROLE_OTHER

CLOSING_HEADING = "结尾"
log = logging.getLogger(__name__)
# bm25s sets its own logger to DEBUG, so every index build printed a line in the CLI's output.
logging.getLogger("bm25s").setLevel(logging.WARNING)


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


# Tokenising a large corpus (at least POOL_MIN_PASSAGES passages) moves to a pool of POOL_PROCESSES
# processes (if that many CPUs are usable) once jieba has had POOL_MIN_CUT_CHARS of new text to cut
# (about 4 s of jieba here); a corpus that mostly repeats known blocks stays in-process, where a pool
# would cost more to start and feed than it saves. MEMO_BLOCKS: cut each distinct jieba block once per
# build. See retrieval.tokens.tokenize_many; none of these changes the tokens.
POOL_MIN_PASSAGES = 5_000
POOL_PROCESSES = 2
POOL_MIN_CUT_CHARS = 1_000_000
MEMO_BLOCKS = True
# SectionIndex.save/load file layout; bump when it or the scoring changes.
CACHE_FORMAT = 1
_BM25_PARAMS = ("k1", "b", "delta", "method", "idf_method", "dtype", "int_dtype")
# What _set_built derives; copy() shares it.
_BUILT = ("_bm25", "_by_id", "_codes", "_data", "_indices", "_indptr", "_vocab")


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _encode(values: Iterable[str]) -> tuple[dict[str, int], np.ndarray]:
    """Small integer codes for a column of values, so a filter is one numpy comparison."""
    table: dict[str, int] = {}
    codes = np.fromiter((table.setdefault(v, len(table)) for v in values), dtype=np.int32)
    return table, codes


def _top_k(docs: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best (doc, score) pairs, best first; equal scores in passage order, so results never
    depend on how a partition happened to fall. `docs` is ascending."""
    if len(docs) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth  # every doc tied with the k-th best stays in, the lexsort picks among them
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:k]
    return docs[order], scores[order]


class _StaleCache(Exception):
    pass


class SectionIndex:
    """Passages plus a jieba-tokenised bm25s index; filters are a mask over passages, so the top k are
    the best matches *within* the filter however few passages it leaves.

    bm25s builds the sparse passage × token score matrix; search() sums the query tokens' columns of
    it itself (one np.bincount) and selects the top k among the passages that match and pass the filters,
    which gives bm25s.BM25.retrieve's scores without its per-token np.add.at and selection over every
    passage."""

    def __init__(self, passages: Iterable[Passage] = ()):
        self.passages: list[Passage] = []
        self._tokens: list[list[str]] = []
        self.tokenize_stats: dict = {}
        self._set_built(None)
        self._add(list(passages))

    def __len__(self) -> int:
        return len(self.passages)

    def _add(self, passages: list[Passage]) -> None:
        self.passages.extend(passages)
        processes = min(POOL_PROCESSES, _usable_cpus()) if len(passages) >= POOL_MIN_PASSAGES else 1
        stats: dict = {}
        self._tokens.extend(tokenize_many(
            [p.content for p in passages],
            processes=processes,
            memo=MEMO_BLOCKS,
            pool_min_cut_chars=POOL_MIN_CUT_CHARS,
            stats=stats,
        ))
        self.tokenize_stats = stats
        self._rebuild()

    def _rebuild(self) -> None:
        # bm25s has no incremental add; a full rebuild takes milliseconds for the shipped corpus.
        bm25 = None
        if any(self._tokens):  # bm25s cannot index a corpus without a single token
            bm25 = bm25s.BM25()
            bm25.index(self._tokens, show_progress=False)
        self._set_built(bm25)

    def _set_built(self, bm25: bm25s.BM25 | None) -> None:
        """Everything derived from passages + bm25, never changed in place afterwards (copy() shares it)."""
        self._bm25 = bm25
        self._by_id: dict[str, Passage] = {}
        for p in self.passages:
            self._by_id.setdefault(p.id, p)
        self._codes = {
            "role": _encode(p.role for p in self.passages),
            "genre": _encode(p.genre for p in self.passages),
            "report": _encode(p.report_id for p in self.passages),
        }
        self._data = self._indices = self._indptr = None
        self._vocab: dict[str, int] = {}
        if bm25 is not None:
            # bm25s's CSC matrix: column j (token id j) holds passages indices[indptr[j]:indptr[j+1]]
            # with their scores data[...]; the "" token bm25s appends to the vocab has no column.
            self._data = bm25.scores["data"]
            self._indices = bm25.scores["indices"]
            self._indptr = bm25.scores["indptr"]
            self._vocab = {t: i for t, i in bm25.vocab_dict.items() if i < len(self._indptr) - 1}

    def add_reports(self, reports: Iterable[CorpusReport]) -> None:
        """Index more reports (a user's own examples); a report id already present is replaced."""
        new = passages_from_reports(reports)
        ids = {p.report_id for p in new}
        kept = [(p, t) for p, t in zip(self.passages, self._tokens, strict=False) if p.report_id not in ids]
        self.passages = [p for p, _ in kept]
        self._tokens = [t for _, t in kept]
        self._add(new)

    def copy(self) -> SectionIndex:
        """An independent index, so one user's examples never leak into the shared default. The built
        index is shared, not rebuilt: nothing changes it in place, add_reports builds a new one."""
        clone = SectionIndex()
        clone.passages, clone._tokens = list(self.passages), list(self._tokens)
        for name in _BUILT:
            setattr(clone, name, getattr(self, name))
        return clone

    def get(self, passage_id: str) -> Passage | None:
        """Look a passage up by id, e.g. to show the user which exemplar shaped a section."""
        return self._by_id.get(passage_id)

    def reports(self) -> list[tuple[str, str]]:
        """(report id, title) of every indexed report, in index order, for choosing a style model."""
        seen: dict[str, str] = {}
        for p in self.passages:
            seen.setdefault(p.report_id, p.report_title)
        return list(seen.items())

    def _mask(self, role: str | None, genre: str | None, exclude_report: str | None,
              report_id: str | None = None) -> np.ndarray | None:
        """Boolean mask of the passages the filters allow; None when no filter is set (all allowed)."""
        mask = None
        for column, value, keep in (("role", role, True), ("genre", genre, True),
                                    ("report", report_id, True), ("report", exclude_report, False)):
            if value is None:
                continue
            table, codes = self._codes[column]
            code = table.get(value)
            if code is None:  # no passage has this value
                if keep:
                    return np.zeros(len(self.passages), dtype=bool)
                continue
            match = codes == code if keep else codes != code
            mask = match if mask is None else mask & match
        return mask

    def _scores(self, token_ids: list[int]) -> np.ndarray:
        """BM25 score of every passage: the sum of the query tokens' columns, a repeated query token
        counted again (as bm25s does); summed in float64, returned in bm25s's dtype (float32)."""
        starts, ends = self._indptr[token_ids], self._indptr[np.add(token_ids, 1)]
        if len(token_ids) == 1:
            docs, weights = self._indices[starts[0]:ends[0]], self._data[starts[0]:ends[0]]
        else:
            docs = np.concatenate([self._indices[s:e] for s, e in zip(starts, ends, strict=False)])
            weights = np.concatenate([self._data[s:e] for s, e in zip(starts, ends, strict=False)])
        return np.bincount(docs, weights=weights, minlength=len(self.passages)).astype(self._data.dtype)

    def search(
        self,
        query: str,
        k: int = 3,
        role: str | None = None,
        genre: str | None = None,
        exclude_report: str | None = None,
        report_id: str | None = None,
    ) -> list[tuple[Passage, float]]:
        """Best k passages for `query` among those passing the filters, best first (equal scores in
        index order); passages sharing no word with the query are left out. `report_id` keeps one
        report (a pinned style model)."""
        if self._bm25 is None or k <= 0:
            return []
        token_ids = [self._vocab[t] for t in tokenize(query) if t in self._vocab]
        if not token_ids:
            return []
        scores = self._scores(token_ids)
        docs = np.flatnonzero(scores > 0)
        mask = self._mask(role, genre, exclude_report, report_id)
        if mask is not None:
            docs = docs[mask[docs]]
        docs, best = _top_k(docs, scores[docs], k)
        return [(self.passages[i], s) for i, s in zip(docs.tolist(), best.tolist(), strict=False)]

    # ---- on-disk cache -------------------------------------------------------------------------
    @staticmethod
    def cache_key(passages: Iterable[Passage]) -> str:
        """sha256 of the passages (every field, in order), the tokeniser, bm25s and the file format."""
        h = hashlib.sha256()
        defaults = bm25s.BM25()
        h.update(json.dumps([CACHE_FORMAT, TOKENIZER_VERSION, bm25s.__version__,
                             [getattr(defaults, name) for name in _BM25_PARAMS]]).encode())
        for p in passages:
            h.update(json.dumps(astuple(p), ensure_ascii=False).encode("utf-8"))
            h.update(b"\n")
        return h.hexdigest()

    def save(self, path: str | os.PathLike) -> None:
        """Write the built index (tokens and bm25s matrix, not the passages) to one .npz file, keyed by
        cache_key(self.passages); written to a temporary file and renamed, so a reader never sees half."""
        path = Path(path)
        bm25 = self._bm25
        vocab: list[str] = []
        if bm25 is not None:
            vocab = [""] * len(bm25.vocab_dict)
            for token, i in bm25.vocab_dict.items():
                vocab[i] = token
        ids = {t: i for i, t in enumerate(vocab)}
        lengths = np.fromiter(map(len, self._tokens), dtype=np.int64, count=len(self._tokens))
        flat = np.fromiter((ids[t] for tokens in self._tokens for t in tokens), dtype=np.int32,
                           count=int(lengths.sum()))
        meta = {
            "format": CACHE_FORMAT,
            "key": self.cache_key(self.passages),
            "passages": len(self.passages),
            "vocab": vocab,
            "bm25": {name: getattr(bm25, name) for name in _BM25_PARAMS} if bm25 is not None else None,
        }
        arrays = {"meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
                  "token_ids": flat, "token_lengths": lengths}
        if bm25 is not None:
            arrays.update(data=self._data, indices=self._indices, indptr=self._indptr)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike, passages: Iterable[Passage], save: bool = True) -> SectionIndex:
        """The index over `passages` from a file written by save(), if its key matches them (same
        passages, tokeniser, bm25s and format) and it is intact; otherwise built from scratch and,
        with `save`, written back. `.loaded_from_cache` tells which happened."""
        passages = list(passages)
        try:
            index = cls._read(Path(path), passages)
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, _StaleCache) as exc:
            if not isinstance(exc, FileNotFoundError):
                log.info("index cache %s not used (%s: %s); rebuilding", path, type(exc).__name__, exc)
            index = cls(passages)
            index.loaded_from_cache = False
            if save:
                try:
                    index.save(path)
                except OSError:
                    log.warning("could not write index cache %s", path, exc_info=True)
            return index
        index.loaded_from_cache = True
        return index

    @classmethod
    def _read(cls, path: Path, passages: list[Passage]) -> SectionIndex:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(npz["meta"].tobytes().decode("utf-8"))
            if meta.get("format") != CACHE_FORMAT or meta.get("key") != cls.cache_key(passages):
                raise _StaleCache("key does not match the passages")
            arrays = {name: npz[name] for name in npz.files if name != "meta"}
        vocab, n = meta["vocab"], len(passages)
        lengths, flat = arrays["token_lengths"], arrays["token_ids"]
        if meta["passages"] != n or len(lengths) != n or int(lengths.sum()) != len(flat) \
                or (len(flat) and not 0 <= int(flat.min()) <= int(flat.max()) < len(vocab)):
            raise _StaleCache("inconsistent token arrays")
        index = cls()
        index.passages = passages
        words = np.array(vocab, dtype=object)[flat].tolist()
        ends = np.cumsum(lengths).tolist()
        index._tokens = [words[e - m:e] for e, m in zip(ends, lengths.tolist(), strict=False)]
        bm25 = None
        if meta["bm25"] is not None:
            data, indices, indptr = arrays["data"], arrays["indices"], arrays["indptr"]
            if len(indptr) != len(vocab) or not len(data) == len(indices) == int(indptr[-1]) \
                    or (len(indices) and not 0 <= int(indices.min()) <= int(indices.max()) < n):
                raise _StaleCache("inconsistent score matrix")
            bm25 = bm25s.BM25(**meta["bm25"])
            bm25.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": n}
            bm25.vocab_dict = {t: i for i, t in enumerate(vocab)}
            bm25.unique_token_ids_set = set(bm25.vocab_dict.values())
            bm25.nonoccurrence_array = None
        index._set_built(bm25)
        return index


@lru_cache(maxsize=1)
def default_index() -> SectionIndex:
    """The index over the shipped corpus/, built once per process. Call .copy() before add_reports."""
    return SectionIndex(passages_from_reports(load_corpus()))
