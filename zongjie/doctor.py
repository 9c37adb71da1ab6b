"""`python -m zongjie doctor`: what the embedded model runs on here, and one timed generation.

The same check setup ends with, on demand: CPU features, the llama.cpp build and its flags, the model
file, and a real generation in a separate process, so a crash (a signal) or a hang is reported, not
suffered.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from . import llama_build as lb
from . import llama_setup
from . import local_model as lm


def report(say: Callable[[str], None] = print, *, generate: bool = True) -> bool:
    """Print the checks; True when the embedded model answered."""
    flags = lb.cpu_flags()
    say(f"CPU：{lb.cpu_model()}，{os.cpu_count()} 核" + ("（虚拟机）" if "hypervisor" in flags else ""))
    say("指令集：" + (" ".join(f for f in lb.ISA_FLAGS if f in flags) or "（未能读取）"))
    say(f"指令集指纹：{lb.isa_key(flags)}（llama.cpp {lb.LLAMA_VERSION}）")
    ok = True
    binary = _describe_builds(say, flags)
    model = lm.model_path()
    stamp = model.with_suffix(model.suffix + ".sha256")
    if not model.exists():
        say(f"模型文件：缺失（{model}）——请运行 README 中的第一条命令")
        return False
    size_ok = model.stat().st_size == lm.MODEL_SIZE
    hash_ok = stamp.exists() and stamp.read_text().strip() == lm.MODEL_SHA256
    say(f"模型文件：{model}，{model.stat().st_size:,} 字节" + ("，大小正确" if size_ok else "，大小不符")
        + ("，sha256 已校验" if hash_ok else "，sha256 未校验"))
    ok = ok and size_ok and hash_ok
    if binary is None:
        say("运行时：没有通过自检的 llama-server——请运行 README 中的第一条命令（或 python -m zongjie prepare-model）")
        return False
    if not generate:
        return ok
    say("生成测试：启动服务并生成几个字…")
    result = llama_setup.smoke(binary, model)
    if not result.ok:
        say(f"生成测试：失败——{result.reason}")
        return False
    say(f"生成测试：通过，用时 {result.seconds:.1f} 秒（含加载）；预填充 {result.prompt_per_second:.1f} token/s，"
        f"解码 {result.predicted_per_second:.1f} token/s；回答：{result.text.strip()[:40]!r}")
    return ok


def _describe_builds(say: Callable[[str], None], flags: set[str]) -> Path | None:
    given = os.environ.get("ZONGJIE_LLAMA_SERVER")
    if given:
        say(f"运行时：ZONGJIE_LLAMA_SERVER={given}")
        return Path(given)
    chosen = None
    for variant in lb.Variant:
        directory = lb.build_dir(variant, flags)
        info = directory / "build.json"
        if not info.exists():
            say(f"运行时（{variant.value}）：未编译")
            continue
        data = json.loads(info.read_text())
        state = ("通过自检" if (directory / "ok.json").exists()
                 else "未通过自检：" + json.loads((directory / "failed.json").read_text()).get("reason", "")
                 if (directory / "failed.json").exists() else "未自检")
        say(f"运行时（{variant.value}）：{lb.binary_in(directory)}，编译 {data.get('build_seconds')} 秒，{state}")
        say("  编译参数：" + " ".join(a for a in data.get("cmake_args", []) if "GGML" in a or "FLAGS" in a))
        if chosen is None and (directory / "ok.json").exists():
            chosen = lb.binary_in(directory)
    return chosen
