"""At most a few page runs at a time in one app process: the others wait their turn.

Streamlit runs every session's script in its own thread. Python runs one thread at a time (GIL) and the
machine has a few cores, so ten page runs at once finish no sooner than ten runs two or three at a time, but
all ten hold their intermediate tables, figures and serialised messages in memory together. With ten people
opening the dashboard at the same moment (a meeting), that transient memory dominates the server's peak.
The gate lets ``REGIONALMONITOR_PAGE_RUNS`` page runs (default: the number of CPU cores, at least 2) proceed
and queues the rest; a queued run starts as soon as one finishes, in arrival order.

The gate is taken around the page body only (``navigation.run()`` in ``app.py``), after the sidebar filters
have run: no thread ever waits for the gate while holding a cache lock, so waits cannot form a cycle. A run
interrupted by a rerun or stop (Streamlit raises an exception in the script thread) releases its slot.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager

SLOTS_ENV = "REGIONALMONITOR_PAGE_RUNS"


def _slots() -> int:
    value = os.environ.get(SLOTS_ENV, "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            pass
    return max(2, os.cpu_count() or 2)


class RunGate:
    """A fair (first come, first served) counting gate with ``slots`` places."""

    def __init__(self, slots: int):
        self.slots = slots
        self._cond = threading.Condition()
        self._running = 0
        self._next_ticket = 0
        self._serving = 0  # tickets below this number may enter once a place is free
        self.max_running = 0  # high-water mark, for tests and benchmarks

    @property
    def running(self) -> int:
        return self._running

    @contextmanager
    def slot(self):
        """Wait for a place (in arrival order), hold it for the block."""
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            while ticket != self._serving or self._running >= self.slots:
                self._cond.wait()
            self._serving += 1
            self._running += 1
            self.max_running = max(self.max_running, self._running)
            self._cond.notify_all()
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()


GATE = RunGate(_slots())


def page_slot():
    """The process-wide gate's slot for one page run (see the module docstring)."""
    return GATE.slot()
