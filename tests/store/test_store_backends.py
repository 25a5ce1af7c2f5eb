"""The store behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.store import ClockRecord, Decision, Store, StoreError, TicketRecord, TimerSpec
from sla_bridge.tickets import TicketRef

LEASE = timedelta(seconds=30)
A = TicketRef(platform="testdesk", ticket_id="A")
B = TicketRef(platform="testdesk", ticket_id="B")


def event(ref: TicketRef, delivery: str) -> InboundEvent:
    return InboundEvent(ref=ref, delivery_id=delivery, payload={"n": delivery})


def test_migrations_are_current_after_upgrade(store: Store) -> None:
    assert store.schema_is_current()
    store.upgrade()  # running it twice changes nothing
    assert store.schema_is_current()


def test_duplicate_deliveries_are_stored_once(store: Store) -> None:
    assert store.accept([event(A, "d1"), event(A, "d1"), event(B, "d2")]) == 2
    assert store.accept([event(A, "d1")]) == 0
    assert store.inbox_depth()[0] == 2


def test_one_claim_per_ticket_and_events_come_with_it(store: Store) -> None:
    store.accept([event(A, "d1"), event(A, "d2")])
    claim = store.claim("w1", LEASE)
    assert claim is not None
    assert [e.delivery_id for e in claim.events] == ["d1", "d2"]
    assert store.claim("w2", LEASE) is None  # A is leased; nothing else is ready
    store.finish(claim)
    assert store.claim("w2", LEASE) is None
    assert store.inbox_depth() == (0, None)


def test_event_during_reconciliation_wakes_the_ticket_again(store: Store) -> None:
    store.accept([event(A, "d1")])
    claim = store.claim("w1", LEASE)
    assert claim is not None
    store.accept([event(A, "d2")])
    store.finish(claim)
    again = store.claim("w1", LEASE)
    assert again is not None
    assert [e.delivery_id for e in again.events] == ["d2"]


def test_expired_lease_is_taken_over(store: Store, clock: FixedClock) -> None:
    store.accept([event(A, "d1")])
    assert store.claim("crashed", LEASE) is not None
    clock.advance(LEASE + timedelta(seconds=1))
    taken = store.claim("w2", LEASE)
    assert taken is not None
    assert taken.owner == "w2"


def test_retry_later_keeps_events_and_counts_attempts(store: Store, clock: FixedClock) -> None:
    store.accept([event(A, "d1")])
    claim = store.claim("w1", LEASE)
    assert claim is not None
    store.retry_later(claim, clock.now() + timedelta(minutes=1), "fetch failed")
    assert store.claim("w1", LEASE) is None
    clock.advance(timedelta(minutes=1))
    retried = store.claim("w1", LEASE)
    assert retried is not None
    assert retried.attempts == 1
    assert [e.delivery_id for e in retried.events] == ["d1"]


def test_timers_fire_once_in_due_order_and_wake_tickets(store: Store, clock: FixedClock) -> None:
    now = clock.now()
    store.schedule(A, [TimerSpec("late", now + timedelta(hours=2), {}),
                       TimerSpec("early", now + timedelta(hours=1), {})])
    store.schedule(B, [TimerSpec("middle", now + timedelta(minutes=90), {})])
    assert store.fire_due("w1") == []
    clock.advance(timedelta(hours=3))  # downtime: all three are overdue
    fired = store.fire_due("w1")
    assert [t.kind for t in fired] == ["early", "middle", "late"]
    assert fired[0].lateness == timedelta(hours=2)
    assert store.fire_due("w2") == []
    claimed = {store.claim("w1", LEASE).ref, store.claim("w1", LEASE).ref}  # type: ignore[union-attr]
    assert claimed == {A, B}


def test_replacing_timers_keeps_unchanged_and_cancels_others(store: Store,
                                                              clock: FixedClock) -> None:
    now = clock.now()
    store.accept([event(A, "d1")])
    claim = store.claim("w1", LEASE)
    assert claim is not None
    keep = TimerSpec("breach", now + timedelta(hours=4), {})
    added = store.finish(claim, timers=[keep, TimerSpec("warn", now + timedelta(hours=3), {})])
    assert added == 2
    store.accept([event(A, "d2")])
    claim = store.claim("w1", LEASE)
    assert claim is not None
    assert store.finish(claim, timers=[keep]) == 0
    assert [(t.kind, t.status) for t in store.timers(ref=A)] == [("breach", "scheduled")]
    assert [t.kind for t in store.timers(ref=A, status="cancelled")] == ["warn"]


def test_ticket_record_clocks_and_decisions_round_trip(store: Store, clock: FixedClock) -> None:
    now = clock.now()
    clock_record = ClockRecord("first_response", "4 business hours", now,
                               now + timedelta(hours=4), 3600.0, schedule="contact-hours")
    store.accept([event(A, "d1")])
    claim = store.claim("w1", LEASE)
    assert claim is not None
    store.finish(claim, TicketRecord(A, "code42-enterprise", "gold", "2", None, "open",
                                     {"asked": ["logs"]}, (clock_record,)),
                 decisions=[Decision("policy.selected", "policy code42-enterprise applies",
                                     now, {"policy": "code42-enterprise"})])
    record = store.ticket(A)
    assert record is not None
    assert record.plan == "gold"
    assert record.state == {"asked": ["logs"]}
    assert record.clocks == (clock_record,)
    assert store.decisions(A)[0].summary == "policy code42-enterprise applies"
    assert store.ticket(B) is None


def test_ledger_and_dead_letters(store: Store) -> None:
    store.record_action("k1", A, "add_comment", "{}", "applied", "c1")
    entry = store.ledger_entry("k1")
    assert entry is not None
    assert (entry.status, entry.result) == ("applied", "c1")
    letter_id = store.dead_letter("testdesk:A:add_comment:x", A, '{"kind": "add_comment"}',
                                  "boom", 6)
    assert [d.id for d in store.dead_letters()] == [letter_id]
    assert store.ledger_entry("testdesk:A:add_comment:x").status == "dead"  # type: ignore[union-attr]
    assert store.resolve_dead_letter(letter_id, "discarded")
    assert not store.resolve_dead_letter(letter_id, "replayed")
    assert store.dead_letters() == []
    assert len(store.dead_letters(None)) == 1


def test_concurrent_claims_never_share_a_ticket(store: Store) -> None:
    refs = [TicketRef(platform="testdesk", ticket_id=str(n)) for n in range(40)]
    store.accept([event(ref, f"d{n}") for n, ref in enumerate(refs)])
    claimed: list[TicketRef] = []
    lock = threading.Lock()

    def work(owner: str) -> None:
        while (claim := store.claim(owner, LEASE)) is not None:
            with lock:
                claimed.append(claim.ref)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed, key=lambda r: int(r.ticket_id)) == refs


def test_unsupported_database_url_is_explained(clock: FixedClock) -> None:
    with pytest.raises(StoreError, match="supports sqlite and postgresql"):
        Store("mysql://root@localhost/db", clock)
    with pytest.raises(StoreError, match="is not a database URL"):
        Store("not a url", clock)
