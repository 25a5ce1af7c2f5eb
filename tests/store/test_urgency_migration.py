"""Migration 0006 on a database that has work waiting and timers scheduled: the waiting work
is routine, each scheduled timer gets its class from its kind, and claims work after it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from sla_bridge.clock import FixedClock
from sla_bridge.store import Store
from sla_bridge.store._migrate import upgrade
from sla_bridge.urgency import Urgency


def test_upgrading_classes_the_waiting_work_and_the_scheduled_timers(
        database_url: str, clock: FixedClock) -> None:
    store = Store(database_url, clock)
    try:
        now = clock.now().replace(tzinfo=None) - timedelta(hours=6)  # naive UTC, as stored
        with store.transaction() as conn:
            upgrade(conn, "0005")
            conn.execute(text(
                "INSERT INTO work (platform, ticket_id, ready_at, generation, attempts) "
                "VALUES ('testdesk', 'waiting', :now, 1, 0)"), {"now": now})
            conn.execute(text(
                "INSERT INTO timers (platform, ticket_id, kind, due_at, status, payload, "
                "created_at) VALUES ('testdesk', :ticket, :kind, :due, 'scheduled', '{}', "
                ":now)"), [{"ticket": kind, "kind": kind, "due": now + timedelta(days=1),
                            "now": now} for kind in (
                    "first_response:warning", "next_update:breach", "auto_close:solved",
                    "escalation:remind")])
        store.upgrade()
        assert store.schema_is_current()
        with store.reading() as conn:
            urgency = dict(conn.execute(text("SELECT kind, urgency FROM timers")).all())
        assert urgency == {"first_response:warning": Urgency.FIRST_RESPONSE,
                           "next_update:breach": Urgency.NEXT_UPDATE,
                           "auto_close:solved": Urgency.HOUSEKEEPING,
                           "escalation:remind": Urgency.ROUTINE}
        [row] = store.work_by_class()
        assert (row.urgency, row.waiting) == (Urgency.ROUTINE, 1)
        claim = store.claim("w1", timedelta(seconds=30))
        assert claim is not None
        assert claim.ref.ticket_id == "waiting"
    finally:
        store.close()
