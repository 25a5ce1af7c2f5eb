"""The bridge's webhook server under a real uvicorn in a thread, the virtual clock, and the
injected sleep.

Real time is read in one place only, :func:`wait_until` (how long to wait for a server to
come up). The bridge's time is a :class:`VirtualClock`; its retries sleep through a
:class:`RecordingSleep`, which records each wait and moves the clock's monotonic timer by it
instead of spending it (a vendor client's rate-limit gate reads that timer).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from sla_bridge.clock import FixedClock
from sla_bridge.runtime import Runtime
from sla_bridge.sandbox import ThreadedServer
from sla_bridge.server import create_app, uvicorn_config


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``condition`` until it is true; :class:`RuntimeError` naming ``what`` after
    ``timeout`` seconds of real time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


class VirtualClock(FixedClock):
    """A clock that stands still until moved, with a monotonic timer of its own.

    :meth:`monotonic` counts the virtual seconds gone by: every forward move of the clock
    and every wait the bridge's retries asked for (:meth:`spend`); it never goes back, even
    when the clock is set back. Components that measure holds on a monotonic timer (a rate
    limit's ``Retry-After``) read it when their clock has one.
    """

    def __init__(self, instant: datetime) -> None:
        super().__init__(instant)
        self._elapsed = 0.0

    def set(self, instant: datetime) -> None:
        """Move the clock to ``instant``; a forward move also moves the monotonic timer."""
        moved = (instant - self.now()).total_seconds()
        super().set(instant)
        self._elapsed += max(0.0, moved)

    def monotonic(self) -> float:
        """The virtual seconds gone by since the clock was made."""
        return self._elapsed

    def spend(self, seconds: float) -> None:
        """Let ``seconds`` pass on the monotonic timer only (the instant stays)."""
        self._elapsed += max(0.0, seconds)


class RecordingSleep:
    """Stands in for ``time.sleep`` in the bridge's retries: records each wait and spends it
    on the virtual clock's monotonic timer, not in real time.

    The retry policy (back-off, ``Retry-After``, the budget) is still the bridge's own; the
    tests read what it decided to wait from :attr:`waits` instead of timing it.
    """

    def __init__(self, clock: VirtualClock | None = None) -> None:
        self.clock = clock
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        """Record a wait of ``seconds``."""
        self.waits.append(float(seconds))
        if self.clock is not None:
            self.clock.spend(seconds)


class ServedBridge:
    """The bridge's FastAPI app (without background workers) on a loopback port."""

    def __init__(self, runtime: Runtime, host: str = "127.0.0.1") -> None:
        config = uvicorn_config(create_app(runtime, run_workers=False), host=host, port=0)
        config.timeout_graceful_shutdown = 2
        self._server = ThreadedServer(config, host=host, name="sla-bridge-harness",
                                      start_timeout=20)
        self.url = self._server.start()
        self.port: int = self._server.port

    def begin_stop(self) -> None:
        """Tell the server to stop, without waiting (see :meth:`stop`)."""
        self._server.begin_stop()

    def stop(self) -> None:
        """Stop serving (the open connections are given two seconds) and wait for it."""
        self._server.stop(10)
