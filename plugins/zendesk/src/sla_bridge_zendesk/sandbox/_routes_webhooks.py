"""Webhooks: create, list (with filters), show, update, delete, signing secret, invocations.

A webhook's connection method is chosen when it is created and cannot change: connected to
triggers and automations (``subscriptions`` only ``conditional_ticket_events``) or subscribed
to event types; an update that would switch it is refused with 400, as is a webhook that
mixes the two, and an event subscription needs POST and JSON.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._errors import ApiError, bad_request, not_found
from ._http import Api, admin_endpoint, json_response
from ._paging import paginate

_REQUIRED = ("name", "endpoint", "http_method", "request_format", "status")
TRIGGERS = "conditional_ticket_events"
_UPDATABLE = ("name", "description", "endpoint", "http_method", "request_format", "status",
              "subscriptions", "custom_headers")


def check_hook(data: dict[str, Any], partial: bool = False) -> None:
    """400 in the Webhooks API's error shape unless the webhook is complete and valid."""
    missing = [k for k in _REQUIRED if not partial and not data.get(k)]
    if missing:
        raise ApiError(400, {"errors": [
            {"code": "InvalidInput", "title": "Invalid input", "detail": f"{k} is required",
             "source": {"pointer": f"/webhook/{k}"}} for k in missing]})
    if "endpoint" in data and not str(data["endpoint"]).startswith(("http://", "https://")):
        raise bad_request("endpoint must be an http(s) URL")
    if data.get("status") not in (None, "active", "inactive"):
        raise bad_request("status must be active or inactive")
    subscriptions = data.get("subscriptions")
    if subscriptions is not None:
        if not isinstance(subscriptions, list):
            raise invalid_subscriptions("subscriptions must be a list of event types")
        if TRIGGERS in subscriptions and len(subscriptions) > 1:
            raise invalid_subscriptions(
                f"a webhook connected to triggers and automations subscribes to {TRIGGERS} "
                "only; event types need a webhook of their own")
        events = [s for s in subscriptions if s != TRIGGERS]
        if events and not partial and (data.get("http_method") != "POST"
                                       or data.get("request_format") != "json"):
            raise invalid_subscriptions("a webhook subscribed to events must use POST and json")


def connection_method(subscriptions: Any) -> str:
    """``triggers`` (connected to triggers and automations) or ``events``."""
    return "triggers" if TRIGGERS in (subscriptions or []) else "events"


def invalid_subscriptions(detail: str) -> ApiError:
    """400 in the Webhooks API's error shape, pointing at ``subscriptions``."""
    return ApiError(400, {"errors": [
        {"code": "InvalidInput", "title": "Invalid input", "detail": detail,
         "source": {"pointer": "/webhook/subscriptions"}}]})


def _cursor_page(request: Request, api: Api, items: list[Any], key: str,
                 query: dict[str, str]) -> Response:
    """The Webhooks API pages by cursor only, 100 by default."""
    query.setdefault("page[size]", "100")
    url = api.base(request) + request.url.path
    return json_response(paginate(items, key, query, url, api.sandbox.page_size_cap))


@admin_endpoint
async def list_webhooks(request: Request, api: Api) -> Response:
    """GET /webhooks, with ``filter[name_contains]`` and ``filter[status]``."""
    query = request.query_params
    with api.state.lock:
        hooks = [copy.deepcopy(h) for _, h in sorted(api.state.webhooks.items())]
    if query.get("filter[name_contains]"):
        hooks = [h for h in hooks
                 if query["filter[name_contains]"].lower() in h["name"].lower()]
    if query.get("filter[status]"):
        hooks = [h for h in hooks if h["status"] == query["filter[status]"]]
    params = {k: v for k, v in query.items() if not k.startswith("filter")}
    return _cursor_page(request, api, hooks, "webhooks", params)


@admin_endpoint
async def create_webhook(request: Request, api: Api) -> Response:
    """POST /webhooks: the secret is the one given, the sandbox's default, or a new one."""
    data = await api.body_of(request, "webhook")
    check_hook(data)
    me = str(request.state.actor["id"])
    state = api.state
    with state.lock:
        hook_id = f"01SANDBOX{state.next_id('webhook'):017d}"
        now = state.now()
        hook = {"id": hook_id, "name": data["name"],
                "description": data.get("description", ""), "endpoint": data["endpoint"],
                "http_method": data["http_method"], "request_format": data["request_format"],
                "status": data["status"],
                "subscriptions": list(data.get("subscriptions") or []),
                "custom_headers": dict(data.get("custom_headers") or {}),
                "created_at": now, "created_by": me, "updated_at": now, "updated_by": me}
        given = data.get("signing_secret")
        secret = (given.get("secret") if isinstance(given, dict) else None) or (
            api.sandbox.default_webhook_secret or secrets.token_urlsafe(32))
        state.webhooks[hook_id] = hook
        state.webhook_secrets[hook_id] = secret
    return json_response({"webhook": copy.deepcopy(hook)}, 201)


_METHODS = {"triggers": "triggers and automations", "events": "event subscriptions"}


def _hook(request: Request, api: Api) -> dict[str, Any]:
    hook = api.state.webhooks.get(request.path_params["id"])
    if hook is None:
        raise not_found()
    return hook


@admin_endpoint
async def show_webhook(request: Request, api: Api) -> Response:
    """GET /webhooks/{id}."""
    with api.state.lock:
        return json_response({"webhook": copy.deepcopy(_hook(request, api))})


@admin_endpoint
async def update_webhook(request: Request, api: Api) -> Response:
    """PUT replaces, PATCH changes the given properties (not the secret or the source)."""
    with api.state.lock:
        hook = _hook(request, api)
    data = await api.body_of(request, "webhook")
    if "signing_secret" in data or "external_source" in data:
        raise bad_request("signing_secret and external_source cannot be updated")
    check_hook(data, partial=request.method == "PATCH")
    if "subscriptions" in data and (connection_method(data["subscriptions"])
                                    != connection_method(hook.get("subscriptions"))):
        raise invalid_subscriptions(
            "the connection method of a webhook cannot be changed after it is created "
            f"(it is connected to {_METHODS[connection_method(hook.get('subscriptions'))]}); "
            "create a new webhook instead")
    with api.state.lock:
        hook.update({k: v for k, v in data.items() if k in _UPDATABLE})
        hook["updated_at"] = api.state.now()
        hook["updated_by"] = str(request.state.actor["id"])
    return Response(status_code=204)


@admin_endpoint
async def delete_webhook(request: Request, api: Api) -> Response:
    """DELETE /webhooks/{id}."""
    with api.state.lock:
        del api.state.webhooks[_hook(request, api)["id"]]
    return Response(status_code=204)


@admin_endpoint
async def webhook_secret(request: Request, api: Api) -> Response:
    """GET shows the signing secret; POST makes a new one (201)."""
    with api.state.lock:
        hook_id = _hook(request, api)["id"]
        if request.method == "POST":
            api.state.webhook_secrets[hook_id] = secrets.token_urlsafe(32)
        secret = api.state.webhook_secrets[hook_id]
    return json_response({"signing_secret": {"algorithm": "SHA256", "secret": secret}},
                         201 if request.method == "POST" else 200)


@admin_endpoint
async def webhook_invocations(request: Request, api: Api) -> Response:
    """GET /webhooks/{id}/invocations: the deliveries to the webhook."""
    hook_id = request.path_params["id"]
    invocations = [{"id": d.id, "webhook_id": d.webhook_id, "status": d.status,
                    "created_at": d.created_at, "event_type": d.event_type,
                    "attempts_count": len(d.attempts),
                    "latest_completed_at": (d.attempts[-1]["created_at"] if d.attempts
                                            else d.created_at)}
                   for d in api.sandbox.deliveries if d.webhook_id == hook_id]
    return _cursor_page(request, api, invocations, "invocations", dict(request.query_params))


ROUTES = [
    Route("/api/v2/webhooks", list_webhooks, methods=["GET"]),
    Route("/api/v2/webhooks", create_webhook, methods=["POST"]),
    Route("/api/v2/webhooks/{id}/signing_secret", webhook_secret, methods=["GET", "POST"]),
    Route("/api/v2/webhooks/{id}/invocations", webhook_invocations, methods=["GET"]),
    Route("/api/v2/webhooks/{id}", show_webhook, methods=["GET"]),
    Route("/api/v2/webhooks/{id}", update_webhook, methods=["PUT", "PATCH"]),
    Route("/api/v2/webhooks/{id}", delete_webhook, methods=["DELETE"]),
]
