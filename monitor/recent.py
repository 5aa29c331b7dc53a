"""A small bounded, thread-safe cache of the most recently used values (in-process; shared by all sessions).

For results that are expensive to build and keyed by something ``functools.lru_cache`` cannot hash directly
(a content hash of a frame, a database version plus parameters): the caller computes the key, asks
:meth:`Recent.get` and, on a miss, builds the value and hands it to :meth:`Recent.put`.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Recent(Generic[V]):
    """At most ``size`` values; a hit counts as a use, the least recently used value goes first."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
