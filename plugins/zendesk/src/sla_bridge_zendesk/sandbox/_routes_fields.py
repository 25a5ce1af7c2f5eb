"""Updating ticket fields (who sees and edits them in the Help Center), the organization
fields, and organizations' values for them (the rules are :mod:`._fields`')."""

from __future__ import annotations

import copy

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._errors import not_found
from ._fields import (
    add_organization_field,
    update_organization,
    update_organization_field,
    update_ticket_field,
)
from ._http import Api, admin_endpoint, endpoint, json_response, with_url


@admin_endpoint
async def put_ticket_field(request: Request, api: Api) -> Response:
    """PUT /ticket_fields/{id}: the properties given (not the type)."""
    data = await api.body_of(request, "ticket_field")
    field = update_ticket_field(api.state, api.int_param(request), data)
    return json_response({"ticket_field": with_url(field, api.base(request), "ticket_fields")})


@endpoint
async def list_organization_fields(request: Request, api: Api) -> Response:
    """GET /organization_fields."""
    with api.state.lock:
        found = [with_url(copy.deepcopy(f), api.base(request), "organization_fields")
                 for _, f in sorted(api.state.organization_field_defs.items())]
    return json_response(api.page(request, found, "organization_fields"))


@endpoint
async def show_organization_field(request: Request, api: Api) -> Response:
    """GET /organization_fields/{id}."""
    with api.state.lock:
        field = api.state.organization_field_defs.get(api.int_param(request))
        if field is None:
            raise not_found()
        shown = with_url(copy.deepcopy(field), api.base(request), "organization_fields")
    return json_response({"organization_field": shown})


@admin_endpoint
async def create_organization_field(request: Request, api: Api) -> Response:
    """POST /organization_fields: 201 with the field."""
    field = add_organization_field(api.state, await api.body_of(request, "organization_field"))
    return json_response({"organization_field": with_url(
        field, api.base(request), "organization_fields")}, 201)


@admin_endpoint
async def put_organization_field(request: Request, api: Api) -> Response:
    """PUT /organization_fields/{id}: title, description, position, active."""
    data = await api.body_of(request, "organization_field")
    field = update_organization_field(api.state, api.int_param(request), data)
    return json_response({"organization_field": with_url(
        field, api.base(request), "organization_fields")})


@admin_endpoint
async def put_organization(request: Request, api: Api) -> Response:
    """PUT /organizations/{id}: e.g. ``{"organization": {"organization_fields":
    {"support_plan": "gold"}}}`` (values of defined organization fields only)."""
    data = await api.body_of(request, "organization")
    org = update_organization(api.state, api.int_param(request), data)
    return json_response({"organization": with_url(org, api.base(request), "organizations")})


ROUTES = [
    Route("/api/v2/ticket_fields/{id}", put_ticket_field, methods=["PUT"]),
    Route("/api/v2/organization_fields/{id}", show_organization_field, methods=["GET"]),
    Route("/api/v2/organization_fields/{id}", put_organization_field, methods=["PUT"]),
    Route("/api/v2/organization_fields", list_organization_fields, methods=["GET"]),
    Route("/api/v2/organization_fields", create_organization_field, methods=["POST"]),
    Route("/api/v2/organizations/{id}", put_organization, methods=["PUT"]),
]
