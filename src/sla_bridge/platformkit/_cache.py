"""A small thread-safe cache whose entries expire: look-ups of groups, fields and users.

Entries live ``ttl`` seconds on an injected monotonic timer, so a value changed on the
platform (a plan on an organization) is seen within the TTL without a call per webhook.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class TTLCache:
    """Values by key, each fresh for ``ttl`` seconds after it was loaded or stored."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        """The cached value of ``key``, loaded (outside the lock) when missing or expired."""
        now = self._clock()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] > now:
                value: T = hit[1]
                return value
        value = load()
        with self._lock:
            self._items[key] = (now + self.ttl, value)
        return value

    def get_many(self, kind: str, ids: Iterable[K],
                 load: Callable[[list[K]], Mapping[K, T]], batch: int = 100) -> dict[K, T]:
        """Values of many ids, those not cached loaded ``batch`` at a time (one call each).

        Cached under ``(kind, id)``; ids ``load`` does not return are left out.
        """
        found: dict[K, T] = {}
        missing: list[K] = []
        for item_id in dict.fromkeys(ids):
            cached = self.peek((kind, item_id))
            if cached is not None:
                found[item_id] = cached
            else:
                missing.append(item_id)
        for start in range(0, len(missing), batch):
            for item_id, value in load(missing[start:start + batch]).items():
                self.put((kind, item_id), value)
                found[item_id] = value
        return found

    def peek(self, key: Hashable) -> Any:
        """The cached value if fresh, else ``None`` (never loads)."""
        with self._lock:
            hit = self._items.get(key)
            return hit[1] if hit is not None and hit[0] > self._clock() else None

    def put(self, key: Hashable, value: Any) -> None:
        """Store a value loaded elsewhere."""
        with self._lock:
            self._items[key] = (self._clock() + self.ttl, value)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
