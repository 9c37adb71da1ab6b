"""Team mode under load: N users press 起草全文 at the same moment against one remote endpoint.

    .venv/bin/python bench/team_load.py [--users 20] [--slots 4] [--sections-at-once 2]
                                        [--prefill 0.5] [--latency 0.02]

Each simulated user is a thread driving the core as the page does: its own account's view of one
SQLite drafts database (Store.as_owner), a draft created, a Runtime with the remote endpoint and the
process's one fair gate (ZONGJIE_TEAM_CONCURRENCY = --slots), every section committed (a version and
a merged save) the moment it is done, the report saved at the end. The endpoint is bench/stub_server.py
answering like a served model: --prefill seconds before the first token, then --latency per token (2
characters), with the template model's grounded text (so no repair call muddies the timing).

Prints the machine, completions, time to first token (p50/p95), each user's completion time (min,
median, max and the max/min spread: fairness), the endpoint's peak calls in flight (must not exceed
--slots), the SQLite saves and their p95, and lost drafts: after the run every user's draft is read
back through that user's view and must hold every section's text and version (must be 0).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402
from bench.speed_remote import grounded_answer  # noqa: E402
from bench.stub_server import StubServer, delay_before  # noqa: E402
from zongjie.brief import make_brief  # noqa: E402
from zongjie.events import DraftListener  # noqa: E402
from zongjie.gate import FairGate  # noqa: E402
from zongjie.outline import build_outline  # noqa: E402
from zongjie.runtime import Runtime  # noqa: E402
from zongjie.session import DraftSession  # noqa: E402
from zongjie.settings import Settings  # noqa: E402
from zongjie.store import Store  # noqa: E402

BULLETS = ROOT / "tests" / "fixtures" / "bullets.txt"


@dataclass
class UserRun:
    name: str
    draft_id: str = ""
    first_token: float | None = None  # seconds from pressing 起草全文
    done: float | None = None
    most_ahead: int = 0
    saves: list[float] = field(default_factory=list)  # seconds per commit (version + merged save)
    error: str = ""


class PageLike(DraftListener):
    """What the page's LiveProgress does that costs time: keep the first token's time, save each
    section as it is done (ui.actions.finish_section → DraftSession.commit)."""

    def __init__(self, run: UserRun, session: DraftSession, started: float):
        self.run, self.session, self.started = run, session, started

    def token(self, key: str, piece: str) -> None:
        if self.run.first_token is None:
            self.run.first_token = time.monotonic() - self.started

    def queued(self, key: str, ahead: int) -> None:
        self.run.most_ahead = max(self.run.most_ahead, ahead)

    def section_done(self, key: str, text: str) -> None:
        t0 = time.monotonic()
        self.session.commit(key, "生成")
        self.run.saves.append(time.monotonic() - t0)


def one_user(run: UserRun, base: Store, settings: Settings, gate: FairGate, start: threading.Barrier,
             sections_at_once: int, queue_as: str) -> None:
    try:
        store = base.as_owner(run.name)
        brief = make_brief(BULLETS.read_text(encoding="utf-8"), f"共青团{run.name}支部", "2024年上半年", "工作总结")
        report = build_outline(brief)
        run.draft_id = store.create({"unit": brief.unit, "bullets": BULLETS.read_text(encoding="utf-8")},
                                    title=report.title)
        record = store.load(run.draft_id)
        session = DraftSession(store, run.draft_id, report, base=record)
        drafter = Runtime(settings, fake=False, user=queue_as, gate=gate).drafter(None)
        start.wait()
        started = time.monotonic()
        drafter.draft_report(brief, report, listener=PageLike(run, session, started), concurrency=sections_at_once)
        session.save()
        run.done = time.monotonic() - started
    except Exception as exc:  # noqa: BLE001 - a failed user is counted, not fatal to the bench
        run.error = f"{type(exc).__name__}: {exc}"


def lost(runs: list[UserRun], base: Store) -> list[str]:
    """Users whose draft is not all there when read back through their own view."""
    missing = []
    for run in runs:
        store = base.as_owner(run.name)
        record = store.load(run.draft_id) if run.draft_id else None
        if record is None or record.report is None or [d[0] for d in store.list()] != [run.draft_id]:
            missing.append(run.name)
            continue
        units = record.report.drafting_units()
        if not units or any(not s.text.strip() or not store.versions(run.draft_id, s.key) for s in units):
            missing.append(run.name)
    return missing


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--slots", type=int, default=4, help="ZONGJIE_TEAM_CONCURRENCY: calls in flight, all users")
    parser.add_argument("--sections-at-once", type=int, default=2, help="each draft's own concurrency setting")
    parser.add_argument("--prefill", type=float, default=0.5, help="seconds before an answer's first token")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per streamed token (2 characters)")
    parser.add_argument("--fifo", action="store_true",
                        help="for comparison: one queue for everyone (first come, first served), not per user")
    parser.add_argument("--greedy", type=int, default=0, metavar="N",
                        help="user00 drafts N sections at once (the others --sections-at-once)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home, \
            StubServer(delay_before(args.prefill, grounded_answer), latency_per_token=args.latency) as stub:
        base = Store(Path(home) / "zongjie.sqlite3")
        settings = Settings(base_url=stub.url, api_key="bench", timeout=120, max_retries=2, max_tokens=2000,
                            concurrency=args.sections_at_once, style="full")
        gate = FairGate(args.slots)
        runs = [UserRun(f"user{i:02d}") for i in range(args.users)]
        start = threading.Barrier(args.users + 1)
        threads = [threading.Thread(target=one_user, args=(
            r, base, settings, gate, start, args.greedy if args.greedy and i == 0 else args.sections_at_once,
            "everyone" if args.fifo else r.name)) for i, r in enumerate(runs)]
        for t in threads:
            t.start()
        start.wait()
        t0 = time.monotonic()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        missing = lost(runs, base)
        peak, calls = stub.max_in_flight, len(stub.chat_requests)
        db_size = sum(p.stat().st_size for p in Path(home).glob("zongjie.sqlite3*"))
    report(args, runs, wall, peak, calls, missing, db_size)


def report(args, runs: list[UserRun], wall: float, peak: int, calls: int, missing: list[str], db_size: int) -> None:
    done = [r for r in runs if r.done is not None and not r.error]
    ttft = [r.first_token for r in done if r.first_token is not None]
    took = [r.done for r in done]
    saves = [s for r in runs for s in r.saves]
    print(f"machine: {describe()}")
    queue = "one queue for all (FIFO)" if args.fifo else "round robin per user"
    greedy = f" (user00: {args.greedy})" if args.greedy else ""
    print(f"{args.users} users at once, gate {args.slots} slots ({queue}), {args.sections_at_once} "
          f"sections at once per draft{greedy}; endpoint: {args.prefill:.2f} s to first token, "
          f"{args.latency * 1000:.0f} ms/token")
    print(f"completed: {len(done)}/{len(runs)} drafts in {wall:.1f} s wall, {calls} model calls, "
          f"peak in flight at the endpoint {peak} (bound {args.slots})")
    if ttft:
        print(f"time to first token: p50 {percentile(ttft, 0.5):.1f} s, p95 {percentile(ttft, 0.95):.1f} s, "
              f"max {max(ttft):.1f} s; most calls ahead in the queue {max(r.most_ahead for r in runs)}")
    if args.greedy and runs[0].done is not None:
        print(f"user00 (greedy, {args.greedy} sections at once) done in {runs[0].done:.1f} s")
    if took:
        print(f"per-user completion: min {min(took):.1f} s, median {statistics.median(took):.1f} s, "
              f"max {max(took):.1f} s; fairness spread max/min {max(took) / min(took):.2f}")
    if saves:
        print(f"SQLite: {len(saves)} section commits (version + merged save), "
              f"p50 {percentile(saves, 0.5) * 1000:.0f} ms, p95 {percentile(saves, 0.95) * 1000:.0f} ms, "
              f"max {max(saves) * 1000:.0f} ms; "
              f"database {db_size / 1024:.0f} KiB")
    print(f"lost drafts: {len(missing)}" + (f" ({', '.join(missing)})" if missing else ""))
    for r in runs:
        if r.error:
            print(f"  {r.name} failed: {r.error[:200]}")


if __name__ == "__main__":
    main()
