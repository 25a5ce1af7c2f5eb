"""The sandbox answers as Zendesk's OpenAPI documents say, and its webhooks as the event schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator
from zendesk_spec_check import check, route_of
from zendesk_testing import Account, Receiver, settings_for

from sla_bridge_zendesk.provision import Provisioner
from sla_bridge_zendesk.sandbox import Sandbox

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
         body: Any = None, status: int = 200, *, webhooks: bool = False) -> Any:
    answer = api.request(method, sandbox.base_url + path, json=body)
    assert answer.status_code == status, answer.text
    if answer.status_code == 204:
        return None
    payload = answer.json()
    route = route_of(path.split("?")[0])
    if webhooks:
        route = route.removeprefix("/api/v2")
        hook_id = path.split("/")[4] if path.count("/") > 3 else None
        if hook_id:
            route = route.replace(hook_id, "{webhook_id}")
    check(method, route, status, payload, webhooks=webhooks)
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
        "subscriptions": ["conditional_ticket_events"]}}, 201, webhooks=True)["webhook"]
    call(api, sandbox, "GET", "/api/v2/webhooks?filter[name_contains]=sla", webhooks=True)
    call(api, sandbox, "GET", f"/api/v2/webhooks/{hook['id']}", webhooks=True)
    call(api, sandbox, "PATCH", f"/api/v2/webhooks/{hook['id']}",
         {"webhook": {"status": "inactive"}}, 204, webhooks=True)
    secret = call(api, sandbox, "GET", f"/api/v2/webhooks/{hook['id']}/signing_secret",
                  webhooks=True)
    assert secret["signing_secret"]["algorithm"] == "SHA256"
    call(api, sandbox, "GET", f"/api/v2/webhooks/{hook['id']}/invocations", webhooks=True)
    trigger = call(api, sandbox, "POST", "/api/v2/triggers.json", {"trigger": {
        "title": "t", "conditions": {"all": [{"field": "update_type", "operator": "is",
                                              "value": "Change"}]},
        "actions": [{"field": "notification_webhook", "value": [hook["id"], "{}"]}]}},
        201)["trigger"]
    call(api, sandbox, "GET", "/api/v2/triggers.json")
    call(api, sandbox, "GET", f"/api/v2/triggers/{trigger['id']}.json")
    call(api, sandbox, "PUT", f"/api/v2/triggers/{trigger['id']}.json",
         {"trigger": {"active": False}})
    macro = call(api, sandbox, "POST", "/api/v2/macros.json", {"macro": {
        "title": "m", "actions": [{"field": "current_tags", "value": "x"}]}})["macro"]
    call(api, sandbox, "GET", "/api/v2/macros.json")
    call(api, sandbox, "PUT", f"/api/v2/macros/{macro['id']}.json", {"macro": {"active": False}})


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
    check("POST", "/webhooks", 400, bad_hook.json(), webhooks=True)


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
        check("GET", "/api/v2/tickets/{ticket_id}", 200, body)
    assert "ticket/priority" in str(caught.value)
