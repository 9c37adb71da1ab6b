"""The errors a user sees, in a module light enough to import before any model code loads: every
user-facing exception derives from UserError, whose message is the Chinese sentence shown as it is,
so the page and the CLI catch this one class."""
from __future__ import annotations

from .vocab import Kind


class UserError(Exception):
    """A failure the user can act on; str(exc) is a complete Chinese sentence saying what to do."""


class Fault(Kind):
    """What went wrong in a model call, as a stable word the UI can branch on (LLMError.kind)."""

    TIMEOUT = "timeout"
    BUSY = "busy"  # HTTP 429
    SERVER = "server"  # 5xx, 409
    CONNECT = "connect"
    CUT = "cut"  # the stream ended before its finish_reason
    EMPTY = "empty"
    FORMAT = "format"  # not an OpenAI chat completion stream
    AUTH = "auth"
    NOT_FOUND = "not_found"
    MOVED = "moved"  # a redirect we do not follow (another origin, or one that would turn POST into GET)
    CRASH = "crash"  # the embedded server died from a signal: not retried past the second crash


class LLMError(UserError, RuntimeError):
    """A model call failed; the message is a short Chinese sentence for the user, `kind` the Fault
    (None when unclassified)."""

    def __init__(self, message: str, kind: Fault | None = None):
        super().__init__(message)
        self.kind = kind
