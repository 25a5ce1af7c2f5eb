"""Each unit of work says whether it reads or writes: on SQLite reads take no write lock (a
dashboard or a timer poll never queues behind a reconcile or the ingest writer), writers
still queue one behind the other, and "database is locked" does not surface."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.store import (
    ClockRecord,
    Decision,
    LedgerWrite,
    Store,
    StoreError,
    TicketRecord,
    TimerSpec,
)
from sla_bridge.store._schema import inbox
from sla_bridge.tickets import TicketRef

NOW = datetime.fromisoformat("2026-11-25T16:00:00-06:00")  # the fixtures' clock
LEASE = timedelta(seconds=30)
A = TicketRef(platform="testdesk", ticket_id="A")


@pytest.fixture
def sqlite_store(tmp_path: Path, clock: FixedClock) -> Store:
    opened = Store(f"sqlite:///{tmp_path / 'bridge.db'}", clock)
    opened.upgrade()
    return opened


def test_reads_proceed_while_another_connection_holds_the_write_lock(
        sqlite_store: Store) -> None:
    store = sqlite_store
    store.accept([InboundEvent(ref=A, delivery_id="d1")])
    store.schedule(A, [TimerSpec("first_response:breach", NOW + timedelta(hours=4), {})])
    locked, reads_done = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def writer() -> None:
        # A write transaction that holds the lock until the reads are done (or 10 s).
        with store.transaction() as conn:
            conn.execute(insert(inbox).values(
                platform="testdesk", delivery_id="d2", ticket_id="A", event_type="x",
                by_bridge=False, payload={}, received_at=NOW))
            locked.set()
            seen["reads finished while locked"] = reads_done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert locked.wait(10)
    # Each of these would wait behind the writer (which waits for them) if it took the lock.
    seen["depth"] = store.inbox_depth()[0]
    seen["pending"] = [e.delivery_id for e in store.pending_events(A)]
    seen["next timer"] = store.next_timer_due()
    seen["memory"] = store.ticket(A)
    store.ping()
    reads_done.set()
    thread.join()
    assert seen == {"reads finished while locked": True, "depth": 1, "pending": ["d1"],
                    "next timer": NOW + timedelta(hours=4), "memory": None}
    assert store.inbox_depth()[0] == 2  # the writer committed after the reads


def test_a_read_only_unit_of_work_cannot_write(sqlite_store: Store) -> None:
    with pytest.raises(StoreError, match="tried to write"), sqlite_store.reading() as conn:
        conn.execute(insert(inbox).values(
            platform="testdesk", delivery_id="d1", ticket_id="A", event_type="x",
            by_bridge=False, payload={}, received_at=NOW))
    # The same pooled connection writes again in a write unit.
    assert sqlite_store.accept([InboundEvent(ref=A, delivery_id="d1")]) == 1
    with sqlite_store.reading() as conn:
        assert conn.execute(select(inbox.c.delivery_id)).scalars().all() == ["d1"]


def test_writers_readers_and_ingest_in_threads_never_see_database_is_locked(
        store: Store) -> None:
    # On both backends: every ticket claimed and finished once; on SQLite no "database is
    # locked" either, readers and writers side by side.
    tickets = [TicketRef(platform="testdesk", ticket_id=f"T{n}") for n in range(120)]
    errors: list[BaseException] = []
    finished: list[TicketRef] = []
    ingest_done = threading.Event()

    def guarded(work):  # type: ignore[no-untyped-def]
        def run() -> None:
            try:
                work()
            except BaseException as exc:
                errors.append(exc)
        return run

    def ingest() -> None:
        for start in range(0, len(tickets), 10):
            store.accept([InboundEvent(ref=ref, delivery_id=f"d-{ref.ticket_id}")
                          for ref in tickets[start:start + 10]])
        ingest_done.set()

    def reconcile(owner: str) -> None:
        while True:
            claim = store.claim(owner, LEASE)
            if claim is None:
                if ingest_done.is_set() and store.inbox_depth()[0] == 0:
                    return
                continue
            store.finish(claim, TicketRecord(claim.ref, status="open"), [], [])
            finished.append(claim.ref)

    def read() -> None:
        while not ingest_done.is_set() or store.inbox_depth()[0]:
            store.timers()
            store.dead_letters()

    threads = [threading.Thread(target=guarded(ingest))]
    threads += [threading.Thread(target=guarded(lambda n=n: reconcile(f"w{n}")))
                for n in range(4)]
    threads += [threading.Thread(target=guarded(read)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert sorted(finished, key=lambda r: int(r.ticket_id[1:])) == tickets  # each once


def test_a_claim_brings_the_tickets_memory_and_its_ledger_along(store: Store) -> None:
    store.accept([InboundEvent(ref=A, delivery_id="d1")])
    first = store.claim("w1", LEASE)
    assert first is not None
    assert first.read
    assert first.memory is None
    assert first.ledger == {}
    clock = ClockRecord("first_response", "4 business hours", NOW, NOW + timedelta(hours=4))
    record = TicketRecord(A, "runtime-test", "gold", "2", None, "open", {"seen": 1}, (clock,))
    store.finish(first, record, [], [Decision("policy.selected", "runtime-test", NOW)])
    store.record_actions([
        LedgerWrite("testdesk:A:add_comment:breach", A, "add_comment", "{}", "applied"),
        LedgerWrite("testdesk:A:set_fields:due:ab12", A, "set_fields", "{}", "applied"),
        LedgerWrite("testdesk:A:set_fields:due:cd34", A, "set_fields", "{}", "observed")])
    store.accept([InboundEvent(ref=A, delivery_id="d2")])
    again = store.claim("w1", LEASE)
    assert again is not None
    assert again.memory is not None
    assert again.memory.state == {"seen": 1}
    assert again.memory.clocks == (clock,)
    # One-off actions and observed ones (what a reconcile consults); not applied state.
    assert again.ledger == {"testdesk:A:add_comment:breach": "applied",
                            "testdesk:A:set_fields:due:cd34": "observed"}


def test_an_unchanged_record_keeps_its_clocks_and_moves_its_updated_at(
        store: Store, clock: FixedClock) -> None:
    clocks = (ClockRecord("first_response", "4 business hours", NOW, NOW + timedelta(hours=4)),)
    record = TicketRecord(A, "runtime-test", "gold", "2", None, "open", {}, clocks)
    store.accept([InboundEvent(ref=A, delivery_id="d1")])
    claim = store.claim("w1", LEASE)
    assert claim is not None
    store.finish(claim, record, [], [])
    clock.set(NOW + timedelta(minutes=5))
    store.accept([InboundEvent(ref=A, delivery_id="d2")])
    claim = store.claim("w1", LEASE)
    assert claim is not None
    store.finish(claim, record, [], [])
    saved = store.ticket(A)
    assert saved is not None
    assert saved.clocks == clocks
    assert saved.updated_at == NOW + timedelta(minutes=5)  # "when the bridge last looked"
