"""The admin API over real HTTP: bearer token, disabled without one, the ticket view after
the worker reconciled a webhook, the timers listing, and the OpenAPI description."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from server_helpers import StartBridge, wait_for
from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock
from sla_bridge.store import TimerSpec
from sla_bridge.tickets import TicketRef

TOKEN = "admin-token-for-tests-5f2c9a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")


def test_admin_routes_are_404_with_a_hint_when_no_token_is_set(
        start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    for path in ("/v1/timers", "/v1/tickets/testdesk/1"):
        response = bridge.client.get(path, headers=AUTH)
        assert response.status_code == 404
        assert "SLA_BRIDGE_ADMIN_TOKEN" in response.json()["message"]


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": TOKEN},
], ids=["missing", "wrong", "longer", "not-bearer", "no-scheme"])
def test_missing_or_wrong_token_is_401_with_www_authenticate(
        start_bridge: StartBridge, headers: dict[str, str]) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    response = bridge.client.get("/v1/timers", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert TOKEN not in response.text


def test_ticket_view_after_the_worker_reconciled_a_webhook(
        start_bridge: StartBridge, testdesk: Any) -> None:
    ticket = new_ticket("42", START, plan="gold", customer_severity="2")
    testdesk.db.put_ticket(ticket)
    bridge = start_bridge(admin_token=TOKEN, run_workers=True, clock=FixedClock(START))
    assert bridge.webhook("42", "created-42", event="created").status_code == 200

    def reconciled() -> dict[str, Any] | None:
        response = bridge.client.get("/v1/tickets/testdesk/42", headers=AUTH)
        view: dict[str, Any] = response.json()
        done = response.status_code == 200 and view["clocks"] and view["timers"]
        return view if done else None

    view = wait_for(reconciled, what="the worker to reconcile ticket 42")
    assert (view["platform"], view["ticket_id"]) == ("testdesk", "42")
    assert view["policy"] == "code42-enterprise"
    assert (view["plan"], view["customer_severity"]) == ("gold", "2")
    clock = view["clocks"][0]
    assert clock["metric"] == "first_response"
    assert clock["due_at"] == "2026-11-30T17:00:00Z"  # Mon 11:00 CST, Thanksgiving skipped
    assert (clock["paused"], clock["breached"], clock["met_at"]) == (False, False, None)
    assert clock["used_seconds"] == 0
    assert [(t["kind"], t["due_at"]) for t in view["timers"]] == [
        ("first_response:warning", "2026-11-30T16:00:00Z"),
        ("first_response:breach", "2026-11-30T17:00:00Z"),
    ]
    kinds = [d["kind"] for d in view["decisions"]]
    assert "policy.selected" in kinds
    assert all(d["summary"] for d in view["decisions"])
    set_fields = [e for e in view["ledger"] if e["kind"] == "set_fields"]
    assert [e["status"] for e in set_fields] == ["applied"]
    assert set_fields[0]["action"]["fields"]["sla_first_response_due"] == \
        "2026-11-30T11:00:00-06:00"


def test_ticket_the_bridge_never_saw_is_404(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    response = bridge.client.get("/v1/tickets/testdesk/nope", headers=AUTH)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_ticket_id_no_store_keeps_is_404_not_500(start_bridge: StartBridge, database: str,
                                                   request: pytest.FixtureRequest) -> None:
    url = None if database == "sqlite" else str(request.getfixturevalue("pg_url"))
    bridge = start_bridge(admin_token=TOKEN, database_url=url)
    for path in ("/v1/tickets/testdesk/1%00", f"/v1/tickets/testdesk/{'9' * 300}"):
        response = bridge.client.get(path, headers=AUTH)
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"


def test_ticket_view_shows_accepted_webhooks_not_reconciled_yet(
        start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)  # no workers: the webhook waits in the inbox
    assert bridge.webhook("T-9", "delivery-9").status_code == 200
    response = bridge.client.get("/v1/tickets/testdesk/T-9", headers=AUTH)
    assert response.status_code == 200
    view = response.json()
    assert view["policy"] is None
    assert [(e["delivery_id"], e["by_bridge"]) for e in view["pending_events"]] == [
        ("delivery-9", False)]


def test_timers_due_before_filters_and_orders(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    base = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)  # Fri 17:00 CST
    for number, hours in (("1", 3), ("2", -2), ("3", 0), ("4", 48)):
        bridge.store.schedule(TicketRef(platform="testdesk", ticket_id=number),
                              [TimerSpec("first_response:breach", base + timedelta(hours=hours),
                                         {"metric": "first_response"})])

    def due(params: dict[str, str | int]) -> list[tuple[str, str]]:
        response = bridge.client.get("/v1/timers", params=params, headers=AUTH)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["count"] == len(body["timers"])
        return [(t["ticket_id"], t["due_at"]) for t in body["timers"]]

    # Fri 17:00 in Chicago, written with its own offset: the due instant itself is included.
    assert due({"due_before": "2026-11-27T17:00:00-06:00"}) == [
        ("2", "2026-11-27T21:00:00Z"), ("3", "2026-11-27T23:00:00Z")]
    assert due({"due_before": "2026-11-29T12:00:00Z"}) == [
        ("2", "2026-11-27T21:00:00Z"), ("3", "2026-11-27T23:00:00Z"),
        ("1", "2026-11-28T02:00:00Z")]
    assert [t for t, _ in due({})] == ["2", "3", "1", "4"]
    assert [t for t, _ in due({"limit": 2})] == ["2", "3"]


@pytest.mark.parametrize(("value", "words"), [
    ("2026-11-27T17:00:00", "no UTC offset"),
    ("next friday", "not an ISO 8601"),
    ("9999-12-31T23:59:59-23:59", "out of range"),
])
def test_timers_due_before_must_be_an_exact_instant(start_bridge: StartBridge, value: str,
                                                    words: str) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    response = bridge.client.get("/v1/timers", params={"due_before": value}, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert words in response.json()["message"]


def test_an_unencoded_plus_offset_is_read_as_the_offset(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    # curl 'http://.../v1/timers?due_before=2026-11-27T17:00:00+01:00' sends a literal '+'.
    url = httpx.URL(f"{bridge.url}/v1/timers?due_before=2026-11-27T17:00:00+01:00")
    response = bridge.client.get(url, headers=AUTH)
    assert response.status_code == 200
    assert response.json()["due_before"] == "2026-11-27T17:00:00+01:00"


def test_openapi_describes_the_admin_api(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    spec = bridge.client.get("/openapi.json").json()
    assert {"/v1/tickets/{platform}/{ticket_id}", "/v1/timers", "/webhooks/{platform}",
            "/healthz", "/readyz", "/metrics"} <= set(spec["paths"])
    ticket = spec["paths"]["/v1/tickets/{platform}/{ticket_id}"]["get"]
    assert ticket["security"] == [{"HTTPBearer": []}]
    assert ticket["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TicketView"}
    clock_fields = spec["components"]["schemas"]["ClockView"]["properties"]
    assert {"metric", "target", "due_at", "used_seconds", "paused", "breached", "warned",
            "met_at"} <= set(clock_fields)
    assert bridge.client.get("/docs").status_code == 200
