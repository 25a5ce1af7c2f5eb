"""A clock that only warned leaves the compliance history as it was; its breach is counted."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sla_bridge.records import ClockRecord, TicketRecord
from sla_bridge.store import Store
from sla_bridge.store._queries import compliance
from sla_bridge.store._records import save_ticket
from sla_bridge.tickets import TicketRef

NOW = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
REF = TicketRef(platform="testdesk", ticket_id="W-1")
HOUR = timedelta(hours=1)


def _record(clock: ClockRecord) -> TicketRecord:
    return TicketRecord(REF, "ownbackup", "premier", "High", None, "open", {}, (clock,))


def _save(store: Store, record: TicketRecord, before: TicketRecord | None) -> None:
    with store.transaction() as conn:
        save_ticket(conn, record, NOW, before)


def _counts(store: Store) -> list[tuple[str, int, int]]:
    with store.reading() as conn:
        rows = compliance(conn, NOW - timedelta(days=2), NOW + timedelta(days=2))
    return [(c.metric, c.met, c.breached) for c in rows]


def test_warned_then_breached(store: Store) -> None:
    clock = ClockRecord("first_response", "1 calendar hour", NOW - HOUR, NOW)
    opened = _record(clock)
    _save(store, opened, None)
    warned = _record(replace(clock, warned=True))
    _save(store, warned, opened)
    assert _counts(store) == []  # nothing decided yet
    breached = _record(replace(clock, warned=True, breached=True))
    _save(store, breached, warned)
    assert _counts(store) == [("first_response", 0, 1)]
    _save(store, breached, breached)  # looked at again
    assert _counts(store) == [("first_response", 0, 1)]
