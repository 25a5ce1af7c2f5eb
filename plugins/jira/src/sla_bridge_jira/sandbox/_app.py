"""The sandbox's HTTP API: the part of Jira Cloud's REST APIs the plugin uses.

Paths are the platform API's ``/rest/api/2`` (``/rest/api/latest`` is served as ``2``), the
service desk API's ``/rest/servicedeskapi`` and the admin webhooks' ``/rest/webhooks/1.0``;
authentication is Basic with an account's e-mail and API token; bodies and errors have
Jira's shapes (:mod:`._errors`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from sla_bridge import sandbox as kit

from . import (
    _routes_admin,
    _routes_comments,
    _routes_issues,
    _routes_search,
    _routes_servicedesk,
    _routes_webhooks,
)
from ._http import Api

if TYPE_CHECKING:
    from . import Sandbox

ROUTES = [*_routes_issues.ROUTES, *_routes_comments.ROUTES, *_routes_admin.ROUTES,
          *_routes_search.ROUTES, *_routes_servicedesk.ROUTES, *_routes_webhooks.ROUTES]


def is_api(path: str) -> bool:
    """Whether ``path`` is Jira's API (rate-limited, open to faults)."""
    return path.startswith("/rest/")


def canonical_path(path: str) -> str:
    """``/rest/api/latest/...`` is served as ``/rest/api/2/...``."""
    if path.startswith("/rest/api/latest/"):
        return "/rest/api/2/" + path.removeprefix("/rest/api/latest/")
    return path


def build_app(sandbox: Sandbox) -> Starlette:
    """The Starlette application serving ``sandbox``'s API."""

    async def not_found_route(request: Request, exc: Exception) -> Response:
        return kit.json_response({"errorMessages": ["Null or no such resource."],
                                  "errors": {}}, 404)

    async def wrong_method(request: Request, exc: Exception) -> Response:
        return kit.json_response({"errorMessages": ["Method Not Allowed"], "errors": {}}, 405)

    app = Starlette(routes=ROUTES, exception_handlers={404: not_found_route,
                                                       405: wrong_method})
    app.state.jira = Api(sandbox)
    return app
