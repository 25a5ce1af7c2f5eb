"""Business rules (triggers, macros), webhooks, and the sandbox's own admin API."""

from __future__ import annotations

import copy
import secrets
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._errors import ApiError, bad_request, forbidden, not_found, record_invalid
from ._faults import Fault
from ._http import Api, Handler, json_response, ticket_json, with_url
from ._paging import paginate


def admin_routes(api: Api) -> list[Route]:
    """Triggers, macros, webhooks and ``/_sandbox/...``."""
    state = api.state

    # -- business rules: triggers and macros -------------------------------------------

    def rule_json(rule: dict[str, Any], root: str, kind: str) -> dict[str, Any]:
        return with_url(copy.deepcopy(rule), root, kind)

    def check_rule(data: dict[str, Any], kind: str) -> None:
        if not str(data.get("title") or "").strip():
            raise record_invalid("title", "Title: cannot be blank", "BlankValue")
        actions = data.get("actions")
        if not isinstance(actions, list) or not actions:
            raise record_invalid("actions", "Actions: cannot be blank", "BlankValue")
        for action in actions:
            if not isinstance(action, dict) or "field" not in action:
                raise record_invalid("actions", "Actions: each needs a field")
            if action["field"] == "notification_webhook":
                value = action.get("value")
                if (not isinstance(value, list) or len(value) != 2
                        or str(value[0]) not in state.webhooks):
                    raise record_invalid("actions", "Actions: notification_webhook needs "
                                         "[webhook id, body] naming an existing webhook")
        if kind == "triggers":
            conditions = data.get("conditions")
            if not isinstance(conditions, dict) or not (conditions.get("all")
                                                        or conditions.get("any")):
                raise record_invalid("conditions", "Conditions: cannot be blank",
                                     "BlankValue")

    def rules(kind: str) -> dict[int, dict[str, Any]]:
        return state.triggers if kind == "triggers" else state.macros

    def list_rules(kind: str) -> Handler:
        @api.endpoint()
        async def handler(request: Request) -> Response:
            with state.lock:
                items = [rule_json(r, api.base(request), kind)
                         for _, r in sorted(rules(kind).items())]
            active = request.query_params.get("active")
            if active is not None:
                items = [r for r in items if r["active"] == (active == "true")]
            return json_response(api.page(request, items, kind))
        return handler

    def create_rule(kind: str, singular: str) -> Handler:
        @api.endpoint(admin=True)
        async def handler(request: Request) -> Response:
            data = await api.body_of(request, singular)
            check_rule(data, kind)
            with state.lock:
                rule_id = state.next_id(singular)
                now = state.now()
                rule = {"id": rule_id, "title": data["title"], "raw_title": data["title"],
                        "active": bool(data.get("active", True)),
                        "position": int(data.get("position") or len(rules(kind)) + 1),
                        "actions": data["actions"], "description": data.get("description"),
                        "created_at": now, "updated_at": now, "default": False}
                if kind == "triggers":
                    rule["conditions"] = {"all": list(data["conditions"].get("all") or []),
                                          "any": list(data["conditions"].get("any") or [])}
                    rule["category_id"] = str(data.get("category_id") or "1")
                else:
                    rule["restriction"] = data.get("restriction")
                rules(kind)[rule_id] = rule
            # The documented status: 201 for a trigger, 200 for a macro.
            return json_response({singular: rule_json(rule, api.base(request), kind)},
                         201 if kind == "triggers" else 200)
        return handler

    def one_rule(kind: str, singular: str) -> Handler:
        @api.endpoint()
        async def handler(request: Request) -> Response:
            rule_id = api.int_param(request, "id")
            with state.lock:
                rule = rules(kind).get(rule_id)
                if rule is None:
                    raise not_found()
                if request.method == "GET":
                    found = rule_json(rule, api.base(request), kind)
                    return json_response({singular: found})
                if request.state.actor["role"] != "admin":
                    raise forbidden()
                if request.method == "DELETE":
                    del rules(kind)[rule_id]
                    return Response(status_code=204)
            data = await api.body_of(request, singular)
            with state.lock:
                merged = {**rule, **{k: v for k, v in data.items() if k in (
                    "title", "active", "position", "actions", "conditions", "description",
                    "restriction", "category_id")}}
                check_rule(merged, kind)
                merged["raw_title"] = merged["title"]
                merged["updated_at"] = state.now()
                rules(kind)[rule_id] = merged
                return json_response({singular: rule_json(merged, api.base(request), kind)})
        return handler

    # -- webhooks -----------------------------------------------------------------------

    def hook_json(hook: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy(hook)

    def check_hook(data: dict[str, Any], partial: bool = False) -> None:
        required = ("name", "endpoint", "http_method", "request_format", "status")
        missing = [k for k in required if not partial and not data.get(k)]
        if missing:
            raise ApiError(400, {"errors": [{"code": "InvalidInput", "title": "Invalid input",
                                             "detail": f"{k} is required", "source": {
                                                 "pointer": f"/webhook/{k}"}} for k in missing]})
        if "endpoint" in data and not str(data["endpoint"]).startswith(("http://", "https://")):
            raise bad_request("endpoint must be an http(s) URL")
        if data.get("status") not in (None, "active", "inactive"):
            raise bad_request("status must be active or inactive")

    @api.endpoint(admin=True)
    async def list_webhooks(request: Request) -> Response:
        query = request.query_params
        with state.lock:
            hooks = [hook_json(h) for _, h in sorted(state.webhooks.items())]
        if query.get("filter[name_contains]"):
            hooks = [h for h in hooks if query["filter[name_contains]"].lower()
                     in h["name"].lower()]
        if query.get("filter[status]"):
            hooks = [h for h in hooks if h["status"] == query["filter[status]"]]
        params = {k: v for k, v in query.items() if not k.startswith("filter")}
        params.setdefault("page[size]", "100")
        url = api.base(request) + request.url.path
        return json_response(paginate(hooks, "webhooks", params, url, api.sandbox.page_size_cap))

    @api.endpoint(admin=True)
    async def create_webhook(request: Request) -> Response:
        data = await api.body_of(request, "webhook")
        check_hook(data)
        me = request.state.actor
        with state.lock:
            hook_id = f"01SANDBOX{state.next_id('webhook'):017d}"
            now = state.now()
            hook = {"id": hook_id, "name": data["name"], "description": data.get(
                        "description", ""), "endpoint": data["endpoint"],
                    "http_method": data["http_method"], "request_format": data["request_format"],
                    "status": data["status"],
                    "subscriptions": list(data.get("subscriptions") or []),
                    "custom_headers": dict(data.get("custom_headers") or {}),
                    "created_at": now, "created_by": str(me["id"]), "updated_at": now,
                    "updated_by": str(me["id"])}
            given = data.get("signing_secret")
            secret = (given.get("secret") if isinstance(given, dict) else None) or (
                api.sandbox.default_webhook_secret or secrets.token_urlsafe(32))
            state.webhooks[hook_id] = hook
            state.webhook_secrets[hook_id] = secret
        return json_response({"webhook": hook_json(hook)}, 201)

    @api.endpoint(admin=True)
    async def one_webhook(request: Request) -> Response:
        hook_id = request.path_params["id"]
        with state.lock:
            hook = state.webhooks.get(hook_id)
            if hook is None:
                raise not_found()
            if request.method == "GET":
                return json_response({"webhook": hook_json(hook)})
            if request.method == "DELETE":
                del state.webhooks[hook_id]
                return Response(status_code=204)
        data = await api.body_of(request, "webhook")
        if "signing_secret" in data or "external_source" in data:
            raise bad_request("signing_secret and external_source cannot be updated")
        check_hook(data, partial=request.method == "PATCH")
        with state.lock:
            allowed = ("name", "description", "endpoint", "http_method", "request_format",
                       "status", "subscriptions", "custom_headers")
            if request.method == "PUT":
                hook.update({k: data[k] for k in allowed if k in data})
            else:
                hook.update({k: v for k, v in data.items() if k in allowed})
            hook["updated_at"] = state.now()
            hook["updated_by"] = str(request.state.actor["id"])
        return Response(status_code=204)

    @api.endpoint(admin=True)
    async def webhook_secret(request: Request) -> Response:
        hook_id = request.path_params["id"]
        with state.lock:
            if hook_id not in state.webhooks:
                raise not_found()
            if request.method == "POST":
                state.webhook_secrets[hook_id] = secrets.token_urlsafe(32)
            secret = state.webhook_secrets[hook_id]
        return json_response({"signing_secret": {"algorithm": "SHA256", "secret": secret}},
                     201 if request.method == "POST" else 200)

    @api.endpoint(admin=True)
    async def webhook_invocations(request: Request) -> Response:
        hook_id = request.path_params["id"]
        invocations = [{"id": d.id, "webhook_id": d.webhook_id, "status": d.status,
                        "created_at": d.created_at, "event_type": d.event_type,
                        "attempts_count": len(d.attempts),
                        "latest_completed_at": (d.attempts[-1]["created_at"] if d.attempts
                                                else d.created_at)}
                       for d in list(api.sandbox.engine.deliveries) if d.webhook_id == hook_id]
        params = dict(request.query_params)
        params.setdefault("page[size]", "100")
        url = api.base(request) + request.url.path
        return json_response(paginate(invocations, "invocations", params, url,
                                      api.sandbox.page_size_cap))

    # -- the sandbox's own admin API ------------------------------------------------------

    async def admin_faults(request: Request) -> Response:
        if request.method == "DELETE":
            api.sandbox.faults.clear()
            return json_response({"pending": 0})
        try:
            data = await api.body_of(request)
            fault = api.sandbox.faults.add(Fault(**data))
        except (TypeError, ValueError, ApiError) as exc:
            return json_response({"error": "InvalidFault", "description": str(exc)}, 400)
        return json_response({"fault": fault.__dict__,
                              "pending": api.sandbox.faults.pending()}, 201)

    async def admin_requests(request: Request) -> Response:
        return json_response({"requests": api.sandbox.request_log()})

    async def admin_deliveries(request: Request) -> Response:
        return json_response({"deliveries": [
            {"id": d.id, "webhook_id": d.webhook_id, "event_type": d.event_type,
             "status": d.status, "attempts": d.attempts, "body": d.body.decode()}
            for d in list(api.sandbox.engine.deliveries)]})

    async def admin_reply(request: Request) -> Response:
        try:
            data = await api.body_of(request)
            ticket, _ = state.reply_as_requester(int(request.path_params["id"]),
                                                 str(data.get("body") or ""))
        except ApiError as exc:
            return json_response(exc.body, exc.status)
        return json_response({"ticket": ticket_json(ticket, api.base(request))})

    async def admin_close_solved(request: Request) -> Response:
        data = await api.body_of(request)
        closed = state.close_solved(timedelta(seconds=float(data.get("older_than_seconds",
                                                                      0))))
        return json_response({"closed": closed})

    return [
        Route("/api/v2/triggers", list_rules("triggers"), methods=["GET"]),
        Route("/api/v2/triggers", create_rule("triggers", "trigger"), methods=["POST"]),
        Route("/api/v2/triggers/{id}", one_rule("triggers", "trigger"),
              methods=["GET", "PUT", "DELETE"]),
        Route("/api/v2/macros", list_rules("macros"), methods=["GET"]),
        Route("/api/v2/macros", create_rule("macros", "macro"), methods=["POST"]),
        Route("/api/v2/macros/{id}", one_rule("macros", "macro"),
              methods=["GET", "PUT", "DELETE"]),
        Route("/api/v2/webhooks", list_webhooks, methods=["GET"]),
        Route("/api/v2/webhooks", create_webhook, methods=["POST"]),
        Route("/api/v2/webhooks/{id}/signing_secret", webhook_secret, methods=["GET", "POST"]),
        Route("/api/v2/webhooks/{id}/invocations", webhook_invocations),
        Route("/api/v2/webhooks/{id}", one_webhook, methods=["GET", "PUT", "PATCH", "DELETE"]),
        Route("/_sandbox/faults", admin_faults, methods=["POST", "DELETE"]),
        Route("/_sandbox/requests", admin_requests),
        Route("/_sandbox/deliveries", admin_deliveries),
        Route("/_sandbox/tickets/{id}/reply", admin_reply, methods=["POST"]),
        Route("/_sandbox/close_solved", admin_close_solved, methods=["POST"]),
    ]
