"""The service desk API (``/rest/servicedeskapi``): desks, request types, requests, their
comments and approvals, organizations and their properties.

https://developer.atlassian.com/cloud/jira/service-desk/rest/ : pages are
``{size, start, limit, isLastPage, values, _links}``; a request comment needs ``public``
(400 without), and customers comment in public only and see public comments only; raising a
request on behalf of someone, or with participants, is for agents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sla_bridge import sandbox as kit

from . import _approvals
from ._errors import servicedesk_error
from ._http import Api, int_param, servicedesk_endpoint
from ._people import date_dto
from ._render import approval_json, request_json, sd_user_json

SD = "/rest/servicedeskapi"


def page(request: Request, values: list[Any]) -> dict[str, Any]:
    """One page of ``values`` by ``start`` and ``limit`` (50 by default)."""
    start = int_param(request, "start", 0)
    limit = int_param(request, "limit", 50, most=100) or 50
    chosen = values[start:start + limit]
    base = str(request.url).split("?")[0]
    links: dict[str, str] = {"base": str(request.base_url).rstrip("/"), "context": "",
                             "self": str(request.url)}
    if start + limit < len(values):
        links["next"] = f"{base}?start={start + limit}&limit={limit}"
    if start > 0:
        links["prev"] = f"{base}?start={max(0, start - limit)}&limit={limit}"
    return {"size": len(chosen), "start": start, "limit": limit,
            "isLastPage": start + limit >= len(values), "values": chosen, "_links": links}


def _desk_json(api: Api, request: Request, desk_id: str) -> dict[str, Any]:
    project = api.state.service_desk(desk_id)
    if project is None:
        raise servicedesk_error(404, f"The service desk {desk_id} does not exist.",
                                "sd.servicedesk.error.not.found")
    return {"id": project.service_desk_id, "projectId": project.id, "projectKey": project.key,
            "projectName": project.name, "_links": {
                "self": f"{api.root(request)}{SD}/servicedesk/{project.service_desk_id}"}}


@servicedesk_endpoint
async def service_desks(request: Request, api: Api) -> Response:
    """``GET /servicedesk``."""
    with api.state.lock:
        desks = [_desk_json(api, request, p.service_desk_id) for p in api.state.projects.values()]
    return kit.json_response(page(request, desks))


@servicedesk_endpoint
async def service_desk(request: Request, api: Api) -> Response:
    """``GET /servicedesk/{id}``."""
    with api.state.lock:
        return kit.json_response(_desk_json(api, request, request.path_params["id"]))


@servicedesk_endpoint
async def request_types(request: Request, api: Api) -> Response:
    """``GET /servicedesk/{id}/requesttype``."""
    with api.state.lock:
        _desk_json(api, request, request.path_params["id"])
        project = api.state.service_desk(request.path_params["id"])
        assert project is not None
        types = [{**api.state.request_types[t], "_links": {
            "self": f"{api.root(request)}{SD}/servicedesk/{project.service_desk_id}/"
                    f"requesttype/{t}"}} for t in project.request_types]
    return kit.json_response(page(request, types))


def _accounts(api: Api, values: Any, name: str) -> list[str]:
    if not isinstance(values, list) or any(v not in api.state.users for v in values):
        raise servicedesk_error(400, f"'{name}' must list account ids of the site.",
                                "sd.request.error.invalid.accounts")
    return list(values)


@servicedesk_endpoint
async def create_request(request: Request, api: Api) -> Response:
    """``POST /request``: 201 with the ``CustomerRequestDTO``."""
    body = await api.body(request)
    actor = request.state.actor
    with api.state.lock:
        project = api.state.service_desk(str(body.get("serviceDeskId")))
        type_id = str(body.get("requestTypeId"))
        if project is None or type_id not in project.request_types:
            raise servicedesk_error(400, "Specify an existing serviceDeskId and one of its "
                                    "requestTypeId values.", "sd.request.error.invalid.type")
        values = body.get("requestFieldValues") or {}
        if not isinstance(values, dict) or not isinstance(values.get("summary"), str) \
                or not values["summary"].strip():
            raise servicedesk_error(400, "requestFieldValues.summary: You must specify a "
                                    "summary of the issue.", "sd.request.error.summary")
        reporter = body.get("raiseOnBehalfOf") or actor
        participants = _accounts(api, body.get("requestParticipants") or [],
                                 "requestParticipants")
        if (reporter != actor or participants) and not api.state.is_agent(actor):
            raise servicedesk_error(403, "Only agents can raise requests on behalf of others "
                                    "or add participants.", "sd.request.error.permission")
        if reporter not in api.state.users:
            raise servicedesk_error(400, f"raiseOnBehalfOf: no account {reporter}.",
                                    "sd.request.error.reporter")
        kept = {k: v for k, v in values.items() if k not in ("summary", "description")}
        parsed = {k: api.state.parse_field(k, v) for k, v in kept.items()}
        record = api.state.create_issue(project.key, reporter, {
            "summary": values["summary"], "description": values.get("description"),
            "customfield_10010": type_id, "customfield_10026": participants,
            "customfield_10002": api.state.organizations_of(reporter)[:1], **parsed})
        return kit.json_response(request_json(api.state, record, api.root(request)), 201)


@servicedesk_endpoint
async def get_request(request: Request, api: Api) -> Response:
    """``GET /request/{key}``."""
    with api.state.lock:
        record = api.state.record(request.path_params["key"], request.state.actor)
        return kit.json_response(request_json(api.state, record, api.root(request)))


def _sd_comment(api: Api, request: Request, record_id: str,
                comment: dict[str, Any]) -> dict[str, Any]:
    public = comment["properties"].get("sd.public.comment", {}).get("internal") is not True
    created = datetime.fromisoformat(comment["created"])
    return {"id": comment["id"], "body": comment["body"], "public": public,
            "author": sd_user_json(api.state, comment["author"], api.root(request)),
            "created": date_dto(created), "_links": {
                "self": f"{api.root(request)}{SD}/request/{record_id}/comment/{comment['id']}"}}


@servicedesk_endpoint
async def request_comments(request: Request, api: Api) -> Response:
    """``GET /request/{key}/comment`` (``public`` / ``internal`` filters) and ``POST`` (needs
    ``public``)."""
    key, actor = request.path_params["key"], request.state.actor
    if request.method == "POST":
        body = await api.body(request)
        if not isinstance(body.get("public"), bool) or not isinstance(body.get("body"), str):
            raise servicedesk_error(400, "Specify 'body' and 'public' (true or false).",
                                    "sd.comment.error.invalid")
        api.write(key)
        comment = api.state.add_comment(key, actor, body["body"], public=body["public"])
        with api.state.lock:
            record = api.state.record(key)
            return kit.json_response(_sd_comment(api, request, record.id, comment), 201)
    with api.state.lock:
        record = api.state.record(key, actor)
        agent = api.state.is_agent(actor)
        shown = [_sd_comment(api, request, record.id, c) for c in record.comments]
        wants_public = request.query_params.get("public", "true") != "false"
        wants_internal = agent and request.query_params.get("internal", "true") != "false"
        shown = [c for c in shown if (wants_public if c["public"] else wants_internal)]
    return kit.json_response(page(request, shown))


@servicedesk_endpoint
async def approvals(request: Request, api: Api) -> Response:
    """``GET /request/{key}/approval``."""
    with api.state.lock:
        record = api.state.record(request.path_params["key"], request.state.actor)
        listed = [approval_json(api.state, record, a, api.root(request), request.state.actor)
                  for a in record.approvals]
    return kit.json_response(page(request, listed))


@servicedesk_endpoint
async def approval(request: Request, api: Api) -> Response:
    """``GET`` one approval; ``POST`` ``{"decision": "approve" | "decline"}`` answers it."""
    key, approval_id = request.path_params["key"], request.path_params["id"]
    actor = request.state.actor
    if request.method == "POST":
        body = await api.body(request)
        api.write(key)
        _approvals.answer(api.state, key, approval_id, actor, str(body.get("decision")))
    with api.state.lock:
        record = api.state.record(key, actor)
        found = _approvals.find(record, approval_id)
        return kit.json_response(approval_json(api.state, record, found, api.root(request),
                                               actor))


@servicedesk_endpoint
async def participants(request: Request, api: Api) -> Response:
    """``GET`` the request's participants; ``POST`` / ``DELETE`` ``{"accountIds": [...]}``
    adds or removes some (agents only)."""
    key, actor = request.path_params["key"], request.state.actor
    if request.method != "GET":
        if not api.state.is_agent(actor):
            raise servicedesk_error(403, "Only agents can change request participants.",
                                    "sd.participant.error.permission")
        body = await api.body(request)
        accounts = _accounts(api, body.get("accountIds") or [], "accountIds")
        api.write(key)
        operation = "add" if request.method == "POST" else "remove"
        api.state.edit(key, actor, {}, {"customfield_10026": [
            {operation: {"accountId": a}} for a in accounts]})
    root = api.root(request)
    with api.state.lock:
        record = api.state.record(key, actor)
        people = [sd_user_json(api.state, a, root) for a in record.fields["customfield_10026"]]
    return kit.json_response(page(request, people))


def _org_json(api: Api, request: Request, org_id: int) -> dict[str, Any]:
    org = api.state.organizations.get(org_id)
    if org is None:
        raise servicedesk_error(404, f"The organization {org_id} does not exist.",
                                "sd.organization.error.not.found")
    return {"id": str(org_id), "name": org["name"], "created": date_dto(org["created"]),
            "_links": {"self": f"{api.root(request)}{SD}/organization/{org_id}"}}


def _org_id(request: Request) -> int:
    raw = request.path_params["id"]
    if not raw.isdigit():
        raise servicedesk_error(404, f"The organization {raw} does not exist.",
                                "sd.organization.error.not.found")
    return int(raw)


@servicedesk_endpoint
async def organizations(request: Request, api: Api) -> Response:
    """``GET /organization``."""
    with api.state.lock:
        return kit.json_response(page(request, [_org_json(api, request, i)
                                                for i in api.state.organizations]))


@servicedesk_endpoint
async def organization(request: Request, api: Api) -> Response:
    """``GET /organization/{id}``."""
    with api.state.lock:
        return kit.json_response(_org_json(api, request, _org_id(request)))


@servicedesk_endpoint
async def organization_users(request: Request, api: Api) -> Response:
    """``GET /organization/{id}/user``."""
    root = api.root(request)
    with api.state.lock:
        org_id = _org_id(request)
        _org_json(api, request, org_id)
        members = [sd_user_json(api.state, a, root)
                   for a in sorted(api.state.organizations[org_id]["members"])]
    return kit.json_response(page(request, members))


@servicedesk_endpoint
async def organization_property(request: Request, api: Api) -> Response:
    """``GET`` / ``PUT`` (201 created, 200 updated) / ``DELETE`` an organization property;
    writing is for agents."""
    name = request.path_params["name"]
    with api.state.lock:
        org_id = _org_id(request)
        _org_json(api, request, org_id)
        props = api.state.organizations[org_id]["properties"]
    if request.method in ("PUT", "DELETE"):
        if not api.state.is_agent(request.state.actor):
            raise servicedesk_error(403, "Only agents can change organization properties.",
                                    "sd.organization.error.permission")
        if request.method == "DELETE":
            with api.state.lock:
                if props.pop(name, None) is None:
                    raise servicedesk_error(404, f"No property {name}.", "sd.property.missing")
            return Response(status_code=204)
        value = kit.parse_json(await request.body())
        with api.state.lock:
            existed = name in props
            props[name] = value
        return Response(status_code=200 if existed else 201)
    with api.state.lock:
        if name not in props:
            raise servicedesk_error(404, f"The property {name} does not exist.",
                                    "sd.property.missing")
        return kit.json_response({"key": name, "value": props[name]})


@servicedesk_endpoint
async def organization_property_keys(request: Request, api: Api) -> Response:
    """``GET /organization/{id}/property``: the keys."""
    root = api.root(request)
    with api.state.lock:
        org_id = _org_id(request)
        _org_json(api, request, org_id)
        keys = list(api.state.organizations[org_id]["properties"])
    return kit.json_response({"keys": [
        {"key": k, "self": f"{root}{SD}/organization/{org_id}/property/{k}"} for k in keys]})


ROUTES = [
    Route(f"{SD}/servicedesk", service_desks, methods=["GET"]),
    Route(f"{SD}/servicedesk/{{id}}", service_desk, methods=["GET"]),
    Route(f"{SD}/servicedesk/{{id}}/requesttype", request_types, methods=["GET"]),
    Route(f"{SD}/request", create_request, methods=["POST"]),
    Route(f"{SD}/request/{{key}}", get_request, methods=["GET"]),
    Route(f"{SD}/request/{{key}}/comment", request_comments, methods=["GET", "POST"]),
    Route(f"{SD}/request/{{key}}/participant", participants,
          methods=["GET", "POST", "DELETE"]),
    Route(f"{SD}/request/{{key}}/approval", approvals, methods=["GET"]),
    Route(f"{SD}/request/{{key}}/approval/{{id}}", approval, methods=["GET", "POST"]),
    Route(f"{SD}/organization", organizations, methods=["GET"]),
    Route(f"{SD}/organization/{{id}}", organization, methods=["GET"]),
    Route(f"{SD}/organization/{{id}}/user", organization_users, methods=["GET"]),
    Route(f"{SD}/organization/{{id}}/property", organization_property_keys, methods=["GET"]),
    Route(f"{SD}/organization/{{id}}/property/{{name}}", organization_property,
          methods=["GET", "PUT", "DELETE"]),
]
