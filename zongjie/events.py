"""What the drafter reports while it works: a listener class with one no-op method per event. The page,
the CLI and the benches subclass it and override what they show; QueuedListener carries events from the
worker threads of a concurrent draft to the thread that draws the page."""
from __future__ import annotations

import queue
from collections.abc import Callable


class DraftListener:
    """Override what you need; every method does nothing by default. Calls arrive on the thread that
    called the drafter (a concurrent draft delivers them through a QueuedListener)."""

    def section_started(self, key: str, heading: str) -> None:
        """A section (not locked) is about to be drafted or revised."""

    def token(self, key: str, piece: str) -> None:
        """A piece of streamed model text; "\\n" between the paragraphs of a section written in parts."""

    def repairing(self, key: str) -> None:
        """The fact check found problems: a repair turn follows, and the text streamed so far is replaced."""

    def retrying(self, key: str, reason: str) -> None:
        """A model call failed for `reason` (Chinese) and is retried; the text streamed so far is dropped."""

    def section_done(self, key: str, text: str) -> None:
        """The section's final text is in the report."""

    def queued(self, key: str, ahead: int) -> None:
        """Team mode: the section's next model call waits, `ahead` calls of all users before it."""


class QueuedListener(DraftListener):
    """Queues every event from any thread; drain() delivers them to `target` on the calling thread, so
    a UI never updates from a worker thread."""

    def __init__(self, target: DraftListener):
        self.target = target
        self._events: queue.Queue[tuple[Callable[..., None], tuple[str, ...]]] = queue.Queue()

    def section_started(self, key: str, heading: str) -> None:
        self._events.put((self.target.section_started, (key, heading)))

    def token(self, key: str, piece: str) -> None:
        self._events.put((self.target.token, (key, piece)))

    def repairing(self, key: str) -> None:
        self._events.put((self.target.repairing, (key,)))

    def retrying(self, key: str, reason: str) -> None:
        self._events.put((self.target.retrying, (key, reason)))

    def section_done(self, key: str, text: str) -> None:
        self._events.put((self.target.section_done, (key, text)))

    def queued(self, key: str, ahead: int) -> None:
        self._events.put((self.target.queued, (key, ahead)))

    def drain(self) -> None:
        """Deliver everything queued so far, in order."""
        while True:
            try:
                method, args = self._events.get_nowait()
            except queue.Empty:
                return
            method(*args)
