"""What an admin's setup reads and creates: custom fields, projects and their statuses, groups.

https://developer.atlassian.com/cloud/jira/platform/rest/v2/ : ``POST /field``
(createCustomField, for admins: ``name`` and ``type`` required, 201 with the field),
``GET /project/{key}`` (404 "No project could be found with key ..."),
``GET /project/{key}/statuses`` (the statuses per issue type) and ``GET /groups/picker``
(groups whose name contains ``query``, case-insensitive).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sla_bridge import sandbox as kit

from ._errors import bad_request, forbidden, not_found
from ._fields import CUSTOM, custom_field
from ._http import Api, agent_endpoint, int_param
from ._people import Project
from ._workflow import STATUSES, status_json

API = "/rest/api/2"
#: The field types ``POST /field`` creates here, and the kind each is kept as.
FIELD_TYPES = {CUSTOM + "textfield": "text", CUSTOM + "textarea": "textarea",
               CUSTOM + "datetime": "datetime", CUSTOM + "select": "select",
               CUSTOM + "multiuserpicker": "users", CUSTOM + "grouppicker": "group"}


@agent_endpoint
async def create_field(request: Request, api: Api) -> Response:
    """``POST /field``: a custom field (admins only); 201 with it."""
    if request.state.actor not in api.state.admins:
        raise forbidden("Only Jira administrators can create custom fields.")
    body = await api.body(request)
    name, type_ = body.get("name"), body.get("type")
    if not isinstance(name, str) or not name.strip():
        raise bad_request(name="The custom field name is required.")
    if type_ not in FIELD_TYPES:
        raise bad_request(type=f"The custom field type {type_!r} is not supported here; use "
                          f"one of {', '.join(sorted(FIELD_TYPES))}.")
    with api.state.lock:
        number = 10050 + sum(1 for f in api.state.fields if f.startswith("customfield_"))
        definition = custom_field(number, name, FIELD_TYPES[str(type_)])
        api.state.fields[definition.id] = definition
        return kit.json_response(definition.json(), 201)


def _project(api: Api, key: str) -> Project:
    found = api.state.projects.get(key.upper()) or next(
        (p for p in api.state.projects.values() if p.id == key), None)
    if found is None:
        raise not_found(f"No project could be found with key '{key}'.")
    return found


@agent_endpoint
async def get_project(request: Request, api: Api) -> Response:
    """``GET /project/{key}``."""
    root = api.root(request)
    with api.state.lock:
        project = _project(api, request.path_params["key"])
        return kit.json_response({
            "self": f"{root}{API}/project/{project.id}", "id": project.id, "key": project.key,
            "name": project.name, "description": "", "simplified": False, "style": "classic",
            "projectTypeKey": "service_desk" if project.service_desk else "software",
            "isPrivate": False, "archived": False})


@agent_endpoint
async def project_statuses(request: Request, api: Api) -> Response:
    """``GET /project/{key}/statuses``: the one workflow's statuses, for its issue type."""
    root = api.root(request)
    with api.state.lock:
        project = _project(api, request.path_params["key"])
    statuses = [{key: value for key, value in status_json(s, root).items()
                 if key in ("self", "description", "iconUrl", "name", "id", "statusCategory")}
                for s in STATUSES]
    return kit.json_response([{
        "self": f"{root}{API}/issuetype/10004", "id": "10004",
        "name": "Service Request" if project.service_desk else "Task", "subtask": False,
        "statuses": statuses}])


@agent_endpoint
async def groups_picker(request: Request, api: Api) -> Response:
    """``GET /groups/picker?query=``: groups whose name contains the query."""
    query = request.query_params.get("query", "").lower()
    most = int_param(request, "maxResults", 20)
    with api.state.lock:
        found = [g for name, g in sorted(api.state.groups.items()) if query in name.lower()]
    shown = found[:most]
    return kit.json_response({
        "header": f"Showing {len(shown)} of {len(found)} matching groups",
        "total": len(found),
        "groups": [{"name": g["name"], "html": g["name"], "groupId": g["groupId"]}
                   for g in shown]})


ROUTES = [
    Route(f"{API}/field", create_field, methods=["POST"]),
    Route(f"{API}/project/{{key}}", get_project, methods=["GET"]),
    Route(f"{API}/project/{{key}}/statuses", project_statuses, methods=["GET"]),
    Route(f"{API}/groups/picker", groups_picker, methods=["GET"]),
]
