"""Users, organizations, groups, ticket fields and tickets (with comments, audits, tags)."""

from __future__ import annotations

import copy
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._errors import ApiError, bad_request, not_found
from ._http import Api, ids_param, json_response, ticket_json, user_json, with_url


def ticket_routes(api: Api) -> list[Route]:
    """Users, organizations, groups, ticket fields and tickets."""
    state = api.state

    # -- users, organizations, groups, fields -------------------------------------------

    @api.endpoint()
    async def me(request: Request) -> Response:
        return json_response({"user": {**user_json(request.state.actor, api.base(request)),
                               "authenticity_token": secrets.token_hex(8)}})

    @api.endpoint()
    async def show_user(request: Request) -> Response:
        user = state.user(api.int_param(request, "id"))
        return json_response({"user": user_json(user, api.base(request))})

    @api.endpoint()
    async def list_users(request: Request) -> Response:
        with state.lock:
            users = [copy.deepcopy(u) for _, u in sorted(state.users.items())]
        role = request.query_params.get("role")
        users = [user_json(u, api.base(request)) for u in users
                 if not role or u["role"] == role]
        return json_response(api.page(request, users, "users"))

    @api.endpoint()
    async def show_many_users(request: Request) -> Response:
        ids = ids_param(request.query_params.get("ids", ""))
        with state.lock:
            found = [user_json(copy.deepcopy(state.users[i]), api.base(request))
                     for i in ids if i in state.users]
        return json_response({"users": found})

    @api.endpoint()
    async def show_organization(request: Request) -> Response:
        org = state.organization(api.int_param(request, "id"))
        return json_response({"organization": with_url(org, api.base(request), "organizations")})

    @api.endpoint()
    async def list_organizations(request: Request) -> Response:
        with state.lock:
            orgs = [with_url(copy.deepcopy(o), api.base(request), "organizations")
                    for _, o in sorted(state.organizations.items())]
        return json_response(api.page(request, orgs, "organizations"))

    @api.endpoint()
    async def organization_users(request: Request) -> Response:
        org_id = api.int_param(request, "id")
        state.organization(org_id)
        with state.lock:
            users = [user_json(copy.deepcopy(u), api.base(request))
                     for _, u in sorted(state.users.items()) if u["organization_id"] == org_id]
        return json_response(api.page(request, users, "users"))

    def listing(request: Request, items: dict[int, dict[str, Any]], kind: str) -> Response:
        with state.lock:
            found = [with_url(copy.deepcopy(item), api.base(request), kind)
                     for _, item in sorted(items.items())]
        return json_response(api.page(request, found, kind))

    def one(request: Request, items: dict[int, dict[str, Any]], kind: str,
            key: str) -> Response:
        with state.lock:
            item = items.get(api.int_param(request, "id"))
            if item is None:
                raise not_found()
            return json_response({key: with_url(copy.deepcopy(item), api.base(request), kind)})

    @api.endpoint()
    async def list_groups(request: Request) -> Response:
        return listing(request, state.groups, "groups")

    @api.endpoint()
    async def show_group(request: Request) -> Response:
        return one(request, state.groups, "groups", "group")

    @api.endpoint()
    async def list_ticket_fields(request: Request) -> Response:
        return listing(request, state.ticket_fields, "ticket_fields")

    @api.endpoint()
    async def show_ticket_field(request: Request) -> Response:
        return one(request, state.ticket_fields, "ticket_fields", "ticket_field")

    @api.endpoint(admin=True)
    async def create_ticket_field(request: Request) -> Response:
        data = await api.body_of(request, "ticket_field")
        created = state.add_ticket_field(str(data.get("title") or ""),
                                         str(data.get("type") or ""),
                                         str(data.get("description") or ""))
        return json_response(
            {"ticket_field": with_url(created, api.base(request), "ticket_fields")}, 201)

    # -- tickets ------------------------------------------------------------------------

    @api.endpoint()
    async def list_tickets(request: Request) -> Response:
        external = request.query_params.get("external_id")
        with state.lock:
            ids = sorted(state.tickets)
            tickets = [state.ticket(i) for i in ids]
        tickets = [ticket_json(t, api.base(request)) for t in tickets
                   if external is None or t.get("external_id") == external]
        return json_response(api.page(request, tickets, "tickets"))

    @api.endpoint()
    async def show_many_tickets(request: Request) -> Response:
        found = []
        for ticket_id in ids_param(request.query_params.get("ids", "")):
            try:
                found.append(ticket_json(state.ticket(ticket_id), api.base(request)))
            except ApiError:
                continue
        return json_response({"tickets": found})

    async def ticket_body(request: Request) -> dict[str, Any]:
        """The request's ``ticket`` object, with a top-level ``metadata`` folded in."""
        data = await api.body_of(request)
        inner = data.get("ticket")
        if not isinstance(inner, dict):
            raise bad_request("the body must have a 'ticket' object")
        if "metadata" in data and "metadata" not in inner:
            inner = {**inner, "metadata": data["metadata"]}
        return inner

    @api.endpoint()
    async def show_ticket(request: Request) -> Response:
        ticket = state.ticket(api.int_param(request, "id"))
        return json_response({"ticket": ticket_json(ticket, api.base(request))})

    @api.endpoint()
    async def create_ticket(request: Request) -> Response:
        inner = await ticket_body(request)
        ticket, audit = state.create_ticket(inner, request.state.actor)
        url = f"{api.base(request)}/api/v2/tickets/{ticket['id']}.json"
        return json_response({"ticket": ticket_json(ticket, api.base(request)),
                              "audit": audit}, 201, {"Location": url})

    @api.endpoint()
    async def update_ticket(request: Request) -> Response:
        inner = await ticket_body(request)
        ticket, audit = state.update_ticket(api.int_param(request, "id"), inner,
                                            request.state.actor)
        return json_response({"ticket": ticket_json(ticket, api.base(request)),
                              "audit": audit})

    @api.endpoint()
    async def ticket_comments(request: Request) -> Response:
        record = state.record(api.int_param(request, "id"))
        comments = list(record.comments)
        if request.query_params.get("sort") == "-created_at" or request.query_params.get(
                "sort_order") == "desc":
            comments.reverse()
        return json_response(api.page(request, comments, "comments"))

    @api.endpoint()
    async def ticket_audits(request: Request) -> Response:
        record = state.record(api.int_param(request, "id"))
        return json_response(api.page(request, list(record.audits), "audits"))

    @api.endpoint()
    async def ticket_tags(request: Request) -> Response:
        ticket_id = api.int_param(request, "id")
        if request.method == "GET":
            return json_response({"tags": state.ticket(ticket_id)["tags"]})
        data = await api.body_of(request)
        tags = data.get("tags")
        if not isinstance(tags, list | str):
            raise bad_request("tags must be a list")
        mode = {"PUT": "add", "POST": "set", "DELETE": "remove"}[request.method]
        result = state.change_tags(ticket_id, tags if isinstance(tags, list) else tags.split(),
                                   mode, request.state.actor)
        if request.method == "DELETE":
            return Response(status_code=204)
        return json_response({"tags": result}, 201 if request.method == "POST" else 200)

    return [
        Route("/api/v2/users/me", me),
        Route("/api/v2/users/show_many", show_many_users),
        Route("/api/v2/users/{id}", show_user),
        Route("/api/v2/users", list_users),
        Route("/api/v2/organizations/{id}/users", organization_users),
        Route("/api/v2/organizations/{id}", show_organization),
        Route("/api/v2/organizations", list_organizations),
        Route("/api/v2/groups/{id}", show_group),
        Route("/api/v2/groups", list_groups),
        Route("/api/v2/ticket_fields/{id}", show_ticket_field),
        Route("/api/v2/ticket_fields", list_ticket_fields, methods=["GET"]),
        Route("/api/v2/ticket_fields", create_ticket_field, methods=["POST"]),
        Route("/api/v2/tickets/show_many", show_many_tickets),
        Route("/api/v2/tickets/{id}/comments", ticket_comments),
        Route("/api/v2/tickets/{id}/audits", ticket_audits),
        Route("/api/v2/tickets/{id}/tags", ticket_tags, methods=["GET", "PUT", "POST", "DELETE"]),
        Route("/api/v2/tickets/{id}", show_ticket, methods=["GET"]),
        Route("/api/v2/tickets/{id}", update_ticket, methods=["PUT"]),
        Route("/api/v2/tickets", list_tickets, methods=["GET"]),
        Route("/api/v2/tickets", create_ticket, methods=["POST"]),
    ]
