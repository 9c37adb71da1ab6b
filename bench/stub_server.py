"""A scriptable OpenAI-compatible chat server on loopback (standard library only), for fault tests and
the speed bench: each POST /v1/chat/completions takes the next scripted behaviour, then the default.

    with StubServer(latency_per_token=0.02) as stub:          # stub.url == "http://127.0.0.1:PORT/v1"
        stub.script(status(429, retry_after=1), ok("正文。"))    # first call 429, second succeeds
        ...
        stub.requests                                          # every request: headers (incl. Authorization) and body

Run it for a manual bench: python bench/stub_server.py --port 8099 --latency-per-token 0.05
"""
from __future__ import annotations

import argparse
import collections
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_TEXT = "各项工作稳步推进，取得了积极成效。"
DEFAULT_MODEL = "stub-model"

Text = str | Callable[[dict], str]  # fixed text, or a function of the request body


@dataclass(frozen=True)
class Behaviour:
    """What the server does with one chat request; build these with the functions below."""

    kind: str  # ok | delay | status | cut | empty | garbage | redirect | keepalive | empty_deltas
    text: Text = DEFAULT_TEXT
    seconds: float = 0.0
    code: int = 200
    retry_after: float | None = None
    n_chunks: int = 0
    framing: str = "chunked"  # cut: "chunked" breaks the HTTP framing; "close" ends the body cleanly
    body: str = ""
    latency_per_token: float | None = None  # None: the server's setting
    chunk_chars: int | None = None  # None: the server's setting


def ok(text: Text = DEFAULT_TEXT, *, latency_per_token: float | None = None,
       chunk_chars: int | None = None) -> Behaviour:
    return Behaviour("ok", text=text, latency_per_token=latency_per_token, chunk_chars=chunk_chars)


def one_chunk(text: Text) -> Behaviour:
    """The whole answer as a single delta, however long (a 10 MB one bypassed the output budget)."""
    return Behaviour("ok", text=text, chunk_chars=1 << 62)


def keepalive(interval: float = 0.2, *, seconds: float = 3600.0) -> Behaviour:
    """A 200 event stream that sends only SSE comment lines (": keep-alive"), every `interval`
    seconds, for `seconds`: bytes keep arriving, so no read timeout ever fires, and no chunk does."""
    return Behaviour("keepalive", seconds=seconds, retry_after=interval)


def empty_deltas(interval: float = 0.05, *, seconds: float = 3600.0) -> Behaviour:
    """A 200 event stream of well-formed chunks whose content is "", every `interval` seconds."""
    return Behaviour("empty_deltas", seconds=seconds, retry_after=interval)


def delay_before(seconds: float, text: Text = DEFAULT_TEXT) -> Behaviour:
    """Say nothing for `seconds`, then answer normally (past a client timeout the client is gone)."""
    return Behaviour("delay", text=text, seconds=seconds)


def status(code: int, *, retry_after: float | None = None, body: str = "") -> Behaviour:
    """An HTTP error with an OpenAI-style JSON error body (or `body` verbatim)."""
    return Behaviour("status", code=code, retry_after=retry_after, body=body)


def cut_stream_after(n_chunks: int, text: Text = DEFAULT_TEXT, *, framing: str = "chunked") -> Behaviour:
    """Send `n_chunks` content chunks, then close the socket: no finish_reason, no [DONE].

    framing="chunked" leaves a chunked body unterminated, as a dropped connection does (clients see
    a protocol error); "close" uses a close-delimited body, so the cut looks like a normal end and
    only the missing finish_reason tells."""
    return Behaviour("cut", text=text, n_chunks=n_chunks, framing=framing)


def empty() -> Behaviour:
    """A well-formed reply whose content is ""."""
    return Behaviour("empty", text="")


def garbage(kind: str = "sse") -> Behaviour:
    """kind="sse": an event stream whose data is not JSON; "body": a 200 HTML page instead of a stream."""
    return Behaviour("garbage", body=kind)


def redirect(location: str, code: int = 307) -> Behaviour:
    return Behaviour("redirect", code=code, body=location)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: object  # parsed JSON, or the raw text when it is not JSON
    at: float = field(default_factory=time.monotonic)


class StubServer:
    """Context manager; binds 127.0.0.1 on a free port unless told otherwise. Thread-safe."""

    def __init__(self, default: Behaviour | None = None, *, latency_per_token: float = 0.0,
                 chunk_chars: int = 2, model: str = DEFAULT_MODEL, host: str = "127.0.0.1", port: int = 0):
        self.default = default or ok()
        self.latency_per_token = latency_per_token
        self.chunk_chars = chunk_chars  # one chunk counts as one token for latency and max_tokens
        self.model = model
        self.requests: list[Recorded] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._queue: collections.deque[Behaviour] = collections.deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.stub = self
        self._thread: threading.Thread | None = None

    # ---- control ----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """The base_url a client takes (ends in /v1)."""
        return f"http://{self._httpd.server_address[0]}:{self.port}/v1"

    def script(self, *behaviours: Behaviour) -> StubServer:
        """Queue behaviours for the next chat requests, in order; afterwards `default` applies."""
        with self._lock:
            self._queue.extend(behaviours)
        return self

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    @property
    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/chat/completions")]

    def start(self) -> StubServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"stub-openai-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Returns at once: sleeping handlers see the stop flag and end."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- used by the handler -----------------------------------------------------------------
    def _next(self) -> Behaviour:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default

    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _sleep(self, seconds: float) -> bool:
        """False when the server is stopping (the handler should give up)."""
        return not self._stopping.wait(seconds) if seconds > 0 else not self._stopping.is_set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    stub: StubServer

    def handle_error(self, request, client_address):  # a client that hung up is not news
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - keep test output clean
        pass

    @property
    def stub(self) -> StubServer:
        return self.server.stub

    def _body(self) -> object:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return raw

    def _record(self, body: object) -> None:
        self.stub._record(Recorded(self.command, self.path, dict(self.headers.items()), body))

    def do_GET(self):  # noqa: N802
        self._record(None)
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": self.stub.model, "object": "model",
                                                         "owned_by": "stub"}]})
        else:
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):  # noqa: N802
        body = self._body()
        self._record(body)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            return
        request = body if isinstance(body, dict) else {}
        self.stub._enter()
        try:
            self._chat(self.stub._next(), request)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True  # the client gave up (its timeout) or hung up
        finally:
            self.stub._leave()

    # ---- behaviours ---------------------------------------------------------------------------
    def _chat(self, b: Behaviour, request: dict) -> None:
        if b.kind == "delay" and not self.stub._sleep(b.seconds):
            self.close_connection = True
            return
        if b.kind == "status":
            headers = {"Retry-After": _num(b.retry_after)} if b.retry_after is not None else {}
            if b.body:
                self._send(b.code, b.body.encode(), "application/json", headers)
            else:
                kind = "rate_limit_exceeded" if b.code == 429 else "server_error"
                self._json(b.code, {"error": {"message": f"stub error {b.code}", "type": kind}}, headers)
            return
        if b.kind == "redirect":
            self._send(b.code, b"", "text/plain", {"Location": b.body})
            return
        if b.kind in ("keepalive", "empty_deltas"):
            self._endless(b)
            return
        if b.kind == "garbage":
            if b.body == "body":
                self._send(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
            else:
                self._start_stream("chunked")
                self._chunk(b'data: {"id": "x", "choices": [{"delta": {"content": "oops\n\n')
                self._chunk(b"data: [DONE]\n\n")
                self._chunk(b"")
            return
        text = b.text(request) if callable(b.text) else b.text
        size = b.chunk_chars or self.stub.chunk_chars
        pieces = [text[i:i + size] for i in range(0, len(text), size)]
        limit = request.get("max_tokens") or request.get("max_completion_tokens")
        finish = "stop"
        if limit and len(pieces) > int(limit):
            pieces, finish = pieces[: int(limit)], "length"
        latency = self.stub.latency_per_token if b.latency_per_token is None else b.latency_per_token
        if request.get("stream"):
            self._stream(b, pieces, finish, latency)
        else:
            if not self.stub._sleep(latency * len(pieces)):
                self.close_connection = True
                return
            self._json(200, self._completion("".join(pieces), finish))

    def _stream(self, b: Behaviour, pieces: list[str], finish: str, latency: float) -> None:
        cut = b.kind == "cut"
        framing = b.framing if cut else "chunked"
        self._start_stream(framing)
        send = self._chunk if framing == "chunked" else self._raw
        send(self._event({"role": "assistant", "content": ""}, None))
        for n, piece in enumerate(pieces):
            if cut and n >= b.n_chunks:
                break
            if not self.stub._sleep(latency):
                break
            send(self._event({"content": piece}, None))
        if cut or self.stub._stopping.is_set():
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)  # no terminating chunk, no finish_reason, no [DONE]
            return
        send(self._event({}, finish))
        send(b"data: [DONE]\n\n")
        if framing == "chunked":
            self._chunk(b"")

    def _endless(self, b: Behaviour) -> None:
        """Keep the stream open without ever saying anything: comments or empty deltas until the
        client hangs up (the write then fails), the server stops or `b.seconds` pass."""
        self._start_stream("chunked")
        self._chunk(self._event({"role": "assistant", "content": ""}, None))
        interval = b.retry_after or 0.2
        until = time.monotonic() + b.seconds
        while time.monotonic() < until and self.stub._sleep(interval):
            if b.kind == "keepalive":
                self._chunk(b": keep-alive\n\n")
            else:
                self._chunk(self._event({"content": ""}, None))
        self.close_connection = True

    # ---- wire format --------------------------------------------------------------------------
    def _completion(self, text: str, finish: str) -> dict:
        return {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
                "model": self.stub.model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "finish_reason": finish}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}

    def _event(self, delta: dict, finish: str | None) -> bytes:
        chunk = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
                 "model": self.stub.model,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n"

    def _start_stream(self, framing: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        if framing == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _raw(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def _json(self, code: int, payload: dict, headers: dict | None = None) -> None:
        self._send(code, json.dumps(payload, ensure_ascii=False).encode(), "application/json", headers)

    def _send(self, code: int, data: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency-per-token", type=float, default=0.0, help="seconds per streamed chunk")
    ap.add_argument("--chunk-chars", type=int, default=2)
    ap.add_argument("--text", default=DEFAULT_TEXT * 8)
    args = ap.parse_args()
    with StubServer(ok(args.text), latency_per_token=args.latency_per_token, chunk_chars=args.chunk_chars,
                    port=args.port) as stub:
        print(stub.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
