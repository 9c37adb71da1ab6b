"""Streamlit first paint: process start → page usable in chromium, and the embedded model server start.

    .venv/bin/python bench/first_paint.py [--runs 3] [--skip-model]

Each run starts a fresh `streamlit run app.py` (ZONGJIE_FAKE_LLM=1, so no model server is involved;
ZONGJIE_HOME a temporary directory) on a free loopback port and measures, from the moment before the
process is spawned: (a) until /_stcore/health answers OK (polled every 50 ms), (b) until Debian chromium
(Playwright, launched once beforehand and not counted) shows the title "总结 · 工作总结起草" and the
"单位名称" input — the page is requested as soon as health is OK, as `streamlit run` itself would open
it — and (c) a warm reload of the same page until the same two elements show. Separately, and never
overlapping the page runs, it times zongjie.local_model.start_server() until the model server is
healthy, then stops it. Prints each run, the median and the max; other processes may share the machine,
so the load average is printed and medians are the figures to quote.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402

TITLE = "总结 · 工作总结起草"
INPUT_LABEL = "单位名称"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
GOAL_PAINT_S = 3.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    from zongjie.llama_build import stop_process

    stop_process(proc)


def _tail(path: str, chars: int = 2000) -> str:
    """The end of the streamlit log, for the error message (the log's directory is removed after the run)."""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return "(no log)"


def _wait_painted(page, timeout_ms: float) -> None:
    page.get_by_role("heading", name=TITLE).wait_for(state="visible", timeout=timeout_ms)
    page.get_by_label(INPUT_LABEL).wait_for(state="visible", timeout=timeout_ms)


def paint_once(browser, workdir: Path, timeout: float = 60.0, app: Path = ROOT / "app.py") -> dict[str, float]:
    """One cold start of the app, painted in a fresh browser context; seconds from process start."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    home = Path(tempfile.mkdtemp(prefix="home-", dir=workdir))
    env = {**os.environ, "ZONGJIE_FAKE_LLM": "1", "ZONGJIE_HOME": str(home)}
    log = (workdir / f"streamlit-{port}.log").open("wb")
    context = None
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        while not _healthy(url):
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{_tail(log.name)}")
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{_tail(log.name)}")
            time.sleep(0.05)
        health = time.perf_counter() - t0
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        page.wait_for_load_state("load", timeout=timeout * 1000)
        loaded = time.perf_counter() - t0
        _wait_painted(page, timeout * 1000)
        paint = time.perf_counter() - t0
        t1 = time.perf_counter()
        page.reload(wait_until="commit", timeout=timeout * 1000)
        _wait_painted(page, timeout * 1000)
        reload = time.perf_counter() - t1
        return {"health": health, "loaded": loaded, "paint": paint, "paint_after_health": paint - health,
                "paint_after_load": paint - loaded, "reload": reload}
    finally:
        if context is not None:
            context.close()
        _stop(proc)
        log.close()


def model_server_once() -> float:
    """Seconds for start_server() to return a healthy server (model file already assembled)."""
    from zongjie.local_model import start_server

    t0 = time.perf_counter()
    server = start_server()
    try:
        return time.perf_counter() - t0
    finally:
        server.stop()


def model_server_skip_reason() -> str | None:
    from zongjie.llama_setup import server_binary
    from zongjie.local_model import LocalModelError, assemble_model

    try:
        server_binary()  # built and proven by setup
        assemble_model()  # assemble + hash once if needed, so the timed starts measure the server only
    except LocalModelError as exc:
        return f"model parts unavailable: {exc}"
    return None


def run(runs: int = 3, model: bool = True, model_runs: int | None = None, app: Path = ROOT / "app.py") -> dict:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Debian chromium not found at {CHROMIUM}: run scripts/system-deps.sh")
    fig: dict = {"runs": [], "model": [], "model_skip": None, "app": app}
    with tempfile.TemporaryDirectory(prefix="zongjie-first-paint-") as tmp, sync_playwright() as p:
        t = time.perf_counter()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        fig["browser_launch"] = time.perf_counter() - t
        try:
            for _ in range(runs):
                fig["runs"].append(paint_once(browser, Path(tmp), app=app))
        finally:
            browser.close()
    if model:
        fig["model_skip"] = model_server_skip_reason()
        if fig["model_skip"] is None:
            for _ in range(model_runs or runs):
                fig["model"].append(model_server_once())
    else:
        fig["model_skip"] = "--skip-model given"
    return fig


def _shown(app: Path) -> str:
    try:
        return str(Path(app).resolve().relative_to(ROOT))
    except ValueError:
        return str(app)


def summary(fig: dict) -> str:
    runs = fig["runs"]
    lines = [
        "== first paint (bench/first_paint.py) ==",
        f"machine   {describe()}",
        f"setup     streamlit run {_shown(fig['app'])}, ZONGJIE_FAKE_LLM=1, "
        "fresh process + fresh browser context per run; "
        f"chromium launch {fig['browser_launch']:.2f} s (once, not counted)",
        f"          {'run':<22}" + "".join(f"{i + 1:>8}" for i in range(len(runs))) + f"{'median':>9}{'max':>8}  (s)",
    ]
    names = (("health", "start → health OK"), ("loaded", "start → page JS loaded"),
             ("paint", "start → first paint"), ("paint_after_health", "  paint − health"),
             ("paint_after_load", "  paint − JS loaded"), ("reload", "warm reload → paint"))
    for key, label in names:
        values = [r[key] for r in runs]
        lines.append(f"          {label:<22}" + "".join(f"{v:>8.2f}" for v in values)
                     + f"{statistics.median(values):>9.2f}{max(values):>8.2f}")
    median_paint = statistics.median(r["paint"] for r in runs)
    lines.append(f"          goal first paint < {GOAL_PAINT_S:.0f} s (median): "
                 f"{'met' if median_paint < GOAL_PAINT_S else 'NOT met'}"
                 f"; max {'within' if max(r['paint'] for r in runs) < GOAL_PAINT_S else 'over'} goal")
    if fig["model"]:
        m = fig["model"]
        lines.append("model     start_server() → healthy, model file already assembled: "
                     + ", ".join(f"{v:.2f}" for v in m)
                     + f" s; median {statistics.median(m):.2f} s, max {max(m):.2f} s (not part of first paint)")
    else:
        lines.append(f"model     embedded model server start skipped: {fig['model_skip']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model-runs", type=int, default=None, help="model server starts (default: --runs)")
    parser.add_argument("--skip-model", action="store_true", help="do not time the embedded model server")
    parser.add_argument("--app", type=Path, default=ROOT / "app.py",
                        help="page to start (e.g. a minimal page with the same title and input, for the floor)")
    args = parser.parse_args(argv)
    print(summary(run(args.runs, model=not args.skip_model, model_runs=args.model_runs, app=args.app.resolve())),
          flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
