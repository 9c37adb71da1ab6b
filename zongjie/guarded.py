"""Run a Python module as a child process that exits when the process that started it is gone.

    python -m zongjie.guarded llama_cpp.server --model … --port …

The embedded llama.cpp server is started this way: when Streamlit (or the CLI, or a bench) stops
without stopping it — Ctrl+C, SIGTERM, a crash, kill -9 — the orphaned server would otherwise keep
its 1.2 GB of RAM and its port forever, and every app start would add one more.
"""
from __future__ import annotations

import os
import runpy
import sys
import threading
import time


def _watch(parent: int, interval: float) -> None:
    while os.getppid() == parent:  # an orphan is re-parented to init or a subreaper
        time.sleep(interval)
    os._exit(0)  # no cleanup to wait for: the server holds no state worth flushing


def main(argv: list[str], interval: float = 0.5) -> None:
    if not argv:
        raise SystemExit("usage: python -m zongjie.guarded MODULE [ARGS...]")
    module, *rest = argv
    threading.Thread(target=_watch, args=(os.getppid(), interval), daemon=True, name="parent-watch").start()
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
