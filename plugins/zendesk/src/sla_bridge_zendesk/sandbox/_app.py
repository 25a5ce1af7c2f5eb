"""The sandbox's HTTP API: the part of Zendesk's REST API the plugin uses.

Paths are those of ``/api/v2`` (with or without ``.json``), authentication is Zendesk's
API-token Basic auth (``{email}/token:{token}``), bodies and errors have Zendesk's shapes.
Agents use the agents' API; customers (end users) the Requests API, ``users/me`` and the
ticket fields visible to them, and get 403 elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from . import (
    _routes_account,
    _routes_ends,
    _routes_fields,
    _routes_requests,
    _routes_rules,
    _routes_tickets,
    _routes_webhooks,
)
from ._http import Api, json_response

if TYPE_CHECKING:
    from . import Sandbox

ROUTES = [*_routes_account.ROUTES, *_routes_fields.ROUTES, *_routes_tickets.ROUTES,
          *_routes_ends.ROUTES, *_routes_requests.ROUTES, *_routes_rules.ROUTES,
          *_routes_webhooks.ROUTES]


def is_api(path: str) -> bool:
    """Whether ``path`` is Zendesk's API (rate-limited, open to faults)."""
    return path.startswith("/api/")


def canonical_path(path: str) -> str:
    """``/api/v2/tickets/1.json`` is served as ``/api/v2/tickets/1``."""
    return path.removesuffix(".json")


def build_app(sandbox: Sandbox) -> Starlette:
    """The Starlette application serving ``sandbox``'s API."""

    async def not_found_route(request: Request, exc: Exception) -> Response:
        return json_response({"error": "InvalidEndpoint", "description": "Not found"}, 404)

    app = Starlette(routes=ROUTES, exception_handlers={404: not_found_route})
    app.state.zendesk = Api(sandbox)
    return app
