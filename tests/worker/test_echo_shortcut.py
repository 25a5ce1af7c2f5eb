"""The echo shortcut (``sla_bridge.platforms.EchoRecognizer``): a claim whose events are all
the bridge's own, each with a version stamp its last writes got back, and no timer due since,
is finished in one transaction without fetching the ticket or deciding; anything else is a
full reconcile. On a real SQLite store; the memory is seeded as an echo-aware platform's last
reconcile leaves it (the testdesk itself reports no stamps)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sla_bridge_testdesk import new_ticket

from sla_bridge.actions import AddComment
from sla_bridge.clock import FixedClock
from sla_bridge.engine import Situation, decide
from sla_bridge.platforms import InboundEvent
from sla_bridge.runtime import Runtime
from sla_bridge.tickets import Ticket
from sla_bridge.worker import Applied, Reconciled, Reconciler, drain, reconcile_next
from sla_bridge.worker._echoes import ECHO_STATE, remember_writes, settled

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")  # the runtime clock's start
START_VERSION = "2026-11-25T22:00Z"


def fetches(testdesk) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for op, _status, _at in testdesk.db.calls() if op == "fetch")


@pytest.fixture
def ticket(testdesk, runtime: Runtime, clock: FixedClock) -> Ticket:  # type: ignore[no-untyped-def]
    """A ticket the bridge reconciled, then remembered writing at ``START_VERSION``."""
    made = new_ticket("1", clock.now(), plan="gold", customer_severity="2")
    testdesk.db.put_ticket(made)
    runtime.store.accept([InboundEvent(ref=made.ref, delivery_id="created")])
    drain(runtime)
    runtime.store.accept([InboundEvent(ref=made.ref, delivery_id="seed")])
    claim = runtime.store.claim("test", timedelta(minutes=1))
    assert claim is not None
    assert claim.memory is not None
    due = runtime.store.next_timer_due()
    assert due is not None
    runtime.store.finish(claim, replace(claim.memory, state={
        **claim.memory.state,
        ECHO_STATE: {"versions": [START_VERSION], "next_due": due.isoformat()}}))
    return made


def look(runtime: Runtime, *events: InboundEvent) -> Reconciled:
    runtime.store.accept(list(events))
    done = reconcile_next(runtime, Reconciler(runtime), "test")
    assert done is not None
    return done


def echo(ticket: Ticket, n: int, version: str | None = START_VERSION) -> InboundEvent:
    return InboundEvent(ref=ticket.ref, delivery_id=f"echo-{n}", by_bridge=True,
                        version=version)


def test_echoes_of_the_last_write_are_finished_without_a_fetch(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket) -> None:
    before = runtime.store.ticket(ticket.ref)
    timers = runtime.store.timers(ref=ticket.ref)
    read = fetches(testdesk)
    done = look(runtime, echo(ticket, 1), echo(ticket, 2))
    assert (done.outcome, done.applied) == ("skipped", ())
    assert fetches(testdesk) == read  # the ticket was not read
    [latest, *_] = runtime.store.decisions(ticket.ref)
    assert latest.kind == "echo.skipped"
    assert latest.details == {"versions": [START_VERSION], "events": ["echo-1", "echo-2"]}
    assert runtime.store.ticket(ticket.ref) == before  # memory and timers as they were
    assert runtime.store.timers(ref=ticket.ref) == timers
    assert runtime.store.pending_events(ticket.ref) == []


@pytest.mark.parametrize("events", [
    pytest.param(lambda t: [echo(t, 1), InboundEvent(ref=t.ref, delivery_id="agent")],
                 id="an agent's event in the same claim"),
    pytest.param(lambda t: [echo(t, 1, version=None)], id="no stamp"),
    pytest.param(lambda t: [echo(t, 1, version="2026-11-25T22:07Z")], id="another stamp"),
    pytest.param(lambda t: [InboundEvent(ref=t.ref, delivery_id="x", version=START_VERSION)],
                 id="the stamp, not by the bridge"),
])
def test_anything_but_echoes_of_the_last_write_is_reconciled_in_full(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket, events) -> None:
    read = fetches(testdesk)
    done = look(runtime, *events(ticket))
    assert done.outcome == "done"
    assert fetches(testdesk) == read + 1
    assert "echo.skipped" not in [d.kind for d in runtime.store.decisions(ticket.ref)]


def test_an_echo_after_a_timer_came_due_is_reconciled_in_full(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket, clock: FixedClock) -> None:
    due = runtime.store.next_timer_due()
    assert due is not None
    clock.set(due)  # the timer may have fired: the engine has something to do
    read = fetches(testdesk)
    assert look(runtime, echo(ticket, 1)).outcome == "done"
    assert fetches(testdesk) > read


def test_a_full_reconcile_keeps_the_last_writes_stamps_unless_its_writes_do_not_settle(  # type: ignore[no-untyped-def]
        runtime: Runtime, ticket: Ticket) -> None:
    memory = runtime.store.ticket(ticket.ref)
    assert memory is not None
    fresh = replace(memory, state={})  # what the engine returns: it keeps no echo state
    kept = remember_writes(fresh, memory, (), (), settled=True)
    assert kept.state[ECHO_STATE] == {"versions": [START_VERSION], "next_due": None}
    wrote = remember_writes(fresh, memory, ("b", "a", "b"), (), settled=True)
    assert wrote.state[ECHO_STATE]["versions"] == ["b", "a"]
    # Writes whose echo has more to do (a write given up on, a status the lifecycle then
    # times): no stamp, the echo is reconciled in full.
    assert remember_writes(fresh, memory, ("c",), (), settled=False).state[ECHO_STATE][
        "versions"] == []
    assert remember_writes(fresh, memory, None, (), settled=True) is fresh  # not echo-aware


def test_a_write_given_up_on_does_not_settle(runtime: Runtime, ticket: Ticket) -> None:  # type: ignore[no-untyped-def]
    dead = Applied(AddComment(ref=ticket.ref, key="n", body="A note.", public=False), "dead")
    memory = runtime.store.ticket(ticket.ref)
    situation = Situation(ticket, memory, (), START)
    outcome = decide(runtime.policies, situation)
    assert settled(runtime.policies, situation, outcome, [dead]) is None
    unchanged = settled(runtime.policies, situation, outcome, [])  # nothing written
    assert unchanged is not None
    assert (unchanged.record, unchanged.timers, unchanged.decisions) == (
        outcome.record, outcome.timers, ())
