"""``GET /v1/backlog`` over real HTTP: the waiting work per platform and urgency class, how
long the oldest has waited, the order rule; behind the admin token; in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime, timedelta

from server_helpers import StartBridge

from sla_bridge.clock import FixedClock
from sla_bridge.store import TimerSpec
from sla_bridge.tickets import TicketRef
from sla_bridge.urgency import OLDEST_TURN_EVERY, Urgency

TOKEN = "backlog-admin-token-7d41"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")


def test_the_backlog_counts_waiting_work_by_platform_and_class(
        start_bridge: StartBridge) -> None:
    clock = FixedClock(START)
    bridge = start_bridge(admin_token=TOKEN, clock=clock)  # no workers: the work waits
    assert bridge.webhook("1", event="created").status_code == 200
    assert bridge.webhook("2", event="commented").status_code == 200
    assert bridge.webhook("3", event="updated", by_bridge=True).status_code == 200
    store = bridge.store
    store.schedule(TicketRef(platform="testdesk", ticket_id="4"), [TimerSpec(
        "auto_close:solved", START - timedelta(minutes=35), {},
        Urgency.HOUSEKEEPING)])
    store.fire_due("timers")
    clock.advance(timedelta(minutes=2))

    response = bridge.client.get("/v1/backlog", headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    rows = {(r["platform"], r["name"]): r for r in body["rows"]}
    assert {name: row["waiting"] for (_, name), row in rows.items()} == {
        "first_response": 2, "housekeeping": 1, "echo": 1}
    assert [r["urgency"] for r in body["rows"]] == [1, 4, 5]  # most urgent first
    assert body["waiting"] == 4
    assert rows[("testdesk", "first_response")]["oldest_wait_seconds"] == 120
    assert rows[("testdesk", "housekeeping")]["oldest_wait_seconds"] == 37 * 60
    assert body["oldest_turn_every"] == OLDEST_TURN_EVERY
    assert f"one claim in {OLDEST_TURN_EVERY}" in body["order"]
    assert [c["name"] for c in body["classes"]] == [
        "critical", "first_response", "next_update", "routine", "housekeeping", "echo"]


def test_the_backlog_is_empty_and_needs_the_token(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    assert bridge.client.get("/v1/backlog").status_code == 401
    body = bridge.client.get("/v1/backlog", headers=AUTH).json()
    assert (body["waiting"], body["rows"]) == (0, [])
    spec = bridge.client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/backlog"]["get"]
    assert operation["security"] == [{"HTTPBearer": []}]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/WorkBacklog"}
