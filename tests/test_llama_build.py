"""Issue 12: the embedded runtime is built per CPU, proved with one generation at setup, and a build
that crashes (a signal) or hangs is never used; the cause reaches the user in Chinese."""
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from zongjie import cli, llama_build, llama_setup, local_model
from zongjie.llama_build import Variant, cmake_args, cpu_flags, isa_key, signal_name
from zongjie.llama_setup import prepare_runtime
from zongjie.local_model import LocalModelError

CRASHER = Path(__file__).resolve().parent / "fixtures" / "crashing_server.py"
SPR_VM = ("flags\t\t: fpu sse4_2 avx avx2 fma f16c bmi2 avx512f avx512bw avx512vl avx512_vnni avx512_bf16 "
          "amx_tile amx_int8 amx_bf16 hypervisor\n")


def stand_in(tmp_path: Path, name: str, *, sig: str = "SIGSEGV", after: int = 0, hang: bool = False) -> Path:
    """An executable that behaves like llama-server: answers /health, then crashes or answers."""
    path = tmp_path / name
    if hang:
        body = f'exec "{sys.executable}" -c "import time; time.sleep(60)"\n'
    else:
        body = f'exec "{sys.executable}" "{CRASHER}" "$@" --signal {sig} --after {after}\n'
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ZONGJIE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ZONGJIE_LLAMA_SERVER", raising=False)
    monkeypatch.setattr(local_model, "assemble_model", lambda: tmp_path / "m.gguf")


def test_amx_is_off_in_every_build_and_native_only_in_the_native_one():
    flags = cpu_flags(SPR_VM)
    for variant in Variant:
        args = cmake_args(variant, flags)
        assert "-DGGML_AMX_TILE=OFF" in args and any("-mno-amx-tile" in a for a in args)
        assert "-DLLAMA_USE_PREBUILT_UI=OFF" in args, "no download at build time"
    assert "-DGGML_NATIVE=ON" in cmake_args(Variant.NATIVE, flags)
    portable = cmake_args(Variant.PORTABLE, flags)
    assert "-DGGML_NATIVE=OFF" in portable and "-DGGML_AVX512=OFF" in portable and "-DGGML_AVX2=ON" in portable
    assert "-DGGML_AVX2=OFF" in cmake_args(Variant.PORTABLE, cpu_flags("flags : sse4_2\n"))


def test_a_build_is_keyed_by_the_cpu_so_another_cpu_rebuilds():
    amd = cpu_flags("flags : sse4_2 avx avx2 fma f16c\n")
    assert isa_key(amd) != isa_key(cpu_flags(SPR_VM))
    assert isa_key(amd) == isa_key(amd | {"hypervisor", "rdrand"}), "only instruction-set flags count"


def test_signal_names():
    assert signal_name(-11) == "SIGSEGV" and signal_name(-4) == "SIGILL" and signal_name(1) == ""


def test_setup_check_reports_a_crashing_runtime_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("ZONGJIE_LLAMA_SERVER", str(stand_in(tmp_path, "llama-server", sig="SIGILL")))
    with pytest.raises(LocalModelError, match="未通过自检.*崩溃（SIGILL）"):
        prepare_runtime(wait=20)


def test_setup_check_stops_a_hanging_runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("ZONGJIE_LLAMA_SERVER", str(stand_in(tmp_path, "llama-server", hang=True)))
    with pytest.raises(LocalModelError, match="未就绪（卡住）"):
        prepare_runtime(wait=2)


def test_a_crashing_native_build_falls_back_to_a_portable_one_and_is_never_reused(tmp_path, monkeypatch):
    built = []

    def fake_build(variant, flags, *, log_path, say=None):
        built.append(variant)
        target = llama_build.binary_in(llama_build.build_dir(variant, flags))
        target.parent.mkdir(parents=True)
        good = variant is Variant.PORTABLE
        script = stand_in(tmp_path, f"{variant.value}.sh", after=100 if good else 0)
        target.write_text(script.read_text())
        target.chmod(0o755)
        return target

    monkeypatch.setattr(llama_build, "build", fake_build)
    binary, result = prepare_runtime(wait=20)
    assert result.ok and built == [Variant.NATIVE, Variant.PORTABLE]
    assert "portable" in str(binary)
    failed = json.loads((binary.parent.parent.parent / binary.parent.parent.name.replace("portable", "native")
                         / "failed.json").read_text())
    assert "崩溃（SIGSEGV）" in failed["reason"]
    assert llama_setup.server_binary() == binary
    assert prepare_runtime(wait=20)[0] == binary and len(built) == 2, "proven builds are reused, not rebuilt"


def test_prepare_model_command_fails_with_the_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ZONGJIE_LLAMA_SERVER", str(stand_in(tmp_path, "llama-server")))
    monkeypatch.setattr(llama_setup, "prepare_runtime",
                        lambda progress=None: (_ for _ in ()).throw(LocalModelError("内置模型运行时在本机无法运行——x")))
    assert cli.main(["prepare-model"]) == 2
    err = capsys.readouterr().err
    assert "错误：内置模型运行时在本机无法运行" in err and "Traceback" not in err


def test_doctor_prints_cpu_runtime_and_model_and_fails_without_a_runtime(tmp_path, monkeypatch, capsys):
    model = tmp_path / "m.gguf"
    model.write_bytes(b"x")
    monkeypatch.setattr(local_model, "model_path", lambda: model)
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "CPU：" in out and "指令集：" in out and "运行时（native）：未编译" in out and "模型文件：" in out


def test_a_build_that_crashes_twice_in_a_row_at_run_time_is_retired(tmp_path, monkeypatch):
    """The pip-cache lesson: a runtime proven at setup that then keeps crashing (a moved VM, a kernel
    that stopped allowing an instruction) is not started again; the next setup builds another."""
    from langchain_core.messages import HumanMessage
    from test_local_server_faults import connect

    from zongjie.llm import LLMError, stream_text
    from zongjie.settings import Settings

    flags = cpu_flags()
    directory = llama_build.build_dir(Variant.NATIVE, flags)
    binary = llama_build.binary_in(directory)
    binary.parent.mkdir(parents=True)
    binary.write_text(stand_in(tmp_path, "crasher.sh").read_text())
    binary.chmod(0o755)
    (directory / "ok.json").write_text(json.dumps({"ok": True}))
    assert llama_setup.server_binary() == binary
    monkeypatch.setattr("zongjie.llm.sleep", lambda seconds, should_stop=None: None)
    chat, server = connect(Settings(max_retries=3))
    try:
        with pytest.raises(LLMError, match="崩溃（SIGSEGV）"):
            stream_text(chat, [HumanMessage(content="hi")])
    finally:
        server.stop()
    assert (directory / "failed.json").exists() and not (directory / "ok.json").exists()
    with pytest.raises(LocalModelError, match="尚未在本机编译或未通过自检"):
        llama_setup.server_binary()


def test_the_package_index_comes_from_this_interpreters_pip(monkeypatch):
    seen = []

    def fake_run(cmd, **_kw):
        seen.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, stdout="https://mirror.example/simple/\n", stderr="")

    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.setattr(llama_build.subprocess, "run", fake_run)
    assert llama_build._index_url() == "https://mirror.example/simple"
    assert seen[0][0] == sys.executable


def test_the_app_and_the_setup_check_start_the_server_with_lookup_speculative_decoding(monkeypatch):
    """Setup proves on this machine the command the app runs: speculative decoding in both, or in neither
    (ZONGJIE_LOCAL_SPECULATIVE=0, as the speed bench compares)."""
    monkeypatch.delenv("ZONGJIE_LOCAL_SPECULATIVE", raising=False)
    monkeypatch.setattr(local_model, "_server_binary", lambda: Path("llama-server"))
    app = local_model.server_command(Path("m.gguf"), "127.0.0.1", 8099, 4096, 2)
    check = llama_setup._smoke_command(Path("llama-server"), Path("m.gguf"), 8099)
    for argv in (app, check):
        assert argv[argv.index("--spec-type") + 1] == "ngram-simple", argv
        assert argv[argv.index("--spec-ngram-simple-size-n") + 1] == "4"
    monkeypatch.setenv("ZONGJIE_LOCAL_SPECULATIVE", "0")
    assert "--spec-type" not in local_model.server_command(Path("m.gguf"), "127.0.0.1", 8099, 4096, 2)
    assert "--spec-type" not in llama_setup._smoke_command(Path("llama-server"), Path("m.gguf"), 8099)
