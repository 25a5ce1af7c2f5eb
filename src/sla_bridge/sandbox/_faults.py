"""Injected faults and the per-window rate limit.

A fault applies to the next ``count`` API requests that match its method and path
pattern (a regular expression searched in the path):

``status``
    answer ``status`` in the vendor's error shape without touching anything;
``slow``
    wait ``delay`` seconds, then answer normally;
``drop_before``
    drop the connection without doing anything (the client sees a broken response);
``drop_after``
    do the work, then drop the connection (the client cannot know it was done).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Literal, get_args

FaultKind = Literal["status", "slow", "drop_before", "drop_after"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)


class DroppedConnection(Exception):
    """Raised after the response started: the server closes the connection."""


@dataclass
class Fault:
    """One injected fault (see the module's documentation for the kinds)."""

    kind: FaultKind
    count: int = 1
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0
    method: str | None = None
    path: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """Whether the fault applies to this request."""
        if self.method and self.method.upper() != method.upper():
            return False
        return not self.path or re.search(self.path, path) is not None

    @property
    def label(self) -> str:
        """How the request log names the fault: the status, or the kind."""
        return str(self.status) if self.kind == "status" else self.kind


class FaultPlan:
    """The faults waiting for requests, first added first used."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        """Queue a fault; :class:`ValueError` for an unknown kind."""
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; one of {', '.join(FAULT_KINDS)}")
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Forget every waiting fault."""
        with self._lock:
            self._faults.clear()

    def pending(self) -> int:
        """How many faulty answers are still to come."""
        with self._lock:
            return sum(f.count for f in self._faults)

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if any (its count goes down by one)."""
        with self._lock:
            for fault in self._faults:
                if fault.count > 0 and fault.matches(method, path):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None


@dataclass(frozen=True)
class RateWindow:
    """The rate limit as one request found it."""

    allowed: bool
    limit: int
    remaining: int
    reset: float  # seconds until the window resets


class RateLimiter:
    """Fixed windows of ``window`` seconds with ``limit`` requests each (real time, whatever
    the sandbox's clock: it is the client's real pace that a vendor limits)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._started = 0.0
        self._used = 0
        self._lock = threading.Lock()

    def hit(self) -> RateWindow:
        """Count one request and say whether it is within the limit."""
        with self._lock:
            now = time.monotonic()
            if now - self._started >= self.window:
                self._started, self._used = now, 0
            reset = self.window - (now - self._started)
            if self._used >= self.limit:
                return RateWindow(False, self.limit, 0, reset)
            self._used += 1
            return RateWindow(True, self.limit, self.limit - self._used, reset)
