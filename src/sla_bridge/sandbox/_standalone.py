"""Running a sandbox in the foreground: ``python -m <plugin>.sandbox``."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TextIO


class Standalone(Protocol):
    """What :func:`run_standalone` needs of a sandbox."""

    def start(self) -> str:
        """Serve; return the base URL."""
        ...

    def stop(self) -> None:
        """Stop serving."""
        ...

    def plugin_env(self) -> Mapping[str, str]:
        """The variables that point the platform's plugin at the sandbox."""
        ...


def run_standalone(sandbox: Standalone, *, title: str = "sandbox", out: TextIO | None = None,
                   until: threading.Event | None = None, notes: Iterable[str] = ()) -> int:
    """Start ``sandbox``, print where it serves and the ``export`` lines that point the
    plugin at it, then ``notes`` (e.g. who can sign in), serve until SIGINT or SIGTERM (or
    until ``until`` is set, e.g. from a test), stop it; return the exit status (0)."""
    out = out or sys.stdout
    stop = until or threading.Event()
    # The handlers are in place before anything is printed: whoever reads the banner may
    # send SIGTERM at once.
    previous = {} if until is not None else _stop_on_signals(stop)
    try:
        url = sandbox.start()
        try:
            print(f"{title} on {url} (Ctrl-C to stop). Point the bridge at it:", file=out)
            for name, value in sandbox.plugin_env().items():
                print(f"  export {name}={value}", file=out)
            for line in notes:
                print(line, file=out)
            out.flush()
            stop.wait()
        finally:
            sandbox.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _stop_on_signals(stop: threading.Event) -> dict[signal.Signals, Any]:
    def stopping(signum: int, frame: Any) -> None:
        stop.set()

    return {sig: signal.signal(sig, stopping) for sig in (signal.SIGINT, signal.SIGTERM)}
