"""Business rules: triggers and macros (list, create, show, update, delete)."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._errors import not_found, record_invalid
from ._http import Api, ApiHandler, admin_endpoint, endpoint, json_response, require_admin, with_url
from ._state import SandboxState

_UPDATABLE = ("title", "active", "position", "actions", "conditions", "description",
              "restriction", "category_id")


@dataclass(frozen=True)
class RuleKind:
    """Triggers or macros: where they are kept and how the API names them."""

    plural: str  # the path and the list's key
    singular: str  # the body's key
    created_status: int  # the documented status: 201 for a trigger, 200 for a macro
    needs_conditions: bool

    def rules(self, state: SandboxState) -> dict[int, dict[str, Any]]:
        """The rules of this kind."""
        return state.triggers if self.plural == "triggers" else state.macros

    def as_json(self, rule: dict[str, Any], root: str) -> dict[str, Any]:
        """A rule as the API shows it."""
        return with_url(copy.deepcopy(rule), root, self.plural)


TRIGGERS = RuleKind("triggers", "trigger", 201, needs_conditions=True)
MACROS = RuleKind("macros", "macro", 200, needs_conditions=False)


def check_rule(state: SandboxState, data: dict[str, Any], kind: RuleKind) -> None:
    """422 unless the rule has a title, actions (a webhook action naming an existing webhook)
    and, for a trigger, conditions."""
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
    if kind.needs_conditions:
        conditions = data.get("conditions")
        if not isinstance(conditions, dict) or not (conditions.get("all")
                                                    or conditions.get("any")):
            raise record_invalid("conditions", "Conditions: cannot be blank", "BlankValue")


async def list_rules(request: Request, api: Api, kind: RuleKind) -> Response:
    """GET /triggers or /macros, optionally with ``active``."""
    with api.state.lock:
        items = [kind.as_json(r, api.base(request))
                 for _, r in sorted(kind.rules(api.state).items())]
    active = request.query_params.get("active")
    if active is not None:
        items = [r for r in items if r["active"] == (active == "true")]
    return json_response(api.page(request, items, kind.plural))


async def create_rule(request: Request, api: Api, kind: RuleKind) -> Response:
    """POST /triggers or /macros (admins)."""
    data = await api.body_of(request, kind.singular)
    state = api.state
    check_rule(state, data, kind)
    with state.lock:
        rule_id = state.next_id(kind.singular)
        now = state.now()
        rules = kind.rules(state)
        rule = {"id": rule_id, "title": data["title"], "raw_title": data["title"],
                "active": bool(data.get("active", True)),
                "position": int(data.get("position") or len(rules) + 1),
                "actions": data["actions"], "description": data.get("description"),
                "created_at": now, "updated_at": now, "default": False}
        if kind.needs_conditions:
            rule["conditions"] = {"all": list(data["conditions"].get("all") or []),
                                  "any": list(data["conditions"].get("any") or [])}
            rule["category_id"] = str(data.get("category_id") or "1")
        else:
            rule["restriction"] = data.get("restriction")
        rules[rule_id] = rule
    return json_response({kind.singular: kind.as_json(rule, api.base(request))},
                         kind.created_status)


async def show_rule(request: Request, api: Api, kind: RuleKind) -> Response:
    """GET /triggers/{id} or /macros/{id}."""
    with api.state.lock:
        rule = _rule(request, api, kind)
        return json_response({kind.singular: kind.as_json(rule, api.base(request))})


async def update_rule(request: Request, api: Api, kind: RuleKind) -> Response:
    """PUT /triggers/{id} or /macros/{id} (admins): the given properties change."""
    with api.state.lock:
        rule = _rule(request, api, kind)
    require_admin(request)
    data = await api.body_of(request, kind.singular)
    with api.state.lock:
        merged = {**rule, **{k: v for k, v in data.items() if k in _UPDATABLE}}
        check_rule(api.state, merged, kind)
        merged["raw_title"] = merged["title"]
        merged["updated_at"] = api.state.now()
        kind.rules(api.state)[rule["id"]] = merged
        return json_response({kind.singular: kind.as_json(merged, api.base(request))})


async def delete_rule(request: Request, api: Api, kind: RuleKind) -> Response:
    """DELETE /triggers/{id} or /macros/{id} (admins)."""
    with api.state.lock:
        rule = _rule(request, api, kind)
        require_admin(request)
        del kind.rules(api.state)[rule["id"]]
    return Response(status_code=204)


def _rule(request: Request, api: Api, kind: RuleKind) -> dict[str, Any]:
    rule = kind.rules(api.state).get(api.int_param(request))
    if rule is None:
        raise not_found()
    return rule


RuleHandler = Callable[[Request, Api, RuleKind], Awaitable[Response]]


def _for(handler: RuleHandler, kind: RuleKind) -> ApiHandler:
    async def run(request: Request, api: Api) -> Response:
        return await handler(request, api, kind)

    run.__name__ = f"{handler.__name__}_{kind.plural}"
    return run


def rule_routes(kind: RuleKind) -> list[Route]:
    """The routes of one kind of rule."""
    base = f"/api/v2/{kind.plural}"
    return [
        Route(base, endpoint(_for(list_rules, kind)), methods=["GET"]),
        Route(base, admin_endpoint(_for(create_rule, kind)), methods=["POST"]),
        Route(base + "/{id}", endpoint(_for(show_rule, kind)), methods=["GET"]),
        Route(base + "/{id}", endpoint(_for(update_rule, kind)), methods=["PUT"]),
        Route(base + "/{id}", endpoint(_for(delete_rule, kind)), methods=["DELETE"]),
    ]


ROUTES = [*rule_routes(TRIGGERS), *rule_routes(MACROS)]
