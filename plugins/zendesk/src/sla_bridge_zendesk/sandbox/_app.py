"""The sandbox's HTTP API: the part of Zendesk's REST API the plugin uses.

Paths are those of ``/api/v2`` (with or without ``.json``), authentication is Zendesk's
API-token Basic auth (``{email}/token:{token}``), bodies and errors have Zendesk's shapes.
``/_sandbox/...`` is the sandbox's own admin API (faults, request log, deliveries,
customer replies, the close-solved automation) for use from another process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from ._http import Api, json_response
from ._routes_admin import admin_routes
from ._routes_tickets import ticket_routes

if TYPE_CHECKING:
    from . import Sandbox


def build_app(sandbox: Sandbox) -> Starlette:
    """The Starlette application serving ``sandbox``."""
    api = Api(sandbox)

    async def not_found_route(request: Request, exc: Exception) -> Response:
        return json_response({"error": "InvalidEndpoint", "description": "Not found"}, 404)

    return Starlette(routes=[*ticket_routes(api), *admin_routes(api)],
                     exception_handlers={404: not_found_route})
