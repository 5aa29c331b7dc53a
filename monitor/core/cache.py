"""The project's one in-process cache: bounded, thread-safe, optionally expiring; shared by all sessions.

- :class:`Recent` holds at most ``size`` values (a hit counts as a use, the least recently used value goes
  first) and, with ``ttl``, forgets a value ``ttl`` seconds after it was stored; with ``weigh`` and
  ``max_weight`` (e.g. bytes of a DataFrame), the values together also weigh at most ``max_weight``. Use it
  directly when the key is computed by the caller (a content hash of a frame, a database version plus
  parameters): ``get``, and on a miss build the value and ``put`` it.
- :func:`memo` wraps a function whose arguments are hashable: the same bound and expiry, keyed by the
  arguments (``copy`` returns a copy of a cached value that callers may modify, e.g. a DataFrame).
- :func:`clear_all` empties every cache of the process (tests; a code reload).

Database-derived values are keyed by the database version (``monitor.data.db.current_stamp``), so a new version
never meets an old value; the bound and the expiry keep the memory small.
"""
from __future__ import annotations

import functools
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
_ALL: weakref.WeakSet = weakref.WeakSet()


class Recent(Generic[V]):
    """At most ``size`` values, each for at most ``ttl`` seconds (None: until pushed out), and with ``weigh`` at
    most ``max_weight`` in total (the least recently used go first; a value heavier than ``max_weight`` alone
    is not kept)."""

    def __init__(self, size: int, ttl: float | None = None, weigh: Callable[[V], int] | None = None,
                 max_weight: int | None = None):
        self.size = size
        self.ttl = ttl
        self.weigh = weigh if max_weight is not None else None
        self.max_weight = max_weight
        self.weight = 0  # total weight of the values held (with ``weigh``)
        self._items: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._weights: dict[Hashable, int] = {}
        self._lock = threading.Lock()
        _ALL.add(self)

    def _drop(self, key: Hashable) -> None:
        del self._items[key]
        self.weight -= self._weights.pop(key, 0)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            stored, value = item
            if self.ttl is not None and time.monotonic() - stored > self.ttl:
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        weight = self.weigh(value) if self.weigh else 0  # outside the lock: it may take a moment
        with self._lock:
            if key in self._items:
                self._drop(key)
            if self.weigh and weight > self.max_weight:
                return
            self._items[key] = (time.monotonic(), value)
            if self.weigh:
                self._weights[key] = weight
                self.weight += weight
            while len(self._items) > self.size or (self.weigh and self.weight > self.max_weight):
                self._drop(next(iter(self._items)))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._weights.clear()
            self.weight = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def memo(size: int, ttl: float | None = None, copy: Callable | None = None, weigh: Callable | None = None,
         max_weight: int | None = None):
    """Decorator: cache the function's results per (positional and keyword) arguments in a :class:`Recent`
    (``size``, ``ttl``, ``weigh`` and ``max_weight`` as there). ``copy`` (e.g. ``lambda df: df.copy()``) is
    applied to every value handed out, cached or fresh."""
    def wrap(func):
        cache: Recent = Recent(size, ttl, weigh, max_weight)

        @functools.wraps(func)
        def cached(*args, **kwargs):
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            value = cache.get(key)
            if value is None:
                value = func(*args, **kwargs)
                cache.put(key, value)
            return copy(value) if copy else value

        cached.cache = cache
        cached.cache_clear = cache.clear
        return cached
    return wrap


def clear_all() -> None:
    """Empty every cache made by this module."""
    for cache in list(_ALL):
        cache.clear()
