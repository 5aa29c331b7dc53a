"""The page-run gate (monitor/app/gate.py): never more runs inside than places, arrival order, released on errors."""
from __future__ import annotations

import threading
import time

import pytest

from monitor.app import gate
from monitor.app.gate import RunGate


def _arrive_in_order(g: RunGate, n: int, body) -> list[threading.Thread]:
    """Start ``n`` threads that enter ``g`` one after another (each waits until the previous one is queued)."""
    threads = []
    for i in range(n):
        before = g._next_ticket
        t = threading.Thread(target=body, args=(i,))
        t.start()
        deadline = time.monotonic() + 5
        while g._next_ticket == before and time.monotonic() < deadline:
            time.sleep(0.001)
        assert g._next_ticket == before + 1, "thread did not reach the gate"
        threads.append(t)
    return threads


def test_never_more_runs_inside_than_places_and_in_arrival_order():
    g = RunGate(2)
    release, blocked = threading.Event(), threading.Event()
    entered: list[int] = []
    lock = threading.Lock()

    def entrant(wait_for: threading.Event):
        def body(i):
            with g.slot():
                with lock:
                    entered.append(i)
                wait_for.wait(5)
        return body

    first_two, body = entrant(blocked), entrant(release)

    holders = _arrive_in_order(g, 2, first_two)
    waiting = _arrive_in_order(g, 6, lambda i: body(i + 2))
    time.sleep(0.05)
    assert entered == [0, 1] and g.running == 2  # the six others queue
    blocked.set()
    release.set()
    for t in holders + waiting:
        t.join(5)
    assert entered == list(range(8))
    assert g.max_running == 2 and g.running == 0


def test_a_run_that_raises_gives_its_place_back():
    g = RunGate(1)
    with pytest.raises(RuntimeError):
        with g.slot():
            raise RuntimeError("rerun")
    assert g.running == 0
    done = threading.Event()

    def body():
        with g.slot():
            done.set()

    t = threading.Thread(target=body)
    t.start()
    t.join(5)
    assert done.is_set()


@pytest.mark.parametrize("value, expected", [("3", 3), ("0", 1), ("viele", None), ("", None)])
def test_places_come_from_the_environment_or_the_cores(monkeypatch, value, expected):
    monkeypatch.setenv(gate.SLOTS_ENV, value)
    monkeypatch.setattr(gate.os, "cpu_count", lambda: 6)
    assert gate._slots() == (expected if expected is not None else 6)
    monkeypatch.setattr(gate.os, "cpu_count", lambda: 1)
    assert gate._slots() == (expected if expected is not None else 2)
