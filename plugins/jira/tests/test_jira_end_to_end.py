"""End to end: the real bridge served by uvicorn, the sandbox's admin webhook signed with the
bridge's secret, the real ``jira`` client reading and writing back over HTTP."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from jira_driver import JiraDriver
from jira_testing import (
    AUTOMATION_SECRET,
    WEBHOOK_SECRET,
    JiraHelpdesk,
    Site,
    delivery,
    millis,
)

from sla_bridge.testing import BridgeHarness, VirtualClock
from sla_bridge.testing.conformance import at, code42_scene
from sla_bridge_jira.inbound import automation_body
from sla_bridge_jira.sandbox import Sandbox
from sla_bridge_jira.signature import sign

COMPLETE = ("Restores fail on every device since this morning, product Backup 7.2, error "
            "E-1234; impact: no restores possible.")


@pytest.fixture
def bridge(tmp_path: Path, sandbox: Sandbox, site: Site,
           clock: VirtualClock) -> Iterator[BridgeHarness]:
    """The bridge on the sandbox with the code42-enterprise policy, wired and serving."""
    with BridgeHarness(tmp_path, JiraHelpdesk(sandbox), clock=clock,
                       policies=["code42-enterprise"]) as harness:
        yield harness


def test_a_new_request_is_delivered_signed_acknowledged_and_reconciled(
        bridge: BridgeHarness, sandbox: Sandbox, site: Site, clock: VirtualClock) -> None:
    key = bridge.step(clock.now(), "Grace raises a request", lambda: sandbox.open_request(
        site.grace["accountId"], "Restores fail", COMPLETE))
    created = [d for d in sandbox.deliveries if d.event_type == "jira:issue_created"]
    assert [d.status for d in created] == ["success"]
    assert created[0].json()["issue"]["key"] == key
    # Reconciled through the jira client: the first response is due at 09:00 CST, written
    # once (read back as written, though Jira keeps it in UTC), and the customer was told.
    issue = sandbox.issue(key)
    assert issue["fields"][site.fields["SLA first response due"]] == (
        "2026-11-23T15:00:00.000+0000")
    due_writes = [d for d in bridge.decisions(key) if d.kind == "action.applied"
                  and "sla_first_response_due" in d.summary]
    assert len(due_writes) == 1
    replies = [c for c in sandbox.comments(key)
               if c["author"]["accountId"] == sandbox.bridge["accountId"]]
    assert replies
    assert all(c["jsdPublic"] for c in replies)


def test_a_delivery_posted_to_serve_is_200_when_signed_and_401_when_not(
        bridge: BridgeHarness, sandbox: Sandbox, site: Site, clock: VirtualClock) -> None:
    key = sandbox.open_request(site.grace["accountId"], "Restores fail", COMPLETE)
    sandbox.flush()  # the sandbox's own delivery of it is in the inbox too
    waiting = bridge.runtime.store.inbox_depth()[0]
    body = json.dumps({"timestamp": millis(clock.now()), "webhookEvent": "jira:issue_created",
                       "issue_event_type_name": "issue_created", "user": site.grace,
                       "issue": {"id": "1", "key": key, "fields": {
                           "project": {"key": "SUP"}}}}).encode()
    url = f"{bridge.url}/webhooks/jira"
    headers = {"content-type": "application/json",
               "x-atlassian-webhook-identifier": "by-hand-1"}
    unsigned = httpx.post(url, content=body, headers=headers)
    forged = httpx.post(url, content=body, headers={
        **headers, "x-hub-signature": sign("a-guessed-secret", body)})
    signed = httpx.post(url, content=body, headers={
        **headers, "x-hub-signature": sign(WEBHOOK_SECRET, body)})
    assert (unsigned.status_code, forged.status_code, signed.status_code) == (401, 401, 200)
    assert bridge.runtime.store.inbox_depth()[0] == waiting + 1
    bridge.settle()
    assert bridge.decisions(key)


def test_a_comments_two_deliveries_are_reconciled_once(
        bridge: BridgeHarness, sandbox: Sandbox, site: Site, clock: VirtualClock) -> None:
    key = bridge.step(clock.now(), "Grace raises a request", lambda: sandbox.open_request(
        site.grace["accountId"], "Restores fail", COMPLETE))
    before = len(bridge.decisions(key))
    stamp = millis(clock.now())
    comment = {"id": "77", "author": site.grace, "updateAuthor": site.grace, "body": "Any news?",
               "created": "2026-11-23T14:00:00.000+0000",
               "updated": "2026-11-23T14:00:00.000+0000", "jsdPublic": True}
    issue = {"id": "1", "key": key, "fields": {"project": {"key": "SUP"}}}
    own = {"timestamp": stamp, "webhookEvent": "comment_created", "comment": comment,
           "issue": issue}
    on_issue = {"timestamp": stamp, "webhookEvent": "jira:issue_updated",
                "issue_event_type_name": "issue_commented", "user": site.grace,
                "comment": comment, "issue": issue}
    platform = bridge.runtime.platforms["jira"]
    events = [*platform.parse_webhook(delivery(own, clock.now(), identifier="one")),
              *platform.parse_webhook(delivery(on_issue, clock.now(), identifier="two"))]
    assert bridge.runtime.store.accept(events) == 1
    assert len(bridge.decisions(key)) == before


def test_an_automation_rules_web_request_is_acknowledged_and_reconciled(
        tmp_path: Path, sandbox: Sandbox, site: Site, clock: VirtualClock) -> None:
    helpdesk = JiraHelpdesk(sandbox, automation_secret=AUTOMATION_SECRET)
    with BridgeHarness(tmp_path, helpdesk, clock=clock,
                       policies=["code42-enterprise"]) as harness:
        sandbox.add_automation(f"{harness.url}/webhooks/jira", automation_body(),
                               headers={"X-Sla-Bridge-Secret": AUTOMATION_SECRET})
        key = harness.step(clock.now(), "Grace raises a request", lambda: sandbox.open_request(
            site.grace["accountId"], "Restores fail", COMPLETE))
        requests = sandbox.automation_deliveries
        assert requests
        assert {d.status for d in requests} == {"success"}
        assert harness.decisions(key)


def test_the_managers_note_says_to_answer_the_approval_jsm_holds(
        tmp_path: Path, clean_environment: None) -> None:
    """With an approval status, the managers are told to answer JSM's approval; the labels
    the summary would name elsewhere are mentioned as working too."""
    desk = JiraDriver(tmp_path / "world", out=sys.stdout)
    try:
        desk.begin(code42_scene())
        key = desk.open_ticket("Dana", "Restores fail", COMPLETE, severity="2",
                               at=at("2026-11-30 09:00"))
        desk.customer_reply(key, "Please escalate: restores have failed for five days and our "
                            "audit is on Wednesday. We expect severity 1.",
                            at=at("2026-11-30 10:00"))
        assert desk.sandbox.status(key) == "Waiting for approval"
        bridge = desk.sandbox.bridge["accountId"]
        [note] = [c["body"] for c in desk.sandbox.comments(key)
                  if c["author"]["accountId"] == bridge and not c["jsdPublic"]
                  and "Escalation requested" in c["body"]]
        assert "Approve with the tag" not in note
        assert note.endswith(
            "Contact: the requester. Answer the approval on this request in Jira Service "
            "Management (Approve or Decline; add the label sla_escalation_severity_accepted "
            "to apply the severity). The labels sla_escalation_approved and "
            "sla_escalation_declined work too.")
    finally:
        desk.close(wait=False)
