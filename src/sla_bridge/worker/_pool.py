"""Background threads that fire timers and reconcile woken tickets."""

from __future__ import annotations

from sla_bridge.runtime import Runtime


class WorkerPool:
    """Timer and reconcile threads for one process. ``start()`` once, ``stop()`` at shutdown."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def start(self) -> None:
        """Start the threads (returns at once)."""

    def stop(self, timeout: float = 10.0) -> None:
        """Let in-flight work finish (or return to the queue) and join the threads."""
