"""The one LLM path: a LangChain ChatOpenAI on an OpenAI-compatible endpoint (remote or the embedded server)."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage

from .local_model import MODEL_NAME, LocalServer, start_server
from .settings import Settings

log = logging.getLogger(__name__)


LOCAL_REPEAT_PENALTY = 1.1


class LLMError(RuntimeError):
    """A model call failed; `args[0]` is a short Chinese message for the user."""


def make_chat_model(settings: Settings, *, local: bool = False) -> BaseChatModel:
    """Build the chat model for an endpoint that is already reachable (base_url set).

    local: the embedded llama.cpp server, which also takes llama.cpp's own sampling options.
    """
    from langchain_openai import ChatOpenAI

    if not settings.base_url:
        raise LLMError("未配置模型服务地址。")
    return ChatOpenAI(
        base_url=settings.base_url,
        # llama.cpp and Ollama accept any key; the client library insists on a non-empty one.
        api_key=settings.api_key or "not-needed",
        model=settings.model or MODEL_NAME,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        streaming=True,
        extra_body=_extra_body(settings, local),
    )


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

    The caller owns the returned server and stops it when done.
    """
    server = None
    if settings.embedded:
        server = start_server()
        from dataclasses import replace

        settings = replace(settings, base_url=server.base_url, model=MODEL_NAME)
    log.info("chat endpoint %s", settings.redacted())
    return make_chat_model(settings, local=server is not None), server


def describe_error(exc: BaseException) -> str:
    """Map client exceptions to a Chinese sentence that says what to do."""
    name = type(exc).__name__
    text = str(exc)
    if isinstance(exc, LLMError):
        return text
    if "Timeout" in name or "timed out" in text.lower():
        return "模型服务响应超时，请稍后重试，或在设置中调大超时时间。"
    if "RateLimit" in name or "429" in text:
        return "模型服务繁忙（请求过于频繁），请稍后重试。"
    if "Authentication" in name or "401" in text:
        return "模型服务拒绝了 API 密钥，请在设置中检查密钥。"
    if "NotFound" in name or "404" in text:
        return "模型服务找不到该模型，请在设置中检查模型名称和服务地址。"
    if "Connection" in name or "connect" in text.lower():
        return "无法连接模型服务，请检查服务地址或网络；使用内置模型时请确认其已启动。"
    return f"模型调用失败（{name}），请重试；若反复出现，请检查设置。"


def stream_text(chat: BaseChatModel, messages: list[BaseMessage],
                on_token: Callable[[str], None] | None = None,
                should_stop: Callable[[], bool] | None = None) -> str:
    """Stream a completion, reporting each piece; returns the full text (partial if stopped)."""
    parts: list[str] = []
    try:
        for chunk in _chunks(chat, messages):
            if should_stop and should_stop():
                break
            if chunk:
                parts.append(chunk)
                if on_token:
                    on_token(chunk)
    except Exception as exc:  # noqa: BLE001 - every client error becomes one user message
        log.warning("model call failed: %s", type(exc).__name__)
        raise LLMError(describe_error(exc)) from exc
    return "".join(parts)


def _chunks(chat: BaseChatModel, messages: list[BaseMessage]) -> Iterator[str]:
    for chunk in chat.stream(messages):
        content = chunk.content
        if isinstance(content, list):  # some providers send content parts
            content = "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
        yield content
