"""Local-model speed: full draft wall time against the pure decode time of the tokens it wrote.

    .venv/bin/python bench/speed_local.py [--style compact|full] [--bullets FILE] [--runs N] [--show]

Prints the server start time, the prefix warm-up time (what the app and the CLI do once, right
after starting the server), then per run: the raw decode rate, the draft's wall time, calls,
output tokens, and the ratio wall ÷ (output tokens ÷ raw decode rate). A ratio of 1.0 would mean
the draft spent nothing on prefill, retries or overhead.

The raw decode rate is measured in the same run on a long free-form answer (first token excluded,
so prefill is not counted), once just before and once just after the draft; the ratio uses their
mean. This 2-core machine drifts by about ±10 % within a minute, and a single probe taken at a
fast or slow moment moved the ratio by as much. llama-cpp-python streams one token per chunk, so
chunks are counted as tokens. Each run also prints where the draft's wall time went, summed from
llama.cpp's per-request perf lines in the server log: decode, prefill, other server time, client.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.messages import HumanMessage  # noqa: E402

from bench.machine import describe  # noqa: E402
from retrieval.index import default_index  # noqa: E402
from zongjie.brief import make_brief  # noqa: E402
from zongjie.draft import Drafter, warm_up  # noqa: E402
from zongjie.llm import make_chat_model  # noqa: E402
from zongjie.local_model import MODEL_NAME, start_server  # noqa: E402
from zongjie.settings import Settings  # noqa: E402

DEFAULT_BULLETS = ROOT / "tests" / "fixtures" / "bullets.txt"


def decode_rate(chat) -> float:
    """Tokens per second after the first token, on an answer long enough to dwarf jitter."""
    stamps = []
    for chunk in chat.stream([HumanMessage(content="请用中文详细介绍共青团的历史和主要工作，写满三百字。")]):
        if chunk.content:
            stamps.append(time.monotonic())
    if len(stamps) < 20:
        raise SystemExit(f"decode probe produced only {len(stamps)} tokens")
    return (len(stamps) - 1) / (stamps[-1] - stamps[0])


_PERF = re.compile(r"(prompt eval|\s eval|total) time =\s+([\d.]+) ms /\s+(\d+)")


def server_breakdown(log_text: str) -> dict[str, float] | None:
    """Seconds the server spent prefilling, decoding and on everything else (sampling, streaming),
    summed from llama.cpp's per-request perf lines in its log; None when the log has none."""
    sums = {"prompt eval": 0.0, "eval": 0.0, "total": 0.0}
    found = False
    for kind, ms, _n in _PERF.findall(log_text):
        sums[kind.strip()] += float(ms) / 1000
        found = True
    if not found:
        return None
    return {"prefill": sums["prompt eval"], "decode": sums["eval"],
            "server other": sums["total"] - sums["prompt eval"] - sums["eval"]}


def one_run(probe, chat, brief, index, compact: bool, log_path: Path) -> dict:
    before = decode_rate(probe)
    t0 = time.monotonic()
    if compact:
        warm_up(chat)  # the probe evicted the cached prefix; the app warms it once after server start
    warmed = time.monotonic() - t0
    drafter = Drafter(chat=chat, index=index, compact=compact)
    tokens = 0

    def count(_key: str, kind: str, payload: str) -> None:
        nonlocal tokens
        if kind == "token" and payload != "\n":
            tokens += 1

    log_start = log_path.stat().st_size if log_path.exists() else 0
    t1 = time.monotonic()
    report = drafter.draft_report(brief, on_event=count)
    wall = time.monotonic() - t1
    time.sleep(0.3)  # the server writes its last perf lines just after the stream ends
    breakdown = None
    if log_path.is_file():
        with log_path.open("rb") as fh:
            fh.seek(log_start)
            breakdown = server_breakdown(fh.read().decode("utf-8", "replace"))
    after = decode_rate(probe)
    rate = (before + after) / 2
    return {"before": before, "after": after, "rate": rate, "warm": warmed, "wall": wall, "tokens": tokens,
            "ideal": tokens / rate, "ratio": wall / (tokens / rate), "report": report, "stats": drafter.stats,
            "breakdown": breakdown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--style", choices=("compact", "full"), default="compact")
    parser.add_argument("--bullets", type=Path, default=DEFAULT_BULLETS)
    parser.add_argument("--runs", type=int, default=1, help="repeat probe/draft/probe; prints the median ratio")
    parser.add_argument("--show", action="store_true", help="also print the (last) draft and its flags")
    args = parser.parse_args()

    t0 = time.monotonic()
    server = start_server()
    started = time.monotonic() - t0
    runs = []
    try:
        base = Settings(base_url=server.base_url, model=MODEL_NAME, temperature=0.0)
        probe = make_chat_model(replace(base, max_tokens=300), local=True)
        chat = make_chat_model(base, local=True)
        brief = make_brief(args.bullets.read_text(encoding="utf-8"), "共青团某某区委员会", "2023年上半年", "工作总结")
        index = default_index()
        print(f"machine: {describe()}; style={args.style}, bullets={len(brief.bullets)}")
        print(f"server start (model load): {started:.1f} s")
        for n in range(1, args.runs + 1):
            r = one_run(probe, chat, brief, index, args.style == "compact", server.log_path)
            runs.append(r)
            chars = sum(len(s.text) for s in r["report"].all_sections())
            print(f"run {n}: prefix warm-up {r['warm']:.1f} s; raw decode {r['before']:.1f} before / "
                  f"{r['after']:.1f} after tokens/s; draft wall {r['wall']:.1f} s, {r['stats']['calls']} calls "
                  f"({r['stats']['repairs']} repairs), {r['tokens']} output tokens, {chars} characters kept; "
                  f"ideal {r['ideal']:.1f} s; ratio {r['ratio']:.2f}", flush=True)
            if r["breakdown"]:
                b = r["breakdown"]
                client = r["wall"] - sum(b.values())
                print(f"       where the wall went (server log): decode {b['decode']:.1f} s "
                      f"({r['tokens'] / b['decode']:.1f} tokens/s), prefill {b['prefill']:.1f} s, "
                      f"server other {b['server other']:.1f} s, client and between calls {client:.1f} s")
    finally:
        server.stop()
    if args.show:
        from zongjie.export_md import export_markdown

        report = runs[-1]["report"]
        print(export_markdown(report))
        for issue in (i for s in report.all_sections() for i in s.issues):
            print(f"flag [{issue.kind}] {issue.section_key}: {issue.text}")
    ratios = [r["ratio"] for r in runs]
    print(f"ratio wall/ideal: median {statistics.median(ratios):.2f}, range {min(ratios):.2f}–{max(ratios):.2f} "
          f"over {len(ratios)} run(s)  (goal <= 1.25)")


if __name__ == "__main__":
    main()
