"""One reconcile's writes to a ticket in one vendor update, each action still once, each
with its own ledger entry and outcome (testdesk batches as Zendesk does)."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from sla_bridge_testdesk import new_ticket

from sla_bridge.actions import Action, AddComment, ChangeTags, CreateFollowUp, SetStatus
from sla_bridge.diff import ledger_key
from sla_bridge.runtime import Runtime
from sla_bridge.testing import Testdesk, TestdeskSettings
from sla_bridge.tickets import Status, Ticket
from sla_bridge.worker import Applier

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")


def breach_actions(ticket: Ticket) -> tuple[Action, ...]:
    return (AddComment(ref=ticket.ref, key="breach:note", body="SLA breach: first response.",
                       public=False),
            ChangeTags(ref=ticket.ref, key="breach:tag", add=("sla_breached",)),
            SetStatus(ref=ticket.ref, key="breach:status", status=Status.OPEN))


@pytest.fixture
def ticket(testdesk) -> Ticket:  # type: ignore[no-untyped-def]
    opened = new_ticket("5", START, plan="gold", customer_severity="2", status=Status.NEW)
    testdesk.db.put_ticket(opened)
    return opened


@pytest.fixture
def applier(runtime: Runtime) -> Applier:
    return Applier(runtime.store, runtime.metrics, runtime.settings.retry, sleep=lambda _s: None)


def apply_calls(testdesk) -> list[int]:  # type: ignore[no-untyped-def]
    return [status for op, status, _at in testdesk.db.calls() if op == "apply"]


def test_a_reconciles_writes_go_in_one_update_and_each_is_in_the_ledger(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket, applier: Applier) -> None:
    results = applier.apply_all(runtime.platforms["testdesk"], ticket, breach_actions(ticket))
    assert [(r.action.key, r.outcome) for r in results] == [
        ("breach:note", "applied"), ("breach:tag", "applied"), ("breach:status", "applied")]
    assert apply_calls(testdesk) == [200]  # one vendor update for the three
    assert {a["kind"] for a in testdesk.db.applied("5")} == {"add_comment", "change_tags",
                                                            "set_status"}
    assert {e.status for e in runtime.store.ledger(ticket.ref)} == {"applied"}
    assert len(runtime.store.ledger(ticket.ref)) == 3
    # Settled: the same actions against the ticket as it is now write nothing.
    after = testdesk.db.ticket("5")
    again = applier.apply_all(runtime.platforms["testdesk"], after, breach_actions(ticket))
    assert {r.outcome for r in again} == {"already"}
    assert apply_calls(testdesk) == [200]


def test_without_batching_each_action_is_its_own_call(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket, applier: Applier) -> None:
    one_by_one = Testdesk(TestdeskSettings(db=testdesk.db.path, batch=False), runtime.clock)
    applier.apply_all(one_by_one, ticket, breach_actions(ticket))
    assert apply_calls(testdesk) == [200, 200, 200]


def test_a_refused_batch_is_written_action_by_action(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket, applier: Applier) -> None:
    testdesk.db.inject_faults(1, status=422, op="apply")  # not retryable
    results = applier.apply_all(runtime.platforms["testdesk"], ticket, breach_actions(ticket))
    assert [r.outcome for r in results] == ["applied", "applied", "applied"]
    assert apply_calls(testdesk) == [422, 200, 200, 200]
    assert runtime.store.dead_letters() == []


def test_a_batch_that_landed_before_the_connection_dropped_is_not_written_twice(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket, applier: Applier) -> None:
    testdesk.db.inject("drop_after", op="apply")  # the update lands, the answer is lost
    results = applier.apply_all(runtime.platforms["testdesk"], ticket, breach_actions(ticket))
    assert [r.outcome for r in results] == ["applied", "applied", "applied"]
    notes = [a for a in testdesk.db.applied("5") if a["kind"] == "add_comment"]
    assert len(notes) == 1


def test_exhausted_retries_dead_letter_each_action_of_the_batch(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket, applier: Applier) -> None:
    testdesk.db.inject_faults(20, status=503, op="apply")
    results = applier.apply_all(runtime.platforms["testdesk"], ticket, breach_actions(ticket))
    assert [r.outcome for r in results] == ["dead", "dead", "dead"]
    letters = runtime.store.dead_letters()
    assert sorted(d.key.split(":")[2] for d in letters) == ["add_comment", "change_tags",
                                                           "set_status"]
    assert {d.attempts for d in letters} == {6}  # six tries of the one update
    assert apply_calls(testdesk) == [503] * 6
    assert testdesk.db.applied("5") == []


def test_a_follow_up_is_not_batched_and_the_writes_before_it_land_first(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket, applier: Applier) -> None:
    follow_up = CreateFollowUp(ref=ticket.ref, key="follow_up:c9", subject="Again",
                               body="It broke again")
    note, tag, status = breach_actions(ticket)
    applier.apply_all(runtime.platforms["testdesk"], ticket, (note, tag, follow_up, status))
    assert [a["kind"] for a in testdesk.db.applied()] == [
        "add_comment", "change_tags", "create_follow_up", "set_status"]
    assert apply_calls(testdesk) == [200, 200, 200]  # the pair, the follow-up, the status


def test_a_closed_ticket_refuses_the_whole_batch_and_its_follow_up_still_opens(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, applier: Applier) -> None:
    closed = new_ticket("6", START, plan="gold", customer_severity="2", status=Status.CLOSED)
    testdesk.db.put_ticket(closed)
    note, tag, _status = breach_actions(closed)
    follow_up = CreateFollowUp(ref=closed.ref, key="follow_up:c1", subject="Again",
                               body="It broke again")
    later = AddComment(ref=closed.ref, key="later", body="Not tried.", public=False)
    results = applier.apply_all(runtime.platforms["testdesk"], closed,
                                (note, tag, follow_up, later))
    assert [(r.action.key, r.outcome) for r in results] == [
        ("breach:note", "closed"), ("breach:tag", "closed"), ("follow_up:c1", "applied")]


def test_a_reply_is_not_sent_when_the_changes_it_announces_are_refused(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket, applier: Applier) -> None:
    announce = AddComment(ref=ticket.ref, key="solved:notice", public=True,
                          body="We are marking this ticket solved.")
    solve = SetStatus(ref=ticket.ref, key="solve", status=Status.SOLVED)
    testdesk.db.inject_faults(2, status=422, op="apply")  # the batch, then the status alone
    results = applier.apply_all(runtime.platforms["testdesk"], ticket, (announce, solve))
    assert [r.outcome for r in results] == ["dead", "dead"]
    assert apply_calls(testdesk) == [422, 422]  # the reply was never sent
    assert testdesk.db.applied("5") == []
    [held] = [d for d in runtime.store.dead_letters() if "add_comment" in d.key]
    assert held.error == ("held back: the changes this reply announces were not written "
                          "(status solved: VendorError: testdesk answered 422 (status 422, "
                          "after 1 attempts))")


def test_a_reply_goes_out_when_what_it_announces_landed_one_by_one(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket, applier: Applier) -> None:
    announce = AddComment(ref=ticket.ref, key="solved:notice", public=True,
                          body="We are marking this ticket solved.")
    solve = SetStatus(ref=ticket.ref, key="solve", status=Status.SOLVED)
    testdesk.db.inject_faults(1, status=422, op="apply")  # only the batch is refused
    results = applier.apply_all(runtime.platforms["testdesk"], ticket, (announce, solve))
    assert [r.outcome for r in results] == ["applied", "applied"]
    assert [a["kind"] for a in testdesk.db.applied("5")] == ["set_status", "add_comment"]


def test_each_write_is_one_info_line_saying_where_what_why_and_its_key(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, ticket: Ticket, applier: Applier,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sla_bridge.worker")
    note = AddComment(ref=ticket.ref, key="breach:note", body="Customer-visible words.",
                      public=False, reason="SLA breach: the first response was due 15:00")
    tag = ChangeTags(ref=ticket.ref, key="breach:tag", add=("sla_breached",))
    applier.apply_all(runtime.platforms["testdesk"], ticket, (note, tag))
    wrote = [r for r in caplog.records if r.getMessage().startswith("wrote ")]
    assert [r.getMessage() for r in wrote] == [
        "wrote add_comment on testdesk 5: SLA breach: the first response was due 15:00 "
        f"[key {ledger_key(note)}]",
        f"wrote change_tags on testdesk 5: {tag.describe()} [key {ledger_key(tag)}]"]
    assert all(r.levelno == logging.INFO for r in wrote)
    assert not any("Customer-visible words" in r.getMessage() for r in caplog.records)
