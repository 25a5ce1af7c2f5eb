"""The dashboard's read queries on both backends: which clocks are at risk, breached or due
by an instant, and how targets met and breached are counted per ISO week."""

from __future__ import annotations

from datetime import datetime, timedelta

from sla_bridge.records import ClockRecord, TicketRecord
from sla_bridge.store import Store
from sla_bridge.store._queries import ClockFilter, clock_rows, compliance
from sla_bridge.store._records import save_ticket
from sla_bridge.tickets import TicketRef

NOW = datetime.fromisoformat("2026-11-25T16:00:00-06:00")


def _ticket(store: Store, ticket_id: str, *clocks: ClockRecord, plan: str = "gold",
            customer_severity: str = "1", vendor_severity: str | None = None,
            platform: str = "zendesk") -> None:
    record = TicketRecord(TicketRef(platform=platform, ticket_id=ticket_id),
                          "code42-enterprise", plan, customer_severity, vendor_severity,
                          "open", {}, clocks)
    with store.transaction() as conn:
        save_ticket(conn, record, NOW)


def _clock(due: datetime, *, metric: str = "first_response", warned: bool = False,
           breached: bool = False, met_at: datetime | None = None) -> ClockRecord:
    return ClockRecord(metric, "1 calendar hour", due - timedelta(hours=1), due,
                       warned=warned, breached=breached, met_at=met_at)


def _ids(store: Store, **wanted: object) -> list[str]:
    with store.transaction() as conn:
        return [row.ticket_id for row in clock_rows(conn, ClockFilter(**wanted))]  # type: ignore[arg-type]


def test_states_sort_warned_breached_and_met_clocks_apart(store: Store) -> None:
    _ticket(store, "late", _clock(NOW - timedelta(hours=1), warned=True, breached=True))
    _ticket(store, "warned", _clock(NOW + timedelta(minutes=10), warned=True))
    _ticket(store, "calm", _clock(NOW + timedelta(hours=3)))
    _ticket(store, "met-late", _clock(NOW - timedelta(hours=2), breached=True,
                                      met_at=NOW - timedelta(hours=1)))
    assert _ids(store, state="breached") == ["late"]
    assert _ids(store, state="at_risk") == ["warned"]
    assert _ids(store, state="open") == ["late", "warned", "calm"]
    assert _ids(store, due_before=NOW + timedelta(hours=1)) == ["late", "warned"]


def test_the_vendor_severity_wins_over_the_customers(store: Store) -> None:
    _ticket(store, "recategorised", _clock(NOW), customer_severity="1", vendor_severity="3")
    _ticket(store, "as-set", _clock(NOW), customer_severity="3")
    assert _ids(store, state="open", severity="3") == ["as-set", "recategorised"]
    assert _ids(store, state="open", severity="1") == []


def test_filters_by_platform_and_plan(store: Store) -> None:
    _ticket(store, "z", _clock(NOW), platform="zendesk", plan="gold")
    _ticket(store, "j", _clock(NOW), platform="jira", plan="silver")
    assert _ids(store, state="open", platform="jira") == ["j"]
    assert _ids(store, state="open", plan="gold") == ["z"]


def test_compliance_counts_met_late_as_breached_and_ignores_undecided(store: Store) -> None:
    _ticket(store, "in-time", _clock(NOW, met_at=NOW - timedelta(minutes=5)))
    _ticket(store, "late", _clock(NOW, breached=True, met_at=NOW + timedelta(minutes=5)))
    _ticket(store, "missed", _clock(NOW, breached=True))
    _ticket(store, "running", _clock(NOW + timedelta(hours=1)))
    _ticket(store, "update", _clock(NOW, metric="next_update", met_at=NOW))
    with store.transaction() as conn:
        counts = compliance(conn, NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert [(c.week, c.plan, c.severity, c.metric, c.met, c.breached) for c in counts] == [
        ("2026-W48", "gold", "1", "first_response", 1, 2),
        ("2026-W48", "gold", "1", "next_update", 1, 0)]


def test_compliance_groups_by_iso_week_of_the_decision(store: Store) -> None:
    sunday_night = datetime.fromisoformat("2026-11-29T23:30:00+00:00")
    monday = datetime.fromisoformat("2026-11-30T00:10:00+00:00")
    _ticket(store, "a", _clock(sunday_night, met_at=sunday_night))
    _ticket(store, "b", _clock(monday, breached=True))
    with store.transaction() as conn:
        counts = compliance(conn, sunday_night - timedelta(days=1), monday + timedelta(days=1))
        narrow = compliance(conn, monday, monday + timedelta(days=1))
    assert [(c.week, c.met, c.breached) for c in counts] == [("2026-W48", 1, 0),
                                                            ("2026-W49", 0, 1)]
    assert [(c.week, c.met, c.breached) for c in narrow] == [("2026-W49", 0, 1)]
