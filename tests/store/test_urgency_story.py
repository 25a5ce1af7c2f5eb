"""A story through the real worker pool on the testdesk: a solved ticket's auto-close falls
due first, a Severity 1 ticket's first response breaches a little later, and the vendor
answers one call with 429 and Retry-After. With one write at a time (one worker thread),
the Severity 1 breach note lands before the auto-close."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import InboundEvent
from sla_bridge.runtime import Runtime
from sla_bridge.settings import load_settings
from sla_bridge.tickets import Comment, Status, TicketRef
from sla_bridge.worker import WorkerPool, drain

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
POLICY = """
id = "urgency-story"
title = "Two severities, round-the-clock targets and an auto-close"
default_schedule = "always"
default_location = "usa"

[locations.usa]
timezone = "America/Chicago"

[schedules.always]
hours = "24x7"
timezone = "UTC"

[[severities]]
id = "1"
label = "Critical"
definition = "Production down."

[[severities]]
id = "2"
label = "High"
definition = "Severe loss of service."

[plans.gold]
label = "Gold"
first_response = { "1" = "1 calendar hour", "2" = "8 calendar hours" }

[auto_close]
solved_to_closed_after = "1 calendar hour"

[intake]
required = []

[escalation]
enabled = false

[classification]
recategorise = "never"

[applies_to]
plans = ["gold"]
"""


@pytest.fixture
def runtime(testdesk: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[Runtime]:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "urgency-story.toml").write_text(POLICY)
    monkeypatch.setenv("SLA_BRIDGE_POLICY_DIRS", str(folder))
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", "urgency-story")
    monkeypatch.setenv("SLA_BRIDGE_RETRY__INITIAL_SECONDS", "0.05")
    built = Runtime.build(load_settings(), FixedClock(START))
    built.store.upgrade()
    yield built
    built.close()


def _look(runtime: Runtime, *ticket_ids: str) -> None:
    runtime.store.accept([InboundEvent(ref=TicketRef(platform="testdesk", ticket_id=t),
                                       delivery_id=f"look-{t}", event_type="ticket.updated")
                          for t in ticket_ids])
    drain(runtime)


def test_the_severity_1_breach_note_lands_before_an_earlier_auto_close(
        runtime: Runtime, testdesk: Any) -> None:
    answered = Comment(id="c1", author_role="agent", public=True, body="Fixed, closing.",
                       created_at=START - timedelta(minutes=21), author_id="agent-1")
    # Solved 20 minutes before the story starts: closes at 16:40.
    testdesk.db.put_ticket(new_ticket(
        "closing", START - timedelta(hours=2), plan="gold", customer_severity="2",
        status=Status.SOLVED, assignee_id="agent-1", comments=(answered,),
        updated_at=START - timedelta(minutes=20)))
    # Severity 1, unanswered since 16:00: warned at 16:45, breached at 17:00.
    testdesk.db.put_ticket(new_ticket("sev1", START, plan="gold", customer_severity="1"))
    _look(runtime, "closing", "sev1")
    due = {t.ref.ticket_id + " " + t.kind: t.due_at for t in runtime.store.timers()}
    assert due["closing auto_close:solved"] < due["sev1 first_response:warning"]
    before = len(testdesk.db.applied())

    # 17:05: both are due (the auto-close for 25 minutes, the breach for 5), the pool starts.
    assert isinstance(runtime.clock, FixedClock)
    runtime.clock.set(START + timedelta(minutes=65))
    testdesk.db.inject_faults(1, status=429, retry_after=0.2)
    pool = WorkerPool(runtime, threads=1)
    pool.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
                testdesk.db.ticket("closing").status != Status.CLOSED):
            time.sleep(0.05)
    finally:
        pool.stop()

    written = testdesk.db.applied()[before:]
    order = [(a["ticket_id"], a["key"]) for a in written]
    breach = next(n for n, (ticket, key) in enumerate(order)
                  if ticket == "sev1" and ":breach:" in key)
    close = next(n for n, (ticket, key) in enumerate(order)
                 if ticket == "closing" and ":auto_close:" in key)
    assert breach < close, order
    assert testdesk.db.faults_hit() == ["429"]
