"""Local-model speed: a full draft one call at a time against the same draft on N parallel slots.

    .venv/bin/python bench/speed_local.py [--bullets FILE] [--runs N] [--parallel N] [--show] [--rates-only]

One embedded llama-server with N slots (default: what the machine gets, see default_parallel) serves
every measurement of a run:

- raw single-stream decode rate: a long free-form answer, tokens after the first ÷ their time;
- aggregate decode rate at batch N: N such answers at once, all tokens ÷ the span of their decoding;
- the draft's wall time sequentially (concurrency 1) and with N sections at once, the speed-up, and
  the ratios wall ÷ (output tokens ÷ rate) against the single-stream rate (sequential) and against
  the batch-N rate (parallel) — 1.0 would mean no time at all went to prefill, waiting or overhead;
- prefill per call, from llama.cpp's per-request timing lines in the server log;
- wall ÷ the server's own decode time of the draft's tokens (its "eval time" lines): the same tokens
  decoded after the ~1,000-token prompt prefix, which decodes about 10% slower than the probe's short
  prompt, so this ratio counts only what is not decoding (prefill, the end-of-answer token, HTTP, Python).

Drafts run at the app's default temperature (Settings, 0.3; --temperature to change it): at 0 a top-up
asks the same prompt again and often gets the same answer back (4 of 11 re-asks in one traced draft),
a wasted call the app does not make.

The server decodes with lookup speculative decoding, as in the app (llama_setup.SPECULATIVE); run with
ZONGJIE_LOCAL_SPECULATIVE=0 for the same measurements without it. The probe's free-form answer gains
little from it (16.3–16.9 tokens/s with it against 16.5 without, 2026-12-02), so the ratios stay against
about the raw rate.

The prefix warm-up (once per server start) is excluded, as in the app: the page and the CLI do it
right after the server starts. llama-server streams one token per chunk, so chunks count as tokens.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.messages import HumanMessage  # noqa: E402

from bench.machine import describe  # noqa: E402
from retrieval.index import default_index  # noqa: E402
from zongjie.brief import make_brief  # noqa: E402
from zongjie.draft import Drafter  # noqa: E402
from zongjie.events import DraftListener  # noqa: E402
from zongjie.llm import attach_server, make_chat_model  # noqa: E402
from zongjie.local_model import MODEL_NAME, default_parallel, start_server  # noqa: E402
from zongjie.settings import Settings  # noqa: E402
from zongjie.writers.compact import warm_up  # noqa: E402

DEFAULT_BULLETS = ROOT / "tests" / "fixtures" / "bullets.txt"
PROBE = "请用中文详细介绍共青团的历史和主要工作，写满三百字。第{n}稿。"


class TokenCount(DraftListener):
    def __init__(self) -> None:
        self.tokens = 0
        self._lock = threading.Lock()

    def token(self, key: str, piece: str) -> None:
        if piece != "\n":  # the separator the compact writer emits between a section's parts
            with self._lock:
                self.tokens += 1


def _stream_stamps(chat, n: int, out: list) -> None:
    stamps = [time.monotonic() for chunk in chat.stream([HumanMessage(content=PROBE.format(n=n))]) if chunk.content]
    out.append(stamps)


def decode_rate(chat, streams: int = 1) -> float:
    """Aggregate tokens per second of `streams` long answers decoded at once (first tokens excluded,
    so prefill is not counted)."""
    results: list[list[float]] = []
    threads = [threading.Thread(target=_stream_stamps, args=(chat, n, results)) for n in range(streams)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    start = max(s[0] for s in results)  # all streams are decoding from here on
    end = min(s[-1] for s in results)
    tokens = sum(sum(1 for x in s if start <= x <= end) for s in results)
    return tokens / (end - start) if end > start else 0.0


_PROMPT = re.compile(r"prompt eval time =\s+([\d.]+) ms /\s+(\d+) tokens")


_EVAL = re.compile(r"\|\s+eval time =\s+([\d.]+) ms /\s+(\d+) tokens")


def server_decode_seconds(log_text: str) -> float:
    """Seconds the server spent decoding, summed over the requests logged in `log_text`."""
    return sum(float(ms) for ms, _ in _EVAL.findall(log_text)) / 1000


def prefill_per_call(log_text: str) -> tuple[int, float, float]:
    """Calls, median prefill seconds and median prefilled tokens per call, from the server log."""
    found = [(float(ms) / 1000, int(n)) for ms, n in _PROMPT.findall(log_text)]
    if not found:
        return 0, 0.0, 0.0
    return len(found), statistics.median(s for s, _ in found), statistics.median(n for _, n in found)


def draft_once(chat, brief, index, concurrency: int, log_path: Path) -> dict:
    counter = TokenCount()
    drafter = Drafter(chat=chat, index=index, compact=True)
    start = log_path.stat().st_size if log_path.exists() else 0
    t0 = time.monotonic()
    report = drafter.draft_report(brief, listener=counter, concurrency=concurrency)
    wall = time.monotonic() - t0
    time.sleep(0.3)  # the server writes its last timing lines just after the stream ends
    with log_path.open("rb") as fh:
        fh.seek(start)
        logged = fh.read().decode("utf-8", "replace")
    calls, prefill, prefilled = prefill_per_call(logged)
    chars = sum(len(s.text) for s in report.all_sections())
    return {"wall": wall, "tokens": counter.tokens, "calls": drafter.stats["calls"],
            "repairs": drafter.stats["repairs"], "chars": chars, "prefill": prefill, "prefilled": prefilled,
            "decode_s": server_decode_seconds(logged), "report": report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bullets", type=Path, default=DEFAULT_BULLETS)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--parallel", type=int, default=0, help="server slots (default: default_parallel())")
    parser.add_argument("--temperature", type=float, default=Settings().temperature)
    parser.add_argument("--show", action="store_true", help="print the last parallel draft")
    parser.add_argument("--rates-only", action="store_true",
                        help="only the aggregate decode rate at 1, 2, 4… up to --parallel streams (no drafts)")
    args = parser.parse_args()

    n = args.parallel or default_parallel()
    t0 = time.monotonic()
    server = start_server(parallel=n)
    started = time.monotonic() - t0
    rows = []
    try:
        base = Settings(base_url=server.base_url, model=MODEL_NAME, api_key=server.api_key,
                        temperature=args.temperature, timeout=600)
        probe = make_chat_model(replace(base, max_tokens=200), local=True)
        chat = attach_server(make_chat_model(base, local=True), server)
        brief = make_brief(args.bullets.read_text(encoding="utf-8"), "共青团某某区委员会", "2023年上半年", "工作总结")
        index = default_index()
        print(f"machine: {describe()}; bullets={len(brief.bullets)}; server slots {n}")
        t1 = time.monotonic()
        warm_up(chat)
        print(f"server start (model load) {started:.1f} s; prefix warm-up {time.monotonic() - t1:.1f} s", flush=True)
        if args.rates_only:  # the batching ceiling: what any draft on N slots can reach at best
            single = decode_rate(probe, 1)
            for streams in sorted({1, *(2 ** k for k in range(1, 4) if 2 ** k < n), n}):
                rate = single if streams == 1 else decode_rate(probe, streams)
                print(f"  {streams} streams: {rate:.1f} tokens/s aggregate ({rate / single:.2f}x)", flush=True)
            return
        for run in range(1, args.runs + 1):
            single = decode_rate(probe, 1)
            batch = decode_rate(probe, n)
            seq = draft_once(chat, brief, index, 1, server.log_path)
            par = draft_once(chat, brief, index, n, server.log_path)
            row = {"single": single, "batch": batch, "seq": seq, "par": par,
                   "speedup": seq["wall"] / par["wall"],
                   "seq_ratio": seq["wall"] / (seq["tokens"] / single),
                   "par_ratio": par["wall"] / (par["tokens"] / batch) if batch else float("nan")}
            rows.append(row)
            print(f"run {run}: decode {single:.1f} tokens/s single, {batch:.1f} aggregate at {n} streams "
                  f"({batch / single:.2f}x)", flush=True)
            for name, d in (("one call at a time", seq), (f"{n} sections at once", par)):
                print(f"  {name}: wall {d['wall']:.1f} s, {d['calls']} calls ({d['repairs']} repairs), "
                      f"{d['tokens']} tokens, {d['chars']} characters; prefill per call median "
                      f"{d['prefill']:.2f} s ({d['prefilled']:.0f} tokens); wall ÷ server decode time "
                      f"{d['wall'] / d['decode_s'] if d['decode_s'] else float('nan'):.2f}", flush=True)
            print(f"  speed-up {row['speedup']:.2f}x; wall ÷ ideal: sequential {row['seq_ratio']:.2f} "
                  f"(vs single rate), parallel {row['par_ratio']:.2f} (vs batch rate)", flush=True)
    finally:
        server.stop()
    if args.show and rows:
        from zongjie.export_md import export_markdown

        print(export_markdown(rows[-1]["par"]["report"]))
    if len(rows) > 1:
        print(f"median over {len(rows)} runs: speed-up {statistics.median(r['speedup'] for r in rows):.2f}x "
              f"(goal ≥ 2.5), parallel wall ÷ ideal {statistics.median(r['par_ratio'] for r in rows):.2f} "
              f"(goal ≤ 1.1)")


if __name__ == "__main__":
    main()
