"""The llama.cpp runtime this machine uses: which proven build to start, how setup proves one (build if
needed, one real generation in a separate process, fall back to the portable build), and retiring a
build that keeps crashing. The building itself is zongjie.llama_build; serving is zongjie.local_model."""
from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from . import local_model
from .local_model import MODEL_NAME, LocalModelError, free_port, server_env
from .settings import cache_dir


def server_binary() -> Path:
    """The llama-server that setup built and proved on this CPU (ZONGJIE_LLAMA_SERVER overrides)."""
    given = os.environ.get("ZONGJIE_LLAMA_SERVER")
    if given:
        return Path(given)
    from .llama_build import Variant, binary_in, build_dir, cpu_flags

    flags = cpu_flags()
    for variant in Variant:
        directory = build_dir(variant, flags)
        if (directory / "ok.json").exists() and binary_in(directory).exists():
            return binary_in(directory)
    raise LocalModelError("内置模型运行时（llama.cpp）尚未在本机编译或未通过自检。"
                          "请运行 README 中的第一条命令，或 python -m zongjie prepare-model。")


# Lookup speculative decoding: once the last 4 tokens also occur earlier in the context, the 8 tokens that
# followed them there are proposed and checked in one batch. A draft restates its bullet (the prompt) and
# the worked examples' formulas: about a fifth of its tokens came from accepted proposals. Sampling is
# unchanged: a proposal is kept only where the model would have picked it. On the speed bench's 8 bullets
# at temperature 0 (2026-12-02, 2 cores): 70.7 ms per token without it, 65.3 with n=4/m=8, 66.2 with 3/6.
SPECULATIVE = ("--spec-type", "ngram-simple", "--spec-ngram-simple-size-n", "4", "--spec-ngram-simple-size-m", "8")


def speculative_args() -> list[str]:
    """The server's speculative-decoding flags; none with ZONGJIE_LOCAL_SPECULATIVE=0 (the speed bench
    compares both)."""
    return [] if os.environ.get("ZONGJIE_LOCAL_SPECULATIVE", "").strip() == "0" else list(SPECULATIVE)


def _smoke_command(binary: Path, model: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "zongjie.guarded", "--exec", str(binary), "-m", str(model),
            "--alias", MODEL_NAME, "--host", "127.0.0.1", "--port", str(port), "-c", "1024", "-np", "1",
            "-t", str(os.cpu_count() or 2), "--offline", "--no-webui", "--poll", "0", "-fa", "off",
            # The flags the app starts it with, so setup proves them on this machine.
            *speculative_args()]


def smoke(binary: Path, model: Path | None = None, wait: float = 180.0):
    """One real generation from `binary` in a separate process; a SmokeResult, never an exception."""
    from .llama_build import smoke_test

    port = free_port()
    key = secrets.token_urlsafe(16)
    return smoke_test(_smoke_command(binary, model or local_model.assemble_model(), port), env=server_env(api_key=key),
                      base_url=f"http://127.0.0.1:{port}/v1", api_key=key,
                      log_path=cache_dir() / "llama-smoke.log", wait=wait)


def prepare_runtime(progress: Callable[[str], None] | None = None, wait: float = 180.0):
    """Make sure a llama-server that works on this CPU exists: reuse a proven build, else build the
    native variant, prove it with one generation, and fall back to the portable variant if it crashes
    or hangs. Returns (binary, SmokeResult); raises LocalModelError naming the cause and the way out."""
    from dataclasses import asdict

    from .llama_build import BuildError, SmokeResult, Variant, binary_in, build, build_dir, cpu_flags

    say = progress or (lambda _msg: None)
    model = local_model.assemble_model()
    given = os.environ.get("ZONGJIE_LLAMA_SERVER")
    if given:
        result = smoke(Path(given), model, wait)
        if not result.ok:
            raise LocalModelError(f"ZONGJIE_LLAMA_SERVER 指定的 llama-server 未通过自检：{result.reason}")
        return Path(given), result
    flags = cpu_flags()
    reasons: list[str] = []
    for variant in Variant:
        directory = build_dir(variant, flags)
        ok, failed, binary = directory / "ok.json", directory / "failed.json", binary_in(directory)
        if ok.exists() and binary.exists():
            return binary, SmokeResult(**json.loads(ok.read_text()))
        if failed.exists():
            reasons.append(f"{variant.value}：{json.loads(failed.read_text()).get('reason', '')}")
            continue
        if not binary.exists():
            try:
                binary = build(variant, flags, log_path=cache_dir() / "llama-build.log", say=say)
            except BuildError as exc:
                raise LocalModelError(str(exc)) from exc
        say(f"正在自检 llama.cpp（{variant.value}）：加载模型并生成几个字…")
        result = smoke(binary, model, wait)
        (ok if result.ok else failed).write_text(json.dumps(asdict(result), ensure_ascii=False))
        if result.ok:
            return binary, result
        reasons.append(f"{variant.value}：{result.reason}")
        say(f"llama.cpp（{variant.value}）未通过自检：{result.reason}")
    raise LocalModelError(
        "内置模型运行时在本机无法运行——" + "；".join(reasons) + "。处理办法：运行 python -m zongjie doctor 查看"
        f"本机 CPU 特性和编译参数；删除 {cache_dir() / 'llama.cpp'} 后重新运行安装命令；"
        "或设置 ZONGJIE_BASE_URL 改用远程模型服务（见 README“配置”）。")


def mark_failed(binary: Path, reason: str) -> None:
    """A build that crashed twice in a row at run time is not used again; the next setup rebuilds
    the portable variant instead."""
    stamp = binary.parent.parent / "failed.json"
    try:
        if (binary.parent.parent / "ok.json").exists():
            stamp.write_text(json.dumps({"ok": False, "reason": reason}, ensure_ascii=False))
            (binary.parent.parent / "ok.json").unlink()
    except OSError:
        pass
