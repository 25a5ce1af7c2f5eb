"""The sandbox's Jira Service Management workflow: statuses, customer replies, closed
requests, the read-only SLA and approvals. Time is a virtual clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from jira import JIRA, JIRAError

from sla_bridge.sandbox import ApiError
from sla_bridge.testing import VirtualClock, WebhookReceiver
from sla_bridge_jira.sandbox import Sandbox

SD = "/rest/servicedeskapi"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> VirtualClock:
    """The site's clock."""
    return VirtualClock(START)


@pytest.fixture
def site(clock: VirtualClock) -> Iterator[Sandbox]:
    """A running sandbox with a customer, an agent and two managers (with tokens)."""
    with Sandbox(clock=clock) as sandbox:
        sandbox.add_customer("Grace", "grace@gold.test", token="grace-token")
        sandbox.add_agent("Ada Agent", "ada@vendor.test", token="ada-token")
        sandbox.add_agent("Morgan Manager", "morgan@vendor.test", token="morgan-token")
        sandbox.add_agent("Max Manager", "max@vendor.test", token="max-token")
        yield sandbox


def who(site: Sandbox, email: str) -> str:
    """The account id of the person with this e-mail."""
    return str(site.account(email)["accountId"])


def client(site: Sandbox) -> JIRA:
    """The bridge's client."""
    return JIRA(server=site.base_url, basic_auth=(site.api_email, site.api_token),
                max_retries=0)


def test_statuses_have_jsm_categories(site: Sandbox) -> None:
    """A new request waits for support (category ``new``); Resolved is ``done`` with a
    resolution, set by the workflow when the transition has no screen
    (https://support.atlassian.com/jira-service-management-cloud/docs/what-are-statuses-and-transitions/)."""
    key = site.open_request(who(site, "grace@gold.test"), "Restore fails")
    jira = client(site)
    status = jira.issue(key).fields.status
    assert (status.name, status.statusCategory.key) == ("Waiting for support", "new")
    jira.transition_issue(key, "Resolve")
    resolved = jira.issue(key)
    assert resolved.fields.status.statusCategory.key == "done"
    assert resolved.fields.resolution.name == "Done"
    assert resolved.fields.resolutiondate


@pytest.mark.parametrize("status", ["Waiting for customer", "Resolved"])
def test_a_customer_reply_hands_the_request_back_to_support(site: Sandbox, status: str) -> None:
    """A customer's comment on a request waiting for them, or resolved, moves it to Waiting
    for support: JSM's preset rules "Transition on comment" and "Reopen on customer comment"
    (https://confluence.atlassian.com/servicemanagementserver0503/automating-your-service-project-1167849376.html;
    the sandbox runs them as if enabled)."""
    grace, ada = who(site, "grace@gold.test"), who(site, "ada@vendor.test")
    key = site.open_request(grace, "Restore fails")
    site.transition(key, ada, "Respond to customer" if status != "Resolved" else "Resolve")
    assert site.status(key) == status
    answer = httpx.post(f"{site.base_url}{SD}/request/{key}/comment",
                        json={"body": "Still broken", "public": True},
                        auth=("grace@gold.test", "grace-token"))
    assert answer.status_code == 201
    assert site.status(key) == "Waiting for support"
    assert site.issue(key)["fields"]["resolution"] is None


def test_an_agent_comment_does_not_move_the_request(site: Sandbox) -> None:
    """Only the customer's reply hands the request back (same presets)."""
    key = site.open_request(who(site, "grace@gold.test"), "Restore fails")
    ada = who(site, "ada@vendor.test")
    site.transition(key, ada, "Respond to customer")
    site.comment(key, ada, "Any news?")
    assert site.status(key) == "Waiting for customer"


def test_a_closed_request_takes_no_edit_and_stays_closed(site: Sandbox) -> None:
    """Closed has the status property ``jira.issue.editable = false`` ("to disable editing
    when an issue is on a particular status. Often used on a final status",
    https://support.atlassian.com/jira-cloud-administration/docs/use-workflow-properties/):
    an edit is refused. A customer's reply is taken and leaves it closed (no preset re-opens
    a closed request), so the bridge must open the follow-up [inferred: sites differ]."""
    grace = who(site, "grace@gold.test")
    key = site.open_request(grace, "Restore fails")
    site.close(key, who(site, "ada@vendor.test"))
    with pytest.raises(JIRAError) as edit:
        client(site).issue(key).update(fields={"summary": "again"})
    assert edit.value.status_code == 400
    reply = httpx.post(f"{site.base_url}{SD}/request/{key}/comment",
                       json={"body": "It is back", "public": True},
                       auth=("grace@gold.test", "grace-token"))
    assert reply.status_code == 201
    assert site.status(key) == "Closed"


def test_a_site_may_refuse_comments_on_closed_requests(clock: VirtualClock) -> None:
    """With comments restricted on Closed too (a ``jira.permission.comment`` status property,
    same page), a reply is refused [inferred status code 403]."""
    with Sandbox(clock=clock, closed_takes_comments=False) as strict:
        grace = strict.add_customer("Grace", "grace@gold.test", token="grace-token")
        ada = strict.add_agent("Ada", "ada@vendor.test")
        key = strict.open_request(grace["accountId"], "Restore fails")
        strict.close(key, ada["accountId"])
        reply = httpx.post(f"{strict.base_url}{SD}/request/{key}/comment",
                           json={"body": "It is back", "public": True},
                           auth=("grace@gold.test", "grace-token"))
        assert reply.status_code == 403
        assert strict.comments(key) == []


def test_the_native_sla_pauses_while_waiting_for_the_customer(site: Sandbox,
                                                              clock: VirtualClock) -> None:
    """The "Time to resolution" SLA field is read-only: SLAs are read through the API
    (``getSlaInformation``, https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-sla-get)
    and an edit naming the field is 400. The sandbox's SLA pauses in Waiting for customer, as
    the default JSM SLA is configured (a pause condition, not a fixed rule [inferred])."""
    grace, ada = who(site, "grace@gold.test"), who(site, "ada@vendor.test")
    key = site.open_request(grace, "Restore fails")
    clock.set(START + timedelta(hours=1))
    site.transition(key, ada, "Respond to customer")
    clock.set(START + timedelta(hours=4))
    sla = client(site).issue(key).raw["fields"]["customfield_10020"]
    assert sla["ongoingCycle"]["paused"] is True
    assert sla["ongoingCycle"]["elapsedTime"]["millis"] == 3_600_000
    site.comment(key, grace, "Logs attached")
    clock.set(START + timedelta(hours=5))
    sla = client(site).issue(key).raw["fields"]["customfield_10020"]
    assert sla["ongoingCycle"]["paused"] is False
    assert sla["ongoingCycle"]["elapsedTime"]["millis"] == 2 * 3_600_000
    refused = httpx.put(f"{site.base_url}/rest/api/2/issue/{key}",
                        json={"fields": {"customfield_10020": None}},
                        auth=(site.api_email, site.api_token))
    assert refused.status_code == 400


def test_approvals_exist_only_after_entering_the_approval_status(site: Sandbox) -> None:
    """No API creates an approval: entering a status with an approval step does, with the
    Approvers field's users at that moment
    (https://support.atlassian.com/jira-service-management-cloud/docs/set-up-approvals/)."""
    key = site.open_request(who(site, "grace@gold.test"), "Escalate")
    jira = client(site)
    url = f"{site.base_url}{SD}/request/{key}/approval"
    assert jira._session.get(url).json()["values"] == []
    morgan = who(site, "morgan@vendor.test")
    jira.issue(key).update(fields={"customfield_10003": [{"accountId": morgan}]})
    jira.transition_issue(key, "Request approval")
    approvals = jira._session.get(url).json()["values"]
    assert [a["finalDecision"] for a in approvals] == ["pending"]
    assert [a["approver"]["accountId"] for a in approvals[0]["approvers"]] == [morgan]
    assert "Approve" not in {t["name"] for t in jira.transitions(key)}


def test_an_approver_decides_and_the_workflow_moves_on(site: Sandbox) -> None:
    """``POST /request/{key}/approval/{id}``: 403 for someone who is not an approver, 200 for
    the approver, 409 once decided; approving runs the approve transition by itself
    (``answerApproval``,
    https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-approval-approvalid-post)."""
    key = site.open_request(who(site, "grace@gold.test"), "Escalate")
    approval = site.request_approval(key, who(site, "ada@vendor.test"),
                                     [who(site, "morgan@vendor.test")])
    url = f"{site.base_url}{SD}/request/{key}/approval/{approval['id']}"
    stranger = httpx.post(url, json={"decision": "approve"}, auth=("max@vendor.test",
                                                                   "max-token"))
    assert stranger.status_code == 403
    decided = httpx.post(url, json={"decision": "approve"},
                         auth=("morgan@vendor.test", "morgan-token"))
    assert decided.status_code == 200
    assert decided.json()["finalDecision"] == "approved"
    again = httpx.post(url, json={"decision": "decline"},
                       auth=("morgan@vendor.test", "morgan-token"))
    assert again.status_code == 409
    assert site.status(key) == "Waiting for support"


def test_a_decline_may_lead_back_to_support(clock: VirtualClock) -> None:
    """The admin picks the transition a decline runs (set-up-approvals page); configured back
    to Waiting for support, the request stays open."""
    with Sandbox(clock=clock, decline_to="Waiting for support") as open_site:
        grace = open_site.add_customer("Grace", "grace@gold.test")
        ada, morgan = (open_site.add_agent(n, f"{n}@vendor.test")["accountId"]
                       for n in ("ada", "morgan"))
        key = open_site.open_request(grace["accountId"], "Escalate")
        open_site.request_approval(key, ada, [morgan])
        assert open_site.decide(key, morgan, "decline")["finalDecision"] == "declined"
        assert open_site.status(key) == "Waiting for support"


def test_a_decline_runs_the_decline_transition(site: Sandbox) -> None:
    """Declining runs the step's decline transition (to Declined, a done status), as the
    approver (same pages)."""
    key = site.open_request(who(site, "grace@gold.test"), "Escalate")
    morgan, max_ = who(site, "morgan@vendor.test"), who(site, "max@vendor.test")
    site.request_approval(key, who(site, "ada@vendor.test"), [morgan, max_])
    site.decide(key, max_, "decline")
    assert site.status(key) == "Declined"
    history = site.issue(key)["changelog"]["histories"][-1]
    assert history["author"]["accountId"] == max_


def test_approvers_are_taken_when_the_status_is_entered(site: Sandbox) -> None:
    """The approval keeps the approvers the field had on entering the status; changing the
    field afterwards does not change who decides (set-up-approvals page: "the approvers"
    are read from the field when the issue enters the approval status; a change made while
    pending is not picked up here, which Part E of the research leaves to verify)."""
    key = site.open_request(who(site, "grace@gold.test"), "Escalate")
    ada, morgan, max_ = (who(site, e) for e in ("ada@vendor.test", "morgan@vendor.test",
                                               "max@vendor.test"))
    site.request_approval(key, ada, [morgan])
    site.edit(key, ada, {"customfield_10003": [{"accountId": max_}]})
    with pytest.raises(ApiError) as refused:
        site.decide(key, max_, "approve")
    assert refused.value.status == 403
    assert site.decide(key, morgan, "approve")["finalDecision"] == "approved"


def test_a_decision_fires_the_transition_webhook(site: Sandbox) -> None:
    """The approval's transition is an issue update like any: a ``jira:issue_updated`` whose
    changelog moves the status, by the approver."""
    key = site.open_request(who(site, "grace@gold.test"), "Escalate")
    morgan = who(site, "morgan@vendor.test")
    site.request_approval(key, who(site, "ada@vendor.test"), [morgan])
    with WebhookReceiver() as receiver:
        site.register_webhook(receiver.url, events=["jira:issue_updated"])
        site.decide(key, morgan, "approve")
        (delivery,) = receiver.wait_for(1)
    body = json.loads(delivery.body)
    assert body["user"]["accountId"] == morgan
    assert [(i["field"], i["fromString"], i["toString"]) for i in body["changelog"]["items"]
            ] == [("status", "Waiting for approval", "Waiting for support")]
