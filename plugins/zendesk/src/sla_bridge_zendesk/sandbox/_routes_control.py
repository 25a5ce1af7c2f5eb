"""The Zendesk sandbox's own ``/_sandbox`` routes, besides the kit's (faults, request log,
deliveries): a customer's e-mail reply and the "close solved tickets" automation."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sla_bridge.sandbox import CONTROL_PREFIX, ApiError, BodyError, json_object

from ._http import json_response, ticket_json

if TYPE_CHECKING:
    from . import Sandbox


def control_routes(sandbox: Sandbox) -> list[BaseRoute]:
    """``POST /_sandbox/tickets/{id}/reply`` (``{"body": ...}``) and
    ``POST /_sandbox/close_solved`` (``{"older_than_seconds": ...}``)."""

    async def reply(request: Request) -> Response:
        try:
            data = await json_object(request)
            ticket = sandbox.customer_reply(int(request.path_params["id"]),
                                            str(data.get("body") or ""))
        except BodyError as exc:
            return json_response({"error": "InvalidBody", "description": str(exc)}, 400)
        except ApiError as exc:
            return json_response(exc.body, exc.status)
        return json_response({"ticket": ticket_json(ticket, str(request.base_url).rstrip("/"))})

    async def close_solved(request: Request) -> Response:
        try:
            data = await json_object(request)
            older_than = timedelta(seconds=float(data.get("older_than_seconds", 0)))
        except (BodyError, TypeError, ValueError) as exc:
            return json_response({"error": "InvalidBody", "description": str(exc)}, 400)
        return json_response({"closed": sandbox.close_solved(older_than)})

    return [Route(CONTROL_PREFIX + "/tickets/{id:int}/reply", reply, methods=["POST"]),
            Route(CONTROL_PREFIX + "/close_solved", close_solved, methods=["POST"])]
