"""Comments through the platform API, and their properties.

https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comments/ : a
comment created with the property ``sd.public.comment`` ``{"internal": true}`` is internal,
without it public (``jsdPublic`` "defaults to true when comments are created in the Jira Cloud
Platform"); the list is paged with ``startAt`` / ``maxResults`` / ``total`` and shows the
properties with ``expand=properties``.
https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comment-properties/ :
``PUT`` answers 201 for a new property, 200 for an updated one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sla_bridge import sandbox as kit

from ._errors import bad_request, not_found
from ._http import Api, agent_endpoint, int_param, no_content
from ._render import comment_json
from ._state import INTERNAL_PROPERTY

if TYPE_CHECKING:
    from ._state import IssueRecord

API = "/rest/api/2"
#: A property value is at most this many characters of JSON.
MAX_PROPERTY_CHARS = 32768


def _properties(body: dict[str, Any]) -> dict[str, Any]:
    listed = body.get("properties") or []
    if not isinstance(listed, list) or any(
            not isinstance(p, dict) or not isinstance(p.get("key"), str) for p in listed):
        raise bad_request("'properties' must be a list of {\"key\", \"value\"}.")
    return {p["key"]: p.get("value") for p in listed}


@agent_endpoint
async def list_comments(request: Request, api: Api) -> Response:
    """``GET /issue/{key}/comment``: one page."""
    start = int_param(request, "startAt", 0)
    most = int_param(request, "maxResults", 5000, most=5000)
    expanded = "properties" in request.query_params.get("expand", "")
    root = api.root(request)
    with api.state.lock:
        record = api.state.record(request.path_params["key"], request.state.actor)
        ordered = list(record.comments)
        if request.query_params.get("orderBy", "") in ("-created", "-+created"):
            ordered.reverse()
        page = ordered[start:start + most]
        return kit.json_response({
            "startAt": start, "maxResults": most, "total": len(ordered),
            "comments": [comment_json(api.state, record, c, root, expanded) for c in page]})


@agent_endpoint
async def add_comment(request: Request, api: Api) -> Response:
    """``POST /issue/{key}/comment``: 201 with the comment."""
    body = await api.body(request)
    text = body.get("body")
    if not isinstance(text, str):
        raise bad_request(comment="Comment body can not be empty!")
    properties = _properties(body)
    internal = (properties.pop(INTERNAL_PROPERTY, None) or {}).get("internal") is True
    public = not internal and not body.get("visibility")
    key = request.path_params["key"]
    api.write(key)
    comment = api.state.add_comment(key, request.state.actor, text, public=public,
                                    properties=properties)
    with api.state.lock:
        record = api.state.record(key)
        return kit.json_response(comment_json(api.state, record, comment, api.root(request),
                                              True), 201)


@agent_endpoint
async def one_comment(request: Request, api: Api) -> Response:
    """``GET`` or ``PUT`` ``/issue/{key}/comment/{id}``."""
    key, comment_id = request.path_params["key"], request.path_params["id"]
    if request.method == "PUT":
        body = await api.body(request)
        text = body.get("body")
        if text is not None and not isinstance(text, str):
            raise bad_request(comment="Comment body must be a string.")
        properties = _properties(body) if "properties" in body else None
        api.write(key)
        api.state.update_comment(key, comment_id, request.state.actor, text, properties)
    expanded = "properties" in request.query_params.get("expand", "")
    with api.state.lock:
        record = api.state.record(key, request.state.actor)
        return kit.json_response(comment_json(api.state, record,
                                              api.state.comment(record, comment_id),
                                              api.root(request), expanded))


def _comment_anywhere(api: Api, comment_id: str, viewer: str) -> tuple[IssueRecord,
                                                                       dict[str, Any]]:
    for record in api.state.issues.values():
        for comment in record.comments:
            if comment["id"] == comment_id and api.state.can_see(viewer, record):
                return record, comment
    raise not_found(f"Can not find a comment for the id: {comment_id}.")


@agent_endpoint
async def comment_property_keys(request: Request, api: Api) -> Response:
    """``GET /comment/{id}/properties``: the keys."""
    root = api.root(request)
    with api.state.lock:
        _, comment = _comment_anywhere(api, request.path_params["id"], request.state.actor)
        return kit.json_response({"keys": [
            {"key": k, "self": f"{root}{API}/comment/{comment['id']}/properties/{k}"}
            for k in comment["properties"]]})


@agent_endpoint
async def comment_property(request: Request, api: Api) -> Response:
    """``GET``, ``PUT`` (201 created / 200 updated), ``DELETE`` (204) one comment property."""
    comment_id, name = request.path_params["id"], request.path_params["name"]
    if request.method == "PUT":
        raw = await request.body()
        value = kit.parse_json(raw)
        if value is None and raw.strip() != b"null":
            raise bad_request("The property value must be JSON.")
        if len(raw.decode("utf-8", "replace")) > MAX_PROPERTY_CHARS:
            raise bad_request(f"The property value is longer than {MAX_PROPERTY_CHARS} "
                              "characters.")
        with api.state.lock:
            record, comment = _comment_anywhere(api, comment_id, request.state.actor)
            existed = name in comment["properties"]
        api.write(record.key)
        with api.state.lock:
            comment["properties"][name] = value
        return Response(status_code=200 if existed else 201)
    with api.state.lock:
        _, comment = _comment_anywhere(api, comment_id, request.state.actor)
        if name not in comment["properties"]:
            raise not_found(f"The property with key '{name}' does not exist.")
        if request.method == "DELETE":
            del comment["properties"][name]
            return no_content()
        return kit.json_response({"key": name, "value": comment["properties"][name]})


ROUTES = [
    Route(f"{API}/issue/{{key}}/comment", list_comments, methods=["GET"]),
    Route(f"{API}/issue/{{key}}/comment", add_comment, methods=["POST"]),
    Route(f"{API}/issue/{{key}}/comment/{{id}}", one_comment, methods=["GET", "PUT"]),
    Route(f"{API}/comment/{{id}}/properties", comment_property_keys, methods=["GET"]),
    Route(f"{API}/comment/{{id}}/properties/{{name}}", comment_property,
          methods=["GET", "PUT", "DELETE"]),
]
