"""The Requests API: what a customer, signed in with their own API token, does in the Help
Center: submit a request (a ticket from the web form, ``via.channel`` ``web``), list and read
their own requests, answer one or mark it solved.

A customer sets only the custom fields editable in the Help Center (:mod:`._fields`) and
sees only the visible ones; a request is the customer's view of the ticket (no tags, no
internal notes, no other customer's tickets: 404).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._account import AGENT_ROLES
from ._errors import bad_request, not_found, record_invalid
from ._fields import customer_values, visible_fields
from ._http import Api, customer_endpoint, json_response

SUBJECT_FROM_DESCRIPTION = 50  # characters of the description a missing subject takes


def request_json(api: Api, ticket: dict[str, Any], root: str,
                 viewer: dict[str, Any]) -> dict[str, Any]:
    """A ticket as its requester sees it (the Requests API's ``request``)."""
    shown = {f["id"] for f in visible_fields(api.state, viewer)}
    source = ticket["via"].get("source") or {}
    origin = (source.get("from") or {}).get("ticket_id") if source.get("rel") else None
    return {
        "id": ticket["id"], "url": f"{root}/api/v2/requests/{ticket['id']}.json",
        "subject": ticket["subject"], "description": ticket["description"],
        "status": ticket["status"], "priority": ticket["priority"], "type": ticket["type"],
        "requester_id": ticket["requester_id"], "organization_id": ticket["organization_id"],
        "assignee_id": ticket["assignee_id"], "group_id": ticket["group_id"],
        "collaborator_ids": [], "email_cc_ids": [], "via": ticket["via"],
        "created_at": ticket["created_at"], "updated_at": ticket["updated_at"],
        "due_at": ticket["due_at"], "is_public": ticket["is_public"],
        "can_be_solved_by_me": _solvable(ticket),
        "solved": ticket["status"] in ("solved", "closed"), "followup_source_id": origin,
        "recipient": ticket["recipient"], "ticket_form_id": ticket["ticket_form_id"],
        "custom_status_id": ticket["custom_status_id"],
        "custom_fields": [{"id": f["id"], "value": f["value"]}
                          for f in ticket["custom_fields"] if f["id"] in shown],
    }


def _solvable(ticket: dict[str, Any]) -> bool:
    return bool(ticket["assignee_id"]) and ticket["type"] != "problem" and (
        ticket["status"] not in ("solved", "closed"))


def _own(api: Api, request: Request) -> dict[str, Any]:
    """The ticket of the request named in the path, if the signed-in user may see it."""
    me = request.state.actor
    ticket = api.state.ticket(api.int_param(request))
    if me["role"] not in AGENT_ROLES and ticket["requester_id"] != me["id"]:
        raise not_found()
    return ticket


@customer_endpoint
async def create_request(request: Request, api: Api) -> Response:
    """POST /requests: the signed-in user asks for help, as the Help Center's form does."""
    data = await api.body_of(request, "request")
    me = request.state.actor
    comment = data.get("comment")
    body = str(comment.get("body") or comment.get("html_body") or "") if isinstance(
        comment, dict) else ""
    if not body.strip():
        raise record_invalid("description", "Description: cannot be blank", "BlankValue")
    subject = str(data.get("subject") or "").strip() or body[:SUBJECT_FROM_DESCRIPTION]
    payload: dict[str, Any] = {
        "subject": subject, "comment": {"body": body, "public": True},
        "requester_id": me["id"], "priority": data.get("priority"), "type": data.get("type"),
        "custom_fields": customer_values(api.state, me, data.get("custom_fields") or []),
    }
    if data.get("via_followup_source_id") is not None:
        payload["via_followup_source_id"] = data["via_followup_source_id"]
    ticket, _ = api.state.create_ticket(payload, me, channel="web")
    root = api.base(request)
    return json_response({"request": request_json(api, ticket, root, me)}, 201,
                         {"Location": f"{root}/api/v2/requests/{ticket['id']}.json"})


@customer_endpoint
async def list_requests(request: Request, api: Api) -> Response:
    """GET /requests: the signed-in user's own requests."""
    me = request.state.actor
    with api.state.lock:
        mine = [api.state.ticket(i) for i, r in sorted(api.state.tickets.items())
                if r.data["requester_id"] == me["id"]]
    root = api.base(request)
    return json_response(api.page(request, [request_json(api, t, root, me) for t in mine],
                                  "requests"))


@customer_endpoint
async def show_request(request: Request, api: Api) -> Response:
    """GET /requests/{id}: one of the signed-in user's requests."""
    ticket = _own(api, request)
    return json_response({"request": request_json(api, ticket, api.base(request),
                                                  request.state.actor)})


@customer_endpoint
async def update_request(request: Request, api: Api) -> Response:
    """PUT /requests/{id}: a public comment (which re-opens a pending or solved ticket),
    and/or ``solved: true`` when ``can_be_solved_by_me``."""
    ticket = _own(api, request)
    data = await api.body_of(request, "request")
    me = request.state.actor
    payload: dict[str, Any] = {}
    comment = data.get("comment")
    if comment is not None:
        if not isinstance(comment, dict):
            raise bad_request("comment must be an object with a body")
        payload["comment"] = {"body": comment.get("body") or comment.get("html_body") or "",
                              "public": True}
    if data.get("solved") in (True, "true"):
        if not _solvable(ticket):
            raise record_invalid("status", "Status: the request cannot be solved by you")
        payload["status"] = "solved"
    if not payload:
        raise bad_request("a request is updated with a comment or solved: true")
    updated, _ = api.state.update_ticket(ticket["id"], payload, me, channel="web")
    return json_response({"request": request_json(api, updated, api.base(request), me)})


ROUTES = [
    Route("/api/v2/requests/{id}", show_request, methods=["GET"]),
    Route("/api/v2/requests/{id}", update_request, methods=["PUT"]),
    Route("/api/v2/requests", list_requests, methods=["GET"]),
    Route("/api/v2/requests", create_request, methods=["POST"]),
]
