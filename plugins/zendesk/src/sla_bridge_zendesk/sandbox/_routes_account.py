"""Users, organizations, groups and ticket fields."""

from __future__ import annotations

import copy
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._errors import not_found
from ._fields import PORTAL_FLAGS, update_ticket_field, visible_fields
from ._http import (
    Api,
    admin_endpoint,
    customer_endpoint,
    endpoint,
    ids_param,
    json_response,
    user_json,
    with_url,
)

# -- users -------------------------------------------------------------------------------


@customer_endpoint
async def me(request: Request, api: Api) -> Response:
    """GET /users/me: the authenticated user (a customer too)."""
    return json_response({"user": {**user_json(request.state.actor, api.base(request)),
                                   "authenticity_token": secrets.token_hex(8)}})


@endpoint
async def show_user(request: Request, api: Api) -> Response:
    """GET /users/{id}."""
    user = api.state.user(api.int_param(request))
    return json_response({"user": user_json(user, api.base(request))})


@endpoint
async def list_users(request: Request, api: Api) -> Response:
    """GET /users, optionally with ``role``."""
    role = request.query_params.get("role")
    with api.state.lock:
        users = [user_json(copy.deepcopy(u), api.base(request))
                 for _, u in sorted(api.state.users.items()) if not role or u["role"] == role]
    return json_response(api.page(request, users, "users"))


@endpoint
async def show_many_users(request: Request, api: Api) -> Response:
    """GET /users/show_many?ids=..."""
    ids = ids_param(request.query_params.get("ids", ""))
    with api.state.lock:
        found = [user_json(copy.deepcopy(api.state.users[i]), api.base(request))
                 for i in ids if i in api.state.users]
    return json_response({"users": found})


# -- organizations -----------------------------------------------------------------------


@endpoint
async def show_organization(request: Request, api: Api) -> Response:
    """GET /organizations/{id}."""
    org = api.state.organization(api.int_param(request))
    return json_response({"organization": with_url(org, api.base(request), "organizations")})


@endpoint
async def list_organizations(request: Request, api: Api) -> Response:
    """GET /organizations."""
    return _listing(request, api, api.state.organizations, "organizations")


@endpoint
async def organization_users(request: Request, api: Api) -> Response:
    """GET /organizations/{id}/users."""
    org_id = api.int_param(request)
    api.state.organization(org_id)
    with api.state.lock:
        users = [user_json(copy.deepcopy(u), api.base(request))
                 for _, u in sorted(api.state.users.items()) if u["organization_id"] == org_id]
    return json_response(api.page(request, users, "users"))


# -- groups and ticket fields ------------------------------------------------------------


@endpoint
async def list_groups(request: Request, api: Api) -> Response:
    """GET /groups."""
    return _listing(request, api, api.state.groups, "groups")


@endpoint
async def show_group(request: Request, api: Api) -> Response:
    """GET /groups/{id}."""
    return _one(request, api, api.state.groups, "groups", "group")


@endpoint
async def list_group_memberships(request: Request, api: Api) -> Response:
    """GET /group_memberships: which agents are in which groups."""
    return _listing(request, api, api.state.membership_list(), "group_memberships")


@customer_endpoint
async def list_ticket_fields(request: Request, api: Api) -> Response:
    """GET /ticket_fields (a customer is shown those visible in the Help Center only)."""
    shown = {f["id"]: f for f in visible_fields(api.state, request.state.actor)}
    return _listing(request, api, shown, "ticket_fields")


@endpoint
async def show_ticket_field(request: Request, api: Api) -> Response:
    """GET /ticket_fields/{id}."""
    return _one(request, api, api.state.ticket_fields, "ticket_fields", "ticket_field")


@admin_endpoint
async def create_ticket_field(request: Request, api: Api) -> Response:
    """POST /ticket_fields."""
    data = await api.body_of(request, "ticket_field")
    created = api.state.add_ticket_field(str(data.get("title") or ""),
                                         str(data.get("type") or ""),
                                         str(data.get("description") or ""))
    portal = {k: data[k] for k in (*PORTAL_FLAGS, "title_in_portal") if k in data}
    if portal:  # who sees and edits it in the Help Center (._fields)
        created = update_ticket_field(api.state, created["id"], portal)
    return json_response(
        {"ticket_field": with_url(created, api.base(request), "ticket_fields")}, 201)


def _listing(request: Request, api: Api, items: dict[int, dict[str, Any]],
             kind: str) -> Response:
    with api.state.lock:
        found = [with_url(copy.deepcopy(item), api.base(request), kind)
                 for _, item in sorted(items.items())]
    return json_response(api.page(request, found, kind))


def _one(request: Request, api: Api, items: dict[int, dict[str, Any]], kind: str,
         key: str) -> Response:
    with api.state.lock:
        item = items.get(api.int_param(request))
        if item is None:
            raise not_found()
        return json_response({key: with_url(copy.deepcopy(item), api.base(request), kind)})


ROUTES = [
    Route("/api/v2/users/me", me, methods=["GET"]),
    Route("/api/v2/users/show_many", show_many_users, methods=["GET"]),
    Route("/api/v2/users/{id}", show_user, methods=["GET"]),
    Route("/api/v2/users", list_users, methods=["GET"]),
    Route("/api/v2/organizations/{id}/users", organization_users, methods=["GET"]),
    Route("/api/v2/organizations/{id}", show_organization, methods=["GET"]),
    Route("/api/v2/organizations", list_organizations, methods=["GET"]),
    Route("/api/v2/groups/{id}", show_group, methods=["GET"]),
    Route("/api/v2/groups", list_groups, methods=["GET"]),
    Route("/api/v2/group_memberships", list_group_memberships, methods=["GET"]),
    Route("/api/v2/ticket_fields/{id}", show_ticket_field, methods=["GET"]),
    Route("/api/v2/ticket_fields", list_ticket_fields, methods=["GET"]),
    Route("/api/v2/ticket_fields", create_ticket_field, methods=["POST"]),
]
