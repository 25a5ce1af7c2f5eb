"""The sandbox's own API under ``/_sandbox``, to drive it from another process.

``POST /_sandbox/faults`` (a :class:`~._faults.Fault`'s fields as JSON) queues a fault,
``DELETE /_sandbox/faults`` forgets them; ``GET /_sandbox/requests`` is the request log and
``DELETE /_sandbox/requests`` clears it; ``GET /_sandbox/deliveries`` lists the webhooks
sent. A vendor's sandbox adds its own routes (a customer's reply, an automation ...).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ._faults import Fault, FaultPlan
from ._json import json_object, json_response
from ._log import RequestLog

if TYPE_CHECKING:
    from ._webhooks import WebhookSender

CONTROL_PREFIX = "/_sandbox"


def control_routes(*, faults: FaultPlan, log: RequestLog,
                   sender: WebhookSender | None = None) -> list[BaseRoute]:
    """The routes every sandbox has: faults, the request log and the webhook deliveries."""

    async def add_fault(request: Request) -> Response:
        try:
            fault = faults.add(Fault(**await json_object(request)))
        except (TypeError, ValueError) as exc:  # BodyError included
            return json_response({"error": "InvalidFault", "description": str(exc)}, 400)
        return json_response({"fault": dataclasses.asdict(fault),
                              "pending": faults.pending()}, 201)

    async def clear_faults(request: Request) -> Response:
        faults.clear()
        return json_response({"pending": 0})

    async def requests(request: Request) -> Response:
        return json_response({"requests": log.entries()})

    async def clear_requests(request: Request) -> Response:
        log.clear()
        return Response(status_code=204)

    async def deliveries(request: Request) -> Response:
        sent = sender.deliveries if sender is not None else []
        return json_response({"deliveries": [
            {"id": d.id, "webhook_id": d.webhook_id, "event_type": d.event_type,
             "status": d.status, "attempts": d.attempts, "body": d.body.decode()}
            for d in sent]})

    return [
        Route(f"{CONTROL_PREFIX}/faults", add_fault, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/faults", clear_faults, methods=["DELETE"]),
        Route(f"{CONTROL_PREFIX}/requests", requests, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/requests", clear_requests, methods=["DELETE"]),
        Route(f"{CONTROL_PREFIX}/deliveries", deliveries, methods=["GET"]),
    ]


def control_app(routes: Iterable[BaseRoute]) -> Starlette:
    """The application serving the control routes (unknown ones answer a JSON 404)."""

    async def not_found(request: Request, exc: Exception) -> Response:
        return json_response({"error": "NotFound", "description": "no such sandbox route"},
                             404)

    return Starlette(routes=list(routes), exception_handlers={404: not_found})
