"""``/services/data/vNN.N/process/approvals``: list the approval processes, submit records
and approve or reject work items (see :mod:`._approvals` for the rules and sources)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._errors import sf_error
from ._http import Call, answer, endpoint


async def approvals(request: Request, call: Call) -> Response:
    """``GET`` lists the processes; ``POST {"requests": [...]}`` runs each request and
    answers one ProcessResult per request (an error fails the call with 400)."""
    engine = call.org.approvals
    if request.method == "GET":
        return answer(engine.listing())
    body = await call.body()
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise sf_error(400, "JSON_PARSER_ERROR", "the body must have a non-empty requests list",
                       ["requests"])
    return answer([engine.request(one if isinstance(one, dict) else {}, call.user_id)
                   for one in requests])


ROUTES = [Route("/services/data/{version}/process/approvals", endpoint(approvals),
                methods=["GET", "POST"])]
