"""Compliance counts every next-update period of a ticket, not only its latest clock: over
real HTTP, a Premier High ticket (OwnBackup policy: first response 1 calendar hour, each
next update 2) answered four times has four next-update periods, each counted once, however
often the bridge looks at it again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dashboard_story import AUTH, TOKEN
from server_helpers import Bridge, StartBridge, wait_for
from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock
from sla_bridge.tickets import Comment

OPENED = datetime.fromisoformat("2026-11-24T08:00:00+00:00")  # a Tuesday, ISO week 48
NOW = OPENED + timedelta(hours=9)
TICKET = "U-1"
WEEK = {"from": "2026-11-23T00:00:00Z", "to": "2026-11-30T00:00:00Z"}


def _reply(minutes: int) -> Comment:
    return Comment(id=f"r{minutes}", author_role="agent", public=True, body="An update.",
                   created_at=OPENED + timedelta(minutes=minutes))


def _counts(bridge: Bridge) -> dict[str, tuple[int, int]]:
    response = bridge.client.get("/v1/compliance", params=WEEK, headers=AUTH)
    assert response.status_code == 200, response.text
    return {row["metric"]: (row["met"], row["breached"]) for row in response.json()["rows"]}


def _look_again(bridge: Bridge, delivery: str) -> None:
    """Send a webhook for the ticket and wait until the worker reconciled it."""
    assert bridge.webhook(TICKET, delivery).status_code == 200

    def reconciled() -> bool:
        view = bridge.client.get(f"/v1/tickets/testdesk/{TICKET}", headers=AUTH).json()
        return bool(view.get("clocks")) and not view["pending_events"]

    wait_for(reconciled, what=f"the worker to reconcile {TICKET} after {delivery}")


def test_every_next_update_period_counts_once(start_bridge: StartBridge, testdesk: Any) -> None:
    # First response at 08:30 (met). Next updates: 08:30 -> 10:00 met, 10:00 -> 13:00 late
    # (due 12:00), 13:00 -> 14:00 met, and the one from 14:00 was due 16:00: breached at 17:00.
    replies = [_reply(30), _reply(120), _reply(300), _reply(360)]
    testdesk.db.put_ticket(new_ticket(TICKET, OPENED, plan="premier", customer_severity="High",
                                      status="open", comments=tuple(replies)))
    bridge = start_bridge(admin_token=TOKEN, run_workers=True, clock=FixedClock(NOW),
                          policies=["ownbackup"])
    _look_again(bridge, "created")
    expected = {"first_response": (1, 0), "next_update": (2, 2)}
    assert _counts(bridge) == expected

    # Looking again at the same ticket counts nothing twice.
    _look_again(bridge, "again-1")
    _look_again(bridge, "again-2")
    assert _counts(bridge) == expected

    # The late answer at 16:30 ends the breached period (still one breach) and starts a
    # period that is not decided yet.
    ticket = testdesk.db.ticket(TICKET)
    testdesk.db.put_ticket(ticket.model_copy(update={
        "comments": (*ticket.comments, _reply(510))}), author="agent")
    _look_again(bridge, "late-answer")
    view = bridge.client.get(f"/v1/tickets/testdesk/{TICKET}", headers=AUTH).json()
    [current] = [c for c in view["clocks"] if c["metric"] == "next_update"]
    assert current["started_at"] == "2026-11-24T16:30:00Z"
    assert _counts(bridge) == expected
