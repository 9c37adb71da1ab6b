"""The HTTP client under every chat model (shared, for its connection pool) and the guards it keeps:
no proxy for the embedded server, no redirect that would carry the prompt elsewhere, a wall-clock
deadline per request."""
from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import httpx2  # the openai client's HTTP library (a fork of httpx)

from .settings import safe_url

_clients: dict = {}
_clients_lock = threading.Lock()


def http_client(loopback: bool, userinfo: tuple[str, str] | None):
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
    raise openai.APIStatusError(f"redirect to {origin_of(str(target))} not followed", response=response,
                                body=None)


def origin_of(url: str) -> str:
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
