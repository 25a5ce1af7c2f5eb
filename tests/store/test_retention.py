"""Pruning keeps the database bounded: processed events, finished timers and old audit
entries go after their retention; unprocessed events and scheduled timers never do."""

from __future__ import annotations

from datetime import timedelta

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.store import Decision, Store, TimerSpec
from sla_bridge.tickets import TicketRef

LEASE = timedelta(seconds=30)
A = TicketRef(platform="testdesk", ticket_id="A")
B = TicketRef(platform="testdesk", ticket_id="B")


def test_old_processed_events_finished_timers_and_decisions_are_pruned(
        store: Store, clock: FixedClock) -> None:
    start = clock.now()
    store.accept([InboundEvent(ref=A, delivery_id="old")])
    claim = store.claim("w1", LEASE)
    assert claim is not None
    store.finish(claim, decisions=[Decision("sla.first_response", "due Monday", start, {})])
    store.schedule(A, [TimerSpec("fired", start + timedelta(hours=1), {}),
                       TimerSpec("later", start + timedelta(days=30), {})])
    clock.advance(timedelta(hours=2))
    assert [t.kind for t in store.fire_due("w1")] == ["fired"]
    claim = store.claim("w1", LEASE)
    assert claim is not None
    store.finish(claim)
    store.accept([InboundEvent(ref=B, delivery_id="waiting")])  # not processed yet

    clock.advance(timedelta(days=10))
    now = clock.now()
    pruned = store.prune(events_before=now - timedelta(days=7),
                         timers_before=now - timedelta(days=7),
                         decisions_before=now - timedelta(days=7))
    assert (pruned.events, pruned.timers, pruned.decisions) == (1, 1, 1)
    assert store.decisions(A) == []
    assert [t.kind for t in store.timers(ref=A)] == ["later"]  # still scheduled
    assert [e.delivery_id for e in store.pending_events(B)] == ["waiting"]
    # Nothing more to prune; a delivery already pruned would be accepted again.
    assert store.prune(events_before=now, timers_before=now, decisions_before=now).events == 0


def test_pruning_goes_in_batches(store: Store, clock: FixedClock) -> None:
    store.accept([InboundEvent(ref=A, delivery_id=f"d{i}") for i in range(5)])
    claim = store.claim("w1", LEASE)
    assert claim is not None
    store.finish(claim)
    clock.advance(timedelta(days=30))
    now = clock.now()
    cut = {"events_before": now, "timers_before": now, "decisions_before": now}
    assert store.prune(**cut, batch=2).events == 2
    assert store.prune(**cut, batch=2).events == 2
    assert store.prune(**cut, batch=2).events == 1
