"""The project's one in-process cache: bounded, thread-safe, optionally expiring; shared by all sessions.

- :class:`Recent` holds at most ``size`` values (a hit counts as a use, the least recently used value goes
  first) and, with ``ttl``, forgets a value ``ttl`` seconds after it was stored. Use it directly when the key is
  computed by the caller (a content hash of a frame, a database version plus parameters): ``get``, and on a
  miss build the value and ``put`` it.
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
    """At most ``size`` values, each for at most ``ttl`` seconds (None: until pushed out)."""

    def __init__(self, size: int, ttl: float | None = None):
        self.size = size
        self.ttl = ttl
        self._items: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        _ALL.add(self)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            stored, value = item
            if self.ttl is not None and time.monotonic() - stored > self.ttl:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def memo(size: int, ttl: float | None = None, copy: Callable | None = None):
    """Decorator: cache the function's results per (positional and keyword) arguments in a :class:`Recent`.
    ``copy`` (e.g. ``lambda df: df.copy()``) is applied to every value handed out, cached or fresh."""
    def wrap(func):
        cache: Recent = Recent(size, ttl)

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
