"""The clock: the only way the bridge learns what time it is, so tests can set it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current instant (timezone-aware, UTC)."""

    def now(self) -> datetime:
        """Return the current instant."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """Return the current instant from the operating system, in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: for tests, ``run-due --as-of`` and the demo."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self._now = instant.astimezone(UTC)

    def now(self) -> datetime:
        """Return the instant the clock was set or moved to."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Move the clock to ``instant`` (forwards or backwards)."""
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forwards by ``delta`` and return the new instant (through
        :meth:`set`, so a subclass sees every move)."""
        self.set(self._now + delta)
        return self._now
