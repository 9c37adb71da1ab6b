"""Build llama.cpp's native `llama-server` for this machine, once, and prove it runs here before use.

Why a native build and not llama-cpp-python's wheel: llama-cpp-python's server decodes one request at a
time, while llama-server batches several sequences (`-np N`), which on a memory-bound 2-core CPU gives
about 2.5x the aggregate decode rate. The source is the llama.cpp tree vendored in the llama-cpp-python
sdist on PyPI (the only registry we can reach), pinned by sha256.

Why "native minus AMX" and a proven fallback: `-march=native` makes the fastest code for the CPU it is
built on, but on Sapphire Rapids VMs the AMX tile instructions fault (ggml-org/llama.cpp #20824), so AMX
is always switched off. Each build is keyed by the CPU's instruction-set flags, so a binary is never
reused on a CPU it was not built and tested on (a moved VM or a shared cache rebuilds), and each build
must answer one real generation in a separate process before it is marked usable. If the native build
crashes or hangs, a portable build (no -march=native, no AVX-512, no AMX) is made and tested instead.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

from .settings import cache_dir

LLAMA_PACKAGE = "llama-cpp-python"
LLAMA_VERSION = "0.3.36"
SDIST_NAME = f"llama_cpp_python-{LLAMA_VERSION}.tar.gz"
SDIST_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
VENDORED = f"llama_cpp_python-{LLAMA_VERSION}/vendor/llama.cpp"
DEFAULT_INDEX = "https://pypi.org/simple"

# The instruction-set flags a ggml build depends on; a change in any of them means a new build.
ISA_FLAGS = ("sse3", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "bmi2", "avx_vnni",
             "avx512f", "avx512bw", "avx512vl", "avx512vbmi", "avx512_vnni", "avx512_bf16",
             "amx_tile", "amx_int8", "amx_bf16")
NO_AMX = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"


class Variant(str, Enum):
    NATIVE = "native"      # -march=native without AMX: the fastest code this CPU runs
    PORTABLE = "portable"  # AVX2/FMA/F16C only where present; no AVX-512, no AMX


class BuildError(RuntimeError):
    """A Chinese message for the user, naming the cause and the way out."""


@dataclass
class SmokeResult:
    ok: bool
    reason: str = ""                # Chinese, empty when ok
    signal_name: str = ""           # SIGSEGV, SIGILL… when the server died from a signal
    seconds: float = 0.0
    text: str = ""
    prompt_per_second: float = 0.0
    predicted_per_second: float = 0.0


@dataclass
class BuildInfo:
    variant: str
    version: str
    isa_key: str
    cmake_args: list[str] = field(default_factory=list)
    build_seconds: float = 0.0
    smoke: dict = field(default_factory=dict)


# ---- the machine -------------------------------------------------------------------------------
def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:
            return set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def cpu_model(cpuinfo: str | None = None) -> str:
    try:
        cpuinfo = cpuinfo if cpuinfo is not None else Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return "?"
    for line in cpuinfo.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "?"


def isa_key(flags: set[str]) -> str:
    present = ",".join(f for f in ISA_FLAGS if f in flags)
    return hashlib.sha256(f"{LLAMA_VERSION}|{present}".encode()).hexdigest()[:12]


def cmake_args(variant: Variant, flags: set[str]) -> list[str]:
    args = [
        "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=OFF",
        "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_TOOLS=ON",
        "-DLLAMA_BUILD_SERVER=ON", "-DLLAMA_BUILD_APP=OFF",
        # No network at build time: no prebuilt web UI download, no curl/openssl (we only serve loopback).
        "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_OPENSSL=OFF", "-DLLAMA_CURL=OFF",
        "-DGGML_OPENMP_FETCH=OFF",
        "-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF",
        f"-DCMAKE_C_FLAGS={NO_AMX}", f"-DCMAKE_CXX_FLAGS={NO_AMX}",
    ]
    if variant is Variant.NATIVE:
        return args + ["-DGGML_NATIVE=ON"]
    on = {"avx": "GGML_AVX", "avx2": "GGML_AVX2", "fma": "GGML_FMA", "f16c": "GGML_F16C", "bmi2": "GGML_BMI2"}
    args.append("-DGGML_NATIVE=OFF")
    args += [f"-D{name}={'ON' if flag in flags else 'OFF'}" for flag, name in on.items()]
    return args + ["-DGGML_AVX512=OFF", "-DGGML_AVX_VNNI=OFF"]


def build_root() -> Path:
    return cache_dir() / "llama.cpp"


def build_dir(variant: Variant, flags: set[str]) -> Path:
    return build_root() / f"{LLAMA_VERSION}-{variant.value}-{isa_key(flags)}"


def binary_in(directory: Path) -> Path:
    return directory / "bin" / "llama-server"


# ---- source ------------------------------------------------------------------------------------
def _index_url() -> str:
    """The package index pip is configured with (a mirror where the machine has one)."""
    url = os.environ.get("PIP_INDEX_URL", "")
    if not url:
        try:
            # This interpreter's pip (the venv's), whose configuration the install itself used.
            out = subprocess.run([sys.executable, "-m", "pip", "config", "get", "global.index-url"],
                                 capture_output=True, text=True, timeout=30)
            url = out.stdout.strip() if out.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            url = ""
    return (url or DEFAULT_INDEX).rstrip("/")


def sdist_path() -> Path:
    """The pinned sdist: ZONGJIE_LLAMA_SDIST, else the cache, else downloaded from the package index."""
    given = os.environ.get("ZONGJIE_LLAMA_SDIST")
    if given:
        return _verified(Path(given))
    target = build_root() / "src" / SDIST_NAME
    if target.exists():
        try:
            return _verified(target)
        except BuildError:
            target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    index = _index_url()
    page = _fetch(f"{index}/{LLAMA_PACKAGE}/").decode("utf-8", "replace")
    import re

    match = re.search(r'href="([^"#]*' + re.escape(SDIST_NAME) + r')[^"]*"', page)
    if not match:
        raise BuildError(f"在软件包索引 {index} 上找不到 {SDIST_NAME}；可下载后用 ZONGJIE_LLAMA_SDIST 指定其路径。")
    url = urllib.request.urljoin(f"{index}/{LLAMA_PACKAGE}/", match.group(1))
    tmp = target.with_suffix(".partial")
    tmp.write_bytes(_fetch(url))
    _verified(tmp)
    os.replace(tmp, target)
    return target


def _fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=120) as resp:
            return resp.read()
    except OSError as exc:
        raise BuildError(f"无法下载 llama.cpp 源码（{exc}）；请检查能否访问软件包索引，"
                         "或下载后用 ZONGJIE_LLAMA_SDIST 指定其路径。") from exc


def _verified(path: Path) -> Path:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != SDIST_SHA256:
        raise BuildError(f"llama.cpp 源码包校验失败（sha256 不符）：{path}")
    return path


# ---- build -------------------------------------------------------------------------------------
def build(variant: Variant, flags: set[str], *, log_path: Path,
          say: Callable[[str], None] = lambda _m: None) -> Path:
    """Configure and build llama-server into build_dir(variant); returns the binary's path."""
    cmake = _cmake()
    for tool in ("c++", "cc"):
        if shutil.which(tool) is None:
            raise BuildError(f"缺少编译工具 {tool}：请先安装（Debian：apt-get install build-essential）。")
    target = build_dir(variant, flags)
    sdist = sdist_path()
    args = cmake_args(variant, flags)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="zongjie-llama-") as tmp:
        with tarfile.open(sdist) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(VENDORED + "/")]
            tar.extractall(tmp, members=members, filter="data")
        src, work = Path(tmp) / VENDORED, Path(tmp) / "build"
        jobs = str(os.cpu_count() or 2)
        say(f"正在编译 llama.cpp（{variant.value}，{jobs} 线程，首次约需 10–20 分钟）…")
        with log_path.open("ab") as log:
            for cmd in ([cmake, "-S", str(src), "-B", str(work), *args],
                        [cmake, "--build", str(work), "--target", "llama-server", "-j", jobs]):
                log.write(("\n$ " + " ".join(cmd) + "\n").encode())
                log.flush()
                code = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
                if code != 0:
                    raise BuildError(f"编译 llama.cpp 失败（退出码 {code}），详见日志：{log_path}")
        built = work / "bin" / "llama-server"
        if not built.exists():
            raise BuildError(f"编译完成但找不到 llama-server，详见日志：{log_path}")
        binary_in(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, binary_in(target))
    info = BuildInfo(variant=variant.value, version=LLAMA_VERSION, isa_key=isa_key(flags), cmake_args=args,
                     build_seconds=round(time.monotonic() - started, 1))
    (target / "build.json").write_text(json.dumps(asdict(info), ensure_ascii=False, indent=1))
    return binary_in(target)


def _cmake() -> str:
    """The cmake that the [local] extra installs into the venv (PyPI's cmake), else the system's."""
    import sys

    beside = Path(sys.executable).parent / "cmake"
    found = str(beside) if beside.exists() else shutil.which("cmake")
    if not found:
        raise BuildError("缺少编译工具 cmake：请重新运行安装命令（会从 PyPI 安装），或 apt-get install cmake。")
    return found


# ---- proof -------------------------------------------------------------------------------------
def signal_name(returncode: int | None) -> str:
    if returncode is None or returncode >= 0:
        return ""
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def smoke_test(command: list[str], *, env: dict[str, str] | None = None, base_url: str, api_key: str,
               log_path: Path, wait: float = 180.0) -> SmokeResult:
    """Start a server with `command` in its own process, ask for a few tokens, stop it.

    Crashes (a signal), early exits, hangs and empty answers all come back as a SmokeResult with a
    Chinese reason instead of an exception, so the caller can fall back to another build.
    """
    from .local_model import healthy  # a light module-level cycle: local_model imports us lazily too

    started = time.monotonic()
    with log_path.open("ab") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    try:
        deadline = started + wait
        while not healthy(base_url, timeout=1.0):
            if proc.poll() is not None:
                return _died(proc.returncode, log_path, started, "启动时")
            if time.monotonic() > deadline:
                return SmokeResult(False, f"内置模型服务在 {int(wait)} 秒内未就绪（卡住），详见日志：{log_path}",
                                   seconds=time.monotonic() - started)
            time.sleep(0.2)
        body = json.dumps({"model": "smoke", "max_tokens": 8, "temperature": 0,
                           "messages": [{"role": "user", "content": "你好"}]}).encode()
        req = urllib.request.Request(base_url.rstrip("/") + "/chat/completions", data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {api_key}"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=max(5.0, deadline - time.monotonic())) as resp:
                data = json.loads(resp.read().decode("utf-8", "replace"))
        except (OSError, ValueError) as exc:
            time.sleep(0.5)  # let a crashing process finish dying, so its signal is what we report
            if proc.poll() is not None:
                return _died(proc.returncode, log_path, started, "生成时")
            return SmokeResult(False, f"内置模型服务没有正常回答（{type(exc).__name__}），详见日志：{log_path}",
                               seconds=time.monotonic() - started)
        text = ((data.get("choices") or [{}])[0].get("message") or {}).get("content") or ""
        timings = data.get("timings") or {}
        if not text.strip():
            return SmokeResult(False, f"内置模型返回为空，详见日志：{log_path}", seconds=time.monotonic() - started)
        return SmokeResult(True, seconds=time.monotonic() - started, text=text,
                           prompt_per_second=float(timings.get("prompt_per_second") or 0),
                           predicted_per_second=float(timings.get("predicted_per_second") or 0))
    finally:
        stop_process(proc)


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


def _died(code: int, log_path: Path, started: float, when: str) -> SmokeResult:
    name = signal_name(code)
    how = f"崩溃（{name}）" if name else f"退出（退出码 {code}）"
    return SmokeResult(False, f"内置模型服务{when}{how}，详见日志：{log_path}", signal_name=name,
                       seconds=time.monotonic() - started)


def crash_advice(name: str) -> str:
    """What a user can do about a runtime that dies from a signal."""
    if name == "SIGILL":
        return "（该机器不支持编译时使用的指令集）"
    return ""
