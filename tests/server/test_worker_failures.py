"""A database that answers but fails in a way the store does not translate (a schema
dropped or altered under the running bridge) does not kill the timer thread: it logs once
what failed and what to do, backs off and keeps trying, ``/readyz`` says it is failing
meanwhile, and once the schema is back the timers fire again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy
from pg_support import PG_SERVER
from server_helpers import Bridge, StartBridge, wait_for

from sla_bridge.records import TimerSpec
from sla_bridge.tickets import TicketRef

WORKERS = {"poll_seconds": 0.05, "threads": 0}  # the timer thread alone


def readiness(bridge: Bridge) -> tuple[int, dict[str, str]]:
    answer = bridge.client.get("/readyz")
    return answer.status_code, answer.json()["checks"]


def timers_failing(bridge: Bridge) -> str | None:
    status, checks = readiness(bridge)
    return checks["timers"] if status == 503 and checks["timers"] != "ok" else None


def fires_a_due_timer(bridge: Bridge) -> None:
    ref = TicketRef(platform="testdesk", ticket_id="T-timer")
    due = bridge.runtime.clock.now() - timedelta(seconds=1)
    bridge.store.schedule(ref, [TimerSpec("sla.check", due, {})])
    wait_for(lambda: bridge.store.timers(ref=ref, status="fired"), 20, "the timer to fire")


def survives(bridge: Bridge, caplog: pytest.LogCaptureFixture, break_schema: Callable[[], None],
             mend_schema: Callable[[], None], error: str) -> None:
    """Break the schema under the running bridge, see the timers fail loudly once and
    ``/readyz`` say so, mend it, see them fire again."""
    caplog.set_level(logging.INFO, logger="sla_bridge.worker")
    wait_for(lambda: readiness(bridge) == (200, {**readiness(bridge)[1], "timers": "ok"}),
             10, "the bridge to be ready with its timers running")
    fires_a_due_timer(bridge)
    caplog.clear()
    break_schema()
    problem = wait_for(lambda: timers_failing(bridge), 10, "/readyz to report the timers")
    assert problem.startswith("failing since ")
    assert error in problem
    assert "run `sla-bridge db upgrade`" in problem
    wait_for(lambda: len([r for r in caplog.records if r.name == "sla_bridge.worker"]) >= 2,
             10, "the timers to try again")
    worker_logs = [r for r in caplog.records if r.name == "sla_bridge.worker"]
    errors = [r for r in worker_logs if r.levelno == logging.ERROR]
    assert len(errors) == 1, "the failure is logged loudly once, then each retry briefly"
    assert errors[0].getMessage().startswith("timers: ")
    assert "retrying in" in errors[0].getMessage()
    assert errors[0].exc_info is not None
    assert all(r.levelno == logging.WARNING for r in worker_logs if r is not errors[0])

    mend_schema()
    wait_for(lambda: readiness(bridge)[1]["timers"] == "ok", 20, "the timers to recover")
    fires_a_due_timer(bridge)
    assert readiness(bridge)[0] == 200
    assert any(r.getMessage() == "timers: working again" for r in caplog.records)


def test_timers_survive_an_altered_sqlite_schema(
        start_bridge: StartBridge, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "bridge.db"
    bridge = start_bridge(database_url=f"sqlite:///{path}", run_workers=True, worker=WORKERS)
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")

    def rename(old: str, new: str) -> Callable[[], None]:
        def run() -> None:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"ALTER TABLE timers RENAME COLUMN {old} TO {new}")
        return run

    try:
        survives(bridge, caplog, rename("due_at", "due_at_moved"),
                 rename("due_at_moved", "due_at"), "failed: OperationalError: ")
    finally:
        engine.dispose()


def test_timers_survive_a_dropped_postgresql_schema(
        start_bridge: StartBridge, pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    bridge = start_bridge(database_url=pg_url, run_workers=True, worker=WORKERS)
    schema = pg_url.rsplit("%3D", 1)[1]
    engine = sqlalchemy.create_engine(PG_SERVER)

    def drop() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")

    try:
        survives(bridge, caplog, drop, bridge.store.upgrade, "failed: SchemaMissing: ")
    finally:
        engine.dispose()


def test_a_webhook_to_a_postgresql_database_without_the_schema_is_told_to_retry(
        start_bridge: StartBridge, pg_url: str) -> None:
    bridge = start_bridge(database_url=pg_url)
    schema = pg_url.rsplit("%3D", 1)[1]
    engine = sqlalchemy.create_engine(PG_SERVER)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        # PostgreSQL says "relation ... does not exist": a 503 the sender retries, not a 500.
        webhook = bridge.webhook("T-1", "schema-gone")
        assert webhook.status_code == 503, webhook.text
        assert webhook.headers["retry-after"] == "5"
    finally:
        engine.dispose()
