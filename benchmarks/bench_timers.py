"""Timer benchmark: many stored timers, a burst due in the same second, lateness and memory.

Stores N timers (default 1,000,000) in a SQLite file, 10,000 of them due in the same
second a little in the future, the rest spread over the next year. A worker pool with
only its timer thread running (no reconcile threads: firing is what is measured) fires
the burst; the lateness of each fired timer is ``fired_at - due_at``. Resident memory of
the process is read after loading 10 %, 50 % and 100 % of the timers to show that timers
stay in the database, not in memory.

    python benchmarks/bench_timers.py            # 1,000,000 timers
    python benchmarks/bench_timers.py --quick    # 100,000 timers

Results go to docs/benchmarks.md between the bench_timers markers.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _docs import write_section
from sqlalchemy import insert

from sla_bridge.clock import SystemClock
from sla_bridge.runtime import Runtime
from sla_bridge.settings import load_settings
from sla_bridge.store import Timer
from sla_bridge.store._schema import timers
from sla_bridge.worker import WorkerPool

ROOT = Path(__file__).resolve().parents[1]
BURST = 10_000


def rss_mib() -> float:
    """Current resident set size of this process, in MiB (from /proc, Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def load(runtime: Runtime, count: int, start: int, burst_at: datetime,
         rng: random.Random) -> None:
    """Insert timers ``start .. start+count``; those numbered below BURST are in the burst."""
    now = datetime.now(UTC)
    rows = []
    for n in range(start, start + count):
        due = burst_at if n < BURST else now + timedelta(days=1 + rng.random() * 364)
        rows.append({"platform": "bench", "ticket_id": f"t{n}", "kind": "breach",
                     "due_at": due, "status": "scheduled", "payload": {}, "created_at": now})
        if len(rows) == 20_000:
            with runtime.store.transaction() as conn:
                conn.execute(insert(timers), rows)
            rows.clear()
    if rows:
        with runtime.store.transaction() as conn:
            conn.execute(insert(timers), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 timers instead of 1M")
    parser.add_argument("--timers", type=int, default=None)
    args = parser.parse_args()
    total = args.timers or (100_000 if args.quick else 1_000_000)
    rng = random.Random(42)

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SLA_BRIDGE_DATABASE_URL"] = f"sqlite:///{tmp}/timers.db"
        os.environ["SLA_BRIDGE_WORKER__THREADS"] = "0"
        runtime = Runtime.build(load_settings(), SystemClock())
        runtime.store.upgrade()
        # The burst is due in the same second, far enough ahead for loading to finish.
        burst_at = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
        memory: list[tuple[int, float]] = []
        loaded, started = 0, time.perf_counter()
        for share in (0.1, 0.5, 1.0):
            target = int(total * share)
            load(runtime, target - loaded, loaded, burst_at, rng)
            loaded = target
            memory.append((loaded, rss_mib()))
        load_seconds = time.perf_counter() - started

        # Move the burst to 3 s from now so the timer thread meets it "live".
        burst_at = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
        with runtime.store.transaction() as conn:
            conn.execute(timers.update().where(timers.c.due_at <= datetime.now(UTC)
                                               + timedelta(hours=2)).values(due_at=burst_at))
        # A timer's lateness runs to the commit of its batch's UPDATE (its fired_at is the
        # instant the batch began, before the UPDATE ran): time it as the batch returns.
        committed: list[float] = []
        fire = runtime.store.fire_due

        def timed_fire(owner: str, limit: int = 500,
                       as_of: datetime | None = None) -> list[Timer]:
            fired = fire(owner, limit, as_of)
            done = datetime.now(UTC)
            committed.extend((done - timer.due_at).total_seconds() for timer in fired)
            return fired

        runtime.store.fire_due = timed_fire  # type: ignore[method-assign]
        pool = WorkerPool(runtime, threads=0)  # the timer thread alone
        pool.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(committed) < BURST:
            time.sleep(0.05)
        pool.stop()
        memory.append((loaded, rss_mib()))
        lateness = sorted(committed)
        runtime.close()

    p50 = statistics.median(lateness)
    p99 = lateness[int(len(lateness) * 0.99) - 1]
    worst = lateness[-1]
    lines = [
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, SQLite "
        f"(WAL). {total:,} timers stored, {BURST:,} due in the same second; loaded in "
        f"{load_seconds:.0f} s. Timer thread only, batches of "
        f"{load_settings().worker.timer_batch}, polling every "
        f"{load_settings().worker.poll_seconds} s. Lateness runs from a timer's due instant "
        "to the commit of the UPDATE that fired it (its batch's own time included): when its "
        "ticket was woken, not when the bridge acted on it (see Timers acted on).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| timers fired in the burst | {len(lateness):,} |",
        f"| lateness p50 | {p50 * 1000:.0f} ms |",
        f"| lateness p99 (target < 1 s) | {p99 * 1000:.0f} ms |",
        f"| lateness max | {worst * 1000:.0f} ms |",
        "",
        "| timers stored | resident memory |",
        "|---|---|",
        *[f"| {count:,} | {mib:.0f} MiB |" for count, mib in memory[:-1]],
        f"| {memory[-1][0]:,}, after firing the burst | {memory[-1][1]:.0f} MiB |",
        "",
        f"Peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"
        " MiB.",
    ]
    report = "\n".join(lines)
    print(report)
    write_section("bench_timers", "## Timers\n\n`python benchmarks/bench_timers.py`\n\n" + report)


if __name__ == "__main__":
    sys.exit(main())
