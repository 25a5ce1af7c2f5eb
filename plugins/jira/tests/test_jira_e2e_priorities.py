"""End to end, severities the JSM way: the customer picks a priority on the portal; the
priority the request was raised with (in the changelog) is the customer's severity, the
current one the vendor's, and the bridge's re-categorisation is a priority change Jira's
changelog shows as the bridge's.

https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-issueidorkey-get
(``expand=changelog``)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from jira_driver import JiraDriver

from sla_bridge.testing.conformance import AgentUpdate, at, code42_scene

COMPLETE = ("Product: Code42 app 11.2 on Windows 11. GUID 987654321098765432, user "
            "dana@acme.test, logs attached, screenshot attached, cloud destination: Code42 "
            "cloud.")
HOW_TO = ("How do I exclude the Downloads folder from backup for one user? Just asking for "
          "information. " + COMPLETE)


@pytest.fixture
def desk(tmp_path: Path, clean_environment: None) -> Iterator[JiraDriver]:
    """The code42 cast on the JSM sandbox, the bridge wired to it."""
    driver = JiraDriver(tmp_path / "world", out=sys.stdout)
    driver.begin(code42_scene())
    yield driver
    driver.close(wait=False)


def priority_changes(desk: JiraDriver, key: str) -> list[tuple[str, str, str]]:
    """The changelog's priority changes: (from, to, who)."""
    names = {desk.person_id(n): n for n in ("Dana", "Avery")}
    names[desk.sandbox.bridge["accountId"]] = "bridge"
    return [(item["fromString"], item["toString"], names[entry["author"]["accountId"]])
            for entry in desk.sandbox.issue(key)["changelog"]["histories"]
            for item in entry["items"] if item["field"] == "priority"]


def test_a_how_to_raised_as_highest_is_lowered_by_the_bridge_and_the_customer_told(
        desk: JiraDriver) -> None:
    key = desk.open_ticket("Dana", "URGENT: how do I exclude a folder?", HOW_TO, severity="1",
                           at=at("2026-11-30 09:00"))
    assert priority_changes(desk, key) == [("Highest", "Low", "bridge")]
    view = desk.view(key)
    assert view.severity == "4"
    [reply] = view.by_bridge(public=True)
    assert reply.body.startswith("We have reviewed this ticket and categorised it as severity "
                                 "4 (Low)")
    # Three business days (27 h, 08:00-17:00) for a Gold Severity 4, from Mon 09:00.
    assert view.due["first_response"] == at("2026-12-03 09:00")
    assert desk.look_again(key) == []


def test_the_priority_raised_with_stays_the_customers_and_an_agents_is_the_vendors(
        desk: JiraDriver) -> None:
    key = desk.open_ticket("Dana", "Restores fail", "Restores fail from many devices. "
                           + COMPLETE, severity="2", at=at("2026-11-30 09:00"))
    desk.agent_update(key, "Avery", AgentUpdate(severity="1"), at=at("2026-11-30 09:10"))
    assert priority_changes(desk, key) == [("High", "Highest", "Avery")]
    ticket = desk.harness.runtime.platforms["jira"].fetch_ticket(key)
    assert (ticket.customer_severity, ticket.vendor_severity) == ("High", "Highest")
    # Gold Severity 1: one calendar hour from 09:00, the time already used kept.
    assert desk.view(key).due["first_response"] == at("2026-11-30 10:00")
