"""The compliance history on both backends: each decided first-response and next-update
period is one row of ``sla_periods``, written as the ticket's state is saved; saving again
counts nothing twice, and upgrading a database keeps the periods its clocks held."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from sla_bridge.clock import FixedClock
from sla_bridge.records import ClockRecord, TicketRecord
from sla_bridge.store import Store
from sla_bridge.store._migrate import upgrade
from sla_bridge.store._queries import compliance
from sla_bridge.store._records import save_ticket
from sla_bridge.store._schema import sla_clocks, ticket_states
from sla_bridge.tickets import TicketRef

NOW = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
REF = TicketRef(platform="testdesk", ticket_id="P-1")
HOUR = timedelta(hours=1)


def _update(started: datetime, *, met_at: datetime | None = None,
            breached: bool = False, due: datetime | None = None) -> ClockRecord:
    return ClockRecord("next_update", "2 calendar hours", started, due or started + 2 * HOUR,
                       breached=breached, met_at=met_at)


def _save(store: Store, clocks: tuple[ClockRecord, ...],
          periods: tuple[ClockRecord, ...] = (), severity: str = "High") -> None:
    record = TicketRecord(REF, "ownbackup", "premier", severity, None, "open", {}, clocks,
                          periods=periods)
    with store.transaction() as conn:
        save_ticket(conn, record, NOW)


def _counts(store: Store) -> list[tuple[str | None, str, int, int]]:
    with store.transaction() as conn:
        rows = compliance(conn, NOW - timedelta(days=2), NOW + timedelta(days=2))
    return [(c.severity, c.metric, c.met, c.breached) for c in rows]


def test_closed_periods_and_the_current_clock_each_count_once(store: Store) -> None:
    start = NOW - 8 * HOUR
    closed = (_update(start, met_at=start + HOUR),
              _update(start + HOUR, met_at=start + 4 * HOUR, breached=True))
    current = _update(start + 4 * HOUR, breached=True)  # due 2 h later, unmet at NOW
    _save(store, (current,), closed)
    assert _counts(store) == [("High", "next_update", 1, 2)]
    _save(store, (current,), closed)  # the same look again
    _save(store, (current,))  # a later look: the closed periods were kept already
    assert _counts(store) == [("High", "next_update", 1, 2)]


def test_a_breach_answered_late_stays_one_breach_under_its_first_severity(
        store: Store) -> None:
    start = NOW - 4 * HOUR
    _save(store, (_update(start, breached=True),))
    # Answered late after a recategorisation: the period's result is rewritten, and it is
    # still counted under the severity it was decided at.
    _save(store, (_update(NOW),), (_update(start, breached=True, met_at=NOW),),
          severity="Low")
    assert _counts(store) == [("High", "next_update", 0, 1)]


def test_a_period_no_longer_breached_is_no_longer_counted(store: Store) -> None:
    start = NOW - 3 * HOUR
    _save(store, (_update(start, breached=True),))
    # A re-target (a lower severity's longer target) moved the due instant past now.
    _save(store, (_update(start, due=NOW + HOUR),), severity="Low")
    assert _counts(store) == []


def test_upgrading_keeps_the_periods_the_clocks_held(database_url: str,
                                                     clock: FixedClock) -> None:
    store = Store(database_url, clock)
    try:
        with store.engine.begin() as conn:
            upgrade(conn, "0004")
            conn.execute(insert(ticket_states).values(
                platform=REF.platform, ticket_id=REF.ticket_id, policy_id="ownbackup",
                plan="premier", customer_severity="High", vendor_severity="Medium",
                status="open", state={}, updated_at=NOW))
            conn.execute(insert(sla_clocks), [
                {"platform": REF.platform, "ticket_id": REF.ticket_id, "metric": metric,
                 "target": "1 calendar hour", "started_at": NOW - 3 * HOUR,
                 "due_at": NOW - 2 * HOUR, "used_seconds": 0.0, "paused": False,
                 "warned": True, "breached": breached, "met_at": met_at, "updated_at": NOW}
                for metric, breached, met_at in (
                    ("first_response", False, NOW - 2.5 * HOUR),
                    ("next_update", True, None))])
        store.upgrade()
        assert _counts(store) == [("Medium", "first_response", 1, 0),
                                  ("Medium", "next_update", 0, 1)]
    finally:
        store.close()
