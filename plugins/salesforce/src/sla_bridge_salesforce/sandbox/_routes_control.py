"""The Salesforce sandbox's own ``/_sandbox`` routes, besides the kit's (faults, request log,
Flow callout deliveries), to drive a standalone org from another process: a customer's
e-mail reply, an approver's decision, and the Outbound Messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sla_bridge.sandbox import CONTROL_PREFIX, ApiError, BodyError, json_object, json_response

from ._values import to_json

if TYPE_CHECKING:
    from . import Sandbox
    from ._outbound import Message


def message_json(message: Message) -> dict[str, Any]:
    """An Outbound Message as ``GET /_sandbox/outbound-messages`` lists it."""
    return {"id": message.id, "action": message.action.name, "status": message.status,
            "notification_ids": message.notification_ids,
            "queued_at": to_json(message.queued_at), "next_at": to_json(message.next_at),
            "attempts": [{**a, "at": to_json(a["at"])} for a in message.attempts]}


def control_routes(sandbox: Sandbox) -> list[BaseRoute]:
    """``POST /_sandbox/cases/{id}/reply`` (``{"text"}``), ``POST
    /_sandbox/cases/{id}/decision`` (``{"approver_id", "action": "Approve"|"Reject",
    "comments"}``), ``GET /_sandbox/outbound-messages`` and ``POST
    /_sandbox/outbound-messages/deliver`` (send what is due now)."""

    async def reply(request: Request) -> Response:
        try:
            data = await json_object(request)
            email = sandbox.customer_reply(request.path_params["id"], str(data.get("text", "")))
        except BodyError as exc:
            return json_response({"error": "InvalidBody", "description": str(exc)}, 400)
        except ApiError as exc:
            return json_response(exc.body, exc.status)
        return json_response({k: to_json(v) for k, v in email.items()}, 201)

    async def decision(request: Request) -> Response:
        try:
            data = await json_object(request)
            result = sandbox.decide(request.path_params["id"], str(data.get("approver_id", "")),
                                    str(data.get("action", "Approve")), data.get("comments"))
        except (BodyError, ValueError) as exc:
            return json_response({"error": "InvalidBody", "description": str(exc)}, 400)
        except ApiError as exc:
            return json_response(exc.body, exc.status)
        return json_response(result)

    async def messages(request: Request) -> Response:
        return json_response({"messages": [message_json(m) for m in sandbox.outbound_messages]})

    async def deliver(request: Request) -> Response:
        return json_response({"attempts": sandbox.deliver_outbound()})

    return [Route(f"{CONTROL_PREFIX}/cases/{{id}}/reply", reply, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/cases/{{id}}/decision", decision, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/outbound-messages", messages, methods=["GET"]),
            Route(f"{CONTROL_PREFIX}/outbound-messages/deliver", deliver, methods=["POST"])]
