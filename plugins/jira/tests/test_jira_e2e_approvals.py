"""End to end, what only JSM does with an escalation: the bridge cannot create an approval,
so it names the approvers and moves the request into the status with the approval step; the
manager answers the approval with their own account, and the bridge acts on its decision.

https://support.atlassian.com/jira-service-management-cloud/docs/set-up-approvals/ and
https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-approval-approvalid-post
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from jira_driver import JiraDriver

from sla_bridge.testing.conformance import MANAGERS, at, code42_scene

# Everything code42-enterprise's intake asks for, so that no question is asked.
RESTORES = ("Restores fail from many devices since the upgrade. Product: Code42 app 11.2 on "
            "Windows 11. GUID 987654321098765432, user dana@acme.test, logs attached, "
            "screenshot attached, cloud destination: Code42 cloud.")
ASK = ("Please escalate: restores from many devices have failed for five days and our audit "
       "is on Wednesday. We expect severity 1.")
APPROVERS = "customfield_10003"


@pytest.fixture
def desk(tmp_path: Path, clean_environment: None) -> Iterator[JiraDriver]:
    """The code42 cast on the JSM sandbox, the bridge wired to it."""
    driver = JiraDriver(tmp_path / "world", out=sys.stdout)
    driver.begin(code42_scene())
    yield driver
    driver.close(wait=False)


def escalated(desk: JiraDriver) -> str:
    """Dana's Gold Severity 2, answered, then her request to escalate (Mon 30 Nov 10:00)."""
    key = desk.open_ticket("Dana", "Restores fail", RESTORES, severity="2",
                           at=at("2026-11-30 09:00"))
    desk.customer_reply(key, ASK, at=at("2026-11-30 10:00"))
    return key


def answer(desk: JiraDriver, key: str, manager: str, decision: str, when: datetime) -> None:
    """``manager`` answers the pending approval through the service desk API, as themselves."""
    def post() -> None:
        [pending] = [a for a in desk.sandbox.approvals(key) if a["finalDecision"] == "pending"]
        answered = requests.post(
            f"{desk.sandbox.base_url}/rest/servicedeskapi/request/{key}/approval/{pending['id']}",
            json={"decision": decision}, timeout=10,
            auth=(f"{manager.lower()}@vendor.test", f"{manager.lower()}-token"))
        answered.raise_for_status()

    desk.harness.step(when, f"{manager} answers the approval: {decision}", post)


def bridge_comments(desk: JiraDriver, key: str) -> list[dict[str, Any]]:
    """The bridge's comments on the request, as the API shows them."""
    bridge = desk.sandbox.bridge["accountId"]
    return [c for c in desk.sandbox.comments(key) if c["author"]["accountId"] == bridge]


def test_an_escalation_names_the_managers_as_approvers_and_waits_for_approval(
        desk: JiraDriver) -> None:
    key = escalated(desk)
    issue = desk.sandbox.issue(key)
    assert issue["fields"]["status"]["name"] == "Waiting for approval"
    assert [u["accountId"] for u in issue["fields"][APPROVERS]] == [desk.person_id("Morgan")]
    [approval] = desk.sandbox.approvals(key)
    assert approval["finalDecision"] == "pending"
    assert [a["approver"]["accountId"] for a in approval["approvers"]] == [
        desk.person_id("Morgan")]
    # The summary the managers decide on is an internal comment: Dana is not told yet.
    [note] = bridge_comments(desk, key)
    assert note["jsdPublic"] is False
    assert note["body"].startswith(f"[{MANAGERS}] Escalation requested by the customer on "
                                   f"ticket {key}. Reason: Please escalate")
    assert desk.view(key).approvals[0].group == MANAGERS


def test_the_managers_approval_sends_the_request_to_the_seniors_and_tells_the_customer(
        desk: JiraDriver) -> None:
    key = escalated(desk)
    answer(desk, key, "Morgan", "approve", at("2026-11-30 11:00"))
    issue = desk.sandbox.issue(key)
    assert issue["fields"]["status"]["name"] == "Waiting for support"
    team = issue["fields"][desk.sandbox.field_id("Support team")]
    assert team["name"] == "Senior Customer Champions"
    [approval] = desk.sandbox.approvals(key)
    assert approval["finalDecision"] == "approved"
    replies = [c["body"] for c in bridge_comments(desk, key) if c["jsdPublic"]]
    assert replies == ["A support manager has approved your escalation request; Senior "
                       "Customer Champions will take it from here."]
    assert desk.look_again(key) == []


def test_a_declined_escalation_leaves_the_request_open_with_the_managers_reason(
        desk: JiraDriver) -> None:
    key = escalated(desk)
    why = "Only devices on the retired 10.x client fail; upgrading them fixes it."
    desk.sandbox.edit(key, desk.person_id("Morgan"), {
        desk.sandbox.field_id("SLA escalation decision reason"): why})
    answer(desk, key, "Morgan", "decline", at("2026-11-30 11:00"))
    issue = desk.sandbox.issue(key)
    # The escalation approval's decline leads back to support: the request is not done.
    assert issue["fields"]["status"]["name"] == "Waiting for support"
    assert issue["fields"][desk.sandbox.field_id("Support team")] is None
    assert (issue["fields"]["priority"] or {})["name"] == "High"
    replies = [c["body"] for c in bridge_comments(desk, key) if c["jsdPublic"]]
    assert replies == ["A support manager has reviewed your escalation request and decided "
                       f"not to escalate this ticket at this time. {why}"]


def test_an_agent_who_is_not_an_approver_cannot_answer_the_approval(desk: JiraDriver) -> None:
    key = escalated(desk)
    [pending] = desk.sandbox.approvals(key)
    refused = requests.post(
        f"{desk.sandbox.base_url}/rest/servicedeskapi/request/{key}/approval/{pending['id']}",
        json={"decision": "approve"}, auth=("avery@vendor.test", "avery-token"), timeout=10)
    assert refused.status_code == 403
    desk.harness.settle()
    assert desk.sandbox.status(key) == "Waiting for approval"
    assert desk.view(key).awaiting_approval
