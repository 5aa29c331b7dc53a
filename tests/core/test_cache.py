"""monitor/core/cache.py: the bounded cache of recently used values shared by the map, the report and its images."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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
