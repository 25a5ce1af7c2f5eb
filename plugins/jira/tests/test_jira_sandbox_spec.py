"""The sandbox answers as Atlassian's OpenAPI documents say, and the real ``jira`` client
calls it as they say. The documents are the trimmed copies in ``plugins/jira/specs`` (see
``jira_spec_check``)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from jira import JIRA, JIRAError
from jira_spec_check import SPECS, UNDOCUMENTED, check, checkers, problems_in_log

from sla_bridge.testing import WebhookReceiver
from sla_bridge_jira.sandbox import Sandbox
from sla_bridge_jira.sandbox._app import ROUTES

SD = "/rest/servicedeskapi"


@pytest.fixture
def site() -> Iterator[Sandbox]:
    """A running sandbox that keeps its answers in the request log."""
    with Sandbox() as sandbox:
        sandbox.keep_responses()
        yield sandbox


def test_the_trimmed_documents_name_their_source() -> None:
    """Each vendored document says which published file it was cut from."""
    for name in ("jira-platform-openapi", "jira-service-management-openapi"):
        info = json.loads((SPECS / f"{name}.trimmed.json").read_text())["info"]
        assert info["x-sla-bridge-trimmed"]["source"].endswith(".json")
        assert len(info["x-sla-bridge-trimmed"]["sha256"]) == 64


def test_every_served_route_is_documented() -> None:
    """Each Jira route the sandbox serves is an operation of one of the documents (but those
    ``jira_spec_check.UNDOCUMENTED`` names, and says why)."""
    missing = []
    for route in ROUTES:
        path = getattr(route, "path", "")
        if path.startswith(UNDOCUMENTED):
            continue
        example = path.replace("{key}", "SUP-1").replace("{id}", "10").replace(
            "{name}", "p")
        for method in getattr(route, "methods", None) or ():
            if method == "HEAD":
                continue
            if not any(c.operation(method, example) for c in checkers()):
                missing.append(f"{method} {path}")
    assert missing == []


def test_a_request_life_through_the_client_follows_the_documents(site: Sandbox) -> None:
    """What the plugin does through the client (read, comment, edit, assign, transition,
    link, follow-up request, approvals, organization properties), and what the sandbox
    answers, validate against the documents."""
    org = site.add_organization("Gold Corp", properties={"support_plan": "gold"})
    grace = site.add_customer("Grace", "grace@gold.test", organization=org["id"])
    ada = site.add_agent("Ada Agent", "ada@vendor.test")
    manager = site.add_agent("Morgan Manager", "morgan@vendor.test")
    key = site.open_request(grace["accountId"], "Restore fails", "It fails")
    jira = JIRA(server=site.base_url, basic_auth=(site.api_email, site.api_token),
                max_retries=0)
    jira.myself()
    jira.fields()
    jira._session.post(f"{site.base_url}/rest/api/2/field", data=json.dumps({
        "name": "SLA escalation reason",
        "type": "com.atlassian.jira.plugin.system.customfieldtypes:textfield"}))
    jira.project("SUP")
    jira._get_json("project/SUP/statuses")
    site.add_group("Escalation managers")
    jira.groups(query="managers")
    issue = jira.issue(key, expand="changelog")
    jira._get_json(f"issue/{key}/changelog")
    jira.comments(key, expand="properties")
    comment = jira.add_comment(key, "internal note", is_internal=True)
    jira._session.put(f"{site.base_url}/rest/api/2/comment/{comment.id}/properties/sla-bridge",
                      data=json.dumps({"key": "k-1"}))
    issue.update(fields={"priority": {"name": "High"}},
                 update={"labels": [{"add": "sla_breached"}]})
    jira._session.put(f"{site.base_url}/rest/api/2/issue/{key}/assignee",
                      data=json.dumps({"accountId": ada["accountId"]}))
    jira.transitions(key)
    jira.transitions(key, expand="transitions.fields")
    jira.issue(key, fields="summary,status", expand="names", properties="*all")
    jira.transition_issue(key, "11")
    follow_up = jira.create_customer_request({
        "serviceDeskId": site.service_desk_id(),
        "requestTypeId": int(site.request_type_id("Get IT help")),
        "requestFieldValues": {"summary": "Follow-up"}, "raiseOnBehalfOf": grace["accountId"]})
    jira.create_issue_link("Relates", follow_up.key, key)
    jira._session.get(f"{site.base_url}{SD}/request/{key}")
    jira._session.get(f"{site.base_url}{SD}/request/{key}/comment")
    jira._session.get(f"{site.base_url}{SD}/request/{key}/participant")
    jira._session.get(f"{site.base_url}{SD}/organization/{org['id']}/property/support_plan")
    jira._session.get(f"{site.base_url}{SD}/organization/{org['id']}/property")
    jira._session.get(f"{site.base_url}{SD}/organization/{org['id']}/user")
    jira._session.get(f"{site.base_url}{SD}/organization")
    jira.request_types(jira.service_desks()[0])
    site.request_approval(follow_up.key, ada["accountId"], [manager["accountId"]])
    approvals = jira._session.get(f"{site.base_url}{SD}/request/{follow_up.key}/approval")
    with pytest.raises(JIRAError):  # the bridge is not an approver: 403
        jira._session.post(f"{site.base_url}{SD}/request/{follow_up.key}/approval/"
                           f"{approvals.json()['values'][0]['id']}",
                           data=json.dumps({"decision": "approve"}))
    with pytest.raises(JIRAError):  # 404, in the platform API's error shape
        jira.issue("SUP-404")
    assert problems_in_log(site.request_log()) == []


def test_webhook_bodies_carry_the_documented_issue_and_comment(site: Sandbox) -> None:
    """A webhook's ``issue`` is the issue as ``GET /issue/{key}`` shows it, and a comment
    event's ``comment`` as ``GET /issue/{key}/comment/{id}`` does
    (https://developer.atlassian.com/cloud/jira/platform/webhooks/#webhook-payloads); both
    validate against those operations' schemas."""
    grace = site.add_customer("Grace", "grace@gold.test")
    key = site.open_request(grace["accountId"], "Restore fails")
    with WebhookReceiver() as receiver:
        site.register_webhook(receiver.url)
        comment = site.comment(key, site.bridge["accountId"], "On it", public=False)
        received = [json.loads(r.body) for r in receiver.wait_for(2)[:2]]
    by_event = {b["webhookEvent"]: b for b in received}
    check("GET", f"/rest/api/2/issue/{key}", 200, by_event["jira:issue_updated"]["issue"])
    check("GET", f"/rest/api/2/issue/{key}/comment/{comment['id']}", 200,
          by_event["comment_created"]["comment"])
