"""A small story for the dashboard's tests: on a testdesk bridge at Wed 25 Nov 2026 16:00
US Central (code42-enterprise, gold plan, Sev 1 = 1 hour round the clock, warned at 75 %),
one ticket breached, one at risk, one on track and one answered in time. The testdesk's agent
pages are at :data:`AGENT_URL`: the dashboard links each ticket there."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from server_helpers import Bridge, StartBridge, wait_for
from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock
from sla_bridge.tickets import Comment

TOKEN = "admin-token-for-dashboard-tests-7d1e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOW = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
BREACHED, AT_RISK, ON_TRACK, ANSWERED = "B-1", "R-1", "N-1", "M-1"
AGENT_URL = "https://desk.example.test/agent"


def run_story(start_bridge: StartBridge, testdesk: Any, monkeypatch: pytest.MonkeyPatch,
              **settings: Any) -> Bridge:
    """Put the four tickets in the testdesk, serve the bridge (with ``settings``) and wait
    until it reconciled each; return the bridge (admin token :data:`TOKEN`, clock fixed at
    :data:`NOW`, the testdesk's agent pages at :data:`AGENT_URL`)."""
    monkeypatch.setenv("SLA_BRIDGE_TESTDESK__AGENT_URL", AGENT_URL)
    answered_at = NOW - timedelta(hours=2, minutes=30)
    tickets = [
        new_ticket(BREACHED, NOW - timedelta(hours=2), plan="gold", customer_severity="1"),
        new_ticket(AT_RISK, NOW - timedelta(minutes=50), plan="gold", customer_severity="1"),
        new_ticket(ON_TRACK, NOW, plan="gold", customer_severity="2"),
        new_ticket(ANSWERED, NOW - timedelta(hours=3), plan="gold", customer_severity="1",
                   status="open", comments=[Comment(
                       id="c1", author_role="agent", public=True, body="Looking at it.",
                       created_at=answered_at)]),
    ]
    for ticket in tickets:
        testdesk.db.put_ticket(ticket)
    bridge = start_bridge(admin_token=TOKEN, run_workers=True, clock=FixedClock(NOW),
                          **settings)
    for ticket in tickets:
        ticket_id = ticket.ref.ticket_id
        assert bridge.webhook(ticket_id, f"created-{ticket_id}", event="created"
                              ).status_code == 200

    def all_reconciled() -> bool:
        for ticket in tickets:
            response = bridge.client.get(f"/v1/tickets/testdesk/{ticket.ref.ticket_id}",
                                         headers=AUTH)
            if response.status_code != 200 or not response.json()["clocks"]:
                return False
        return True

    wait_for(all_reconciled, what="the worker to reconcile the story's four tickets")
    return bridge
