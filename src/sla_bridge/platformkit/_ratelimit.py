"""A vendor's rate limit: ``Retry-After``, the budget its headers report, and a gate.

The gate holds every call (all threads share it) while the vendor has said to wait, so the
bridge does not earn 429s; the bridge's retry policy does the waiting and the retrying.
Holds are measured on a monotonic timer; ``Retry-After`` dates are read against the bridge's
clock. Both are injected: the timer is the one given, else the clock's own ``monotonic()``
when it has one (a virtual clock whose retries do not spend real time), else the process's.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sla_bridge.clock import Clock

Monotonic = Callable[[], float]
# Wait this long after a 429 that says neither Retry-After nor a reset.
DEFAULT_RATE_LIMIT_WAIT = 10.0


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` (or reset) value: a number of seconds, or an
    HTTP date read against ``now``; ``None`` when absent or unreadable; never negative."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


class RateLimited(Exception):
    """The vendor said (or its headers said) to wait ``retry_after`` seconds."""

    def __init__(self, retry_after: float, status: int | None) -> None:
        super().__init__(f"rate limited; retry after {retry_after:.1f} s")
        self.retry_after = retry_after
        self.status = status


@dataclass(frozen=True)
class RateLimitHeaders:
    """Where a vendor reports its budget; each name is tried in order (lower case)."""

    limit: tuple[str, ...] = ("ratelimit-limit", "x-ratelimit-limit")
    remaining: tuple[str, ...] = ("ratelimit-remaining", "x-ratelimit-remaining")
    reset: tuple[str, ...] = ("ratelimit-reset",)
    retry_after: tuple[str, ...] = ("retry-after",)

    @staticmethod
    def first(headers: Mapping[str, str], names: tuple[str, ...]) -> str | None:
        """The first of ``names`` present in ``headers`` (matched case-insensitively)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        return next((lowered[n] for n in names if lowered.get(n)), None)


class RateGate:
    """The account's API budget as the last answers described it, shared by all threads."""

    def __init__(self, clock: Clock, headers: RateLimitHeaders | None = None,
                 monotonic: Monotonic | None = None) -> None:
        self._clock = clock
        self.headers = headers or RateLimitHeaders()
        timer: Monotonic = getattr(clock, "monotonic", time.monotonic)
        self._monotonic = monotonic or timer
        self._lock = threading.Lock()
        self._until = 0.0
        self.limit: int | None = None
        self.remaining: int | None = None

    def wait_seconds(self) -> float:
        """How long calls are still held (0 when they may go)."""
        with self._lock:
            return max(0.0, self._until - self._monotonic())

    def check(self) -> None:
        """Raise :class:`RateLimited` while the budget is known to be spent."""
        wait = self.wait_seconds()
        if wait > 0:
            raise RateLimited(wait, None)

    def hold(self, seconds: float) -> None:
        """Hold calls for ``seconds`` from now (a longer hold already in force stays)."""
        with self._lock:
            self._until = max(self._until, self._monotonic() + seconds)

    def observe(self, status: int, headers: Mapping[str, str]) -> float | None:
        """Learn from an answer's headers; for a 429 hold calls and return the wait.

        A spent budget (remaining 0 with a reset) holds calls until the reset; a 429 holds
        them for ``Retry-After``, else the reset, else :data:`DEFAULT_RATE_LIMIT_WAIT`.
        """
        names, now = self.headers, self._clock.now()
        limit = names.first(headers, names.limit)
        remaining = names.first(headers, names.remaining)
        reset = retry_after_seconds(names.first(headers, names.reset), now)
        if limit and limit.isdigit():
            self.limit = int(limit)
        if remaining and remaining.lstrip("-").isdigit():
            self.remaining = int(remaining)
            if self.remaining <= 0 and reset:
                self.hold(reset)
        if status != 429:
            return None
        wait = retry_after_seconds(names.first(headers, names.retry_after), now)
        if wait is None:
            wait = reset if reset is not None else DEFAULT_RATE_LIMIT_WAIT
        self.hold(wait)
        return wait
