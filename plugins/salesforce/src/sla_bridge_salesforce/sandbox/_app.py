"""The sandbox's HTTP API: the part of Salesforce's REST API the plugin uses, under
``/services/`` (rate-limited and open to faults); trailing slashes are optional, as
simple-salesforce sends ``sobjects/Case/`` and ``query/``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from sla_bridge.sandbox import json_response

from . import _routes_auth, _routes_data, _routes_process

if TYPE_CHECKING:
    from ._org import Org

ROUTES = [*_routes_data.ROUTES, *_routes_process.ROUTES, *_routes_auth.ROUTES]


def is_api(path: str) -> bool:
    """Whether ``path`` is Salesforce's API (rate-limited, open to faults)."""
    return path.startswith("/services/")


def canonical_path(path: str) -> str:
    """``/services/data/v62.0/sobjects/Case/`` is served as ``.../sobjects/Case``."""
    return path.rstrip("/") or "/"


def build_app(org: Org) -> Starlette:
    """The Starlette application serving ``org``'s API."""

    async def not_found_route(request: Request, exc: Exception) -> Response:
        return json_response([{"errorCode": "NOT_FOUND",
                               "message": "The requested resource does not exist"}], 404)

    async def wrong_method(request: Request, exc: Exception) -> Response:
        return json_response([{"errorCode": "METHOD_NOT_ALLOWED",
                               "message": f"HTTP Method '{request.method}' not allowed."}], 405)

    app = Starlette(routes=ROUTES, exception_handlers={404: not_found_route,
                                                       405: wrong_method})
    app.state.org = org
    return app
