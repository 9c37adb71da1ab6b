"""Run a program as a child process that exits when the process that started it is gone.

    python -m zongjie.guarded --exec /path/to/llama-server -m … --port …
    python -m zongjie.guarded MODULE [ARGS...]          (a Python module, run in this process)

The embedded llama.cpp server is started this way: when Streamlit (or the CLI, or a bench) stops
without stopping it — Ctrl+C, SIGTERM, a crash, kill -9 — the orphaned server would otherwise keep
its 1.2 GB of RAM and its port forever, and every app start would add one more. PR_SET_PDEATHSIG is
not used because it fires when the *thread* that started the child ends, and Streamlit starts the
server from a script thread that ends after each run.

With --exec, the program's fate is passed on: if it dies from a signal (SIGSEGV, SIGILL…) this process
dies from the same signal, so whoever watches us sees the real cause, not a generic exit code.
"""
from __future__ import annotations

import os
import runpy
import signal
import subprocess
import sys
import threading
import time


def _watch(parent: int, interval: float, on_orphan) -> None:
    while os.getppid() == parent:  # an orphan is re-parented to init or a subreaper
        time.sleep(interval)
    on_orphan()


def _run_module(module: str, rest: list[str], interval: float) -> None:
    threading.Thread(target=_watch, args=(os.getppid(), interval, lambda: os._exit(0)), daemon=True,
                     name="parent-watch").start()
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def _run_program(argv: list[str], interval: float) -> None:
    child = subprocess.Popen(argv)

    def stop_child(*_args) -> None:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()

    def orphaned() -> None:
        stop_child()
        os._exit(0)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop_child)
    threading.Thread(target=_watch, args=(os.getppid(), interval, orphaned), daemon=True,
                     name="parent-watch").start()
    while True:
        try:
            code = child.wait()
            break
        except InterruptedError:  # pragma: no cover - PEP 475 retries, kept for clarity
            continue
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        time.sleep(1)  # a signal whose default is to ignore (rare) falls through to a plain exit
    sys.exit(code if code >= 0 else 128 - code)


def main(argv: list[str], interval: float = 0.5) -> None:
    if not argv or argv == ["--exec"]:
        raise SystemExit("usage: python -m zongjie.guarded (--exec PROGRAM | MODULE) [ARGS...]")
    if argv[0] == "--exec":
        _run_program(argv[1:], interval)
    else:
        _run_module(argv[0], argv[1:], interval)


if __name__ == "__main__":
    main(sys.argv[1:])
