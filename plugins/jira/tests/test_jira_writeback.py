"""The bridge's writes through the real ``jira`` client, over HTTP, against the sandbox:
each action type, comments internal unless public, a retried write written once, the rate
limit honoured, "closed" decided by the status map, Jira's errors in words a user can act on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from jira_spec_check import problems_in_log
from jira_testing import Site, platform_for, ref

from sla_bridge.actions import (
    AddComment,
    Assign,
    ChangeTags,
    CreateFollowUp,
    RequestApproval,
    SetFields,
    SetStatus,
)
from sla_bridge.platforms import TicketClosed, VendorError
from sla_bridge.testing import VirtualClock
from sla_bridge.tickets import Status
from sla_bridge_jira.platform import JiraPlatform
from sla_bridge_jira.sandbox import Sandbox

DUE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


@pytest.fixture
def key(sandbox: Sandbox, site: Site) -> str:
    return sandbox.open_request(site.grace["accountId"], "Restore fails", "Every device fails")


def bridge_writes(sandbox: Sandbox, method: str, suffix: str) -> list[dict[str, object]]:
    return [e for e in sandbox.request_log()
            if e["method"] == method and str(e["path"]).endswith(suffix)]


def test_an_internal_note_stays_internal_and_a_reply_is_public(
        platform: JiraPlatform, sandbox: Sandbox, key: str) -> None:
    platform.apply(AddComment(ref=ref(key), key="note", body="Checking the logs"))
    platform.apply(AddComment(ref=ref(key), key="reply", body="We are on it", public=True))
    shown = {c["body"]: c["jsdPublic"] for c in sandbox.comments(key)}
    assert shown == {"Checking the logs": False, "We are on it": True}
    ticket = platform.fetch_ticket(key)
    assert [(c.author_role, c.public, c.bridge_key) for c in ticket.comments] == [
        ("bridge", False, f"jira:{key}:add_comment:note"),
        ("bridge", True, f"jira:{key}:add_comment:reply")]


def test_a_comment_whose_answer_was_lost_is_not_posted_again(
        platform: JiraPlatform, sandbox: Sandbox, key: str) -> None:
    note = AddComment(ref=ref(key), key="once", body="Posted once")
    sandbox.drop_next(1, after_processing=True, method="POST", path=r"/comment$")
    with pytest.raises(VendorError) as dropped:
        platform.apply(note)
    assert dropped.value.retryable
    platform.apply(note)
    assert [c["body"] for c in sandbox.comments(key)] == ["Posted once"]


def test_fields_and_labels_are_one_edit_and_read_back_as_written(
        platform: JiraPlatform, sandbox: Sandbox, key: str) -> None:
    sandbox.clear_request_log()
    platform.apply_batch([
        SetFields(ref=ref(key), key="due", fields={"sla_first_response_due": DUE.isoformat(),
                                                   "vendor_severity": "2"}),
        ChangeTags(ref=ref(key), key="warn", add=("sla_warning",)),
    ])
    edits = bridge_writes(sandbox, "PUT", f"/issue/{key}")
    assert len(edits) == 1
    ticket = platform.fetch_ticket(key)
    assert ticket.fields["sla_first_response_due"] == DUE.isoformat()
    assert ticket.vendor_severity == "2"
    assert ticket.fields["priority"] == "high"  # the neutral name of Jira's High
    assert "sla_warning" in ticket.tags
    assert SetFields(ref=ref(key), key="due", fields={
        "sla_first_response_due": DUE.isoformat(), "vendor_severity": "2"}).pending_on(
            ticket) is None


def test_a_priority_raised_on_a_breach_is_not_the_vendors_severity(
        platform: JiraPlatform, sandbox: Sandbox, key: str) -> None:
    raise_ = SetFields(ref=ref(key), key="raise", fields={"priority": "urgent"})
    platform.apply(raise_)
    raised = platform.fetch_ticket(key)
    assert sandbox.issue(key)["fields"]["priority"]["name"] == "Highest"
    # It reads back as written: the next reconcile does not raise it again.
    assert raised.fields["priority"] == "urgent"
    assert raise_.pending_on(raised) is None
    assert raised.vendor_severity is None
    assert raised.customer_severity == "Medium"
    platform.apply(SetFields(ref=ref(key), key="sev", fields={"vendor_severity": "2"}))
    platform.apply(SetFields(ref=ref(key), key="raise2", fields={"priority": "urgent"}))
    again = platform.fetch_ticket(key)
    assert (again.fields["priority"], again.vendor_severity) == ("urgent", "2")


def test_labels_are_added_and_removed_without_touching_the_others(
        platform: JiraPlatform, sandbox: Sandbox, key: str, site: Site) -> None:
    sandbox.edit(key, site.ada["accountId"], update={"labels": [{"add": "vip"}]})
    platform.apply(ChangeTags(ref=ref(key), key="t", add=("sla_breached",)))
    platform.apply(ChangeTags(ref=ref(key), key="u", remove=("sla_breached",)))
    assert platform.fetch_ticket(key).tags == {"vip"}


def test_a_status_is_a_transition_to_the_mapped_workflow_status(
        platform: JiraPlatform, sandbox: Sandbox, key: str) -> None:
    platform.apply(SetStatus(ref=ref(key), key="wait", status=Status.PENDING))
    assert sandbox.status(key) == "Waiting for customer"
    platform.apply(SetStatus(ref=ref(key), key="solve", status=Status.SOLVED))
    assert sandbox.status(key) == "Resolved"
    assert platform.fetch_ticket(key).status == Status.SOLVED


def test_closing_a_request_the_workflow_closes_only_when_resolved_resolves_it_first(
        platform: JiraPlatform, sandbox: Sandbox, key: str) -> None:
    platform.apply(SetStatus(ref=ref(key), key="wait", status=Status.PENDING))
    platform.apply(SetStatus(ref=ref(key), key="close", status=Status.CLOSED))
    assert sandbox.status(key) == "Closed"
    moves = [item["toString"] for entry in sandbox.issue(key)["changelog"]["histories"]
             for item in entry["items"] if item["field"] == "status"]
    assert moves == ["Waiting for customer", "Resolved", "Closed"]


def test_a_status_the_workflow_cannot_reach_names_the_setting(
        sandbox: Sandbox, site: Site, clock: VirtualClock, key: str) -> None:
    platform = platform_for(sandbox, clock, status_targets='{"hold": "On ice"}')
    with pytest.raises(VendorError) as refused:
        platform.apply(SetStatus(ref=ref(key), key="ice", status=Status.HOLD))
    assert not refused.value.retryable
    assert "On ice" in str(refused.value)
    assert "SLA_BRIDGE_JIRA__STATUS_TARGETS" in str(
        refused.value)


def test_the_assignee_is_set_by_account_id_without_a_user_search(
        platform: JiraPlatform, sandbox: Sandbox, key: str, site: Site) -> None:
    platform.apply(Assign(ref=ref(key), key="a", assignee_id=site.ada["accountId"]))
    assert platform.fetch_ticket(key).assignee_id == site.ada["accountId"]
    assert not [e for e in sandbox.request_log() if "user/search" in str(e["path"])]


def test_a_closed_request_takes_no_write_as_the_status_map_says(
        platform: JiraPlatform, sandbox: Sandbox, key: str, site: Site) -> None:
    sandbox.close(key, site.ada["accountId"])
    assert platform.fetch_ticket(key).status == Status.CLOSED
    sandbox.clear_request_log()
    for action in (AddComment(ref=ref(key), key="late", body="Too late"),
                   ChangeTags(ref=ref(key), key="late", add=("sla_breached",))):
        with pytest.raises(TicketClosed) as closed:
            platform.apply(action)
        assert "SLA_BRIDGE_JIRA__STATUS_MAP" in str(closed.value)
    assert [e["method"] for e in sandbox.request_log()] == ["GET", "GET"]


def test_a_follow_up_is_a_new_linked_request_carrying_what_the_closed_one_had(
        platform: JiraPlatform, sandbox: Sandbox, key: str, site: Site) -> None:
    platform.apply(SetFields(ref=ref(key), key="sev", fields={"vendor_severity": "2"}))
    sandbox.close(key, site.ada["accountId"])
    closed = platform.fetch_ticket(key)
    follow_up = CreateFollowUp(
        ref=ref(key), key="follow_up:1", subject=f"Follow-up to {key}", body="It broke again",
        carry={"organization_id": closed.organization_id, "plan": closed.plan,
               "customer_severity": closed.customer_severity,
               "vendor_severity": closed.vendor_severity, "follow_up_of": key})
    new_key = platform.apply(follow_up)
    assert new_key is not None
    assert new_key != key
    opened = platform.fetch_ticket(new_key)
    assert opened.follow_up_of == key
    assert (opened.organization_id, opened.plan) == (closed.organization_id, "gold")
    assert opened.vendor_severity == "2"
    assert opened.requester_id == site.grace["accountId"]
    links = sandbox.issue(new_key)["fields"]["issuelinks"]
    assert [link["type"]["name"] for link in links] == ["Relates"]
    assert platform.apply(follow_up) == new_key  # the same decision again: the same request


def closed_with_follow_up(sandbox: Sandbox, key: str, site: Site,
                          reply: str = "1") -> CreateFollowUp:
    """Close ``key``; the follow-up the customer's reply ``reply`` asks for."""
    if sandbox.status(key) != "Closed":
        sandbox.close(key, site.ada["accountId"])
    return CreateFollowUp(ref=ref(key), key=f"follow_up:{reply}",
                          subject=f"Follow-up to ticket {key}: Restore fails",
                          body="It broke again", carry={"follow_up_of": key})


def raised_after(sandbox: Sandbox, key: str) -> list[str]:
    """The requests raised after ``key``."""
    return sorted((k for k in sandbox.state.issues if k != key),
                  key=lambda k: int(k.split("-")[1]))


def test_a_follow_up_whose_answer_was_lost_is_found_not_raised_again(
        platform: JiraPlatform, sandbox: Sandbox, key: str, site: Site,
        clock: VirtualClock) -> None:
    follow_up = closed_with_follow_up(sandbox, key, site)
    sandbox.drop_next(1, after_processing=True, method="POST",
                      path=r"/rest/servicedeskapi/request$")
    with pytest.raises(VendorError) as dropped:
        platform.apply(follow_up)
    assert dropped.value.retryable
    clock.spend(2)  # the bridge's first retry
    new_key = platform.apply(follow_up)
    assert raised_after(sandbox, key) == [new_key]
    assert [link["type"]["name"] for link in
            sandbox.issue(new_key)["fields"]["issuelinks"]] == ["Relates"]
    assert platform.fetch_ticket(new_key).follow_up_of == key
    assert platform.apply(follow_up) == new_key


def test_a_follow_up_lost_before_jira_raised_it_waits_for_the_search_then_is_raised_once(
        platform: JiraPlatform, sandbox: Sandbox, key: str, site: Site,
        clock: VirtualClock) -> None:
    # Jira's search shows a new request only after a while
    # (https://developer.atlassian.com/cloud/jira/platform/search-and-reconcile/): an empty
    # search right after the attempt does not prove that the request was not raised.
    follow_up = closed_with_follow_up(sandbox, key, site)
    sandbox.drop_next(1, after_processing=False, method="POST",
                      path=r"/rest/servicedeskapi/request$")
    with pytest.raises(VendorError):
        platform.apply(follow_up)
    clock.spend(2)
    with pytest.raises(VendorError) as waiting:
        platform.apply(follow_up)
    assert (waiting.value.retryable, waiting.value.retry_after) == (True, 58)
    assert "SLA_BRIDGE_JIRA__SEARCH_LAG_SECONDS" in str(waiting.value)
    assert raised_after(sandbox, key) == []
    clock.spend(58)
    new_key = platform.apply(follow_up)
    assert raised_after(sandbox, key) == [new_key]


def test_a_lost_answer_is_found_once_the_lagging_search_shows_the_request(
        platform: JiraPlatform, sandbox: Sandbox, key: str, site: Site,
        clock: VirtualClock) -> None:
    follow_up = closed_with_follow_up(sandbox, key, site)
    sandbox.search_lag(30)  # the search shows a new request 30 s after it was raised
    sandbox.drop_next(1, after_processing=True, method="POST",
                      path=r"/rest/servicedeskapi/request$")
    with pytest.raises(VendorError):
        platform.apply(follow_up)
    [raised] = raised_after(sandbox, key)
    clock.spend(2)
    with pytest.raises(VendorError) as waiting:
        platform.apply(follow_up)  # not in the search yet: not raised again either
    assert waiting.value.retry_after == 58
    assert raised_after(sandbox, key) == [raised]
    clock.spend(58)
    assert platform.apply(follow_up) == raised
    assert raised_after(sandbox, key) == [raised]
    assert platform.fetch_ticket(raised).follow_up_of == key


def test_a_bridge_restarted_after_a_lost_answer_still_finds_the_request(
        platform: JiraPlatform, sandbox: Sandbox, key: str, site: Site,
        clock: VirtualClock) -> None:
    follow_up = closed_with_follow_up(sandbox, key, site)
    sandbox.drop_next(1, after_processing=True, method="POST",
                      path=r"/rest/servicedeskapi/request$")
    with pytest.raises(VendorError):
        platform.apply(follow_up)
    restarted = platform_for(sandbox, clock)  # the attempt is recorded on the request
    [raised] = raised_after(sandbox, key)
    assert restarted.apply(follow_up) == raised
    assert raised_after(sandbox, key) == [raised]


def test_a_second_reply_gets_its_own_follow_up_even_when_its_answer_is_lost(
        platform: JiraPlatform, sandbox: Sandbox, key: str, site: Site,
        clock: VirtualClock) -> None:
    first = platform.apply(closed_with_follow_up(sandbox, key, site, reply="1"))
    clock.set(clock.now() + timedelta(hours=1))
    again = closed_with_follow_up(sandbox, key, site, reply="2")
    sandbox.drop_next(1, after_processing=True, method="POST",
                      path=r"/rest/servicedeskapi/request$")
    with pytest.raises(VendorError):
        platform.apply(again)
    clock.spend(2)
    second = platform.apply(again)
    assert second != first
    assert raised_after(sandbox, key) == [first, second]


def test_the_priority_a_long_history_began_with_is_read_from_the_whole_changelog(
        platform: JiraPlatform, sandbox: Sandbox, site: Site) -> None:
    # expand=changelog holds only the most recent entries ("recent updates", getIssue's
    # expand); GET .../changelog pages through all of them, oldest first.
    key = sandbox.open_request(site.grace["accountId"], "Restore fails",
                               fields={"priority": {"name": "High"}})
    ada = site.ada["accountId"]
    sandbox.edit(key, ada, fields={"priority": {"name": "Highest"}})
    for n in range(150):
        sandbox.edit(key, ada, update={"labels": [{"remove" if n % 2 else "add": "watch"}]})
    shown = requests.get(f"{sandbox.base_url}/rest/api/2/issue/{key}",
                         params={"expand": "changelog"}, timeout=10,
                         auth=(sandbox.api_email, sandbox.api_token)).json()["changelog"]
    assert (shown["total"], len(shown["histories"])) == (151, 100)
    ticket = platform.fetch_ticket(key)
    assert ticket.customer_severity == "High"
    assert ticket.fields["priority"] == "urgent"


def test_approvals_set_the_approvers_and_enter_the_approval_status_then_read_the_decision(
        sandbox: Sandbox, site: Site, clock: VirtualClock, key: str) -> None:
    platform = platform_for(sandbox, clock, approval_status="Waiting for approval",
                            approvers=json.dumps({"Support Managers": [
                                site.morgan["accountId"]]}))
    platform.apply(RequestApproval(ref=ref(key), key="escalation:1", group="Support Managers",
                                   summary="Escalate SUP: production is down"))
    assert sandbox.status(key) == "Waiting for approval"
    [approval] = sandbox.approvals(key)
    assert [a["approver"]["accountId"] for a in approval["approvers"]] == [
        site.morgan["accountId"]]
    ticket = platform.fetch_ticket(key)
    assert ticket.fields["escalation_decision"] is None
    assert [(c.public, c.bridge_key) for c in ticket.comments] == [
        (False, f"jira:{key}:request_approval:escalation:1")]
    sandbox.decide(key, site.morgan["accountId"], "decline")
    assert platform.fetch_ticket(key).fields["escalation_decision"] == "declined"


def test_without_an_approval_status_an_approval_is_an_internal_note_and_a_label(
        platform: JiraPlatform, sandbox: Sandbox, key: str) -> None:
    platform.apply(RequestApproval(ref=ref(key), key="escalation:1", group="Support Managers",
                                   summary="Escalate?"))
    ticket = platform.fetch_ticket(key)
    assert "sla_approval_requested" in ticket.tags
    assert [(c.public, c.body) for c in ticket.comments] == [
        (False, "[Support Managers] Escalate?")]


def test_approvers_not_configured_for_the_group_is_an_error_naming_the_setting(
        sandbox: Sandbox, site: Site, clock: VirtualClock, key: str) -> None:
    platform = platform_for(sandbox, clock, approval_status="Waiting for approval")
    with pytest.raises(VendorError) as refused:
        platform.apply(RequestApproval(ref=ref(key), key="e", group="Support Managers",
                                       summary="?"))
    assert "SLA_BRIDGE_JIRA__APPROVERS" in str(refused.value)
    assert sandbox.status(key) != "Waiting for approval"


def test_a_429_holds_every_call_for_its_retry_after(
        platform: JiraPlatform, sandbox: Sandbox, key: str, clock: VirtualClock) -> None:
    note = AddComment(ref=ref(key), key="later", body="After the wait")
    platform.fetch_ticket(key)
    sandbox.rate_limit_next(1, retry_after=30)
    with pytest.raises(VendorError) as limited:
        platform.apply(note)
    assert (limited.value.status, limited.value.retryable, limited.value.retry_after) == (
        429, True, 30)
    sandbox.clear_request_log()
    with pytest.raises(VendorError):
        platform.apply(note)  # held: Jira is not asked again before the wait is over
    assert sandbox.request_log() == []
    clock.spend(30)
    platform.apply(note)
    assert [c["body"] for c in sandbox.comments(key)] == ["After the wait"]


def test_the_per_issue_write_limit_is_honoured_and_the_budget_read(
        platform: JiraPlatform, sandbox: Sandbox, key: str, clock: VirtualClock) -> None:
    sandbox.limit_issue_writes(1, per_seconds=60)
    platform.apply(ChangeTags(ref=ref(key), key="one", add=("sla_warning",)))
    second = ChangeTags(ref=ref(key), key="two", add=("sla_breached",))
    with pytest.raises(VendorError) as limited:
        platform.apply(second)
    assert limited.value.retry_after == 60
    assert platform.client.gate.limit is not None  # X-RateLimit-Limit, on every answer
    sandbox.limit_issue_writes(None)  # the window passes (the sandbox's is in real time)
    sandbox.clear_request_log()
    with pytest.raises(VendorError):
        platform.apply(second)  # held by the bridge until the Retry-After is over
    assert sandbox.request_log() == []
    clock.spend(60)
    platform.apply(second)
    assert {"sla_warning", "sla_breached"} <= platform.fetch_ticket(key).tags


def test_a_request_that_is_gone_is_a_404_the_reconciler_stops_at(
        platform: JiraPlatform) -> None:
    with pytest.raises(VendorError) as gone:
        platform.fetch_ticket("SUP-999")
    assert gone.value.status == 404
    assert not gone.value.retryable


def test_retry_after_zero_is_retryable_at_once(
        platform: JiraPlatform, sandbox: Sandbox, key: str) -> None:
    sandbox.rate_limit_next(1, retry_after=0)
    with pytest.raises(VendorError) as limited:
        platform.apply(ChangeTags(ref=ref(key), key="t", add=("sla_warning",)))
    assert limited.value.retry_after == 0
    platform.apply(ChangeTags(ref=ref(key), key="t", add=("sla_warning",)))
    assert "sla_warning" in platform.fetch_ticket(key).tags


def test_the_platform_apis_error_is_told_in_jiras_words(
        platform: JiraPlatform, key: str) -> None:
    with pytest.raises(VendorError) as refused:
        platform.apply(ChangeTags(ref=ref(key), key="t", add=("two words",)))
    assert not refused.value.retryable
    assert refused.value.status == 400
    assert "labels" in str(refused.value)


def test_the_service_desk_apis_error_is_told_in_jiras_words(
        sandbox: Sandbox, site: Site, clock: VirtualClock, key: str) -> None:
    platform = platform_for(sandbox, clock, follow_up_request_type="9999")
    with pytest.raises(VendorError) as refused:
        platform.apply(CreateFollowUp(ref=ref(key), key="f", subject="Again", body="Again"))
    assert not refused.value.retryable
    message = str(refused.value)
    assert "Jira answered 400: Specify an existing serviceDeskId" in message
    assert "i18nErrorMessage" not in message  # the words, not the JSON


def test_a_wrong_token_is_an_error_naming_the_settings_never_the_token(
        sandbox: Sandbox, site: Site, clock: VirtualClock, key: str) -> None:
    platform = platform_for(sandbox, clock, api_token="not-the-token-42")
    with pytest.raises(VendorError) as refused:
        platform.fetch_ticket(key)
    message = str(refused.value)
    assert refused.value.status == 401
    assert not refused.value.retryable
    assert "SLA_BRIDGE_JIRA__API_TOKEN" in message
    assert "not-the-token-42" not in f"{message} {platform!r} {platform.client!r}"


def test_the_organizations_members_are_read_for_who_is_a_customer(
        platform: JiraPlatform, sandbox: Sandbox, site: Site, key: str) -> None:
    # An Atlassian account in the customer's organization writes as a customer (the
    # research's reading of JSM, [inferred]); the same kind of account outside it, an agent.
    pat = sandbox.add_agent("Pat Gold", "pat@gold.test")
    sandbox.add_to_organization(site.org["id"], pat["accountId"])
    sandbox.comment(key, pat["accountId"], "Same here")
    sandbox.comment(key, site.ada["accountId"], "Looking into it")
    roles = [(c.body, c.author_role) for c in platform.fetch_ticket(key).comments]
    assert roles == [("Same here", "customer"), ("Looking into it", "agent")]


def test_every_call_the_platform_makes_follows_atlassians_documents(
        sandbox: Sandbox, site: Site, clock: VirtualClock, key: str) -> None:
    platform = platform_for(sandbox, clock, approval_status="Waiting for approval",
                            approvers=json.dumps({"Support Managers": [
                                site.morgan["accountId"]]}))
    for n in range(101):  # a history longer than expand=changelog shows
        sandbox.edit(key, site.ada["accountId"],
                     update={"labels": [{"remove" if n % 2 else "add": "watch"}]})
    sandbox.clear_request_log()
    platform.fetch_ticket(key)
    platform.apply(AddComment(ref=ref(key), key="note", body="Checking"))
    platform.apply_batch([
        SetFields(ref=ref(key), key="due", fields={"vendor_severity": "2",
                                                   "sla_first_response_due": DUE.isoformat()}),
        ChangeTags(ref=ref(key), key="warn", add=("sla_warning",))])
    platform.apply(Assign(ref=ref(key), key="agent", assignee_id=site.ada["accountId"]))
    platform.apply(RequestApproval(ref=ref(key), key="escalation:1", group="Support Managers",
                                   summary="Escalate?"))
    sandbox.decide(key, site.morgan["accountId"], "approve")
    platform.fetch_ticket(key)
    platform.apply(SetStatus(ref=ref(key), key="close", status=Status.CLOSED))
    follow_up = CreateFollowUp(ref=ref(key), key="follow_up:1", subject="Again",
                               body="It broke again",
                               carry={"organization_id": str(site.org["id"])})
    sandbox.drop_next(1, after_processing=True, method="POST",
                      path=r"/rest/servicedeskapi/request$")
    with pytest.raises(VendorError):
        platform.apply(follow_up)
    platform.apply(follow_up)  # found by the search
    calls = sandbox.request_log()
    paths = {str(c["path"]) for c in calls}
    assert {f"/rest/api/2/issue/{key}/changelog", "/rest/api/2/search/jql"} <= paths
    assert len(calls) > 20
    assert problems_in_log(calls) == []
