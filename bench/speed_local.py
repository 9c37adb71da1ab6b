"""Local-model speed: full draft wall time against the pure decode time of the tokens it wrote.

    .venv/bin/python bench/speed_local.py [--style compact|full] [--bullets FILE]

Prints the server start time, the raw decode rate (tokens/s, measured in this run on a long
free-form answer, first token excluded so prefill is not counted), the draft's wall time, calls,
output tokens, and the ratio wall ÷ (output tokens ÷ raw decode rate). A ratio of 1.0 would mean
the draft spent nothing on prefill, retries or overhead. llama-cpp-python streams one token per
chunk, so chunks are counted as tokens.
"""
from __future__ import annotations

import argparse
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
from zongjie.draft import Drafter  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--style", choices=("compact", "full"), default="compact")
    parser.add_argument("--bullets", type=Path, default=DEFAULT_BULLETS)
    args = parser.parse_args()

    t0 = time.monotonic()
    server = start_server()
    started = time.monotonic() - t0
    try:
        base = Settings(base_url=server.base_url, model=MODEL_NAME, temperature=0.0)
        rate = decode_rate(make_chat_model(replace(base, max_tokens=300), local=True))
        chat = make_chat_model(base, local=True)
        brief = make_brief(args.bullets.read_text(encoding="utf-8"), "共青团某某区委员会", "2023年上半年", "工作总结")
        drafter = Drafter(chat=chat, index=default_index(), compact=args.style == "compact")
        tokens = 0

        def count(_key: str, kind: str, payload: str) -> None:
            nonlocal tokens
            if kind == "token" and payload != "\n":
                tokens += 1

        t1 = time.monotonic()
        report = drafter.draft_report(brief, on_event=count)
        wall = time.monotonic() - t1
    finally:
        server.stop()
    ideal = tokens / rate
    chars = sum(len(s.text) for s in report.all_sections())
    print(f"machine: {describe()}; style={args.style}, bullets={len(brief.bullets)}")
    print(f"server start (model load): {started:.1f} s")
    print(f"raw decode rate: {rate:.1f} tokens/s")
    print(f"draft: wall {wall:.1f} s, {drafter.stats['calls']} calls ({drafter.stats['repairs']} repairs), "
          f"{tokens} output tokens, {chars} characters kept")
    print(f"ideal decode-only time: {ideal:.1f} s")
    print(f"ratio wall/ideal: {wall / ideal:.2f}  (goal <= 1.25)")


if __name__ == "__main__":
    main()
