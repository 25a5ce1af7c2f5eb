"""Tickets, their comments, audits and tags."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._errors import ApiError, bad_request
from ._http import Api, endpoint, ids_param, json_response, ticket_json

# -- tickets -----------------------------------------------------------------------------


@endpoint
async def list_tickets(request: Request, api: Api) -> Response:
    """GET /tickets, optionally with ``external_id``."""
    external = request.query_params.get("external_id")
    with api.state.lock:
        tickets = [api.state.ticket(i) for i in sorted(api.state.tickets)]
    found = [ticket_json(t, api.base(request)) for t in tickets
             if external is None or t.get("external_id") == external]
    return json_response(api.page(request, found, "tickets"))


@endpoint
async def show_many_tickets(request: Request, api: Api) -> Response:
    """GET /tickets/show_many?ids=... (unknown ids are left out)."""
    found = []
    for ticket_id in ids_param(request.query_params.get("ids", "")):
        try:
            found.append(ticket_json(api.state.ticket(ticket_id), api.base(request)))
        except ApiError:
            continue
    return json_response({"tickets": found})


@endpoint
async def show_ticket(request: Request, api: Api) -> Response:
    """GET /tickets/{id}."""
    ticket = api.state.ticket(api.int_param(request))
    return json_response({"ticket": ticket_json(ticket, api.base(request))})


@endpoint
async def create_ticket(request: Request, api: Api) -> Response:
    """POST /tickets: 201 with the ticket, its first audit and its ``Location``."""
    ticket, audit = api.state.create_ticket(await _ticket_body(request, api),
                                            request.state.actor)
    url = f"{api.base(request)}/api/v2/tickets/{ticket['id']}.json"
    return json_response({"ticket": ticket_json(ticket, api.base(request)), "audit": audit},
                         201, {"Location": url})


@endpoint
async def update_ticket(request: Request, api: Api) -> Response:
    """PUT /tickets/{id}: the ticket and the audit of the change."""
    ticket, audit = api.state.update_ticket(api.int_param(request),
                                            await _ticket_body(request, api),
                                            request.state.actor)
    return json_response({"ticket": ticket_json(ticket, api.base(request)), "audit": audit})


async def _ticket_body(request: Request, api: Api) -> dict[str, Any]:
    """The request's ``ticket`` object, with a top-level ``metadata`` folded in."""
    data = await api.body_of(request)
    inner = data.get("ticket")
    if not isinstance(inner, dict):
        raise bad_request("the body must have a 'ticket' object")
    if "metadata" in data and "metadata" not in inner:
        inner = {**inner, "metadata": data["metadata"]}
    return inner


# -- comments and audits -----------------------------------------------------------------


@endpoint
async def ticket_comments(request: Request, api: Api) -> Response:
    """GET /tickets/{id}/comments, oldest first unless sorted by ``-created_at``."""
    comments = list(api.state.record(api.int_param(request)).comments)
    query = request.query_params
    if query.get("sort") == "-created_at" or query.get("sort_order") == "desc":
        comments.reverse()
    return json_response(api.page(request, comments, "comments"))


@endpoint
async def ticket_audits(request: Request, api: Api) -> Response:
    """GET /tickets/{id}/audits."""
    audits = list(api.state.record(api.int_param(request)).audits)
    return json_response(api.page(request, audits, "audits"))


# -- tags --------------------------------------------------------------------------------


@endpoint
async def show_tags(request: Request, api: Api) -> Response:
    """GET /tickets/{id}/tags."""
    return json_response({"tags": api.state.ticket(api.int_param(request))["tags"]})


_TAG_MODES = {"PUT": "add", "POST": "set", "DELETE": "remove"}


@endpoint
async def change_tags(request: Request, api: Api) -> Response:
    """PUT adds, POST sets and DELETE removes ``tags`` (a list or a space-separated text)."""
    ticket_id = api.int_param(request)
    tags = (await api.body_of(request)).get("tags")
    if not isinstance(tags, list | str):
        raise bad_request("tags must be a list")
    result = api.state.change_tags(ticket_id, tags if isinstance(tags, list) else tags.split(),
                                   _TAG_MODES[request.method], request.state.actor)
    if request.method == "DELETE":
        return Response(status_code=204)
    return json_response({"tags": result}, 201 if request.method == "POST" else 200)


ROUTES = [
    Route("/api/v2/tickets/show_many", show_many_tickets, methods=["GET"]),
    Route("/api/v2/tickets/{id}/comments", ticket_comments, methods=["GET"]),
    Route("/api/v2/tickets/{id}/audits", ticket_audits, methods=["GET"]),
    Route("/api/v2/tickets/{id}/tags", show_tags, methods=["GET"]),
    Route("/api/v2/tickets/{id}/tags", change_tags, methods=["PUT", "POST", "DELETE"]),
    Route("/api/v2/tickets/{id}", show_ticket, methods=["GET"]),
    Route("/api/v2/tickets/{id}", update_ticket, methods=["PUT"]),
    Route("/api/v2/tickets", list_tickets, methods=["GET"]),
    Route("/api/v2/tickets", create_ticket, methods=["POST"]),
]
