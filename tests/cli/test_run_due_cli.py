"""``sla-bridge run-due --as-of``: what fires by then, and processing it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
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
    first = run_cli("run-due", "--as-of", "2026-11-25T16:00:00-06:00", env=env)
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

    fired = run_cli("run-due", "--as-of", "2026-11-30T12:00:00-06:00", env=env)
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
