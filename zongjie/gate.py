"""Team mode's one gate to the model endpoint: at most N calls in flight for the whole process (every
Streamlit session is a thread of it), handed out round-robin per user, so one user drafting eight
sections at once cannot take every slot while a colleague's first section waits.

Each user with waiting calls has a place in a ring; a freed slot goes to the first user of the ring,
who then moves to its end. A waiting call is told how many calls are ahead of it (the page shows
"排队中，前面还有 N 份"), again whenever that changes. The gate is entered once per model call attempt
(zongjie.llm.stream_text), not per draft: a retry's backoff never holds a slot.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

POLL_SECONDS = 0.2  # how often a waiting call looks at its stop flag


@dataclass(eq=False)
class Ticket:
    user: str
    granted: bool = False


class FairGate:
    def __init__(self, slots: int):
        self._slots = max(1, int(slots))
        self._busy = 0
        self._cond = threading.Condition()
        # Users with waiting tickets, in ring order (a dict keeps insertion order; moving a user to the
        # end is pop and insert).
        self._queues: dict[str, deque[Ticket]] = {}

    @property
    def slots(self) -> int:
        return self._slots

    def resize(self, slots: int) -> None:
        """A changed ZONGJIE_TEAM_CONCURRENCY: calls in flight finish; new ones see the new bound."""
        with self._cond:
            self._slots = max(1, int(slots))
            self._dispatch()

    def snapshot(self) -> tuple[int, dict[str, int]]:
        """(calls in flight, waiting calls per user in ring order): for tests and the bench."""
        with self._cond:
            return self._busy, {u: len(q) for u, q in self._queues.items()}

    # ---- entering and leaving ------------------------------------------------------------------
    @contextmanager
    def slot(self, user: str, on_wait: Callable[[int], None] | None = None,
             should_stop: Callable[[], bool] | None = None) -> Iterator[bool]:
        """Hold one slot for the block; yields False (holding none) if `should_stop` said so first."""
        ticket = self.acquire(user, on_wait, should_stop)
        if ticket is None:
            yield False
            return
        try:
            yield True
        finally:
            self.release()

    def acquire(self, user: str, on_wait: Callable[[int], None] | None = None,
                should_stop: Callable[[], bool] | None = None) -> Ticket | None:
        """Wait for a slot (None if stopped first). on_wait(calls ahead) runs on this thread, outside
        the gate's lock, at once when the call must wait and whenever its place changes."""
        with self._cond:
            ticket = Ticket(user)
            self._queues.setdefault(user, deque()).append(ticket)
            self._dispatch()
            shown = None
            try:
                while not ticket.granted:
                    if should_stop and should_stop():
                        self._withdraw(ticket)
                        return None
                    ahead = self.ahead(ticket)
                    if on_wait is not None and ahead != shown:
                        shown = ahead
                        self._cond.release()  # a page update may be slow; the gate never waits for it
                        try:
                            on_wait(ahead)
                        finally:
                            self._cond.acquire()
                        continue  # the world may have moved meanwhile
                    self._cond.wait(POLL_SECONDS)
            except BaseException:
                # The page's run ended (Streamlit raises into its thread) or on_wait failed: a ticket
                # left behind would hold its place, or its slot, forever.
                if ticket.granted:
                    self._busy -= 1
                    self._dispatch()
                else:
                    self._withdraw(ticket)
                raise
            return ticket

    def release(self) -> None:
        with self._cond:
            self._busy -= 1
            self._dispatch()

    # ---- under the lock ----------------------------------------------------------------------------
    def ahead(self, ticket: Ticket) -> int:
        """Waiting calls that will be served before `ticket`: round k of the ring serves the k-th call
        of every user, in ring order."""
        users = list(self._queues)
        if ticket.user not in self._queues or ticket not in self._queues[ticket.user]:
            return 0
        mine = users.index(ticket.user)
        j = self._queues[ticket.user].index(ticket)
        return j + sum(min(len(self._queues[u]), j + (i < mine)) for i, u in enumerate(users) if i != mine)

    def _dispatch(self) -> None:
        while self._busy < self._slots and self._queues:
            user = next(iter(self._queues))
            waiting = self._queues.pop(user)
            waiting.popleft().granted = True
            self._busy += 1
            if waiting:
                self._queues[user] = waiting  # to the end of the ring
        self._cond.notify_all()

    def _withdraw(self, ticket: Ticket) -> None:
        waiting = self._queues.get(ticket.user)
        if waiting is not None and ticket in waiting:
            waiting.remove(ticket)
            if not waiting:
                del self._queues[ticket.user]
        self._cond.notify_all()


_TEAM_GATE: FairGate | None = None
_TEAM_LOCK = threading.Lock()


def team_gate(slots: int) -> FairGate:
    """The one gate of this process (created on first use, resized when the setting changed)."""
    global _TEAM_GATE
    with _TEAM_LOCK:
        if _TEAM_GATE is None:
            _TEAM_GATE = FairGate(slots)
        elif _TEAM_GATE.slots != slots:
            _TEAM_GATE.resize(slots)
        return _TEAM_GATE


def attach_gate(chat: object, gate: FairGate, user: str) -> None:
    """Every call `stream_text` makes on `chat` waits its turn at `gate` as `user`."""
    # pydantic lets a chat model carry an undeclared underscore attribute (as zongjie.llm's hooks do).
    chat._zongjie_gate = (gate, user)  # type: ignore[attr-defined]


def turn(chat: object, on_wait: Callable[[int], None] | None = None,
         should_stop: Callable[[], bool] | None = None):
    """The slot one call on `chat` needs (a context manager yielding False if stopped while waiting);
    no wait at all for a chat model without a gate (single-user mode)."""
    gated = getattr(chat, "_zongjie_gate", None)
    if gated is None:
        return nullcontext(True)
    gate, user = gated
    return gate.slot(user, on_wait, should_stop)
