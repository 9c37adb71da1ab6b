"""The one LLM path: a LangChain ChatOpenAI on an OpenAI-compatible endpoint (remote or the embedded
server), streamed with bounded retries so a flaky endpoint costs a wait, not a section."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, BaseMessageChunk

from .errors import Fault, LLMError
from .faults import (
    AUTH,
    BUSY,
    CONNECT,
    CRASH,
    CUT,
    EMPTY,
    FORMAT,
    MESSAGES,
    MOVED,
    NOT_FOUND,
    RETRY_AFTER_CAP,
    RETRYABLE,
    SERVER,
    TIMEOUT,
    EmptyReply,
    MalformedReply,
    StreamCut,
    backoff_delay,
    describe_error,
    fault_kind,
    redact,
    retry_after,
)
from .gate import turn
from .local_model import (
    MODEL_NAME,
    LocalModelError,
    LocalServer,
    ServerCrashed,
    crash_message,
    ensure_running,
    start_server,
)
from .settings import Settings, is_loopback, split_userinfo
from .transport import http_client

# The fault words and helpers live in zongjie.faults; callers (and tests) know them from here too.
__all__ = [
    "AUTH", "BUSY", "CONNECT", "CRASH", "CUT", "EMPTY", "FORMAT", "MESSAGES", "MOVED", "NOT_FOUND", "RETRYABLE",
    "RETRY_AFTER_CAP", "SERVER", "TIMEOUT", "Fault", "LLMError", "attach_server", "backoff_delay", "connect",
    "describe_error", "fault_kind", "make_chat_model", "sleep", "stream_text",
]

log = logging.getLogger(__name__)

LOCAL_REPEAT_PENALTY = 1.1


def make_chat_model(settings: Settings, *, local: bool = False) -> BaseChatModel:
    """Build the chat model for an endpoint that is already reachable (base_url set).

    local: the embedded llama.cpp server, which also takes llama.cpp's own sampling options.

    `chat.max_retries` is the retry budget of `stream_text`; the openai client underneath gets
    max_retries=0, so the two layers do not multiply (3 x 3 attempts) and every retry gets our
    backoff, Retry-After cap and the discarding of a failed attempt's partial text.
    """
    from langchain_openai import ChatOpenAI

    if not settings.base_url:
        raise LLMError("未配置模型服务地址。")
    # user:password@ leaves the URL (it would show in repr(chat) and in httpx's log lines) and goes
    # to the HTTP client as Basic auth, which is what it did inside the URL (settings warn about it).
    base_url, userinfo = split_userinfo(settings.base_url)
    chat = ChatOpenAI(
        base_url=base_url,
        # llama.cpp and Ollama accept any key; the client library insists on a non-empty one.
        api_key=settings.api_key or "not-needed",
        model=settings.model or MODEL_NAME,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        streaming=True,
        extra_body=_extra_body(settings, local),
        http_client=http_client(is_loopback(base_url), userinfo),
    )
    _disable_client_retries(chat)
    return chat


def _disable_client_retries(chat) -> None:
    for root, sub in (("root_client", "client"), ("root_async_client", "async_client")):
        client = getattr(chat, root, None)
        if client is not None:
            client = client.with_options(max_retries=0)
            setattr(chat, root, client)
            setattr(chat, sub, client.chat.completions)


def _extra_body(settings: Settings, local: bool) -> dict | None:
    """langchain-openai sends only `max_completion_tokens`, which llama.cpp's server (and some other
    compatible servers) ignore: without `max_tokens` the embedded model writes until its context is
    full. OpenAI itself rejects receiving both, so it gets only the new name. The small local model
    loops on long outputs; llama.cpp's repeat penalty curbs that (others would reject the field)."""
    if "api.openai.com" in settings.base_url:
        return None
    body: dict = {"max_tokens": settings.max_tokens}
    if local:
        body["repeat_penalty"] = LOCAL_REPEAT_PENALTY
    return body


def connect(settings: Settings) -> tuple[BaseChatModel, LocalServer | None]:
    """Chat model for the settings; starts the embedded llama.cpp server when no endpoint is set.

    The caller owns the returned server and stops it when done. With the embedded server, a retry
    after a failed call first restarts the server if it has died (see `attach_server`).
    """
    server = None
    if settings.embedded:
        server = start_server()
        settings = replace(settings, base_url=server.base_url, model=MODEL_NAME, api_key=server.api_key)
    log.info("chat endpoint %s", settings.redacted())
    chat = make_chat_model(settings, local=server is not None)
    if server is not None:
        attach_server(chat, server)
    return chat, server


def attach_server(chat: BaseChatModel, server: LocalServer) -> BaseChatModel:
    """Before each retry, make sure the embedded server still runs (restarting it on the same port,
    so this chat model keeps working); a server that cannot come back ends the retries with its
    own message and log path."""

    def before_retry() -> None:
        ensure_running(server)
        if server.base_url.rstrip("/") != str(getattr(chat, "openai_api_base", "")).rstrip("/"):
            _retarget(chat, server.base_url)  # the old port was taken meanwhile

    def succeeded() -> None:
        server.crashes = 0  # "two crashes in a row" counts crashes with no good answer between

    def fault() -> str:
        """When the last attempt failed because the server died from a signal, say so: a crash
        looks like a refused connection to the client, and "无法连接" would send the user to
        check a network that is fine."""
        name = server.crash_signal()
        return crash_message(name, server.log_path) if name else ""

    # pydantic lets a model carry an undeclared underscore attribute; BaseChatModel has no slot for it.
    chat._zongjie_before_retry = before_retry  # type: ignore[attr-defined]
    chat._zongjie_succeeded = succeeded  # type: ignore[attr-defined]
    chat._zongjie_fault = fault  # type: ignore[attr-defined]
    return chat


def _retarget(chat, base_url: str) -> None:
    chat.openai_api_base = base_url
    for root, sub in (("root_client", "client"), ("root_async_client", "async_client")):
        client = getattr(chat, root, None)
        if client is not None:
            client = client.with_options(base_url=base_url)
            setattr(chat, root, client)
            setattr(chat, sub, client.chat.completions)


def sleep(seconds: float, should_stop: Callable[[], bool] | None = None) -> None:
    """The backoff wait, in short slices so 停止 is not held up. Tests replace this attribute."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if should_stop and should_stop():
            return
        time.sleep(min(left, 0.2))


def _secret_of(chat) -> str:
    key = getattr(chat, "openai_api_key", None)
    getter = getattr(key, "get_secret_value", None)
    return getter() if callable(getter) else ""


def _chain_text(exc: BaseException | None, depth: int = 0) -> str:
    if exc is None or depth > 8:
        return ""
    return str(exc) + "\n" + _chain_text(exc.__cause__ or exc.__context__, depth + 1)


# ---- streaming --------------------------------------------------------------------------------
def stream_text(chat: BaseChatModel, messages: list[BaseMessage],
                on_token: Callable[[str], None] | None = None,
                should_stop: Callable[[], bool] | None = None,
                on_retry: Callable[[int, float, str], None] | None = None,
                max_chars: int | None = None, on_queue: Callable[[int], None] | None = None) -> str:
    """Stream a completion, reporting each piece; returns the full text (partial if stopped).

    In team mode every attempt first waits its turn at the process's one gate to the endpoint
    (zongjie.gate, attached to `chat` by the runtime); on_queue(calls ahead) reports the wait.

    max_chars: the output budget. The stream is closed once it is reached, and the piece that
    crosses it is cut there, so a single oversized delta (one of 10 MB was seen) cannot bypass it.

    Timeouts, 429, 5xx, refused connections, a stream cut before its finish_reason, an empty reply
    and an unparsable reply are retried `chat.max_retries` times (0 for models without that field)
    after `backoff_delay`; a failed attempt's partial text is dropped, and on_retry(retry number,
    delay, Chinese reason) tells the caller to clear what it showed. Then LLMError with the reason.
    """
    retries = max(0, int(getattr(chat, "max_retries", 0) or 0))
    secret = _secret_of(chat)
    attempt = 0
    while True:
        attempt += 1
        if attempt > 1 and should_stop and should_stop():
            return ""
        try:
            text = _gated_attempt(chat, messages, on_token, should_stop, max_chars, on_queue)
            succeeded = getattr(chat, "_zongjie_succeeded", None)
            if succeeded is not None:
                succeeded()
            return text
        except _CallbackError as wrapped:
            raise wrapped.error from None  # the caller's own callback failed: not a model fault
        except Exception as exc:  # noqa: BLE001 - every client error becomes one user message
            kind = fault_kind(exc)
            reason = describe_error(exc)
            log.warning("model call failed (attempt %d of %d, %s): %s: %s", attempt, retries + 1,
                        kind or "other", type(exc).__name__, redact(str(exc)[:300], secret))
            if kind not in RETRYABLE or attempt > retries:
                crashed = getattr(chat, "_zongjie_fault", lambda: "")()
                if crashed:
                    reason, kind = crashed, CRASH
                elif attempt > 1:
                    reason = f"已自动重试 {attempt - 1} 次仍失败：{reason}"
                err = LLMError(reason, kind)
                # Keep the cause for tracebacks unless some server echoed the key into it.
                raise err from (None if secret and secret in _chain_text(exc) else exc)
            delay = backoff_delay(attempt, retry_after(exc) if kind in (BUSY, SERVER) else None)
        if on_retry:
            on_retry(attempt, delay, reason)
        sleep(delay, should_stop)
        hook = getattr(chat, "_zongjie_before_retry", None)
        if hook is not None:
            try:
                hook()
            except LocalModelError as exc:
                raise LLMError(str(exc), CRASH if isinstance(exc, ServerCrashed) else CONNECT) from exc


def _gated_attempt(chat: BaseChatModel, messages: list[BaseMessage], on_token: Callable[[str], None] | None,
                   should_stop: Callable[[], bool] | None, max_chars: int | None,
                   on_queue: Callable[[int], None] | None) -> str:
    """One attempt after its turn at the team gate (none in single-user mode); "" when stopped while
    queued, as for a stop before the first piece: nothing was sent."""
    with turn(chat, on_queue, should_stop) as granted:
        return _attempt(chat, messages, on_token, should_stop, max_chars) if granted else ""


class _CallbackError(Exception):
    def __init__(self, error: BaseException):
        super().__init__(repr(error))
        self.error = error


def _attempt(chat: BaseChatModel, messages: list[BaseMessage], on_token: Callable[[str], None] | None,
             should_stop: Callable[[], bool] | None, max_chars: int | None = None) -> str:
    """One streamed call. On the OpenAI protocol, complete means a finish_reason arrived: the
    openai client ends quietly on a close-delimited body without [DONE], so a missing finish_reason
    is the one reliable sign of a cut there (a chunked body that breaks raises instead)."""
    parts: list[str] = []
    received = 0
    finished = False
    stream = chat.stream(messages)
    try:
        while (chunk := _next_chunk(stream, bool(parts))) is not _END:
            if should_stop and should_stop():
                return "".join(parts)
            finished = finished or bool((getattr(chunk, "response_metadata", None) or {}).get("finish_reason"))
            text = _text(chunk)
            if max_chars is not None:
                text = text[: max(0, max_chars - received)]
            if text:
                parts.append(text)
                received += len(text)
                _report(on_token, text)
            if max_chars is not None and received >= max_chars:
                return "".join(parts)  # budget spent: like a stop, the partial text is the answer
    finally:
        close = getattr(stream, "close", None)
        if close:
            close()  # frees the connection when we leave early
    return _whole_reply(chat, parts, finished)


_END = object()  # the stream is exhausted


def _next_chunk(stream, had_text: bool):
    """The next chunk, or _END; a client error mid-stream is named for what it means (_in_stream)."""
    try:
        return next(stream)
    except StopIteration:
        return _END
    except Exception as exc:
        mapped = _in_stream(exc, had_text)
        if mapped is exc:
            raise
        raise mapped from exc


def _report(on_token: Callable[[str], None] | None, text: str) -> None:
    if on_token:
        try:
            on_token(text)
        except Exception as exc:  # noqa: BLE001 - the caller's own failure, re-raised as is by stream_text
            raise _CallbackError(exc) from exc


def _whole_reply(chat: BaseChatModel, parts: list[str], finished: bool) -> str:
    """The text of a stream that ended by itself, or the fault that its ending shows."""
    text = "".join(parts)
    if not _speaks_openai(chat):
        return text  # stand-ins (fake_llm) report no finish_reason and may answer "" on purpose
    if not finished:
        if parts:
            raise StreamCut(f"stream ended after {len(text)} characters without finish_reason")
        raise MalformedReply("stream ended without any completion chunk")
    if not text.strip():
        raise EmptyReply("the model finished with empty content")
    return text


def _speaks_openai(chat: BaseChatModel) -> bool:
    """The OpenAI protocol ends every choice with a finish_reason; other chat models need not."""
    return type(chat).__module__.startswith("langchain_openai")


def _in_stream(exc: Exception, had_text: bool) -> Exception:
    """A connection error once text has arrived is a cut reply, not an unreachable server; the
    client wraps both the same way. A stream without a single chunk is not a chat stream."""
    kind = fault_kind(exc)
    if had_text and kind == CONNECT:
        return StreamCut(f"connection lost mid-reply ({type(exc).__name__})")
    if kind is None and isinstance(exc, ValueError) and "No generation chunks" in str(exc):
        return MalformedReply("no completion chunks in the response")
    return exc


def _text(chunk: BaseMessageChunk) -> str:
    content = chunk.content
    if isinstance(content, list):  # some providers send content parts
        content = "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return content or ""
