"""What a reconcile costs the database: one transaction to claim (which reads everything
the reconcile needs: events, ticket memory, ledger), one per vendor write (its ledger
entries, after it) and one to finish. And exactly-once across a crash between a batched
vendor write and its ledger transaction."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sla_bridge_testdesk import new_ticket
from sqlalchemy import event

from sla_bridge.actions import AddComment, ChangeTags, CreateFollowUp
from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.runtime import Runtime
from sla_bridge.settings import load_settings
from sla_bridge.tickets import Ticket
from sla_bridge.worker import Reconciler, drain, reconcile_next

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")


@dataclass
class Cost:
    """The transactions (write / read-only) and SQL statements of the calling thread."""

    writes: int = 0
    reads: int = 0
    statements: int = 0
    seen: list[str] = field(default_factory=list)

    @property
    def transactions(self) -> int:
        return self.writes + self.reads


@pytest.fixture
def cost(runtime: Runtime) -> Iterator[Cost]:
    counted = Cost()
    engine, mine = runtime.store.engine, threading.get_ident()

    def begin(conn: Any) -> None:
        if threading.get_ident() == mine:
            if conn.get_execution_options().get("sla_bridge_read_only"):
                counted.reads += 1
            else:
                counted.writes += 1

    def statement(_conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        head = sql.split(None, 1)[0].upper()
        if threading.get_ident() == mine and head not in {"BEGIN", "COMMIT", "PRAGMA"}:
            counted.statements += 1
            counted.seen.append(sql.split("\n")[0][:80])

    event.listen(engine, "begin", begin)
    event.listen(engine, "before_cursor_execute", statement)
    yield counted
    event.remove(engine, "begin", begin)
    event.remove(engine, "before_cursor_execute", statement)


def open_ticket(testdesk, runtime: Runtime, ticket_id: str = "1") -> Ticket:  # type: ignore[no-untyped-def]
    ticket = new_ticket(ticket_id, START, plan="gold", customer_severity="2")
    testdesk.db.put_ticket(ticket)
    runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id=f"created-{ticket_id}")])
    return ticket


def reconcile_once(runtime: Runtime, cost: Cost) -> Cost:
    """One reconcile of the next ready ticket, and what it cost."""
    before = Cost(cost.writes, cost.reads, cost.statements)
    result = reconcile_next(runtime, Reconciler(runtime), "test:cost")
    assert result is not None
    assert result.outcome == "done", result.detail
    return Cost(cost.writes - before.writes, cost.reads - before.reads,
                cost.statements - before.statements)


def vendor_writes(testdesk) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for op, status, _at in testdesk.db.calls() if op == "apply" and status == 200)


def test_a_reconcile_that_writes_one_update_costs_three_transactions_and_no_read_ones(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, cost: Cost) -> None:
    open_ticket(testdesk, runtime)
    spent = reconcile_once(runtime, cost)
    assert vendor_writes(testdesk) == 1  # the due time, in one update
    assert (spent.writes, spent.reads) == (3, 0)  # claim, the update's ledger entry, finish
    # claim (work, lease, events, memory, clocks, ledger), the ledger entry, finish.
    assert spent.statements <= 17


def test_a_reconcile_that_writes_nothing_costs_two_transactions(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, cost: Cost) -> None:
    ticket = open_ticket(testdesk, runtime)
    drain(runtime)
    runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id="echo", by_bridge=True)])
    spent = reconcile_once(runtime, cost)
    assert vendor_writes(testdesk) == 1  # still only the first look's
    assert (spent.writes, spent.reads) == (2, 0)  # claim, finish
    assert spent.statements <= 12


def test_each_vendor_write_is_one_ledger_transaction(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, cost: Cost) -> None:
    # A batch of three writes, then a follow-up (not batched): two vendor writes.
    ticket = new_ticket("5", START, plan="gold", customer_severity="2")
    testdesk.db.put_ticket(ticket)
    actions = (AddComment(ref=ticket.ref, key="n", body="A note.", public=False),
               ChangeTags(ref=ticket.ref, key="t", add=("a",)),
               CreateFollowUp(ref=ticket.ref, key="f", subject="Again", body="Again"),
               ChangeTags(ref=ticket.ref, key="u", add=("b",)))
    applier = Reconciler(runtime).applier
    before = cost.writes
    results = applier.apply_all(runtime.platforms["testdesk"], ticket, actions, ledger={})
    assert [r.outcome for r in results] == ["applied"] * 4
    assert vendor_writes(testdesk) == 3  # note + tag, the follow-up, the last tag
    assert cost.writes - before == 3
    assert cost.reads == 0


class Crash(BaseException):
    """The process dies (nothing in the bridge catches it)."""


def test_a_crash_between_a_batched_write_and_its_ledger_entry_writes_nothing_twice(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket = open_ticket(testdesk, runtime)
    drain(runtime)
    clock.set(START + timedelta(days=5))  # past the first response's due time: a breach
    # The breach's note and tag go in one update; the process dies before it is recorded.

    def crash(_entries: object) -> None:
        raise Crash

    monkeypatch.setattr(runtime.store, "record_actions", crash)
    with pytest.raises(Crash):
        drain(runtime)
    landed = [a["kind"] for a in testdesk.db.applied("1")]
    assert landed == ["set_fields", "add_comment", "change_tags"]
    assert [e.kind for e in runtime.store.ledger(ticket.ref)] == ["set_fields"]  # not them
    # A new process (a new platform object: nothing remembered in memory) once the dead
    # one's lease has run out: the ticket shows the note (by its key) and the tag.
    clock.set(clock.now() + timedelta(minutes=5))
    restarted = Runtime.build(load_settings(), clock)
    try:
        report = drain(restarted)
        assert [r.outcome for r in report.reconciled] == ["done"]
        assert {a.outcome for r in report.reconciled for a in r.applied} <= {"already"}
    finally:
        restarted.close()
    assert [a["kind"] for a in testdesk.db.applied("1")] == landed  # nothing twice
    assert vendor_writes(testdesk) == 2  # the first look's, the breach's: not tried again
    notes = [c for c in testdesk.db.ticket("1").comments if c.bridge_key]
    assert len(notes) == 1
