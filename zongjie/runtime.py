"""The composition root: Settings in, a ready Drafter out. It decides the chat model (the template
stand-in, an OpenAI-compatible endpoint, or the embedded llama.cpp server: started, its prompt prefix
warmed, restarted when it has died), the drafting style and how many sections run at once. The page
and the CLI build their drafters here and nowhere else.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .settings import Settings, load_settings
from .writers import Writer, writer_for

if TYPE_CHECKING:  # LangChain and the model client load only when a model is first needed
    from langchain_core.language_models.chat_models import BaseChatModel

    from .draft import Drafter
    from .gate import FairGate
    from .local_model import LocalServer

log = logging.getLogger(__name__)


EMBEDDED_TIMEOUT = 300.0  # seconds per call on the embedded server (see _embedded_chat)


def fake_requested() -> bool:
    """ZONGJIE_FAKE_LLM=1: the deterministic template model, no LLM at all (demo and tests)."""
    return os.environ.get("ZONGJIE_FAKE_LLM") == "1"


class EmbeddedServer:
    """The embedded llama.cpp server of this process, shared by every page session and thread: started
    on first use (and its shared prompt prefix warmed, so the first section pays only for its own
    lines), started again when it has died."""

    def __init__(self) -> None:
        self._server: LocalServer | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.alive()

    @property
    def parallel(self) -> int:
        """Slots of the running server (0 when none runs yet)."""
        return self._server.parallel if self._server is not None else 0

    def get(self, settings: Settings, writer: Writer) -> LocalServer:
        with self._lock:
            if not self.running:
                from .local_model import start_server

                self._server = start_server()
                writer.warm_up(_embedded_chat(settings, self._server))
                from .local_model import share_prefix

                share_prefix(self._server)  # every slot starts with what the warm-up cached
            return self._server

    def stop(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None


EMBEDDED = EmbeddedServer()


def _embedded_chat(settings: Settings, server: LocalServer) -> BaseChatModel:
    from .llm import attach_server, make_chat_model
    from .local_model import MODEL_NAME

    # A local server never hangs on a network; what takes long is decoding several sections at once on a
    # busy CPU, so the per-call deadline is generous (a crash is seen at once anyway, see attach_server).
    local = replace(settings, base_url=server.base_url, model=MODEL_NAME, api_key=server.api_key,
                    timeout=max(settings.timeout or 0, EMBEDDED_TIMEOUT))
    # A crash mid-draft restarts the server before the retry (and a warm-up failure is only logged).
    return attach_server(make_chat_model(local, local=True), server)


@dataclass
class Runtime:
    """What a draft runs on, from Settings: `chat()` the model, `writer` the style, `concurrency` the
    sections at once, `drafter()` all of it together. `fake` uses the template model instead.

    Team mode: with a `gate`, every call of the chat model waits its turn there as `user`."""

    settings: Settings = field(default_factory=load_settings)
    fake: bool = field(default_factory=fake_requested)
    fake_delay: float = field(default_factory=lambda: float(os.environ.get("ZONGJIE_FAKE_DELAY", "0") or 0))
    server: EmbeddedServer = field(default=EMBEDDED, repr=False)
    user: str = ""
    gate: FairGate | None = field(default=None, repr=False)

    @property
    def compact(self) -> bool:
        """One short task per call (see Settings.compact); the template model only knows whole sections."""
        return not self.fake and self.settings.compact

    @property
    def writer(self) -> Writer:
        return writer_for(self.compact)

    @property
    def concurrency(self) -> int:
        """Sections drafted at once. The embedded llama-server decodes its slots in one batch, so it
        takes as many sections as it has slots (chosen from the machine, see default_parallel);
        a remote endpoint takes what the settings say."""
        if self.fake:
            return 1
        if self.settings.embedded:
            from .local_model import default_parallel

            return self.server.parallel or default_parallel()
        return max(1, self.settings.concurrency)

    @property
    def starts_server(self) -> bool:
        """The next chat() starts the embedded server (seconds to a minute): a UI shows a spinner."""
        return not self.fake and self.settings.embedded and not self.server.running

    def chat(self, *, timeout: float | None = None) -> BaseChatModel:
        """The chat model; `timeout` (a connection test) also turns retries off."""
        chat = self._chat(timeout)
        if self.gate is not None:
            from .gate import attach_gate

            attach_gate(chat, self.gate, self.user)
        return chat

    def _chat(self, timeout: float | None) -> BaseChatModel:
        if self.fake:
            from .fake_llm import TemplateChatModel

            return TemplateChatModel(delay=self.fake_delay)
        settings = replace(self.settings, timeout=timeout, max_retries=0) if timeout else self.settings
        if settings.embedded:
            return _embedded_chat(settings, self.server.get(settings, self.writer))
        from .llm import make_chat_model

        log.info("chat endpoint %s", settings.redacted())
        return make_chat_model(settings)

    def drafter(self, index: object | None = None, *, pinned_report: str | None = None,
                chat: BaseChatModel | None = None) -> Drafter:
        from .draft import Drafter

        return Drafter(chat=chat or self.chat(), index=index, pinned_report=pinned_report, writer=self.writer)

    def close(self) -> None:
        """Stop the embedded server (the CLI, when done; the page keeps it for the next draft)."""
        if not self.fake and self.settings.embedded:
            self.server.stop()


def runtime(settings: Settings | None = None, *, fake: bool = False, style: str | None = None,
            notices: list[str] | None = None) -> Runtime:
    """A Runtime for `settings` (default: the saved ones, their repairs appended to `notices`), with a
    caller's own switches: the CLI's --fake and --style."""
    settings = settings or load_settings(notices=notices)
    if style:
        settings = replace(settings, style=style)
    return Runtime(settings, fake=fake or fake_requested())
