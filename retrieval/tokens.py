"""Chinese word tokens for BM25: jieba words without punctuation, whitespace or function words.

`tokenize(text)` cuts one text (a query). `tokenize_many(texts)` cuts a corpus to exactly the same
tokens, faster:

* jieba.cut first splits its input at every character outside `jieba.re_han_default` (punctuation,
  whitespace, …) and segments each block on its own, so a text's words are the concatenation of its
  blocks' words. Blocks recur across passages (stock phrases; in a recombined corpus, most of them),
  so each distinct block is cut once per call (`memo`).
* Optionally, once the new text to cut is large, the rest is cut in a process pool (`processes`).
* Each distinct raw word is filtered and lowered once and interned, so the same word is one string
  object however often it occurs.
"""
from __future__ import annotations

import hashlib
import logging
import multiprocessing
import re
import sys
import unicodedata
from functools import lru_cache
from typing import Sequence

import jieba

# jieba prints "Building prefix dict…" at INFO on first use; that is noise in the app and tests.
jieba.setLogLevel(logging.WARNING)

# Function words only: content words like 问题/计划 carry the section role and must stay.
STOPWORDS = frozenset(
    "的 了 和 与 及 以及 在 是 对 等 把 将 为 以 并 而 也 都 就 着 之 其 于 或 被 让 从 向 这 那 "
    "我们 我 一 个 中 上 有 要 进一步 不断 积极 认真 切实".split()
)
_SPACE = re.compile(r"^\s+$")
# The splitter jieba.Tokenizer.cut itself uses: its captured groups are the blocks it segments.
_BLOCKS = jieba.re_han_default
# Bump when tokenisation changes, so saved indexes (SectionIndex.save) are rebuilt.
TOKENIZER_VERSION = "1/jieba-{}/{}".format(
    getattr(jieba, "__version__", "?"),
    hashlib.sha256(" ".join(sorted(STOPWORDS)).encode()).hexdigest()[:12],
)


def _is_punct(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZ" for ch in token)


@lru_cache(maxsize=1 << 17)
def _normalise(token: str) -> str | None:
    """The index form of one jieba word, or None if it is dropped; interned, so equal words share memory."""
    if not token or _SPACE.match(token) or _is_punct(token) or token in STOPWORDS:
        return None
    return sys.intern(token.lower())


def tokenize(text: str) -> list[str]:
    return [n for n in map(_normalise, jieba.lcut(text)) if n is not None]


def _cut_block(block: str) -> tuple[str, ...]:
    return tuple(tokenize(block))


def _cut_blocks(blocks: list[str]) -> list[tuple[str, ...]]:
    """Pool task: one chunk of blocks per call, so results go back in few large messages."""
    return [_cut_block(b) for b in blocks]


def _tokenize_texts(texts: list[str]) -> list[list[str]]:
    return [tokenize(t) for t in texts]


def _pool_context():
    # fork shares jieba's loaded dictionary with the workers; spawn (other platforms) reloads it.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _chunks(items: list, n: int) -> list[list]:
    size = max(1, -(-len(items) // n))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _intern_all(tokens: Sequence[str]) -> tuple[str, ...]:
    return tuple(map(sys.intern, tokens))


def tokenize_many(
    texts: Sequence[str],
    processes: int = 1,
    memo: bool = True,
    pool_min_cut_chars: int = 1_000_000,
    stats: dict | None = None,
) -> list[list[str]]:
    """[tokenize(t) for t in texts], token for token.

    With `memo`, each distinct block is cut once. With processes > 1 as well, cutting starts in this
    process and moves to a pool of that many processes only once jieba has had `pool_min_cut_chars`
    of new text to cut (a corpus that mostly repeats itself never pays for a pool): the distinct new
    blocks of the remaining texts are then cut in the pool. Without `memo`, processes > 1 cuts the
    texts themselves in the pool. If a pool cannot start, everything is cut in this process.
    `stats`, if given, receives counts: texts, chars, distinct blocks and the characters jieba cut,
    the processes used and from which text on."""
    texts = list(texts)
    info = {"texts": len(texts), "chars": sum(map(len, texts)), "processes": 1, "memo": memo, "pool_from": None}
    if memo:
        out = _tokenize_memo(texts, processes, pool_min_cut_chars, info)
    else:
        out = _tokenize_plain(texts, processes, info)
    if stats is not None:
        stats.update(info)
    return out


def _tokenize_plain(texts: list[str], processes: int, info: dict) -> list[list[str]]:
    """Every text cut on its own, in a pool of `processes` if there is more than one."""
    out = None
    if processes > 1 and len(texts) > 1:
        cut = _in_pool(_tokenize_texts, _chunks(texts, processes * 8), processes)
        if cut is not None:
            out = [list(_intern_all(tokens)) for chunk in cut for tokens in chunk]
            info.update(processes=processes, pool_from=0)
    if out is None:
        out = [tokenize(t) for t in texts]
    info["cut_chars"] = info["chars"]
    return out


def _tokenize_memo(texts: list[str], processes: int, pool_min_cut_chars: int, info: dict) -> list[list[str]]:
    """Each distinct block cut once; past `pool_min_cut_chars` of new text, the rest in a pool."""
    cache: dict[str, tuple[str, ...]] = {}
    out = []
    cut_chars, pool_from = 0, None
    for i, text in enumerate(texts):
        tokens: list[str] = []
        for block in _BLOCKS.split(text):
            cut = cache.get(block)
            if cut is None:
                cut = cache[block] = _cut_block(block)
                cut_chars += len(block)
            tokens.extend(cut)
        out.append(tokens)
        if processes > 1 and cut_chars >= pool_min_cut_chars and i + 1 < len(texts):
            pool_from = i + 1
            break
    if pool_from is not None:
        rest = texts[pool_from:]
        if _cut_new_blocks_in_pool(rest, cache, processes):
            info.update(processes=processes, pool_from=pool_from)
        for text in rest:
            tokens = []
            for block in _BLOCKS.split(text):
                cut = cache.get(block)
                if cut is None:  # only if the pool could not start
                    cut = cache[block] = _cut_block(block)
                tokens.extend(cut)
            out.append(tokens)
    info["distinct_blocks"] = len(cache)
    info["cut_chars"] = sum(map(len, cache))
    return out


def _cut_new_blocks_in_pool(texts: list[str], cache: dict[str, tuple[str, ...]], processes: int) -> bool:
    """Cut the blocks of `texts` not in `cache` in a process pool, into `cache`; False if no pool started."""
    todo: set[str] = set()
    for text in texts:
        todo.update(_BLOCKS.split(text))
    todo.difference_update(cache)
    # Long blocks first, dealt round-robin, so every chunk gets a share of them.
    ordered = sorted(todo, key=len, reverse=True)
    del todo
    n_chunks = processes * 8
    chunks = [c for c in (ordered[i::n_chunks] for i in range(n_chunks)) if c]
    results = _in_pool(_cut_blocks, chunks, processes) if chunks else []
    if results is None:
        return False
    for chunk, cut in zip(chunks, results, strict=False):
        cache.update(zip(chunk, map(_intern_all, cut), strict=False))
    return True


def _in_pool(fn, chunks: list, processes: int) -> list | None:
    """fn over chunks in a process pool, in order; None if no pool could be started."""
    jieba.initialize()  # load the dictionary once, before fork, not once per worker
    try:
        pool = _pool_context().Pool(processes)
    except (OSError, ValueError, ImportError):
        logging.getLogger(__name__).warning("tokeniser pool unavailable; tokenising in-process", exc_info=True)
        return None
    with pool:
        return pool.map(fn, chunks, chunksize=1)
