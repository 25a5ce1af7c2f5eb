"""``sla-bridge run-due --as-of``: what fires by then, and processing it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.store import Store

RunCli = Callable[..., Result]
POLICIES = Path(__file__).parents[1] / "worker" / "policies"
OPENED = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
# The command's clock in these tests: after every --as-of they give, unless they say otherwise.
LATER = datetime.fromisoformat("2026-12-02T09:00:00-06:00")


@pytest.fixture
def env(testdesk) -> dict[str, str]:  # type: ignore[no-untyped-def]
    ticket = new_ticket("1", OPENED, plan="gold", customer_severity="2")
    testdesk.db.put_ticket(ticket)
    store = Store(testdesk.database_url, FixedClock(OPENED))
    store.upgrade()
    store.accept([InboundEvent(ref=ticket.ref, delivery_id="created")])
    store.close()
    return {"SLA_BRIDGE_POLICY_DIRS": str(POLICIES), "SLA_BRIDGE_POLICIES": "runtime-test"}


def test_run_due_processes_the_inbox_then_the_timers_by_the_instant(  # type: ignore[no-untyped-def]
        run_cli: RunCli, env: dict[str, str], testdesk) -> None:
    first = run_cli("run-due", "--as-of", "2026-11-25T16:00:00-06:00", env=env, now=LATER)
    assert first.exit_code == 0, first.output
    assert "reconciled testdesk:1: done, 1 action(s) written" in first.stdout
    assert first.stdout.splitlines()[-1] == ("0 timer(s) fired, 1 ticket(s) reconciled as of "
                                             "2026-11-25T16:00:00-06:00")

    listed = run_cli("run-due", "--as-of", "2026-11-30T12:00:00-06:00", "--dry-run", env=env)
    assert listed.exit_code == 0, listed.output
    rows = [line.split() for line in listed.stdout.splitlines()[2:]]
    assert rows == [["2026-11-30T16:00:00+00:00", "testdesk:1", "first_response:warning"],
                    ["2026-11-30T17:00:00+00:00", "testdesk:1", "first_response:breach"]]
    assert len(testdesk.db.applied("1")) == 1  # a dry run writes nothing

    fired = run_cli("run-due", "--as-of", "2026-11-30T12:00:00-06:00", env=env, now=LATER)
    assert fired.exit_code == 0, fired.output
    assert "fired     2026-11-30T16:00:00+00:00  testdesk:1  first_response:warning" in fired.stdout
    assert "fired     2026-11-30T17:00:00+00:00  testdesk:1  first_response:breach" in fired.stdout
    kinds = [entry["kind"] for entry in testdesk.db.applied("1")]
    assert kinds == ["set_fields", "add_comment", "change_tags"]  # the breach note and tag

    nothing = run_cli("run-due", "--as-of", "2026-12-01T12:00:00-06:00", "--dry-run", env=env)
    assert nothing.stdout == "nothing is due by 2026-12-01T12:00:00-06:00\n"


def test_run_due_needs_an_exact_instant(run_cli: RunCli) -> None:
    result = run_cli("run-due", "--as-of", "2026-11-30T12:00")
    assert result.exit_code == 2
    assert "has no UTC offset" in result.stderr


def test_an_as_of_after_now_is_refused_saying_how_to_preview_or_force(  # type: ignore[no-untyped-def]
        run_cli: RunCli, env: dict[str, str], testdesk) -> None:
    now = datetime.fromisoformat("2026-11-30T08:00:00-06:00")
    assert run_cli("run-due", "--as-of", OPENED.isoformat(), env=env, now=now).exit_code == 0
    refused = run_cli("run-due", "--as-of", "2026-11-30T12:00:00-06:00", env=env, now=now)
    assert refused.exit_code == 2, refused.output
    message = " ".join(refused.stderr.split())
    assert ("--as-of 2026-11-30T12:00:00-06:00 is 4 h after now (2026-11-30T14:00:00+00:00)"
            in message)
    assert "would fire every timer due by then" in message
    assert "write its warnings, breaches and closes to the tickets now, 4 h early" in message
    assert "Preview them with --dry-run; add --force to really act" in message
    assert len(testdesk.db.applied("1")) == 1  # the opening's write only: nothing fired

    listed = run_cli("run-due", "--as-of", "2026-11-30T12:00:00-06:00", "--dry-run", env=env,
                     now=now)
    assert listed.exit_code == 0, listed.output  # a preview of the future is always allowed
    assert "first_response:breach" in listed.stdout
    assert len(testdesk.db.applied("1")) == 1

    forced = run_cli("run-due", "--as-of", "2026-11-30T12:00:00-06:00", "--force", env=env,
                     now=now)
    assert forced.exit_code == 0, forced.output
    assert "fired     2026-11-30T17:00:00+00:00  testdesk:1  first_response:breach" in forced.stdout
    assert [e["kind"] for e in testdesk.db.applied("1")][-1] == "change_tags"


def test_an_as_of_a_few_seconds_ahead_runs_as_a_clock_a_little_fast_would(  # type: ignore[no-untyped-def]
        run_cli: RunCli, env: dict[str, str], testdesk) -> None:
    now = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
    ahead = run_cli("run-due", "--as-of", (now + timedelta(seconds=5)).isoformat(), env=env,
                    now=now)
    assert ahead.exit_code == 0, ahead.output
    assert "reconciled testdesk:1: done, 1 action(s) written" in ahead.stdout

    too_far = run_cli("run-due", "--as-of", (now + timedelta(seconds=30)).isoformat(), env=env,
                      now=now)
    assert too_far.exit_code == 2
    assert "is 30 s after now" in too_far.stderr

    next_week = run_cli("run-due", "--as-of", (now + timedelta(days=7, hours=3)).isoformat(),
                        env=env, now=now)
    assert next_week.exit_code == 2
    assert "is 7 days 3 h after now" in next_week.stderr
