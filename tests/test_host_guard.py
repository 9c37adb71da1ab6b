"""Issue 16, 5: DNS rebinding against a real `streamlit run` on loopback. A page on
http://evil.example:PORT whose name now resolves to 127.0.0.1 is same-origin with everything it
loads from there; its requests carry `Host: evil.example:PORT`. None of them may get the bullets:
not the page shell, not the static or /_stcore routes, not the websocket that carries script runs.
The websocket is refused by server.allowedHosts (.streamlit/config.toml) and, should that list be
overridden, by the page itself (ui/guard.py), which is tested here with the list set to "*"."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.sync.client import connect

from zongjie.local_model import free_port

ROOT = Path(__file__).resolve().parent.parent
MARKER = "甲乙丙丁绝密要点9527"


def serve(tmp_path, **env_extra):
    port = free_port()
    home = tmp_path / "home"
    env = {**os.environ, "ZONGJIE_FAKE_LLM": "1", "ZONGJIE_HOME": str(home), **env_extra}
    env.pop("STREAMLIT_SERVER_ADDRESS", None)
    from zongjie.store import Store

    draft_id = Store(home / "zongjie.sqlite3").create({"unit": "共青团某某区委员会", "period": "2023年上半年",
                                                       "genre": "工作总结", "bullets": f"{MARKER}，开展活动30场"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start in 60 s")
    return proc, port, draft_id


@pytest.fixture
def server(tmp_path):
    proc, port, draft_id = serve(tmp_path)
    yield port, draft_id
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def server_without_host_list(tmp_path):
    proc, port, draft_id = serve(tmp_path, STREAMLIT_SERVER_ALLOWED_HOSTS="*")
    yield port, draft_id
    proc.terminate()
    proc.wait(timeout=10)


def script_run(port: int, host: str, draft_id: str) -> bytes:
    """Everything the server sends over the websocket for one script run of ?d=draft_id, asked for
    as a browser at http://{host} would (the name resolving to 127.0.0.1)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    received = b""
    try:
        with connect(f"ws://{host}/_stcore/stream", sock=sock, origin=f"http://{host}",
                     subprotocols=["streamlit"], open_timeout=30) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = f"d={draft_id}"
            msg.rerun_script.page_script_hash = ""
            ws.send(msg.SerializeToString())
            deadline = time.monotonic() + 90  # a first script run on a busy 2-core machine
            while time.monotonic() < deadline:
                data = ws.recv(timeout=deadline - time.monotonic())
                received += data
                if ForwardMsg.FromString(data).HasField("script_finished"):
                    break
    except (InvalidStatus, WebSocketException, TimeoutError, OSError):
        pass  # refused or closed: what was received so far is what counts
    return received


def http_bodies(port: int, host: str) -> str:
    out = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Host": host}, timeout=10) as client:
        index = client.get("/")
        out.append(index.text)
        for path in ("/_stcore/health", "/_stcore/host-config", "/_stcore/script-health-check",
                     "/_stcore/metrics", "/media/x.docx", "/app/static/x"):
            out.append(client.get(path).text)
        for asset in __import__("re").findall(r'(?:src|href)="\.?/?(static/[^"]+)"', index.text)[:4]:
            out.append(client.get("/" + asset).text)
    return "\n".join(out)


def test_a_foreign_host_gets_no_bullets(server):
    port, draft_id = server
    evil = f"evil.example:{port}"
    assert MARKER not in http_bodies(port, evil)
    assert MARKER.encode() not in script_run(port, evil, draft_id)
    # the same requests by a loopback name do get the draft (the test can see the bullets)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        assert MARKER.encode() in script_run(port, host, draft_id), host


def test_the_page_refuses_a_foreign_host_itself(server_without_host_list):
    port, draft_id = server_without_host_list
    evil = f"evil.example:{port}"
    received = script_run(port, evil, draft_id)
    assert "只接受通过".encode() in received, "the websocket got through: the page's own check answered"
    assert MARKER.encode() not in received
    assert MARKER.encode() in script_run(port, f"127.0.0.1:{port}", draft_id)


@pytest.mark.parametrize(("host", "served"), [
    ("127.0.0.1:8501", True), ("localhost", True), ("LOCALHOST:80", True), ("[::1]:8501", True),
    ("evil.example:8501", False), ("127.0.0.1.nip.io:8501", False), ("localhost.evil.example", False),
    ("[::ffff:7f00:1]:8501", False), ("", False),
])
def test_which_host_headers_are_served(host, served):
    from ui.guard import is_loopback_host

    assert is_loopback_host(host) is served


@pytest.mark.parametrize(("address", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False), ("::", False), ("", False),
    (None, False), ("192.168.1.5", False),
])
def test_which_server_addresses_are_loopback(address, loopback):
    from ui.guard import is_loopback_address

    assert is_loopback_address(address) is loopback
