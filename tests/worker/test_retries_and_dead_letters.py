"""Vendor calls: Retry-After honoured, bounded retries, then a dead letter an admin can replay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from click.testing import Result
from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.runtime import Runtime
from sla_bridge.worker import Applier, Reconciler, reconcile_next

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
RunCli = Callable[..., Result]


class RecordingSleep:
    """Stands in for time.sleep: records each wait and moves the bridge's clock by it."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(timedelta(seconds=seconds))


@pytest.fixture
def sleep(clock: FixedClock) -> RecordingSleep:
    return RecordingSleep(clock)


def reconcile_with(runtime: Runtime, sleep: RecordingSleep) -> None:
    applier = Applier(runtime.store, runtime.metrics, runtime.settings.retry, sleep=sleep)
    assert reconcile_next(runtime, Reconciler(runtime, applier), "test") is not None


def open_ticket(testdesk, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket("1", START, plan="gold", customer_severity="2")
    testdesk.db.put_ticket(ticket)
    runtime.store.accept([InboundEvent(ref=ticket.ref, delivery_id="created")])


def test_retry_after_is_honoured_then_the_action_applies_once(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, sleep: RecordingSleep) -> None:
    open_ticket(testdesk, runtime)
    testdesk.db.inject_faults(2, status=429, retry_after=7)
    reconcile_with(runtime, sleep)
    # The fetch met both 429s: it waited exactly Retry-After each time, then succeeded.
    assert sleep.waits == [7, 7]
    assert [c[:2] for c in testdesk.db.calls()] == [("fetch", 429), ("fetch", 429),
                                                   ("fetch", 200), ("apply", 200)]
    assert len(testdesk.db.applied("1")) == 1
    assert runtime.metrics.vendor_retries.labels("testdesk")._value.get() == 2


def test_server_errors_back_off_exponentially_with_jitter(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, sleep: RecordingSleep) -> None:
    open_ticket(testdesk, runtime)
    testdesk.db.inject_faults(1, status=503)  # the fetch
    reconcile_with(runtime, sleep)
    assert len(sleep.waits) == 1
    assert 1.0 <= sleep.waits[0] <= 2.0  # initial 1 s plus up to 1 s of jitter


def test_exhausted_retries_dead_letter_then_replay(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, sleep: RecordingSleep, run_cli: RunCli) -> None:
    open_ticket(testdesk, runtime)
    reconcile_with(runtime, sleep)  # the due-time field is written
    testdesk.db.inject_faults(6, status=502, op="apply")  # every try of the breach update fails
    runtime.clock.set(START + timedelta(days=5))  # type: ignore[attr-defined]
    runtime.store.fire_due("test")
    reconcile_with(runtime, sleep)
    # The breach note and its tag go in one update: six tries of it, then each of its two
    # actions is a dead letter of its own.
    letters = {letter.key.split(":")[2]: letter for letter in runtime.store.dead_letters()}
    assert sorted(letters) == ["add_comment", "change_tags"]
    letter = letters["add_comment"]
    assert letter.attempts == 6
    assert "status 502" in letter.error
    assert len(sleep.waits) == 5
    assert [a["kind"] for a in testdesk.db.applied("1")] == ["set_fields"]

    listed = run_cli("dead-letters", "list")
    assert listed.exit_code == 0, listed.output
    assert "add_comment" in listed.stdout
    shown = run_cli("dead-letters", "show", str(letter.id))
    assert '"kind": "add_comment"' in shown.stdout
    assert "SLA breach" in shown.stdout

    # A later reconciliation puts the tag right (what a ticket shows is compared again), but
    # the breach note is not retried: it waits for the admin.
    runtime.store.accept([InboundEvent(ref=letter.ref, delivery_id="later")])
    reconcile_with(runtime, sleep)
    assert [a["kind"] for a in testdesk.db.applied("1")] == ["set_fields", "change_tags"]

    replayed = run_cli("dead-letters", "replay", str(letter.id))
    assert replayed.exit_code == 0, replayed.output
    assert [a["kind"] for a in testdesk.db.applied("1")] == ["set_fields", "change_tags",
                                                             "add_comment"]
    assert [d.key for d in runtime.store.dead_letters()] == [letters["change_tags"].key]
    again = run_cli("dead-letters", "replay", str(letter.id))
    assert again.exit_code == 1
    assert f"no open dead letter {letter.id}" in again.output


def test_retry_budget_stops_before_a_long_retry_after(  # type: ignore[no-untyped-def]
        testdesk, runtime: Runtime, sleep: RecordingSleep) -> None:
    open_ticket(testdesk, runtime)
    testdesk.db.inject_faults(1, status=429, retry_after=3600)  # longer than the 300 s budget
    reconcile_with(runtime, sleep)
    assert sleep.waits == []  # it gave up at once instead of sleeping an hour
    assert testdesk.db.applied("1") == []
    # The ticket goes back to the queue, to be tried again in 5 s.
    assert runtime.store.claim("other", timedelta(seconds=30)) is None
    runtime.clock.advance(timedelta(seconds=5))  # type: ignore[attr-defined]
    reconcile_with(runtime, sleep)
    assert len(testdesk.db.applied("1")) == 1


def test_discard(testdesk, runtime: Runtime, run_cli: RunCli) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket("1", START)
    letter_id = runtime.store.dead_letter("testdesk:1:add_comment:x", ticket.ref,
                                          '{"kind": "add_comment"}', "boom", 3)
    result = run_cli("dead-letters", "discard", str(letter_id))
    assert result.exit_code == 0
    assert run_cli("dead-letters", "list").stdout == "no open dead letters\n"
