"""Claims take the most urgent work first, the earliest ready first within a class, and one
claim in ``OLDEST_TURN_EVERY`` the work ready longest whatever its class: on a real SQLite
file and on PostgreSQL (the ``store`` fixture runs each test on both)."""

from __future__ import annotations

from datetime import timedelta

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.store import Store, TimerSpec
from sla_bridge.tickets import TicketRef
from sla_bridge.urgency import OLDEST_TURN_EVERY, Urgency

LEASE = timedelta(seconds=30)
MINUTE = timedelta(minutes=1)


def ref(ticket_id: str) -> TicketRef:
    return TicketRef(platform="testdesk", ticket_id=ticket_id)


def timer_due(store: Store, ticket_id: str, kind: str, ago: timedelta,
              urgency: Urgency) -> None:
    store.schedule(ref(ticket_id), [TimerSpec(kind, store.clock.now() - ago, {}, urgency)])


def claimed_in_order(store: Store) -> list[str]:
    order = []
    while (claim := store.claim("w1", LEASE)) is not None:
        order.append(claim.ref.ticket_id)
        store.finish(claim)
    return order


def webhook(ticket_id: str, delivery: str, event_type: str = "ticket.updated",
            by_bridge: bool = False) -> InboundEvent:
    return InboundEvent(ref=ref(ticket_id), delivery_id=delivery, event_type=event_type,
                        by_bridge=by_bridge)


def classes(store: Store) -> dict[tuple[str, int], int]:
    return {(row.platform, row.urgency): row.waiting for row in store.work_by_class()}


def test_a_severity_1_breach_warning_is_claimed_before_an_older_auto_close(
        store: Store) -> None:
    timer_due(store, "auto-close", "auto_close:solved", 10 * MINUTE, Urgency.HOUSEKEEPING)
    store.fire_due("timers")
    timer_due(store, "sev1", "first_response:warning", MINUTE, Urgency.CRITICAL)
    store.fire_due("timers")
    assert claimed_in_order(store) == ["sev1", "auto-close"]


def test_the_earliest_due_goes_first_within_a_class(store: Store) -> None:
    timer_due(store, "later", "next_update:breach", 2 * MINUTE, Urgency.NEXT_UPDATE)
    timer_due(store, "earliest", "next_update:breach", 9 * MINUTE, Urgency.NEXT_UPDATE)
    timer_due(store, "middle", "next_update:warning", 5 * MINUTE, Urgency.NEXT_UPDATE)
    timer_due(store, "first-response", "first_response:breach", MINUTE,
              Urgency.FIRST_RESPONSE)
    store.fire_due("timers")
    assert claimed_in_order(store) == ["first-response", "earliest", "middle", "later"]


def test_a_new_comment_goes_before_an_update_and_the_bridges_echo_last(
        store: Store, clock: FixedClock) -> None:
    store.accept([webhook("echo", "d1", "ticket.updated", by_bridge=True)])
    clock.advance(MINUTE)
    store.accept([webhook("update", "d2", "ticket.status_changed")])
    clock.advance(MINUTE)
    store.accept([webhook("comment", "d3", "ticket.comment_added")])
    assert claimed_in_order(store) == ["comment", "update", "echo"]


def test_woken_twice_the_most_urgent_class_wins(store: Store, clock: FixedClock) -> None:
    timer_due(store, "A", "auto_close:pending", MINUTE, Urgency.HOUSEKEEPING)
    store.fire_due("timers")
    store.accept([webhook("A", "d1", "comment.created")])
    store.accept([webhook("A", "d2", "ticket.updated", by_bridge=True)])
    assert classes(store) == {("testdesk", Urgency.FIRST_RESPONSE): 1}
    # Two timers of one ticket firing together: the ticket goes in the more urgent class.
    store.schedule(ref("B"), [
        TimerSpec("auto_close:solved", clock.now() - MINUTE, {}, Urgency.HOUSEKEEPING),
        TimerSpec("next_update:breach", clock.now() - MINUTE, {}, Urgency.CRITICAL)])
    store.fire_due("timers")
    assert classes(store)[("testdesk", Urgency.CRITICAL)] == 1


def test_one_claim_in_n_takes_the_oldest_and_a_long_backlog_stays_urgent_first(
        store: Store, clock: FixedClock) -> None:
    # Hours of auto-closes waiting (a spent daily limit), then Severity 1 breaches fall due.
    for n in range(2 * OLDEST_TURN_EVERY):
        timer_due(store, f"close-{n:02d}", "auto_close:solved", timedelta(hours=5) - n * MINUTE,
                  Urgency.HOUSEKEEPING)
    for n in range(2 * OLDEST_TURN_EVERY):
        timer_due(store, f"sev1-{n:02d}", "first_response:breach", timedelta(0),
                  Urgency.CRITICAL)
    store.fire_due("timers")
    order = claimed_in_order(store)
    first = order[:2 * OLDEST_TURN_EVERY]
    # Every n-th claim is the oldest auto-close; the others are the Severity 1s.
    assert [t for t in first if t.startswith("close")] == ["close-00", "close-01"]
    assert first[OLDEST_TURN_EVERY - 1] == "close-00"
    assert first[2 * OLDEST_TURN_EVERY - 1] == "close-01"


def test_a_steady_stream_of_urgent_work_does_not_starve_the_rest(
        store: Store, clock: FixedClock) -> None:
    store.accept([webhook("quiet", "quiet", "ticket.updated", by_bridge=True)])
    served: list[str] = []
    for n in range(40):  # a new urgent comment every minute, one claim a minute
        clock.advance(MINUTE)
        store.accept([webhook(f"urgent-{n}", f"u{n}", "comment.created")])
        store.accept([webhook(f"urgent-{n}b", f"u{n}b", "comment.created")])
        claim = store.claim("w1", LEASE)
        assert claim is not None
        served.append(claim.ref.ticket_id)
        store.finish(claim)
    # The echo waited behind the comments until the oldest's turn, then went.
    assert served.index("quiet") + 1 == OLDEST_TURN_EVERY
    assert served[:3] == ["urgent-0", "urgent-0b", "urgent-1"]


def test_a_wake_during_the_lease_sets_the_class_of_the_next_run(
        store: Store, clock: FixedClock) -> None:
    timer_due(store, "A", "first_response:breach", MINUTE, Urgency.CRITICAL)
    store.fire_due("timers")
    claim = store.claim("w1", LEASE)
    assert claim is not None
    assert claim.urgency == Urgency.CRITICAL
    # The bridge's own write echoes back while it works: the run after is an echo's.
    store.accept([webhook("A", "echo", by_bridge=True)])
    store.finish(claim)
    assert classes(store) == {("testdesk", Urgency.ECHO): 1}


def test_a_claim_given_back_keeps_its_class(store: Store, clock: FixedClock) -> None:
    timer_due(store, "A", "first_response:breach", MINUTE, Urgency.CRITICAL)
    store.fire_due("timers")
    claim = store.claim("w1", LEASE)
    assert claim is not None
    store.accept([webhook("A", "echo", by_bridge=True)])
    store.retry_later(claim, clock.now() + MINUTE, "429 from the vendor")
    [row] = store.work_by_class()
    assert (row.urgency, row.waiting, row.later) == (Urgency.CRITICAL, 0, 1)


def test_the_backlog_counts_per_platform_and_class(store: Store, clock: FixedClock) -> None:
    timer_due(store, "A", "first_response:warning", 3 * MINUTE, Urgency.CRITICAL)
    timer_due(store, "B", "first_response:warning", MINUTE, Urgency.CRITICAL)
    timer_due(store, "C", "auto_close:solved", MINUTE, Urgency.HOUSEKEEPING)
    store.fire_due("timers")
    store.accept([InboundEvent(ref=TicketRef(platform="other", ticket_id="X"),
                               delivery_id="x", event_type="ticket.created")])
    leased = store.claim("w1", LEASE)
    assert leased is not None
    assert leased.ref.ticket_id == "A"
    rows = {(r.platform, r.urgency): r for r in store.work_by_class()}
    assert set(rows) == {("testdesk", 0), ("testdesk", 4), ("other", 1)}
    critical = rows[("testdesk", 0)]
    assert (critical.waiting, critical.leased, critical.later) == (1, 1, 0)
    assert critical.oldest_ready_at == clock.now() - MINUTE
    assert rows[("other", 1)].oldest_ready_at == clock.now()
