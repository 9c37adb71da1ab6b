"""Load prompt templates from the top-level prompts/ folder and fill their named variables."""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class PromptError(KeyError):
    pass


@lru_cache(maxsize=None)
def load(name: str) -> str:
    return (PROMPTS_DIR / f"{name}.txt").read_text(encoding="utf-8").strip()


def variables(name: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(load(name)) if field}


def render(name: str, **values: str) -> str:
    """Fill a template; a missing variable is a programming error, so fail loudly."""
    missing = variables(name) - values.keys()
    if missing:
        raise PromptError(f"prompt {name} needs {sorted(missing)}")
    return load(name).format(**values)


TURN_SEPARATOR = "\n====\n"
REPLY_SEPARATOR = "\n----\n"


@lru_cache(maxsize=None)
def turns(name: str) -> tuple[tuple[str, str], ...]:
    """Few-shot turns: (user, assistant) pairs separated by a ==== line, each pair split by a ---- line."""
    pairs = []
    for block in load(name).split(TURN_SEPARATOR):
        user, sep, reply = block.strip().partition(REPLY_SEPARATOR)
        if not sep or not user.strip() or not reply.strip():
            raise PromptError(f"prompt {name}: every turn needs a user part, a ---- line and a reply")
        pairs.append((user.strip(), reply.strip()))
    return tuple(pairs)
