"""Chinese word tokens for BM25: jieba words without punctuation, whitespace or function words."""
from __future__ import annotations

import logging
import re
import unicodedata

import jieba

# jieba prints "Building prefix dict…" at INFO on first use; that is noise in the app and tests.
jieba.setLogLevel(logging.WARNING)

# Function words only: content words like 问题/计划 carry the section role and must stay.
STOPWORDS = frozenset(
    "的 了 和 与 及 以及 在 是 对 等 把 将 为 以 并 而 也 都 就 着 之 其 于 或 被 让 从 向 这 那 "
    "我们 我 一 个 中 上 有 要 进一步 不断 积极 认真 切实".split()
)
_SPACE = re.compile(r"^\s+$")


def _is_punct(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZ" for ch in token)


def tokenize(text: str) -> list[str]:
    return [
        t.lower()
        for t in jieba.lcut(text)
        if t and not _SPACE.match(t) and not _is_punct(t) and t not in STOPWORDS
    ]
