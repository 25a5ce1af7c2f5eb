"""Timers: exactly once across replicas on PostgreSQL, and on time in a running pool."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from pg_support import drop_schema, postgres_url_or_skip

from sla_bridge.clock import FixedClock, SystemClock
from sla_bridge.runtime import Runtime
from sla_bridge.settings import load_settings
from sla_bridge.store import Store, TimerSpec
from sla_bridge.tickets import TicketRef
from sla_bridge.worker import WorkerPool

TIMERS = 2000


def test_two_processes_fire_2000_timers_exactly_once(testdesk) -> None:  # type: ignore[no-untyped-def]
    url = postgres_url_or_skip()
    try:
        due = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        store = Store(url, FixedClock(due - timedelta(days=1)))
        store.upgrade()
        # Tickets of a platform no process loads: reconciling one only puts it back for
        # later, so every timer fires (a ticket its platform says is gone would have its
        # timers cancelled at the first look).
        for start in range(0, TIMERS, 200):
            for n in range(start, start + 200):
                store.schedule(TicketRef(platform="unloaded", ticket_id=f"t{n % 400}"),
                               [TimerSpec(f"timer-{n}", due + timedelta(seconds=n % 7), {})])
        store.close()
        env = testdesk.subprocess_env(SLA_BRIDGE_DATABASE_URL=url,
                                      SLA_BRIDGE_WORKER__TIMER_BATCH="50")
        command = [sys.executable, "-m", "sla_bridge", "run-due",
                   "--as-of", (due + timedelta(minutes=1)).isoformat()]
        workers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [worker.communicate(timeout=300) for worker in workers]
        for worker, (_, err) in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, err
        fired = [[line.split()[-1] for line in out.splitlines() if line.startswith("fired")]
                 for out, _ in outputs]
        assert all(fired), "both processes should have fired some timers"
        assert not set(fired[0]) & set(fired[1]), "a timer fired in both processes"
        assert sorted(fired[0] + fired[1]) == sorted(f"timer-{n}" for n in range(TIMERS))
        check = Store(url, SystemClock())
        assert check.timers(limit=10) == []
        assert len(check.timers(status="fired", limit=TIMERS + 1)) == TIMERS
        check.close()
    finally:
        drop_schema(url)


def test_running_pool_fires_timers_within_a_second(testdesk) -> None:  # type: ignore[no-untyped-def]
    runtime = Runtime.build(load_settings(), SystemClock())
    runtime.store.upgrade()
    pool = WorkerPool(runtime, threads=1)
    ref = TicketRef(platform="testdesk", ticket_id="gone")
    due = SystemClock().now() + timedelta(seconds=1.5)
    runtime.store.schedule(ref, [TimerSpec("soon", due, {})])
    pool.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not runtime.store.timers(status="fired"):
            time.sleep(0.05)
        [timer] = runtime.store.timers(status="fired")
        assert timer.lateness is not None
        assert timedelta(0) <= timer.lateness < timedelta(seconds=1)
        # The timer woke the ticket; the worker reconciled it (the testdesk says it is gone).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not runtime.store.decisions(ref):
            time.sleep(0.05)
        assert runtime.store.decisions(ref)[0].kind == "ticket.gone"
    finally:
        pool.stop()
        runtime.close()
