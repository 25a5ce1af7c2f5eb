"""What the background workers could not do lately, for ``/readyz`` to say.

A worker thread that keeps failing (the timers, when the database schema was dropped) does
not die and does not stay silent: it records the failure here, backs off and tries again,
and ``/readyz`` answers 503 naming it until the next attempt succeeds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

__all__ = ["WorkerHealth"]


@dataclass(frozen=True)
class _Failure:
    since: datetime
    problem: str


class WorkerHealth:
    """The state of each background part (``timers``, ``reconcile``): ``ok`` while it
    works, else since when it fails and why (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parts: dict[str, _Failure | None] = {}

    def running(self, part: str) -> None:
        """``part`` has started: it is reported, ``ok`` until it fails."""
        with self._lock:
            self._parts.setdefault(part, None)

    def failing(self, part: str, now: datetime, problem: str) -> bool:
        """Record that ``part`` failed at ``now`` with ``problem`` (what failed and what to
        do); return whether it was working until now (so the caller logs the change once
        loudly). A failure keeps the instant it began."""
        with self._lock:
            before = self._parts.get(part)
            self._parts[part] = _Failure(before.since if before else now, problem)
            return before is None

    def recovered(self, part: str) -> bool:
        """Record that ``part`` works again; return whether it had been failing."""
        with self._lock:
            was = self._parts.get(part)
            self._parts[part] = None
            return was is not None

    def checks(self) -> dict[str, str]:
        """Each part's readiness line: ``ok``, or ``failing since <instant>: <problem>``."""
        with self._lock:
            return {part: "ok" if failure is None else
                    f"failing since {failure.since.isoformat(timespec='seconds')}: "
                    f"{failure.problem}"
                    for part, failure in self._parts.items()}
