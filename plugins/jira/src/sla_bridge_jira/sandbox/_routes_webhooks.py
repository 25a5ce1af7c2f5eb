"""Admin webhook registration: ``POST``/``GET``/``DELETE`` ``/rest/webhooks/1.0/webhook``.

https://developer.atlassian.com/cloud/jira/platform/webhooks/#registering-a-webhook-using-the-jira-rest-api--other-integrations-
: the body names ``name``, ``url``, ``events``, ``filters`` (``issue-related-events-section``:
JQL), ``excludeBody`` and an optional ``secret``, which is never shown again (the answer says
``isSigned``). Only administrators manage webhooks.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sla_bridge import sandbox as kit

from ._errors import bad_request, not_found
from ._http import Api, endpoint, no_content
from ._webhooks import webhook_json

HOOKS = "/rest/webhooks/1.0/webhook"


@endpoint
async def register(request: Request, api: Api) -> Response:
    """``POST``: 201 with the webhook."""
    api.require_admin(request)
    body = await api.body(request)
    name, url, events = body.get("name"), body.get("url"), body.get("events")
    filters = body.get("filters") or {}
    secret = body.get("secret")
    if not isinstance(name, str) or not isinstance(url, str) or not url.startswith(
            ("http://", "https://")):
        raise bad_request("A webhook needs a 'name' and an http(s) 'url'.")
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise bad_request("'events' must be a list of event names.")
    if not isinstance(filters, dict) or (secret is not None
                                         and not isinstance(secret, str)):
        raise bad_request("'filters' must be an object and 'secret' a string.")
    try:
        hook = api.sandbox.engine.register(
            name, url, events, str(filters.get("issue-related-events-section") or ""),
            secret, bool(body.get("excludeBody")), str(body.get("description") or ""))
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    return kit.json_response(webhook_json(hook, api.root(request)), 201)


@endpoint
async def list_webhooks(request: Request, api: Api) -> Response:
    """``GET``: every webhook."""
    api.require_admin(request)
    root = api.root(request)
    return kit.json_response([webhook_json(h, root)
                              for h in api.sandbox.engine.webhooks.values()])


def _hook_id(request: Request) -> int:
    raw = request.path_params["id"]
    if not raw.isdigit():
        raise not_found(f"No webhook with id {raw}.")
    return int(raw)


@endpoint
async def one_webhook(request: Request, api: Api) -> Response:
    """``GET`` or ``DELETE`` (204) one webhook."""
    api.require_admin(request)
    hooks = api.sandbox.engine.webhooks
    hook_id = _hook_id(request)
    with api.state.lock:
        if hook_id not in hooks:
            raise not_found(f"No webhook with id {hook_id}.")
        if request.method == "DELETE":
            del hooks[hook_id]
            return no_content()
        return kit.json_response(webhook_json(hooks[hook_id], api.root(request)))


ROUTES = [
    Route(HOOKS, register, methods=["POST"]),
    Route(HOOKS, list_webhooks, methods=["GET"]),
    Route(f"{HOOKS}/{{id}}", one_webhook, methods=["GET", "DELETE"]),
]
