"""The neutral ticket from a JSM request as ``GET /rest/api/2/issue/{key}?expand=changelog``
and its comments show it: statuses through the map, customers and agents, public and
internal comments, the organization's plan and location, severity from the priority."""

from __future__ import annotations

from typing import Any

import pytest
from jira_testing import AGENT, CUSTOMER

from sla_bridge.tickets import Status
from sla_bridge_jira.mapping import (
    ORGANIZATIONS_FIELD,
    PARTICIPANTS_FIELD,
    REQUEST_TYPE_FIELD,
    Context,
    JiraField,
    approval_decision,
    to_ticket,
)
from sla_bridge_jira.settings import JiraSettings

BRIDGE = {"accountId": "5b10ac8d82e05b22cc7d0001", "displayName": "sla-bridge",
          "accountType": "atlassian"}
PARTICIPANT = {"accountId": "qm:participant-1", "displayName": "Carl", "accountType": "customer"}
# An Atlassian-account person on the request: a customer though not a portal-only account.
COLLEAGUE = {"accountId": "5b10ac8d82e05b22cc7d9999", "displayName": "Pat",
             "accountType": "atlassian"}
FIELDS = [JiraField("customfield_10010", "Request Type", "sd-customerrequesttype",
                    custom=REQUEST_TYPE_FIELD),
          JiraField("customfield_10002", "Organizations", "array", "sd-customerorganization",
                    custom=ORGANIZATIONS_FIELD),
          JiraField("customfield_10026", "Request participants", "array", "user",
                    custom=PARTICIPANTS_FIELD),
          JiraField("customfield_10060", "SLA escalation reason", "string")]


def settings(**values: Any) -> JiraSettings:
    return JiraSettings(base_url="http://127.0.0.1:9", email="bridge@acme.test",
                        api_token="t", **values)


def context(config: JiraSettings | None = None, **values: Any) -> Context:
    return Context(settings=config or settings(), bridge_account_id=BRIDGE["accountId"],
                   field_named=lambda ref: next((f for f in FIELDS if ref in (f.id, f.name)),
                                                None),
                   field_of_type=lambda kind: next((f for f in FIELDS if f.custom == kind),
                                                   None),
                   organization={"support_plan": "gold", "support_location": "usa"},
                   **values)


def issue(status: str = "Waiting for support", category: str = "indeterminate",
          **fields: Any) -> dict[str, Any]:
    return {"id": "10042", "key": "SUP-42", "fields": {
        "summary": "Restore fails", "description": "Restores fail from every device",
        "status": {"name": status, "id": "10001",
                   "statusCategory": {"id": 4, "key": category, "name": "In Progress"}},
        "priority": {"name": "Highest", "id": "1"},
        "labels": ["product_backup", "version_7.2"],
        "reporter": CUSTOMER, "assignee": AGENT,
        "created": "2026-11-23T14:00:00.000+0000", "updated": "2026-11-23T15:30:00.000+0000",
        "customfield_10010": {"requestType": {"id": "12", "name": "Emergency"},
                              "currentStatus": {"status": status}},
        "customfield_10002": [{"id": 7, "name": "Gold Corp"}],
        "customfield_10026": [PARTICIPANT],
        "customfield_10060": "Production is down",
        **fields},
        "changelog": {"histories": [
            {"id": "1", "created": "2026-11-23T14:30:00.000+0000", "author": AGENT,
             "items": [{"field": "priority", "fieldId": "priority", "from": "3",
                        "fromString": "High", "to": "1", "toString": "Highest"}]},
            {"id": "2", "created": "2026-11-23T14:10:00.000+0000", "author": AGENT,
             "items": [{"field": "assignee", "fieldId": "assignee", "from": None,
                        "to": "5b10ac8d82e05b22cc7d0777"}]}]}}


def comment(comment_id: str, author: dict[str, Any], *, public: bool = True,
            properties: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": comment_id, "author": author, "body": f"comment {comment_id}",
            "created": f"2026-11-23T15:{comment_id[-2:]}:00.000+0000", "jsdPublic": public,
            "properties": properties or []}


def test_a_request_maps_onto_the_neutral_ticket() -> None:
    ticket = to_ticket(issue(), [], context())
    assert ticket.ref.ticket_id == "SUP-42"
    assert ticket.status == Status.OPEN
    assert (ticket.plan, ticket.location) == ("gold", "usa")
    assert ticket.organization_id == "7"
    assert ticket.requester_id == CUSTOMER["accountId"]
    assert ticket.channel == "emergency"
    assert ticket.fields["request_type"] == "Emergency"
    assert (ticket.product, ticket.version) == ("backup", "7.2")
    assert ticket.fields["escalation_reason"] == "Production is down"
    assert ticket.assignee_id == AGENT["accountId"]
    assert ticket.original_assignee_id == "5b10ac8d82e05b22cc7d0777"
    assert ticket.tags == {"product_backup", "version_7.2"}


def test_the_customer_raised_it_at_one_priority_and_an_agent_changed_it() -> None:
    ticket = to_ticket(issue(), [], context())
    assert ticket.customer_severity == "High"
    assert ticket.vendor_severity == "Highest"


def test_the_severity_the_bridge_set_reads_back_as_written_while_the_priority_holds() -> None:
    recorded = {"properties": {"sla-bridge": {"vendor_severity": "sev1",
                                              "priority": "Highest"}}}
    assert to_ticket({**issue(), **recorded}, [], context()).vendor_severity == "sev1"
    changed = issue(priority={"name": "Low"})
    assert to_ticket({**changed, **recorded}, [], context()).vendor_severity == "Highest"


@pytest.mark.parametrize(("status", "category", "expected"), [
    ("Waiting for support", "indeterminate", Status.OPEN),
    ("Waiting for customer", "indeterminate", Status.PENDING),
    ("Pending", "indeterminate", Status.HOLD),
    ("Resolved", "done", Status.SOLVED),
    ("Closed", "done", Status.CLOSED),
    ("Triage", "new", Status.NEW),  # a team's own status: its category decides
    ("Fixed in release", "done", Status.SOLVED),
])
def test_statuses_map_by_name_then_by_category(status: str, category: str,
                                               expected: Status) -> None:
    assert to_ticket(issue(status, category), [], context()).status == expected


def test_the_status_map_is_the_teams_own() -> None:
    config = settings(status_map={"Fixed in release": "closed", "waiting for customer": "hold"})
    assert to_ticket(issue("Fixed in release", "done"), [], context(config)).status == "closed"
    assert to_ticket(issue("Waiting for Customer"), [], context(config)).status == "hold"


def test_comments_tell_customers_agents_and_the_bridge_apart_and_internal_from_public() -> None:
    comments = [
        comment("10001", CUSTOMER),
        comment("10002", AGENT, public=False),
        comment("10003", PARTICIPANT),
        comment("10004", BRIDGE, properties=[
            {"key": "sla-bridge", "value": {"key": "jira:SUP-42:add_comment:x"}},
            {"key": "sd.public.comment", "value": {"internal": True}}]),
        {**comment("10005", COLLEAGUE), "visibility": {"type": "role",
                                                      "value": "Service Desk Team"}},
    ]
    participants = [PARTICIPANT, COLLEAGUE]
    ticket = to_ticket(issue(customfield_10026=participants), comments, context())
    seen = [(c.id, c.author_role, c.public, c.bridge_key) for c in ticket.comments]
    assert seen == [("10001", "customer", True, None), ("10002", "agent", False, None),
                    ("10003", "customer", True, None),
                    ("10004", "bridge", False, "jira:SUP-42:add_comment:x"),
                    ("10005", "customer", False, None)]


def test_the_latest_approval_decides_and_a_new_one_makes_the_old_decision_stale() -> None:
    approved = {"id": "1", "finalDecision": "approved", "createdDate": {"epochMillis": 1000}}
    pending = {"id": "2", "finalDecision": "pending", "createdDate": {"epochMillis": 2000}}
    assert approval_decision([approved]) == "approved"
    assert approval_decision([approved, pending]) is None
    config = settings(approval_status="Waiting for approval")
    ticket = to_ticket(issue(), [], context(config, approvals=[approved]))
    assert ticket.fields["escalation_decision"] == "approved"


def test_registered_admins_come_from_the_organization() -> None:
    ticket = to_ticket(issue(), [], context(registered_admins=(CUSTOMER["accountId"],)))
    assert ticket.registered_admins == (CUSTOMER["accountId"],)
    assert to_ticket(issue(), [], context()).registered_admins is None


def test_an_atlassian_account_of_the_customers_organization_writes_as_a_customer() -> None:
    # The research's reading of JSM ([inferred]): being on the request's organization makes
    # an Atlassian account a customer of this request.
    comments = [comment("10001", COLLEAGUE)]
    assert to_ticket(issue(), comments, context()).comments[0].author_role == "agent"
    members = frozenset({COLLEAGUE["accountId"]})
    ticket = to_ticket(issue(), comments, context(organization_members=members))
    assert ticket.comments[0].author_role == "customer"


def test_a_changelog_sent_newest_first_is_read_oldest_first() -> None:
    # getIssue's expand=changelog lists "recent updates ... starting from the most recent";
    # two changes of one instant are told apart by their ids.
    at = "2026-11-23T14:30:00.000+0000"
    newest_first = issue()
    newest_first["changelog"] = {"histories": [
        {"id": "12", "created": at, "author": AGENT,
         "items": [{"field": "priority", "fieldId": "priority", "from": "2",
                    "fromString": "High", "to": "1", "toString": "Highest"}]},
        {"id": "11", "created": at, "author": AGENT,
         "items": [{"field": "priority", "fieldId": "priority", "from": "3",
                    "fromString": "Medium", "to": "2", "toString": "High"}]}]}
    ticket = to_ticket(newest_first, [], context())
    assert (ticket.customer_severity, ticket.vendor_severity) == ("Medium", "Highest")
