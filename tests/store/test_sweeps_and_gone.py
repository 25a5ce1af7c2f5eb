"""A ticket found gone has its timers cancelled and its clocks stopped in one transaction;
a periodic sweep is claimed by one process per period and remembers how far it got."""

from __future__ import annotations

from datetime import timedelta

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.store import ClockRecord, Decision, Store, TicketRecord, TimerSpec
from sla_bridge.tickets import TicketRef

LEASE = timedelta(seconds=30)
A = TicketRef(platform="testdesk", ticket_id="A")
B = TicketRef(platform="testdesk", ticket_id="B")
EVERY = timedelta(minutes=15)


def test_a_gone_ticket_keeps_no_timer_and_no_running_clock(store: Store,
                                                           clock: FixedClock) -> None:
    start = clock.now()
    store.accept([InboundEvent(ref=A, delivery_id="created-A"),
                  InboundEvent(ref=B, delivery_id="created-B")])
    clock_record = ClockRecord("first_response", "4 business hours", start,
                               start + timedelta(hours=4), used_seconds=600.0, warned=True)
    for _ in range(2):
        claim = store.claim("w1", LEASE)
        assert claim is not None
        store.finish(claim, TicketRecord(claim.ref, "p", "gold", status="open",
                                         clocks=(clock_record,)),
                     [TimerSpec("first_response:breach", start + timedelta(hours=4), {})])
    clock.advance(timedelta(hours=1))
    store.accept([InboundEvent(ref=A, delivery_id="looked-at-A")])
    claim = store.claim("w1", LEASE)
    assert claim is not None
    assert claim.ref == A
    assert store.finish_gone(claim, Decision("ticket.gone", "deleted", clock.now())) == 1
    assert store.timers(ref=A) == []
    assert [t.status for t in store.timers(ref=A, status="cancelled")] == ["cancelled"]
    record = store.ticket(A)
    assert record is not None
    assert record.status == "gone"
    [stopped] = record.clocks
    assert (stopped.due_at, stopped.paused, stopped.used_seconds, stopped.warned) == (
        None, False, 600.0, True)
    assert store.decisions(A)[0].kind == "ticket.gone"
    assert store.pending_events(A) == []
    assert store.claim("w1", LEASE) is None  # the lease is released, nothing waits
    # The other ticket is untouched.
    assert [t.kind for t in store.timers(ref=B)] == ["first_response:breach"]
    other = store.ticket(B)
    assert other is not None
    assert other.clocks[0].due_at is not None


def test_one_sweep_a_period_and_the_next_starts_where_the_last_got_to(
        store: Store, clock: FixedClock) -> None:
    start = clock.now()
    assert store.last_sweep("zendesk") is None
    first = store.claim_sweep("zendesk", "host:1:timers", EVERY)
    assert (first.claimed, first.since, first.started_at) == (True, None, start)
    # Another replica, in the same period: not its turn.
    other = store.claim_sweep("zendesk", "host:2:timers", EVERY)
    assert (other.claimed, other.started_at) == (False, start)
    store.finish_sweep("zendesk", start - timedelta(minutes=2))
    clock.advance(EVERY - timedelta(seconds=1))
    assert not store.claim_sweep("zendesk", "host:2:timers", EVERY).claimed
    clock.advance(timedelta(seconds=1))
    second = store.claim_sweep("zendesk", "host:2:timers", EVERY)
    assert (second.claimed, second.since) == (True, start - timedelta(minutes=2))
    # A sweep that got less far than the last one does not move the mark back.
    store.finish_sweep("zendesk", start - timedelta(hours=1))
    last = store.last_sweep("zendesk")
    assert last is not None
    assert last.since == start - timedelta(minutes=2)
    store.finish_sweep("zendesk", clock.now() - timedelta(minutes=2))
    last = store.last_sweep("zendesk")
    assert last is not None
    assert last.since == clock.now() - timedelta(minutes=2)
    # Sweeps of different names are apart.
    assert store.claim_sweep("jira", "host:1:timers", EVERY).claimed
