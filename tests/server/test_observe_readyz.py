"""Observe mode where an operator looks: ``/readyz``, the admin API's ticket view (the
would-be writes, none made) and ``sla-bridge config``; on a real uvicorn."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server_helpers import StartBridge, wait_for
from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock

TOKEN = "admin-token-for-tests-7d41b0"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")


def test_readyz_says_the_bridge_observes(start_bridge: StartBridge) -> None:
    bridge = start_bridge(mode="observe")
    response = bridge.client.get("/readyz")
    assert response.status_code == 200  # observing is no reason not to take traffic
    assert response.json()["checks"]["mode"] == "ok (observe)"


def test_readyz_shows_a_platform_override(start_bridge: StartBridge, monkeypatch: Any) -> None:
    monkeypatch.setenv("SLA_BRIDGE_TESTDESK__MODE", "observe")
    bridge = start_bridge()
    assert bridge.client.get("/readyz").json()["checks"]["mode"] == "ok (observe)"


def test_ticket_view_shows_what_would_be_written_and_nothing_is(
        start_bridge: StartBridge, testdesk: Any) -> None:
    testdesk.db.put_ticket(new_ticket("42", START, plan="gold", customer_severity="2"))
    bridge = start_bridge(admin_token=TOKEN, run_workers=True, clock=FixedClock(START),
                          mode="observe")
    assert bridge.webhook("42", "created-42", event="created").status_code == 200

    def reconciled() -> dict[str, Any] | None:
        response = bridge.client.get("/v1/tickets/testdesk/42", headers=AUTH)
        view: dict[str, Any] = response.json()
        # Timers are stored with the decisions when the reconcile finishes, after the ledger.
        return view if response.status_code == 200 and view["timers"] else None

    view = wait_for(reconciled, what="the worker to reconcile ticket 42")
    ledger = {e["kind"] + ":" + e["action"]["key"]: e for e in view["ledger"]}
    assert {e["status"] for e in ledger.values()} == {"observed"}
    due = ledger["set_fields:sla:first_response:due"]["action"]["fields"]
    assert due == {"sla_first_response_due": "2026-11-30T11:00:00-06:00"}
    assert ledger["add_comment:intake:ask"]["action"]["public"] is True  # a reply, not sent
    observed = {d["details"]["key"] for d in view["decisions"] if d["kind"] == "action.observed"}
    assert observed == {f"testdesk:42:{key}" for key in ledger}
    assert all(d["summary"].startswith("would write (observe mode) ")
               for d in view["decisions"] if d["kind"] == "action.observed")
    page = bridge.client.get("/ui/tickets/testdesk/42", headers=AUTH)
    assert page.status_code == 200
    assert "would write (observe mode) public reply: Thank you for contacting" in page.text
    assert "<td>observed</td>" in page.text
    assert testdesk.db.applied("42") == []
    ticket = testdesk.db.ticket("42")
    assert ticket is not None
    assert "sla_first_response_due" not in ticket.fields
    assert not ticket.comments


def test_config_shows_the_mode_of_the_bridge_and_of_each_platform(run_cli: Any) -> None:
    result = run_cli("config", env={"SLA_BRIDGE_MODE": "observe",
                                    "SLA_BRIDGE_ZENDESK__MODE": "enforce"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "SLA_BRIDGE_MODE=observe" in lines
    assert "SLA_BRIDGE_ZENDESK__MODE=enforce" in lines
    result = run_cli("config", env={"SLA_BRIDGE_ZENDESK__MODE": ""})
    assert "SLA_BRIDGE_ZENDESK__MODE=observe" in result.output.splitlines()
