"""The composition root: Settings in, the model, style and concurrency of a draft out."""
from __future__ import annotations

from types import SimpleNamespace

from langchain_core.messages import HumanMessage

from bench.stub_server import StubServer, ok
from zongjie import local_model
from zongjie.fake_llm import TemplateChatModel
from zongjie.llm import stream_text
from zongjie.runtime import EmbeddedServer, Runtime, runtime
from zongjie.settings import Settings
from zongjie.writers.compact import CompactWriter
from zongjie.writers.full import FullWriter


def test_the_template_model_drafts_whole_sections_one_at_a_time():
    rt = Runtime(Settings(base_url="http://127.0.0.1:9/v1", concurrency=8, style="compact"), fake=True)
    assert isinstance(rt.chat(), TemplateChatModel) and isinstance(rt.writer, FullWriter)
    assert rt.concurrency == 1 and not rt.starts_server


def test_a_remote_endpoint_gets_the_settings_style_and_concurrency():
    rt = Runtime(Settings(base_url="http://127.0.0.1:9/v1", concurrency=6), fake=False)
    assert isinstance(rt.writer, FullWriter) and rt.concurrency == 6 and not rt.starts_server
    assert isinstance(Runtime(Settings(base_url="http://x/v1", style="compact"), fake=False).writer, CompactWriter)
    drafter = rt.drafter(index=None, pinned_report="r1")
    assert drafter.pinned_report == "r1" and isinstance(drafter.writer, FullWriter)


def test_the_cli_switches_override_the_saved_settings(monkeypatch):
    monkeypatch.setenv("ZONGJIE_BASE_URL", "http://127.0.0.1:9/v1")
    assert isinstance(runtime(style="compact").writer, CompactWriter)
    assert runtime(fake=True).fake and not runtime().fake


class Servers:
    """Stands in for EmbeddedServer: records starts and stops, serves from a stub endpoint."""

    def __init__(self, url: str):
        self.url, self.running, self.parallel, self.starts, self.stops = url, False, 2, 0, 0

    def get(self, settings, writer):
        self.starts += 1
        self.running = True
        return SimpleNamespace(base_url=self.url, api_key="server-key", parallel=2)

    def stop(self):
        self.stops += 1


def test_the_embedded_model_is_reached_with_the_servers_key_and_stopped_by_close():
    """The page's own copy of this wiring had drifted: it left out the server's api_key."""
    with StubServer(ok("好。")) as stub:
        servers = Servers(stub.url)
        rt = Runtime(Settings(), fake=False, server=servers)
        assert rt.starts_server and isinstance(rt.writer, CompactWriter)
        assert stream_text(rt.chat(), [HumanMessage(content="你好")]) == "好。"
        assert stub.chat_requests[0].headers.get("authorization") == "Bearer server-key"
        assert rt.concurrency == 2, "the embedded server takes as many sections as it has slots"
    rt.close()
    assert (servers.starts, servers.stops) == (1, 1)


def test_the_embedded_server_is_started_once_warmed_and_started_again_when_it_died(monkeypatch):
    started, warmed = [], []

    def start_server(**_kwargs):
        server = SimpleNamespace(base_url="http://127.0.0.1:9/v1", api_key="", parallel=1, alive=lambda: True,
                                 stop=lambda: None)
        started.append(server)
        return server

    class Writer:
        def warm_up(self, chat):
            warmed.append(chat)

    monkeypatch.setattr(local_model, "start_server", start_server)
    servers = EmbeddedServer()
    first = servers.get(Settings(), Writer())
    assert servers.get(Settings(), Writer()) is first and len(started) == len(warmed) == 1
    first.alive = lambda: False  # it crashed
    assert servers.get(Settings(), Writer()) is not first and len(started) == len(warmed) == 2
