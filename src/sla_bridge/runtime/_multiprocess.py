"""prometheus-client's multiprocess mode for ``sla-bridge serve --workers N``.

Each server process counts in its own memory-mapped files in one directory
(``PROMETHEUS_MULTIPROC_DIR``); whichever process answers ``GET /metrics`` adds up every
process's files. The directory is made fresh for each ``serve`` (or, when an operator set
the variable, emptied of the last run's files) before any metric exists, and the files of
a worker process that ended stay: its counts are part of the totals since start-up.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import values

__all__ = ["MULTIPROC_ENV", "forget_process", "multiprocess_dir", "multiprocess_directory"]

log = logging.getLogger("sla_bridge.runtime")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    """The directory this process's metrics are kept in, when it counts in multiprocess
    mode; ``None`` when its metrics live in its own memory (one process).

    prometheus-client chose when it was imported, from the environment then: a process
    started before the variable was set keeps counting in memory.
    """
    if values.ValueClass is values.MutexValue:
        return None
    return os.environ.get(MULTIPROC_ENV) or os.environ.get(MULTIPROC_ENV.lower())


@contextmanager
def multiprocess_directory(processes: int) -> Iterator[str | None]:
    """Prepare the metrics directory of one ``serve`` run of ``processes`` server processes
    and yield it (``None`` for one process when the operator set no directory).

    Call before any metric is created. ``PROMETHEUS_MULTIPROC_DIR`` set by the operator is
    used and emptied of the files a previous run left; otherwise, for several processes, a
    temporary directory is made, set in the environment the worker processes are spawned
    with (uvicorn starts them afresh, so they import prometheus-client after it is set) and
    removed at the end.
    """
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        folder = Path(given)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.glob("*.db"):
                stale.unlink()
        except OSError as exc:
            raise OSError(f"{MULTIPROC_ENV}={given}: cannot prepare the metrics directory: "
                          f"{exc.strerror or exc}; point it at a writable directory") from None
        yield given
        return
    if processes == 1:
        yield None
        return
    made = tempfile.mkdtemp(prefix="sla-bridge-metrics-")
    os.environ[MULTIPROC_ENV] = made
    try:
        yield made
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(made, ignore_errors=True)


def forget_process(pid: int) -> None:
    """Tell prometheus-client that the server process ``pid`` has ended: its ``live*``
    gauges stop counting (its counters and histograms stay in the totals)."""
    from prometheus_client import multiprocess

    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        multiprocess.mark_process_dead(pid, folder)  # type: ignore[no-untyped-call]
        log.debug("metrics: worker process %d ended", pid)
