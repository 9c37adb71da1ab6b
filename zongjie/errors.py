"""Exceptions the page catches, in a module light enough to import before any model code loads."""
from __future__ import annotations


class LLMError(RuntimeError):
    """A model call failed; `args[0]` is a short Chinese message for the user, `kind` one of the
    fault words in zongjie.llm (None when unclassified)."""

    def __init__(self, message: str, kind: str | None = None):
        super().__init__(message)
        self.kind = kind
