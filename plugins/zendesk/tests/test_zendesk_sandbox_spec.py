"""The sandbox answers as Zendesk's OpenAPI documents say, the plugin calls it as they say,
and its webhooks follow the documented event schema. The documents are the trimmed copies in
``plugins/zendesk/specs`` (see ``zendesk_spec_check``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator
from zendesk_spec_check import SPECS, check, check_request, checkers, problems_in_log
from zendesk_testing import Account, Receiver, ref, settings_for

from sla_bridge.actions import (
    AddComment,
    Assign,
    ChangeTags,
    CreateFollowUp,
    RequestApproval,
    SetFields,
    SetStatus,
)
from sla_bridge.tickets import Status
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.provision import Provisioner
from sla_bridge_zendesk.sandbox import Sandbox
from sla_bridge_zendesk.sandbox._app import ROUTES

# Zendesk's error shapes (the Tickets API's and the newer APIs'), as documented.
RECORD_INVALID = {
    "type": "object", "required": ["error", "description", "details"],
    "properties": {
        "error": {"const": "RecordInvalid"}, "description": {"type": "string"},
        "details": {"type": "object", "additionalProperties": {"type": "array", "items": {
            "type": "object", "required": ["description"],
            "properties": {"description": {"type": "string"}, "error": {"type": "string"}}}}}},
}
CLASSIC_ERROR = {"type": "object", "required": ["error"],
                 "properties": {"error": {"type": "string"}, "description": {"type": "string"}}}

# The documented ticket event payload: shared top-level properties, the ticket detail, and
# the event object with its sequence metadata.
_ID = {"type": ["string", "null"]}
TICKET_EVENT = {
    "type": "object",
    "required": ["account_id", "detail", "event", "id", "subject", "time", "type",
                 "zendesk_event_version"],
    "properties": {
        "account_id": {"type": "integer"},
        "id": {"type": "string", "minLength": 1},
        "time": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"},
        "zendesk_event_version": {"type": "string"},
        "subject": {"type": "string", "pattern": r"^zen:ticket:\d+$"},
        "type": {"type": "string", "pattern": r"^zen:event-type:ticket\.[a-z_]+$"},
        "detail": {
            "type": "object",
            "required": ["actor_id", "assignee_id", "brand_id", "created_at", "custom_status",
                         "description", "external_id", "form_id", "group_id", "id",
                         "is_public", "organization_id", "priority", "requester_id", "status",
                         "subject", "submitter_id", "tags", "type", "updated_at", "via"],
            "properties": {
                "actor_id": _ID, "assignee_id": _ID, "brand_id": _ID, "form_id": _ID,
                "group_id": _ID, "organization_id": _ID, "requester_id": _ID,
                "submitter_id": _ID, "custom_status": _ID, "external_id": _ID,
                "id": {"type": "string", "pattern": r"^\d+$"},
                "is_public": {"type": "boolean"},
                "priority": {"enum": ["URGENT", "HIGH", "NORMAL", "LOW", None]},
                "status": {"enum": ["NEW", "OPEN", "PENDING", "HOLD", "SOLVED", "CLOSED"]},
                "type": {"enum": ["PROBLEM", "INCIDENT", "QUESTION", "TASK", None]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "subject": {"type": "string"}, "description": {"type": "string"},
                "created_at": {"type": "string"}, "updated_at": {"type": "string"},
                "via": {"type": "object", "required": ["channel"]},
            },
        },
        "event": {
            "type": "object",
            "properties": {"meta": {"type": "object", "required": ["sequence"], "properties": {
                "sequence": {"type": "object", "required": ["id", "position"], "properties": {
                    "id": {"type": "string"}, "position": {"type": "number"}}}}}},
        },
    },
}


@pytest.fixture
def api(sandbox: Sandbox) -> requests.Session:
    session = requests.Session()
    session.auth = (f"{sandbox.api_email}/token", sandbox.api_token)
    return session


def call(api: requests.Session, sandbox: Sandbox, method: str, path: str,
         body: Any = None, status: int = 200) -> Any:
    """Send a request the documents describe; check the answer against them too."""
    check_request(method, path, body)
    answer = api.request(method, sandbox.base_url + path, json=body)
    assert answer.status_code == status, answer.text
    payload = None if answer.status_code == 204 else answer.json()
    check(method, path, status, payload)
    return payload


def test_tickets_comments_audits_and_tags_follow_the_spec(
        sandbox: Sandbox, account: Account, api: requests.Session) -> None:
    customer = account.customer["id"]
    created = call(api, sandbox, "POST", "/api/v2/tickets.json", {"ticket": {
        "subject": "Restore fails", "comment": {"body": "It fails"}, "requester_id": customer,
        "priority": "high", "tags": ["gold"], "custom_fields": [
            {"id": account.fields["SLA first response due"], "value": "2026-11-30T11:00Z"}]},
        "metadata": {"sla_bridge_key": "k"}}, 201)
    ticket_id = created["ticket"]["id"]
    call(api, sandbox, "GET", f"/api/v2/tickets/{ticket_id}.json")
    call(api, sandbox, "PUT", f"/api/v2/tickets/{ticket_id}.json", {"ticket": {
        "status": "open", "assignee_id": account.agent["id"], "group_id": account.support["id"],
        "comment": {"body": "Looking", "public": False}}})
    call(api, sandbox, "GET", "/api/v2/tickets.json")
    call(api, sandbox, "GET", f"/api/v2/tickets/show_many.json?ids={ticket_id}")
    comments = call(api, sandbox, "GET", f"/api/v2/tickets/{ticket_id}/comments.json")
    assert [c["public"] for c in comments["comments"]] == [True, False]
    audits = call(api, sandbox, "GET", f"/api/v2/tickets/{ticket_id}/audits.json")
    assert audits["audits"][0]["metadata"]["custom"] == {"sla_bridge_key": "k"}
    call(api, sandbox, "GET", f"/api/v2/tickets/{ticket_id}/tags.json")
    call(api, sandbox, "PUT", f"/api/v2/tickets/{ticket_id}/tags.json", {"tags": ["vip"]})
    call(api, sandbox, "POST", f"/api/v2/tickets/{ticket_id}/tags.json", {"tags": ["a"]}, 201)
    call(api, sandbox, "DELETE", f"/api/v2/tickets/{ticket_id}/tags.json", {"tags": ["a"]}, 204)


def test_users_organizations_groups_and_fields_follow_the_spec(
        sandbox: Sandbox, account: Account, api: requests.Session) -> None:
    me = call(api, sandbox, "GET", "/api/v2/users/me.json")
    assert me["user"]["email"] == sandbox.api_email
    call(api, sandbox, "GET", f"/api/v2/users/{account.customer['id']}.json")
    call(api, sandbox, "GET", "/api/v2/users.json")
    many = call(api, sandbox, "GET",
                f"/api/v2/users/show_many.json?ids={account.customer['id']},{account.agent['id']}")
    assert [u["role"] for u in many["users"]] == ["end-user", "agent"]
    org = call(api, sandbox, "GET", f"/api/v2/organizations/{account.org['id']}.json")
    assert org["organization"]["organization_fields"]["support_plan"] == "gold"
    call(api, sandbox, "GET", "/api/v2/organizations.json")
    call(api, sandbox, "GET", "/api/v2/groups.json")
    call(api, sandbox, "GET", f"/api/v2/groups/{account.support['id']}.json")
    call(api, sandbox, "GET", "/api/v2/ticket_fields.json")
    call(api, sandbox, "POST", "/api/v2/ticket_fields.json",
         {"ticket_field": {"type": "text", "title": "Product version"}}, 201)
    # Not in the published document; Zendesk documents it as the Users list.
    users = api.get(f"{sandbox.base_url}/api/v2/organizations/{account.org['id']}/users.json")
    check("GET", "/api/v2/users", 200, users.json())


def test_webhooks_triggers_and_macros_follow_the_specs(
        sandbox: Sandbox, account: Account, api: requests.Session) -> None:
    hook = call(api, sandbox, "POST", "/api/v2/webhooks", {"webhook": {
        "name": "sla-bridge", "endpoint": "https://bridge.example/webhooks/zendesk",
        "http_method": "POST", "request_format": "json", "status": "active",
        "subscriptions": ["conditional_ticket_events"]}}, 201)["webhook"]
    call(api, sandbox, "GET", "/api/v2/webhooks?filter[name_contains]=sla")
    call(api, sandbox, "GET", f"/api/v2/webhooks/{hook['id']}")
    call(api, sandbox, "PATCH", f"/api/v2/webhooks/{hook['id']}",
         {"webhook": {"status": "inactive"}}, 204)
    secret = call(api, sandbox, "GET", f"/api/v2/webhooks/{hook['id']}/signing_secret")
    assert secret["signing_secret"]["algorithm"] == "SHA256"
    call(api, sandbox, "GET", f"/api/v2/webhooks/{hook['id']}/invocations")
    trigger = call(api, sandbox, "POST", "/api/v2/triggers.json", {"trigger": {
        "title": "t", "conditions": {"all": [{"field": "update_type", "operator": "is",
                                              "value": "Change"}]},
        "actions": [{"field": "notification_webhook", "value": [hook["id"], "{}"]}]}},
        201)["trigger"]
    call(api, sandbox, "GET", "/api/v2/triggers.json")
    call(api, sandbox, "GET", f"/api/v2/triggers/{trigger['id']}.json")
    # The document asks an update for the whole rule (title, conditions and actions).
    call(api, sandbox, "PUT", f"/api/v2/triggers/{trigger['id']}.json", {"trigger": {
        "title": "t", "active": False, "conditions": trigger["conditions"],
        "actions": trigger["actions"]}})
    macro = call(api, sandbox, "POST", "/api/v2/macros.json", {"macro": {
        "title": "m", "actions": [{"field": "current_tags", "value": "x"}]}})["macro"]
    call(api, sandbox, "GET", "/api/v2/macros.json")
    call(api, sandbox, "GET", f"/api/v2/macros/{macro['id']}.json")
    call(api, sandbox, "PUT", f"/api/v2/macros/{macro['id']}.json", {"macro": {
        "title": "m", "active": False, "actions": macro["actions"]}})
    call(api, sandbox, "DELETE", f"/api/v2/macros/{macro['id']}.json", status=204)
    call(api, sandbox, "DELETE", f"/api/v2/triggers/{trigger['id']}.json", status=204)
    call(api, sandbox, "POST", f"/api/v2/webhooks/{hook['id']}/signing_secret", status=201)
    call(api, sandbox, "PUT", f"/api/v2/webhooks/{hook['id']}", {"webhook": {
        "name": "sla-bridge", "endpoint": "https://bridge.example/webhooks/zendesk",
        "http_method": "POST", "request_format": "json", "status": "active",
        "subscriptions": ["conditional_ticket_events"]}}, 204)
    call(api, sandbox, "DELETE", f"/api/v2/webhooks/{hook['id']}", status=204)


def test_portal_fields_organization_fields_and_requests_follow_the_spec(
        sandbox: Sandbox, account: Account, api: requests.Session) -> None:
    reason = account.fields["SLA escalation reason"]
    call(api, sandbox, "PUT", f"/api/v2/ticket_fields/{reason}.json", {"ticket_field": {
        "visible_in_portal": True, "editable_in_portal": True}})
    created = call(api, sandbox, "POST", "/api/v2/organization_fields.json", {
        "organization_field": {"type": "text", "key": "support_tier", "title": "Tier"}}, 201)
    field_id = created["organization_field"]["id"]
    call(api, sandbox, "GET", "/api/v2/organization_fields.json")
    call(api, sandbox, "GET", f"/api/v2/organization_fields/{field_id}.json")
    call(api, sandbox, "PUT", f"/api/v2/organization_fields/{field_id}.json",
         {"organization_field": {"title": "Support tier"}})
    org = call(api, sandbox, "PUT", f"/api/v2/organizations/{account.org['id']}.json",
               {"organization": {"organization_fields": {"support_tier": "2"}}})
    assert org["organization"]["organization_fields"]["support_tier"] == "2"
    sandbox.give_token(account.customer["id"], "grace-token")
    customer = requests.Session()
    customer.auth = (f"{account.customer['email']}/token", "grace-token")
    made = call(customer, sandbox, "POST", "/api/v2/requests.json", {"request": {
        "subject": "Restore fails", "comment": {"body": "Since Monday"},
        "custom_fields": [{"id": reason, "value": "Audit on Wednesday"}]}}, 201)["request"]
    assert made["custom_fields"] == [{"id": reason, "value": "Audit on Wednesday"}]
    call(customer, sandbox, "GET", "/api/v2/requests.json")
    call(customer, sandbox, "GET", f"/api/v2/requests/{made['id']}.json")
    call(customer, sandbox, "PUT", f"/api/v2/requests/{made['id']}.json",
         {"request": {"comment": {"body": "Any news?"}}})


def test_errors_have_zendesks_shapes(sandbox: Sandbox, account: Account,
                                     api: requests.Session) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    invalid = api.put(f"{sandbox.base_url}/api/v2/tickets/{ticket['id']}.json",
                      json={"ticket": {"priority": "whenever"}})
    assert invalid.status_code == 422
    Draft202012Validator(RECORD_INVALID).validate(invalid.json())
    missing = api.get(f"{sandbox.base_url}/api/v2/tickets/999.json")
    assert missing.status_code == 404
    Draft202012Validator(CLASSIC_ERROR).validate(missing.json())
    assert missing.json()["error"] == "RecordNotFound"
    stranger = requests.get(f"{sandbox.base_url}/api/v2/tickets/{ticket['id']}.json",
                            auth=(f"{sandbox.api_email}/token", "wrong"))
    assert stranger.status_code == 401
    Draft202012Validator(CLASSIC_ERROR).validate(stranger.json())
    bad_hook = api.post(f"{sandbox.base_url}/api/v2/webhooks", json={"webhook": {"name": "x"}})
    assert bad_hook.status_code == 400
    check("POST", "/api/v2/webhooks", 400, bad_hook.json())


def test_cursor_and_offset_pagination(account: Account) -> None:
    with Sandbox(page_size_cap=2) as small:
        customer = small.add_user("Pat", "pat@example.test")
        for n in range(5):
            small.open_ticket(customer["id"], f"T{n}", "B")
        session = requests.Session()
        session.auth = (f"{small.api_email}/token", small.api_token)
        seen: list[int] = []
        url: str | None = f"{small.base_url}/api/v2/tickets.json?page[size]=100"
        while url:
            page = session.get(url).json()
            check("GET", "/api/v2/tickets", 200, page)
            assert len(page["tickets"]) <= 2
            seen += [t["id"] for t in page["tickets"]]
            url = page["links"]["next"] if page["meta"]["has_more"] else None
        assert seen == [1, 2, 3, 4, 5]
        offset = session.get(f"{small.base_url}/api/v2/tickets.json?page=3").json()
        assert [t["id"] for t in offset["tickets"]] == [5]
        assert offset["count"] == 5
        assert offset["next_page"] is None
        assert offset["previous_page"].endswith("page=2&per_page=2")


def test_webhook_events_follow_the_documented_event_schema(
        sandbox: Sandbox, account: Account, receiver: Receiver) -> None:
    provisioner = Provisioner(sandbox_client(sandbox), settings_for(sandbox), receiver.url,
                              mode="events")
    provisioner.apply(provisioner.plan())
    ticket = sandbox.open_ticket(account.customer["id"], "Restore fails", "B", priority="low")
    sandbox.agent_update(ticket["id"], account.agent["id"], comment="On it", status="pending",
                         priority="high", assignee_id=account.agent["id"], tags=["x"],
                         group_id=account.support["id"], custom_fields=[
                             {"id": account.fields["SLA escalation reason"], "value": "r"}])
    assert sandbox.flush()
    bodies = [json.loads(r.body) for r in receiver.wait_for(8)]
    kinds = sorted(b["type"].rsplit(".", 1)[1] for b in bodies)
    assert kinds == ["agent_assignment_changed", "comment_added", "created",
                     "custom_field_changed", "group_assignment_changed", "priority_changed",
                     "status_changed", "tags_changed"]
    validator = Draft202012Validator(TICKET_EVENT)
    for body in bodies:
        assert not list(validator.iter_errors(body)), body
    status = next(b for b in bodies if b["type"].endswith("status_changed"))
    assert status["event"]["current"] == "PENDING"
    assert status["event"]["previous"] == "NEW"


def sandbox_client(sandbox: Sandbox) -> Any:
    from sla_bridge_zendesk.client import ZendeskClient

    return ZendeskClient(settings_for(sandbox))


def test_the_check_catches_an_answer_that_differs_from_the_spec(
        sandbox: Sandbox, account: Account, api: requests.Session) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    body = api.get(f"{sandbox.base_url}/api/v2/tickets/{ticket['id']}.json").json()
    body["ticket"]["id"] = str(body["ticket"]["id"])
    body["ticket"]["priority"] = "whenever"
    with pytest.raises(AssertionError, match="ticket/id") as caught:
        check("GET", f"/api/v2/tickets/{ticket['id']}", 200, body)
    assert "ticket/priority" in str(caught.value)


def test_the_plugins_calls_and_the_answers_they_get_follow_the_specs(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform,
        receiver: Receiver) -> None:
    sandbox.keep_responses()
    for mode in ("triggers", "events"):
        provisioner = Provisioner(sandbox_client(sandbox), settings_for(sandbox), receiver.url,
                                  mode=mode, manager_group=account.escalations["name"])
        provisioner.apply(provisioner.plan())
    ticket = sandbox.open_ticket(account.customer["id"], "Restore fails", "It fails",
                                 priority="high", tags=["product_backup", "sla_warning"])
    platform.fetch_ticket(str(ticket["id"]))
    for action in (
            AddComment(ref=ref(ticket), key="note", body="Internal note"),
            AddComment(ref=ref(ticket), key="reply", body="Looking", public=True),
            SetFields(ref=ref(ticket), key="sev", fields={
                "vendor_severity": "2",
                "sla_first_response_due": "2026-11-30T11:00:00-06:00"}),
            ChangeTags(ref=ref(ticket), key="tags", add=("sla_breached",),
                       remove=("sla_warning",)),
            Assign(ref=ref(ticket), key="assign", group="Escalations",
                   assignee_id=str(account.agent["id"])),
            RequestApproval(ref=ref(ticket), key="approval", group="Escalations",
                            summary="Escalation requested: outage"),
            SetStatus(ref=ref(ticket), key="pending", status=Status.PENDING),
            SetStatus(ref=ref(ticket), key="closed", status=Status.CLOSED),
            CreateFollowUp(ref=ref(ticket), key="reply:1", subject="Re: Restore fails",
                           body="It happened again.", carry={"version": "6.8"})):
        platform.apply(action)
    log = sandbox.request_log()
    assert {(e["method"], e["path"].split("/")[3]) for e in log} >= {
        ("POST", "webhooks"), ("POST", "triggers"), ("POST", "macros"),
        ("GET", "tickets"), ("PUT", "tickets"), ("POST", "tickets")}
    assert all("response" in e for e in log)
    assert problems_in_log(log) == []
    # zenpy writes include=None into some URLs (audits, an organization's users); the
    # client sends only the parameters the document names.
    assert [e for e in log if "include=" in e["query"]] == []


def test_the_check_catches_a_call_that_differs_from_the_spec(
        sandbox: Sandbox, account: Account, api: requests.Session) -> None:
    sandbox.keep_responses()
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    api.put(f"{sandbox.base_url}/api/v2/tickets/{ticket['id']}.json?page[size]=ten",
            json={"ticket": {"priority": 1, "custom_fields": [{"value": "x"}]}})
    api.get(f"{sandbox.base_url}/api/v2/tickets/{ticket['id']}/tags.json?colour=red")
    api.get(f"{sandbox.base_url}/api/v2/tickets/{ticket['id']}/audits.json?include=None")
    api.get(f"{sandbox.base_url}/api/v2/tickets/{ticket['id']}/mysteries.json")
    problems = problems_in_log(sandbox.request_log())
    assert any("request query/page[size]: 'ten' is not of type 'integer'" in p
               for p in problems)
    assert any("request body/ticket/priority: 1 is not one of" in p for p in problems)
    assert any("body/ticket/custom_fields/0: 'id' is a required property" in p
               for p in problems)
    assert any("query/colour: not a parameter of this operation" in p for p in problems)
    assert any("audits: request query/include: not a parameter of this operation" in p
               for p in problems)
    assert f"GET /api/v2/tickets/{ticket['id']}/mysteries: no document describes it" in problems


def test_every_route_the_sandbox_serves_is_in_the_vendored_specs() -> None:
    served = {(method, route.path) for route in ROUTES for method in route.methods or ()
              if method != "HEAD"}
    assert len(served) > 30
    # Documented in prose only (List Users of an organization): checked as the Users list.
    undocumented = {("GET", "/api/v2/organizations/{id}/users")}
    missing = {(method, path) for method, path in served - undocumented
               if not any(c.operation(method, path.replace("{id}", "1")) for c in checkers())}
    assert missing == set()


def test_the_vendored_specs_are_small_and_say_where_they_come_from() -> None:
    files = sorted(SPECS.glob("*.trimmed.json"))
    assert [f.name for f in files] == ["zendesk-support-openapi.trimmed.json",
                                       "zendesk-webhooks-openapi.trimmed.json"]
    assert sum(f.stat().st_size for f in files) < 500_000
    for file in files:
        origin = json.loads(file.read_text())["info"]["x-sla-bridge-trimmed"]
        assert origin["source"] == file.name.replace(".trimmed.json", ".yaml")
        assert len(origin["sha256"]) == 64
        assert origin["date"][:2] == "20"
