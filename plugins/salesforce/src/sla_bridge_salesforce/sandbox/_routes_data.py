"""The REST routes under ``/services/data``: versions, describe, sObject CRUD, upsert by
External ID, queries and limits.

Shapes: create answers 201 ``{"id", "success": true, "errors": []}``, update 204, delete 204
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm,
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm);
upsert by External ID creates (201, ``created: true``) or updates (200, ``created: false``;
204 without a body before API 46.0, as the older versions of the page show, the 46.0 cut-off
[inferred]) and answers 300 when several records match
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sla_bridge.sandbox import json_response

from ._errors import not_found, sf_error
from ._http import VERSIONS, Call, answer, endpoint
from ._soql import parse
from ._store import Record
from ._values import to_json

#: The first API version whose upsert answers an update with 200 and a body.
UPSERT_BODY_SINCE = 46.0


def _object(call: Call, raw: str) -> str:
    name = call.org.schema.object_name(raw)
    if name is None:
        raise sf_error(404, "NOT_FOUND", "The requested resource does not exist")
    return name


def render(call: Call, object_name: str, record: Record,
           fields: list[str] | None = None) -> dict[str, Any]:
    """A record as ``GET /sobjects/{object}/{id}`` answers it."""
    names = fields or list(call.org.schema.objects[object_name])
    return {"attributes": {"type": object_name,
                           "url": f"{call.base}/sobjects/{object_name}/{record['Id']}"},
            **{n: to_json(record.get(n)) for n in names}}


async def versions(request: Request) -> Response:
    """``GET /services/data/``: every version served (no token needed)."""
    return json_response([{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v}
                          for v in VERSIONS])


async def resources(request: Request, call: Call) -> Response:
    """``GET /services/data/vNN.N/``: the resources of the version."""
    return answer({name: f"{call.base}/{name}" for name in
                   ("sobjects", "query", "queryAll", "limits", "process")})


async def describe_global(request: Request, call: Call) -> Response:
    """``GET /sobjects/``: every object."""
    schema = call.org.schema
    return answer({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [
        {k: v for k, v in schema.describe(name, call.base).items() if k != "fields"}
        for name in schema.objects]})


async def describe(request: Request, call: Call) -> Response:
    """``GET /sobjects/{object}/describe``: its fields, ``externalId`` flags included."""
    name = _object(call, request.path_params["sobject"])
    return answer(call.org.schema.describe(name, call.base))


async def sobject_root(request: Request, call: Call) -> Response:
    """``GET /sobjects/{object}/`` (basic information) or ``POST`` (create)."""
    name = _object(call, request.path_params["sobject"])
    if request.method == "GET":
        info = call.org.schema.describe(name, call.base)
        return answer({"objectDescribe": {k: v for k, v in info.items() if k != "fields"},
                       "recentItems": []})
    record = call.org.store.create(name, await call.body(), call.user_id)
    return answer({"id": record["Id"], "success": True, "errors": []}, 201)


async def sobject_record(request: Request, call: Call) -> Response:
    """``GET`` / ``PATCH`` / ``DELETE /sobjects/{object}/{id}``."""
    name = _object(call, request.path_params["sobject"])
    record_id = request.path_params["record_id"]
    store = call.org.store
    if request.method == "GET":
        wanted = request.query_params.get("fields")
        fields = [f.strip() for f in wanted.split(",")] if wanted else None
        for field in fields or []:
            if call.org.schema.field(name, field) is None:
                raise sf_error(400, "INVALID_FIELD",
                               f"No such column '{field}' on sobject of type {name}")
        return answer(render(call, name, store.get(name, record_id), fields))
    if request.method == "PATCH":
        store.update(name, record_id, await call.body(), call.user_id)
        return answer(None, 204)
    store.delete(name, record_id)
    return answer(None, 204)


async def by_external_id(request: Request, call: Call) -> Response:
    """``GET`` / ``PATCH`` (upsert) ``/sobjects/{object}/{field}/{value}``."""
    name = _object(call, request.path_params["sobject"])
    spec = call.org.schema.field(name, request.path_params["field"])
    value = request.path_params["value"]  # the server decoded the path already
    if spec is None or not (spec.external_id or spec.name == "Id"):
        raise not_found(f"Provided external ID field does not exist or is not accessible: "
                        f"{request.path_params['field']}")
    store = call.org.store
    matches = store.find(name, **{spec.name: value})
    if len(matches) > 1:
        return json_response([f"{call.base}/sobjects/{name}/{m['Id']}" for m in matches], 300)
    if request.method == "GET":
        if not matches:
            raise not_found()
        return answer(render(call, name, matches[0]))
    body = await call.body()
    if any(key.lower() == spec.name.lower() for key in body):
        raise sf_error(400, "INVALID_FIELD",
                       f"The field {spec.name} is the external ID of the upsert; leave it out"
                       " of the body", [spec.name])
    if not matches:
        record = store.create(name, {**body, spec.name: value}, call.user_id)
        return answer({"id": record["Id"], "success": True, "errors": [], "created": True},
                      201)
    store.update(name, matches[0]["Id"], body, call.user_id)
    if float(call.version) < UPSERT_BODY_SINCE:
        return answer(None, 204)
    return answer({"id": matches[0]["Id"], "success": True, "errors": [], "created": False})


async def query(request: Request, call: Call) -> Response:
    """``GET /query/?q=SOQL`` (and ``queryAll``): the first page."""
    text = request.query_params.get("q")
    if text is None:
        raise sf_error(400, "MALFORMED_QUERY", "A query string has to be specified")
    parsed = parse(text, call.org.schema)
    return answer(call.org.cursors.run(call.org.store, parsed, call.base))


async def query_more(request: Request, call: Call) -> Response:
    """``GET /query/{locator}-{offset}``: a later page (``nextRecordsUrl``)."""
    return answer(call.org.cursors.more(request.path_params["locator"], call.base))


_DATA = "/services/data/{version}"

ROUTES = [
    Route("/services/data", versions, methods=["GET"]),
    Route(_DATA, endpoint(resources), methods=["GET"]),
    Route(f"{_DATA}/sobjects", endpoint(describe_global), methods=["GET"]),
    Route(f"{_DATA}/sobjects/{{sobject}}", endpoint(sobject_root), methods=["GET", "POST"]),
    Route(f"{_DATA}/sobjects/{{sobject}}/describe", endpoint(describe), methods=["GET"]),
    Route(f"{_DATA}/sobjects/{{sobject}}/{{record_id}}", endpoint(sobject_record),
          methods=["GET", "PATCH", "DELETE"]),
    Route(f"{_DATA}/sobjects/{{sobject}}/{{field}}/{{value:path}}", endpoint(by_external_id),
          methods=["GET", "PATCH"]),
    Route(f"{_DATA}/query", endpoint(query), methods=["GET"]),
    Route(f"{_DATA}/queryAll", endpoint(query), methods=["GET"]),
    Route(f"{_DATA}/query/{{locator}}", endpoint(query_more), methods=["GET"]),
]
