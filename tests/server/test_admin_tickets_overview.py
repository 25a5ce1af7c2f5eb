"""``GET /v1/tickets`` and ``GET /v1/compliance`` over real HTTP after a story ran on the
testdesk bridge: what is breached, at risk and due soon, and targets met vs breached."""

from __future__ import annotations

from typing import Any

import pytest
from dashboard_story import AGENT_URL, ANSWERED, AT_RISK, AUTH, BREACHED, ON_TRACK, run_story
from server_helpers import Bridge, StartBridge


@pytest.fixture
def story(start_bridge: StartBridge, testdesk: Any,
          monkeypatch: pytest.MonkeyPatch) -> Bridge:
    """The bridge after the dashboard story."""
    return run_story(start_bridge, testdesk, monkeypatch)


def _ids(bridge: Bridge, **params: str) -> list[str]:
    response = bridge.client.get("/v1/tickets", params=params, headers=AUTH)
    assert response.status_code == 200, response.text
    return [c["ticket_id"] for c in response.json()["clocks"]]


def test_breached_lists_the_missed_target_with_its_local_due_instant(story: Bridge) -> None:
    response = story.client.get("/v1/tickets", params={"state": "breached"}, headers=AUTH)
    assert response.status_code == 200
    [clock] = response.json()["clocks"]
    assert (clock["ticket_id"], clock["metric"], clock["health"]) == (
        BREACHED, "first_response", "breached")
    assert clock["due_at"] == "2026-11-25T21:00:00Z"
    assert clock["customer_zone"] == "America/Chicago"
    assert clock["due_local"] == "2026-11-25T15:00:00-06:00"
    # Sev 1 on gold counts round the clock: one hour overdue at 16:00.
    assert clock["business_seconds_left"] == -3600


def test_each_clock_and_the_ticket_view_link_the_ticket_on_its_helpdesk(story: Bridge) -> None:
    response = story.client.get("/v1/tickets", params={"state": "open"}, headers=AUTH)
    links = {c["ticket_id"]: c["ticket_url"] for c in response.json()["clocks"]}
    assert links == {ticket: f"{AGENT_URL}/tickets/{ticket}"
                     for ticket in (BREACHED, AT_RISK, ON_TRACK)}
    view = story.client.get(f"/v1/tickets/testdesk/{ANSWERED}", headers=AUTH).json()
    assert view["ticket_url"] == f"{AGENT_URL}/tickets/{ANSWERED}"


def test_at_risk_is_warned_and_not_yet_breached(story: Bridge) -> None:
    response = story.client.get("/v1/tickets", params={"state": "at_risk"}, headers=AUTH)
    [clock] = response.json()["clocks"]
    assert (clock["ticket_id"], clock["health"], clock["warned"]) == (AT_RISK, "at_risk", True)
    assert clock["business_seconds_left"] == 600


def test_due_before_keeps_unmet_clocks_due_by_then(story: Bridge) -> None:
    assert _ids(story, due_before="2026-11-25T16:30:00-06:00") == [BREACHED, AT_RISK]
    # The Sev 2 ticket is due Monday 11:00 (4 business hours, Thanksgiving skipped).
    assert ON_TRACK in _ids(story, due_before="2026-11-30T11:00:00-06:00")
    assert ANSWERED not in _ids(story, due_before="2027-01-01T00:00:00Z")


def test_filters_by_severity_plan_policy_and_platform(story: Bridge) -> None:
    assert _ids(story, state="open", severity="2") == [ON_TRACK]
    assert _ids(story, state="open", plan="silver") == []
    assert set(_ids(story, state="open", policy="code42-enterprise")) == {
        BREACHED, AT_RISK, ON_TRACK}
    assert _ids(story, state="open", platform="zendesk") == []


def test_compliance_counts_met_and_breached_per_week(story: Bridge) -> None:
    response = story.client.get("/v1/compliance", headers=AUTH, params={
        "from": "2026-11-23T00:00:00Z", "to": "2026-11-30T00:00:00Z"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["from"], report["to"]) == ("2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z")
    rows = report["rows"]
    assert [(r["week"], r["policy"], r["plan"], r["severity"], r["metric"], r["met"],
             r["breached"]) for r in rows] == [
        ("2026-W48", "code42-enterprise", "gold", "1", "first_response", 1, 1)]


def test_compliance_outside_the_range_is_empty(story: Bridge) -> None:
    response = story.client.get("/v1/compliance", headers=AUTH, params={
        "from": "2026-11-01T00:00:00Z", "to": "2026-11-20T00:00:00Z"})
    assert response.json()["rows"] == []


@pytest.mark.parametrize(("path", "params", "named"), [
    ("/v1/tickets", {"state": "late"}, "state"),
    ("/v1/tickets", {"due_before": "tomorrow"}, "due_before"),
    ("/v1/tickets", {"due_before": "2026-11-25T16:00:00"}, "due_before"),
    ("/v1/tickets", {"severity": "1\x00"}, "severity"),
    ("/v1/compliance", {"from": "2026-11-01", "to": "2026-11-20T00:00:00Z"}, "from"),
    ("/v1/compliance", {"from": "2026-11-20T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "to"),
    ("/v1/compliance", {"to": "2026-11-01T00:00:00Z"}, "from"),
], ids=["state", "due-before-not-iso", "due-before-naive", "nul-filter", "from-naive",
        "empty-range", "from-missing"])
def test_bad_parameters_are_refused_naming_the_parameter(
        start_bridge: StartBridge, path: str, params: dict[str, str], named: str) -> None:
    bridge = start_bridge(admin_token=AUTH["Authorization"].removeprefix("Bearer "))
    response = bridge.client.get(path, params=params, headers=AUTH)
    assert response.status_code in (400, 422)
    assert named in response.text


def test_the_new_routes_need_the_token_and_are_in_the_openapi(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=AUTH["Authorization"].removeprefix("Bearer "))
    assert bridge.client.get("/v1/tickets").status_code == 401
    assert bridge.client.get("/v1/compliance", params={
        "from": "2026-11-01T00:00:00Z", "to": "2026-11-02T00:00:00Z"}).status_code == 401
    paths = bridge.client.get("/openapi.json").json()["paths"]
    parameters = {p["name"] for p in paths["/v1/tickets"]["get"]["parameters"]}
    assert {"state", "due_before", "platform", "policy", "plan", "severity"} <= parameters
    assert {p["name"] for p in paths["/v1/compliance"]["get"]["parameters"]} == {"from", "to"}
