"""Concurrent sections against a remote-like endpoint: the loopback stub adds a fixed latency per token.

    .venv/bin/python bench/speed_remote.py [--latency 0.02] [--concurrency 8]

Drafts the same brief twice through the real ChatOpenAI path (full mode, one call per section):
sequentially, then with bounded concurrency. Prints both wall times, the slowest single section of
the concurrent run, and the two ratios the speed goal is about.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.messages import HumanMessage, SystemMessage  # noqa: E402

from bench.machine import describe  # noqa: E402
from bench.stub_server import StubServer, ok  # noqa: E402
from zongjie.brief import make_brief  # noqa: E402
from zongjie.draft import Drafter  # noqa: E402
from zongjie.events import DraftListener  # noqa: E402
from zongjie.fake_llm import TemplateChatModel  # noqa: E402
from zongjie.llm import make_chat_model  # noqa: E402
from zongjie.settings import Settings  # noqa: E402

BULLETS = ROOT / "tests" / "fixtures" / "bullets.txt"


def grounded_answer(request: dict) -> str:
    """The template model's answer to the same prompt: grounded, so no repair call muddies timing."""
    kinds = {"system": SystemMessage, "user": HumanMessage}
    messages = [kinds.get(m.get("role"), HumanMessage)(content=str(m.get("content", "")))
                for m in request.get("messages", [])]
    return TemplateChatModel().respond(messages)


def draft(url: str, concurrency: int) -> tuple[float, dict[str, float], int]:
    brief = make_brief(BULLETS.read_text(encoding="utf-8"), "共青团某某区委员会", "2023年上半年", "工作总结")
    chat = make_chat_model(Settings(base_url=url, api_key="bench", timeout=60, max_retries=0, max_tokens=2000))
    drafter = Drafter(chat=chat)
    timer = SectionTimer()
    t0 = time.monotonic()
    drafter.draft_report(brief, listener=timer, concurrency=concurrency)
    return time.monotonic() - t0, timer.took, drafter.stats["calls"]


class SectionTimer(DraftListener):
    """Seconds from each section's start to its end."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.took: dict[str, float] = {}

    def section_started(self, key: str, heading: str) -> None:
        self.started[key] = time.monotonic()

    def section_done(self, key: str, text: str) -> None:
        self.took[key] = time.monotonic() - self.started[key]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per streamed token")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with StubServer(ok(grounded_answer), latency_per_token=args.latency) as stub:
        seq_wall, seq_took, calls = draft(stub.url, 1)
        par_wall, par_took, _ = draft(stub.url, args.concurrency)
        peak = stub.max_in_flight
    slowest = max(par_took.values())
    print(f"machine: {describe()}")
    print(f"stub latency {args.latency * 1000:.0f} ms/token, {len(seq_took)} sections, {calls} calls per draft")
    print(f"sequential: {seq_wall:.2f} s (slowest section {max(seq_took.values()):.2f} s)")
    print(f"concurrent ({args.concurrency}, peak in flight {peak}): {par_wall:.2f} s, slowest section {slowest:.2f} s")
    print(f"concurrent wall / slowest section: {par_wall / slowest:.2f}  (goal <= 1.5)")
    print(f"sequential / concurrent: {seq_wall / par_wall:.1f}x  (goal >= 4)")


if __name__ == "__main__":
    main()
