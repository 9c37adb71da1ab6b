"""Team mode's gate to the endpoint (zongjie.gate): bounded, round-robin per user, each waiting call
told its place, and nothing left behind by a stop or a failure. Deterministic: threads are stepped
with events (each waiting call's first on_wait is the event that it is queued), never with sleeps."""
from __future__ import annotations

import threading

import pytest
from langchain_core.messages import HumanMessage

from zongjie.fake_llm import TemplateChatModel
from zongjie.gate import FairGate, attach_gate, team_gate
from zongjie.llm import stream_text
from zongjie.runtime import Runtime
from zongjie.settings import Settings

WAIT = 10  # seconds an event may take on a busy machine before the test fails (never a pass condition)


class Caller:
    """One call at the gate on its own thread: `queued` is set when it waits, `places` its reported
    places, `entered` once it holds a slot; it leaves when `leave` is set."""

    def __init__(self, gate: FairGate, user: str, order: list[str], name: str, stop: threading.Event | None = None):
        self.name, self.places = name, []
        self.queued, self.entered, self.leave = threading.Event(), threading.Event(), threading.Event()
        self.got: bool | None = None
        self.told = threading.Condition()

        def on_wait(ahead: int) -> None:
            with self.told:
                self.places.append(ahead)
                self.told.notify_all()
            self.queued.set()

        def run() -> None:
            with gate.slot(user, on_wait, stop.is_set if stop else None) as granted:
                self.got = granted
                if granted:
                    order.append(name)
                    self.entered.set()
                    assert self.leave.wait(WAIT)
            self.queued.set()  # stopped before it ever waited: let the test go on

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def told_place(self, ahead: int) -> bool:
        """Wait until the last place this call was told is `ahead`."""
        with self.told:
            return self.told.wait_for(lambda: self.places and self.places[-1] == ahead, WAIT)


def queue_up(gate, order, *specs):
    callers = []
    for user, name in specs:
        caller = Caller(gate, user, order, name)
        assert caller.queued.wait(WAIT), name
        callers.append(caller)
    return callers


def test_round_robin_per_user_and_each_call_knows_its_place():
    gate, order = FairGate(1), []
    with gate.slot("甲") as granted:  # 甲's first call holds the only slot
        assert granted
        a2, a3, a4, b1, c1, b2 = queue_up(gate, order, ("甲", "a2"), ("甲", "a3"), ("甲", "a4"), ("乙", "b1"),
                                          ("丙", "c1"), ("乙", "b2"))
        assert gate.snapshot() == (1, {"甲": 3, "乙": 2, "丙": 1})
        # as queued: a2 first; b1 behind a2 only; c1 behind a2, b1; a3 behind a2, b1, c1 ...
        assert [c.places[0] for c in (a2, a3, a4, b1, c1, b2)] == [0, 1, 2, 1, 2, 4]
    # a4 is told its place as it moves up: 4 calls ahead once a2 is in, then 3, 2, 1, 0
    for expected, a4_place in (("a2", 4), ("b1", 3), ("c1", 2), ("a3", 1), ("b2", 0), ("a4", None)):
        caller = next(c for c in (a2, a3, a4, b1, c1, b2) if c.name == expected)
        assert caller.entered.wait(WAIT), (expected, order)
        assert order[-1] == expected and gate.snapshot()[0] == 1
        if a4_place is not None:
            assert a4.told_place(a4_place), (expected, a4.places)
        caller.leave.set()
        caller.thread.join(WAIT)
    assert order == ["a2", "b1", "c1", "a3", "b2", "a4"]
    assert gate.snapshot() == (0, {})


def test_never_more_calls_in_flight_than_slots():
    gate, order, lock = FairGate(2), [], threading.Lock()
    inside, most = [0], [0]
    entries = threading.Semaphore(0)

    def body(name: str, leave: threading.Event) -> None:
        with gate.slot(name[:2]):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                order.append(name)
            entries.release()
            assert leave.wait(WAIT)
            with lock:
                inside[0] -= 1

    leaves = {f"u{i % 3}-{i}": threading.Event() for i in range(7)}
    threads = [threading.Thread(target=body, args=(n, e), daemon=True) for n, e in leaves.items()]
    for t in threads:
        t.start()
    for _ in leaves:
        assert entries.acquire(timeout=WAIT)  # one more call got in ...
        with lock:
            assert inside[0] <= 2
            latest = next(n for n in order if not leaves[n].is_set())
        leaves[latest].set()  # ... and one leaves, freeing its slot for the next
    for t in threads:
        t.join(WAIT)
    assert most[0] <= 2 and sorted(order) == sorted(leaves) and gate.snapshot() == (0, {})


def test_a_stop_while_queued_leaves_the_queue_and_holds_nothing():
    gate, order = FairGate(1), []
    stop = threading.Event()
    with gate.slot("甲"):
        waiting = Caller(gate, "乙", order, "b1", stop)
        assert waiting.queued.wait(WAIT)
        stop.set()
        waiting.thread.join(WAIT)
        assert waiting.got is False and gate.snapshot() == (1, {})
    assert gate.snapshot() == (0, {})
    with gate.slot("丙") as granted:  # the slot is free for the next one at once
        assert granted


def test_a_failing_page_update_while_queued_leaves_nothing_behind():
    gate = FairGate(1)

    def page_gone(_ahead: int) -> None:
        raise RuntimeError("the script run ended")

    with gate.slot("甲"), pytest.raises(RuntimeError):
        gate.acquire("乙", on_wait=page_gone)
    assert gate.snapshot() == (0, {})


def test_a_failure_inside_the_slot_frees_it():
    gate = FairGate(1)
    with pytest.raises(ValueError), gate.slot("甲"):
        raise ValueError("the endpoint failed")
    assert gate.snapshot() == (0, {})


def test_stream_text_waits_at_the_gate_the_runtime_attached():
    """The gate sits at the one place every model call passes: a call made while the only slot is
    taken reports its place and goes only when the slot is free."""
    gate = FairGate(1)
    chat = Runtime(Settings(), fake=True, user="乙", gate=gate).chat()
    places, result = [], {}
    queued = threading.Event()

    def on_queue(ahead: int) -> None:
        places.append(ahead)
        queued.set()

    with gate.slot("甲"):
        thread = threading.Thread(target=lambda: result.update(
            text=stream_text(chat, [HumanMessage(content="【开头】")], on_queue=on_queue)))
        thread.start()
        assert queued.wait(WAIT)
        assert "text" not in result and gate.snapshot() == (1, {"乙": 1})
    thread.join(WAIT)
    assert places == [0] and result["text"]


def test_single_user_mode_has_no_gate():
    chat = Runtime(Settings(), fake=True).chat()
    assert getattr(chat, "_zongjie_gate", None) is None
    assert stream_text(chat, [HumanMessage(content="【开头】")], on_queue=lambda _: pytest.fail("queued"))


def test_the_process_has_one_gate_resized_by_the_setting():
    first = team_gate(3)
    assert team_gate(3) is first and first.slots == 3
    assert team_gate(5) is first and first.slots == 5


def test_attach_gate_marks_the_chat_model():
    chat = TemplateChatModel()
    gate = FairGate(1)
    attach_gate(chat, gate, "甲")
    assert chat._zongjie_gate == (gate, "甲")
