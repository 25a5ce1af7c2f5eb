"""A bridge killed with SIGKILL in the middle of a burst loses no acknowledged webhook and,
after a restart, applies nothing twice."""

from __future__ import annotations

import json
import signal
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from server_helpers import ServeProcess, wait_for
from sla_bridge_testdesk import new_ticket, sign
from sqlalchemy import create_engine, text

POLICIES = Path(__file__).parents[1] / "worker" / "policies"
TICKETS = 40
WEBHOOKS = 600


def test_sigkill_mid_burst_loses_nothing_acknowledged_and_applies_nothing_twice(
        testdesk: Any, tmp_path: Path) -> None:
    opened = datetime.now(UTC)
    for n in range(TICKETS):
        testdesk.db.put_ticket(new_ticket(f"T{n}", opened, plan="gold", customer_severity="2"))
    env = testdesk.subprocess_env(SLA_BRIDGE_POLICY_DIRS=str(POLICIES),
                                  SLA_BRIDGE_POLICIES="runtime-test",
                                  SLA_BRIDGE_WORKER__LEASE_SECONDS="5")
    bridge = ServeProcess(env, cwd=str(tmp_path))
    acknowledged: list[str] = []
    lock = threading.Lock()
    killed = threading.Event()

    def send(start: int) -> None:
        with httpx.Client(base_url=bridge.url, timeout=5) as client:
            for n in range(start, WEBHOOKS, 4):
                body = json.dumps({"ticket_id": f"T{n % TICKETS}", "event": "updated"}).encode()
                delivery = f"d{n}"
                try:
                    reply = client.post("/webhooks/testdesk", content=body, headers={
                        "x-testdesk-signature": sign(testdesk.secret, body),
                        "x-testdesk-delivery": delivery, "content-type": "application/json"})
                except httpx.TransportError:
                    return  # the bridge is gone: nothing more is acknowledged
                if reply.status_code == 200:
                    with lock:
                        acknowledged.append(delivery)
                        if len(acknowledged) == WEBHOOKS // 3 and not killed.is_set():
                            killed.set()
                            bridge.process.send_signal(signal.SIGKILL)

    senders = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join(60)
    bridge.process.wait(10)
    bridge.close()
    assert killed.is_set(), "the burst ended before the bridge was killed"
    assert bridge.process.returncode == -signal.SIGKILL
    assert WEBHOOKS // 3 <= len(acknowledged) < WEBHOOKS

    restarted = ServeProcess(env, cwd=str(tmp_path))
    try:
        database = create_engine(testdesk.database_url)

        def settled() -> bool:
            with database.connect() as conn:
                waiting = conn.execute(text(
                    "SELECT count(*) FROM inbox WHERE processed_at IS NULL")).scalar()
                work = conn.execute(text("SELECT count(*) FROM work")).scalar()
            return waiting == 0 and work == 0

        wait_for(settled, timeout=60, what="the restarted bridge to process the inbox")
        with database.connect() as conn:
            stored = {row[0] for row in conn.execute(text("SELECT delivery_id FROM inbox"))}
        database.dispose()
    finally:
        restarted.terminate()

    lost = set(acknowledged) - stored
    assert not lost, f"acknowledged but lost: {sorted(lost)[:10]}"
    applied = Counter(entry["key"] for entry in testdesk.db.applied())
    twice = {key: count for key, count in applied.items() if count > 1}
    assert not twice, f"applied more than once: {twice}"
    # Every ticket that was told about got its due time written exactly once.
    told = {f"T{int(d[1:]) % TICKETS}" for d in acknowledged}
    written = {entry["ticket_id"] for entry in testdesk.db.applied()
               if entry["kind"] == "set_fields"}
    assert told <= written
