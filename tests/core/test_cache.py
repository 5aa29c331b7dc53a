"""monitor/core/cache.py: the bounded cache of recently used values shared by the map, the report and its images."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from monitor.core import cache as cache_module
from monitor.core.cache import Recent


def test_keeps_at_most_size_values_and_drops_the_least_recently_used():
    cache: Recent[str] = Recent(2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # a is now more recent than b
    cache.put("c", "C")
    assert len(cache) == 2
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == ("A", "C")
    cache.put("a", "A2")  # replacing a value keeps one entry
    assert len(cache) == 2 and cache.get("a") == "A2"
    cache.clear()
    assert len(cache) == 0 and cache.get("a") is None


def test_many_threads_never_exceed_the_bound():
    cache: Recent[int] = Recent(8)

    def work(seed: int) -> None:
        for k in range(500):
            key = (seed * 7 + k) % 20
            if cache.get(key) is None:
                cache.put(key, key)
            assert len(cache) <= 8

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(8)))
    assert len(cache) == 8


def test_weight_bound_drops_the_least_recently_used_until_the_values_fit():
    cache: Recent[str] = Recent(10, weigh=len, max_weight=10)
    cache.put("a", "aaaa")
    cache.put("b", "bbbb")
    assert cache.get("a") == "aaaa"  # a is now more recent than b
    cache.put("c", "cccc")  # 12 > 10: b goes
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("aaaa", None, "cccc")
    assert cache.weight == 8
    cache.put("a", "a")  # a replaced value counts with its new weight
    assert cache.weight == 5
    cache.put("big", "x" * 11)  # heavier than the whole bound: not kept, nothing else pushed out
    assert cache.get("big") is None and cache.weight == 5 and len(cache) == 2
    cache.clear()
    assert cache.weight == 0 and len(cache) == 0


def test_weight_stays_consistent_when_values_expire(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock[0])
    cache: Recent[str] = Recent(10, ttl=5, weigh=len, max_weight=10)
    cache.put("a", "aaa")
    assert cache.weight == 3
    clock[0] += 6
    assert cache.get("a") is None  # expired
    assert cache.weight == 0 and len(cache) == 0
