"""What can go wrong in a model call: classify a client exception as a Fault, say it in Chinese, and
decide whether and after how long to retry. Free of LangChain; openai is imported only to classify."""
from __future__ import annotations

import json
import re
import time
from email.utils import parsedate_to_datetime

from .errors import Fault, LLMError
from .transport import origin_of

# Backoff before retry n (1-based): min(BASE * FACTOR**(n-1), CAP) -> 1 s, 2 s, 4 s, 8 s, 8 s ...
# A server's Retry-After can lengthen a wait, up to RETRY_AFTER_CAP.
RETRY_BASE = 1.0
RETRY_FACTOR = 2.0
RETRY_CAP = 8.0
RETRY_AFTER_CAP = 30.0

# Faults worth another attempt, and what each one tells the user.
TIMEOUT, BUSY, SERVER, CONNECT, CUT, EMPTY, FORMAT, AUTH, NOT_FOUND, MOVED, CRASH = (
    Fault.TIMEOUT, Fault.BUSY, Fault.SERVER, Fault.CONNECT, Fault.CUT, Fault.EMPTY, Fault.FORMAT, Fault.AUTH,
    Fault.NOT_FOUND, Fault.MOVED, Fault.CRASH)
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


def fault_kind(exc: BaseException) -> Fault | None:
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
        return status_fault(exc.status_code)
    if isinstance(exc, (openai.APIConnectionError, ConnectionError)):
        return CONNECT
    name = type(exc).__name__
    module = type(exc).__module__ or ""
    if module.startswith(("httpx", "httpcore")):  # a transport error the client did not wrap
        return TIMEOUT if "Timeout" in name else CONNECT
    return None


def status_fault(code: int) -> Fault | None:
    """The fault an HTTP error status means; None for the ones retrying cannot fix and we do not name."""
    if 300 <= code < 400:
        return MOVED
    if code == 429:
        return BUSY
    if code == 408:
        return TIMEOUT
    if code == 409 or code >= 500:
        return SERVER
    return {401: AUTH, 403: AUTH, 404: NOT_FOUND}.get(code)


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
        return "，新地址 " + origin_of(str(response.request.url.join(location)))
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


_KEYLIKE = re.compile(r"(Bearer\s+)\S+|\bsk-[A-Za-z0-9_\-]{4,}", re.I)


def redact(text: str, secret: str = "") -> str:
    """For log lines: the configured key, bearer tokens and sk-… strings become ***."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return _KEYLIKE.sub(lambda m: (m.group(1) or "") + "***", text)
