"""/readyz proves the database takes writes (issue: hostile input, defect 10): a full disk
under SQLite and a read-only PostgreSQL take reads, so "SELECT 1" answered while every
webhook was refused. The readiness check commits a heartbeat row; a rolled-back write would
never reach the disk and would not notice."""

from __future__ import annotations

import os
import resource
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from server_helpers import ServeProcess, StartBridge

from sla_bridge.clock import SystemClock
from sla_bridge.server._ops import READY_WITHIN
from sla_bridge.store import Store


def _post(url: str, secret: str, ticket: str) -> int:
    from sla_bridge_testdesk import sign

    body = f'{{"ticket_id": "{ticket}", "event": "updated", "pad": "{"x" * 400}"}}'.encode()
    return httpx.post(f"{url}/webhooks/testdesk", content=body, timeout=10, headers={
        "x-testdesk-delivery": uuid.uuid4().hex,
        "x-testdesk-signature": sign(secret, body)}).status_code


def _timed_readyz(url: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(f"{url}/readyz", timeout=10)
    return response, time.monotonic() - started


def test_readyz_is_503_once_the_sqlite_disk_is_full(testdesk: Any) -> None:
    # The bridge's process may not grow any file past the migrated database's size
    # (RLIMIT_FSIZE: the kernel refuses the write, as a full disk does); reads still work.
    path = Path(testdesk.database_url.removeprefix("sqlite:///"))
    store = Store(testdesk.database_url, SystemClock())
    store.upgrade()
    store.close()  # the last connection checkpoints and removes the WAL
    size = path.stat().st_size

    def full_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    env = testdesk.subprocess_env(SLA_BRIDGE_WORKER__THREADS="0",
                                  SLA_BRIDGE_SERVER__RUN_MIGRATIONS="false")
    bridge = ServeProcess(env, preexec_fn=full_disk)
    try:
        assert httpx.get(f"{bridge.url}/readyz", timeout=10).status_code == 200
        statuses: list[int] = []
        while 503 not in statuses and len(statuses) < 300:
            statuses.append(_post(bridge.url, testdesk.secret, str(len(statuses))))
        assert statuses[-1] == 503, "the WAL never filled up"
        assert set(statuses[:-1]) == {200}
        # A heartbeat is one page where a webhook writes several: it may still fit in the
        # WAL's last free frames a few times. Once those are used, readiness fails, and keeps
        # failing while webhooks are refused.
        probes = [_timed_readyz(bridge.url) for _ in range(12)]
        codes = [response.status_code for response, _ in probes]
        assert 503 in codes[:9], codes
        first = codes.index(503)
        assert codes[first:] == [503] * (12 - first), codes
        assert all(took < READY_WITHIN + 1 for _, took in probes)
        body = probes[-1][0].json()
        assert body["status"] == "unavailable"
        assert body["checks"]["database"] == "ok"  # it answers reads: the old check passed
        assert body["checks"]["writes"].startswith("failing: the SQLite database")
        assert "free space on its disk" in body["checks"]["writes"]
        assert _post(bridge.url, testdesk.secret, "after") == 503
    finally:
        bridge.terminate()
    assert "Traceback" not in bridge.output()


def test_readyz_is_503_on_a_read_only_postgresql(start_bridge: StartBridge, pg_url: str) -> None:
    # A standby, or a primary put in read-only mode: the session refuses every write.
    store = Store(pg_url, SystemClock())
    store.upgrade()
    store.close()
    read_only = pg_url + "%20-cdefault_transaction_read_only%3Don"
    bridge = start_bridge(database_url=read_only, server={"run_migrations": False})

    started = time.monotonic()
    ready = bridge.client.get("/readyz")
    took = time.monotonic() - started
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert (checks["database"], checks["migrations"]) == ("ok", "ok")
    assert "is read-only" in checks["writes"]
    assert "point SLA_BRIDGE_DATABASE_URL at the primary server" in checks["writes"]
    assert took < READY_WITHIN + 0.5
    # The webhooks are refused the same way: 503 with Retry-After (the sender retries).
    webhook = bridge.webhook("T-1", "read-only-1")
    assert webhook.status_code == 503
    assert webhook.headers["retry-after"] == "5"


def test_readyz_writes_the_heartbeat_on_each_backend(start_bridge: StartBridge,
                                                     pg_url: str) -> None:
    for url in (None, pg_url):
        bridge = start_bridge(database_url=url)
        assert bridge.client.get("/readyz").json()["checks"]["writes"] == "ok"
        with bridge.store.transaction() as conn:
            beats = conn.exec_driver_sql("SELECT name, beat_by FROM heartbeat").all()
        assert [name for name, _ in beats] == ["readyz"]
        assert beats[0][1].endswith(f":{os.getpid()}")
