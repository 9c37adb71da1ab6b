"""The one LLM path: a LangChain ChatOpenAI on an OpenAI-compatible endpoint (remote or the embedded
server), streamed with bounded retries so a flaky endpoint costs a wait, not a section."""
from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx2  # the openai client's HTTP library (a fork of httpx)
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, BaseMessageChunk

from .errors import LLMError  # noqa: F401 (re-exported: callers catch it from here)
from .local_model import (MODEL_NAME, LocalModelError, LocalServer, ServerCrashed, crash_message,
                          ensure_running, start_server)
from .settings import Settings, safe_url, split_userinfo

log = logging.getLogger(__name__)


LOCAL_REPEAT_PENALTY = 1.1

# Backoff before retry n (1-based): min(BASE * FACTOR**(n-1), CAP) -> 1 s, 2 s, 4 s, 8 s, 8 s ...
# A server's Retry-After can lengthen a wait, up to RETRY_AFTER_CAP.
RETRY_BASE = 1.0
RETRY_FACTOR = 2.0
RETRY_CAP = 8.0
RETRY_AFTER_CAP = 30.0

# Faults: what went wrong, as a stable word the UI can branch on (LLMError.kind) and a message.
TIMEOUT, BUSY, SERVER, CONNECT, CUT, EMPTY, FORMAT, AUTH, NOT_FOUND = (
    "timeout", "busy", "server", "connect", "cut", "empty", "format", "auth", "not_found")
CRASH = "crash"  # the embedded server died from a signal: not retried past the second crash
MOVED = "moved"  # a redirect we do not follow (another origin, or one that would turn POST into GET)
RETRYABLE = frozenset({TIMEOUT, BUSY, SERVER, CONNECT, CUT, EMPTY, FORMAT})
MESSAGES = {
    TIMEOUT: "模型服务响应超时，请稍后重试，或在设置中调大超时时间。",
    BUSY: "模型服务繁忙（请求过于频繁，HTTP 429），请稍后重试。",
    SERVER: "模型服务出错（HTTP {code}），请稍后重试；若反复出现，请联系服务提供方。",
    CONNECT: "无法连接模型服务，请检查服务地址或网络；使用内置模型时请确认其已启动。",
    CUT: "模型回复中断（连接在生成途中断开），请重新生成本节。",
    EMPTY: "模型返回为空，请重新生成本节；若反复出现，请更换模型或检查设置。",
    FORMAT: "模型服务返回的内容格式错误，无法解析；请检查服务地址是否为 OpenAI 兼容接口（通常以 /v1 结尾）。",
    AUTH: "模型服务拒绝了 API 密钥，请在设置中检查密钥。",
    NOT_FOUND: "模型服务找不到该模型，请在设置中检查模型名称和服务地址。",
    MOVED: ("模型服务的地址已变更（HTTP {code}{where}）。为免把要点发往未经确认的地址，zongjie 不跟随这种跳转；"
            "请确认新地址可信后，在设置中把服务地址改为它。"),
}


class StreamCut(RuntimeError):
    """The stream ended without a finish_reason: the connection dropped after some text."""


class EmptyReply(RuntimeError):
    """The model finished without writing anything."""


class MalformedReply(RuntimeError):
    """The endpoint answered, but not with an OpenAI chat completion stream."""


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
        http_client=_http_client(is_loopback(base_url), userinfo),
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


def is_loopback(base_url: str) -> bool:
    host = (urlsplit(base_url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


_clients: dict = {}
_clients_lock = threading.Lock()


def _http_client(loopback: bool, userinfo: tuple[str, str] | None):
    """The HTTP client under every chat model (shared, for its connection pool), with three guards:

    - a loopback endpoint (the embedded server) is not routed through an HTTP_PROXY from the
      environment: the proxy could not reach it, and it would see the request and its key;
    - redirects are followed only to the same origin and only when they keep the method (307/308):
      any other one would send the prompt, the user's bullets, to a host nobody configured, or
      replay the chat request as a GET (a 301 then read as "model not found");
    - a wall-clock deadline per request (its read timeout, see _Deadline): keep-alive comments or
      empty deltas reset the read timeout forever, so without it a silent stream never ends."""
    import openai

    key = (loopback, userinfo)
    with _clients_lock:
        if key not in _clients:
            options: dict = {"event_hooks": {"request": [_start_clock], "response": [_refuse_redirect, _deadline]}}
            if loopback:
                options["trust_env"] = False
            if userinfo is not None:
                options["auth"] = httpx2.BasicAuth(*userinfo)
            _clients[key] = openai.DefaultHttpxClient(**options)
        return _clients[key]


def _start_clock(request) -> None:
    request.extensions = {**request.extensions, "zongjie_started": time.monotonic()}


def _refuse_redirect(response) -> None:
    if not response.has_redirect_location:
        return
    import openai

    request = response.request
    target = request.url.join(response.headers["location"])
    same_origin = (target.scheme, target.host, target.port) == (request.url.scheme, request.url.host,
                                                                 request.url.port)
    if same_origin and response.status_code in (307, 308):
        return
    raise openai.APIStatusError(f"redirect to {_origin_of(str(target))} not followed", response=response,
                                body=None)


def _origin_of(url: str) -> str:
    """scheme://host[:port]/path of a URL, for a message: no credentials, no query string."""
    parts = urlsplit(safe_url(url))
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _deadline(response) -> None:
    """Bound the whole response by the request's own timeout, counted from when it was sent."""
    timeout = (response.request.extensions.get("timeout") or {}).get("read")
    started = response.request.extensions.get("zongjie_started")
    if timeout and started is not None and isinstance(response.stream, httpx2.SyncByteStream):
        response.stream = _Deadline(response.stream, started + timeout, timeout)


class _Deadline(httpx2.SyncByteStream):
    """A response body that raises ReadTimeout at the first piece arriving after the deadline. A
    stream silent past the read timeout still ends by that timeout, so one call lasts at most its
    timeout plus one read timeout."""

    def __init__(self, inner: httpx2.SyncByteStream, deadline: float, timeout: float):
        self._inner, self._deadline, self._timeout = inner, deadline, timeout

    def __iter__(self):
        for piece in self._inner:
            if time.monotonic() > self._deadline:
                raise httpx2.ReadTimeout(f"no complete reply within {self._timeout:g} s")
            yield piece

    def close(self) -> None:
        self._inner.close()


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


# ---- faults -------------------------------------------------------------------------------------
def fault_kind(exc: BaseException) -> str | None:
    """Classify a client exception; None for what retrying cannot fix (or we do not recognise)."""
    import openai

    if isinstance(exc, LLMError):
        return exc.kind
    if isinstance(exc, StreamCut):
        return CUT
    if isinstance(exc, EmptyReply):
        return EMPTY
    if isinstance(exc, (MalformedReply, json.JSONDecodeError, UnicodeDecodeError)):
        return FORMAT
    if isinstance(exc, (openai.APITimeoutError, TimeoutError)):  # before APIConnectionError: a subclass
        return TIMEOUT
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        if 300 <= code < 400:
            return MOVED
        if code == 429:
            return BUSY
        if code == 408:
            return TIMEOUT
        if code == 409 or code >= 500:
            return SERVER
        if code in (401, 403):
            return AUTH
        if code == 404:
            return NOT_FOUND
        return None
    if isinstance(exc, (openai.APIConnectionError, ConnectionError)):
        return CONNECT
    name = type(exc).__name__
    module = type(exc).__module__ or ""
    if module.startswith(("httpx", "httpcore")):  # a transport error the client did not wrap
        return TIMEOUT if "Timeout" in name else CONNECT
    return None


def describe_error(exc: BaseException) -> str:
    """Map client exceptions to a Chinese sentence that says what to do."""
    if isinstance(exc, LLMError):
        return str(exc)
    kind = fault_kind(exc)
    if kind == SERVER:
        return MESSAGES[SERVER].format(code=getattr(exc, "status_code", "5xx"))
    if kind == MOVED:
        return MESSAGES[MOVED].format(code=getattr(exc, "status_code", "3xx"), where=_moved_to(exc))
    if kind is not None:
        return MESSAGES[kind]
    # Unrecognised types (other clients, tests): fall back on what the text says.
    name = type(exc).__name__
    text = str(exc)
    if "Timeout" in name or "timed out" in text.lower():
        return MESSAGES[TIMEOUT]
    if "RateLimit" in name or "429" in text:
        return MESSAGES[BUSY]
    if "Authentication" in name or "401" in text:
        return MESSAGES[AUTH]
    if "NotFound" in name or "404" in text:
        return MESSAGES[NOT_FOUND]
    if "Connection" in name or "connect" in text.lower():
        return MESSAGES[CONNECT]
    return f"模型调用失败（{name}），请重试；若反复出现，请检查设置。"


def _moved_to(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    location = getattr(response, "headers", {}).get("location") if response is not None else None
    if not location:
        return ""
    try:
        return "，新地址 " + _origin_of(str(response.request.url.join(location)))
    except Exception:  # noqa: BLE001 - a message detail; a malformed Location just goes unnamed
        return ""


def retry_after(exc: BaseException) -> float | None:
    """Seconds from a Retry-After (or retry-after-ms) header of an HTTP error, if any."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if not headers:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms:
            return max(0.0, float(ms) / 1000)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def backoff_delay(retry: int, server_hint: float | None = None) -> float:
    """Seconds to wait before retry number `retry` (1 = the first retry)."""
    delay = min(RETRY_BASE * RETRY_FACTOR ** (retry - 1), RETRY_CAP)
    if server_hint is not None:
        delay = max(delay, min(server_hint, RETRY_AFTER_CAP))
    return delay


def sleep(seconds: float, should_stop: Callable[[], bool] | None = None) -> None:
    """The backoff wait, in short slices so 停止 is not held up. Tests replace this attribute."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if should_stop and should_stop():
            return
        time.sleep(min(left, 0.2))


_KEYLIKE = re.compile(r"(Bearer\s+)\S+|\bsk-[A-Za-z0-9_\-]{4,}", re.I)


def redact(text: str, secret: str = "") -> str:
    """For log lines: the configured key, bearer tokens and sk-… strings become ***."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return _KEYLIKE.sub(lambda m: (m.group(1) or "") + "***", text)


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
                max_chars: int | None = None) -> str:
    """Stream a completion, reporting each piece; returns the full text (partial if stopped).

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
            text = _attempt(chat, messages, on_token, should_stop, max_chars)
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
            delay = backoff_delay(attempt, retry_after(exc) if kind == BUSY or kind == SERVER else None)
        if on_retry:
            on_retry(attempt, delay, reason)
        sleep(delay, should_stop)
        hook = getattr(chat, "_zongjie_before_retry", None)
        if hook is not None:
            try:
                hook()
            except LocalModelError as exc:
                raise LLMError(str(exc), CRASH if isinstance(exc, ServerCrashed) else CONNECT) from exc


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
        while True:
            try:
                chunk = next(stream)
            except StopIteration:
                break
            except Exception as exc:
                mapped = _in_stream(exc, bool(parts))
                if mapped is exc:
                    raise
                raise mapped from exc
            if should_stop and should_stop():
                return "".join(parts)
            if (getattr(chunk, "response_metadata", None) or {}).get("finish_reason"):
                finished = True
            text = _text(chunk)
            if max_chars is not None:
                text = text[: max(0, max_chars - received)]
            if text:
                parts.append(text)
                received += len(text)
                if on_token:
                    try:
                        on_token(text)
                    except Exception as exc:  # noqa: BLE001
                        raise _CallbackError(exc) from exc
            if max_chars is not None and received >= max_chars:
                return "".join(parts)  # budget spent: like a stop, the partial text is the answer
    finally:
        close = getattr(stream, "close", None)
        if close:
            close()  # frees the connection when we leave early
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
