"""The platform API's site and issue routes (``/rest/api/2``; ``/rest/api/latest`` is the same).

https://developer.atlassian.com/cloud/jira/platform/rest/v2/ : server info (anonymous),
myself, user search, fields, issue read / edit / assign, the changelog, transitions, issue
properties, issue links and link types. ``expand=changelog`` on an issue shows only the latest
100 entries (with the ``total``); ``GET .../changelog`` pages through all of them.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sla_bridge import sandbox as kit

from ._errors import bad_request, not_found
from ._http import Api, agent_endpoint, endpoint, int_param, joined, no_content
from ._render import LINK_TYPES, history_json, issue_json, user_json
from ._workflow import BY_NAME, status_json

API = "/rest/api/2"


async def server_info(request: Request) -> Response:
    """``GET /serverInfo``, anonymously: a Cloud site."""
    api = Api.of(request)
    root = api.root(request)
    return kit.json_response({
        "baseUrl": root, "version": "1001.0.0-SNAPSHOT", "versionNumbers": [1001, 0, 0],
        "deploymentType": "Cloud", "buildNumber": 100284,
        "buildDate": "2026-11-30T00:00:00.000+0000",
        "serverTime": api.state.now(), "scmInfo": "sandbox", "serverTitle": "Jira sandbox"})


@endpoint
async def myself(request: Request, api: Api) -> Response:
    """``GET /myself``."""
    return kit.json_response(user_json(api.state, request.state.actor, api.root(request)))


@agent_endpoint
async def user_search(request: Request, api: Api) -> Response:
    """``GET /user/search?query=`` (or ``accountId=``): agents matching it."""
    account = request.query_params.get("accountId")
    query = request.query_params.get("query", "")
    found = ([api.state.users[account]] if account in api.state.users
             else api.state.search_users(query) if query else [])
    most = int_param(request, "maxResults", 50)
    root = api.root(request)
    return kit.json_response([user_json(api.state, u["accountId"], root) for u in found][:most])


@agent_endpoint
async def fields(request: Request, api: Api) -> Response:
    """``GET /field``: system and custom fields."""
    with api.state.lock:
        return kit.json_response([f.json() for f in api.state.fields.values()])


@agent_endpoint
async def get_issue(request: Request, api: Api) -> Response:
    """``GET /issue/{key}`` with ``fields``, ``expand`` and ``properties``."""
    with api.state.lock:
        record = api.state.record(request.path_params["key"], request.state.actor)
        return kit.json_response(issue_json(api.state, record, api.root(request),
                                            fields=joined(request, "fields"),
                                            expand=joined(request, "expand"),
                                            properties=joined(request, "properties")))


@agent_endpoint
async def changelog(request: Request, api: Api) -> Response:
    """``GET /issue/{key}/changelog``: every entry, oldest first, ``startAt`` /
    ``maxResults`` (100) pages."""
    start = int_param(request, "startAt", 0)
    most = int_param(request, "maxResults", 100, most=100) or 100
    root = api.root(request)
    with api.state.lock:
        record = api.state.record(request.path_params["key"], request.state.actor)
        page = record.histories[start:start + most]
        total = len(record.histories)
        body: dict[str, Any] = {
            "self": f"{root}{API}/issue/{record.id}/changelog?startAt={start}"
                    f"&maxResults={most}",
            "maxResults": most, "startAt": start, "total": total,
            "isLast": start + most >= total,
            "values": [history_json(api.state, h, root) for h in page]}
        if not body["isLast"]:
            body["nextPage"] = (f"{root}{API}/issue/{record.id}/changelog?startAt="
                                f"{start + most}&maxResults={most}")
        return kit.json_response(body)


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name) or {}
    if not isinstance(value, dict):
        raise bad_request(f"'{name}' must be an object.")
    return value


@agent_endpoint
async def edit_issue(request: Request, api: Api) -> Response:
    """``PUT /issue/{key}``: ``fields`` and ``update``; 204."""
    body = await api.body(request)
    key = request.path_params["key"]
    api.write(key)
    api.state.edit(key, request.state.actor, _object(body, "fields"), _object(body, "update"))
    return no_content()


@agent_endpoint
async def assign(request: Request, api: Api) -> Response:
    """``PUT /issue/{key}/assignee``: ``accountId`` (``null``: unassigned, ``"-1"``: the
    project default); 204."""
    body = await api.body(request)
    if "accountId" not in body:
        raise bad_request("Specify the assignee as {\"accountId\": ...}.")
    account = body["accountId"]
    if account is not None and not isinstance(account, str):
        raise bad_request(assignee="accountId must be a string or null.")
    key = request.path_params["key"]
    api.write(key)
    api.state.assign(key, request.state.actor, account)
    return no_content()


@agent_endpoint
async def list_transitions(request: Request, api: Api) -> Response:
    """``GET /issue/{key}/transitions``: those available now (``transitionId`` filters)."""
    root = api.root(request)
    with api.state.lock:
        record = api.state.record(request.path_params["key"], request.state.actor)
        only = request.query_params.get("transitionId")
        with_fields = "transitions.fields" in request.query_params.get("expand", "")
        listed = []
        for transition in api.state.transitions(record):
            if only is not None and only != transition.id:
                continue
            item: dict[str, Any] = {
                "id": transition.id, "name": transition.name,
                "to": status_json(BY_NAME[transition.to], root),
                "hasScreen": bool(transition.screen), "isGlobal": transition.sources is None,
                "isInitial": False, "isAvailable": True, "isConditional": False,
                "isLooped": False}
            if with_fields:
                item["fields"] = {f: {"required": False, "name": api.state.fields[f].name,
                                      "key": f, "operations": ["set"],
                                      "schema": api.state.fields[f].json()["schema"]}
                                  for f in transition.screen}
            listed.append(item)
    return kit.json_response({"expand": "transitions", "transitions": listed})


@agent_endpoint
async def do_transition(request: Request, api: Api) -> Response:
    """``POST /issue/{key}/transitions``: ``transition.id`` (a number or a string); 204."""
    body = await api.body(request)
    transition = _object(body, "transition")
    transition_id = transition.get("id")
    if isinstance(transition_id, bool) or not isinstance(transition_id, (int, str)):
        raise bad_request("Missing 'transition' identifier.")
    key = request.path_params["key"]
    api.write(key)
    api.state.transition(key, request.state.actor, str(transition_id),
                         dict(_object(body, "fields")), dict(_object(body, "update")))
    return no_content()


@agent_endpoint
async def issue_properties(request: Request, api: Api) -> Response:
    """``GET /issue/{key}/properties``: the keys."""
    root = api.root(request)
    with api.state.lock:
        record = api.state.record(request.path_params["key"], request.state.actor)
        return kit.json_response({"keys": [
            {"key": k, "self": f"{root}{API}/issue/{record.id}/properties/{k}"}
            for k in record.properties]})


@agent_endpoint
async def issue_property(request: Request, api: Api) -> Response:
    """``GET``, ``PUT`` (201 created, 200 updated) and ``DELETE`` (204) of one property."""
    key, name = request.path_params["key"], request.path_params["name"]
    if request.method == "PUT":
        raw = await request.body()
        value = kit.parse_json(raw)
        if value is None and raw.strip() != b"null":
            raise bad_request("The property value must be JSON.")
        api.write(key)
        with api.state.lock:
            record = api.state.record(key, request.state.actor)
            existed = name in record.properties
            record.properties[name] = value
        return Response(status_code=200 if existed else 201)
    with api.state.lock:
        record = api.state.record(key, request.state.actor)
        if name not in record.properties:
            raise not_found(f"The property with key '{name}' does not exist.")
        if request.method == "DELETE":
            del record.properties[name]
            return no_content()
        return kit.json_response({"key": name, "value": record.properties[name]})


@agent_endpoint
async def link_types(request: Request, api: Api) -> Response:
    """``GET /issueLinkType``."""
    root = api.root(request)
    return kit.json_response({"issueLinkTypes": [
        {"id": i, "name": n, "inward": inward, "outward": outward,
         "self": f"{root}{API}/issueLinkType/{i}"}
        for n, (i, inward, outward) in LINK_TYPES.items()]})


def _issue_ref(body: dict[str, Any], side: str) -> str:
    ref = _object(body, side)
    found = ref.get("key") or ref.get("id")
    if not isinstance(found, str):
        raise bad_request(f"Specify {side} by key or id.")
    return found


@agent_endpoint
async def link_issues(request: Request, api: Api) -> Response:
    """``POST /issueLink`` (``comment`` may be ``null``): 201 with no body."""
    body = await api.body(request)
    type_ref = _object(body, "type")
    name = type_ref.get("name")
    if name not in LINK_TYPES:
        by_id = {i: n for n, (i, _, _) in LINK_TYPES.items()}
        name = by_id.get(str(type_ref.get("id")))
    if name is None:
        raise not_found("No issue link type with name or id given.")
    inward, outward = _issue_ref(body, "inwardIssue"), _issue_ref(body, "outwardIssue")
    api.write(inward)
    api.state.link(name, inward, outward, request.state.actor)
    return Response(status_code=201)


ROUTES = [
    Route(f"{API}/serverInfo", server_info, methods=["GET"]),
    Route(f"{API}/myself", myself, methods=["GET"]),
    Route(f"{API}/user/search", user_search, methods=["GET"]),
    Route(f"{API}/field", fields, methods=["GET"]),
    Route(f"{API}/issue/{{key}}", get_issue, methods=["GET"]),
    Route(f"{API}/issue/{{key}}", edit_issue, methods=["PUT"]),
    Route(f"{API}/issue/{{key}}/assignee", assign, methods=["PUT"]),
    Route(f"{API}/issue/{{key}}/changelog", changelog, methods=["GET"]),
    Route(f"{API}/issue/{{key}}/transitions", list_transitions, methods=["GET"]),
    Route(f"{API}/issue/{{key}}/transitions", do_transition, methods=["POST"]),
    Route(f"{API}/issue/{{key}}/properties", issue_properties, methods=["GET"]),
    Route(f"{API}/issue/{{key}}/properties/{{name}}", issue_property,
          methods=["GET", "PUT", "DELETE"]),
    Route(f"{API}/issueLinkType", link_types, methods=["GET"]),
    Route(f"{API}/issueLink", link_issues, methods=["POST"]),
]
