"""Deleting, marking as spam and merging tickets, the deleted tickets, and the Incremental
Ticket Export (the rules are in :mod:`._ends` and :mod:`._export`)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._ends import Merge, delete_ticket, deleted_tickets, mark_as_spam, merge_tickets
from ._errors import rate_limited
from ._export import export_page
from ._http import Api, endpoint, json_response, ticket_json


@endpoint
async def delete(request: Request, api: Api) -> Response:
    """DELETE /tickets/{id}: a soft delete, 204."""
    delete_ticket(api.state, api.int_param(request), request.state.actor)
    return Response(status_code=204)


@endpoint
async def spam(request: Request, api: Api) -> Response:
    """PUT /tickets/{id}/mark_as_spam: the ticket deleted, its requester suspended."""
    mark_as_spam(api.state, api.int_param(request), request.state.actor)
    return json_response("")


@endpoint
async def merge(request: Request, api: Api) -> Response:
    """POST /tickets/{id}/merge: the finished job status."""
    asked = Merge.of(api.int_param(request), await api.body_of(request))
    answer = merge_tickets(api.state, asked, request.state.actor)
    status = answer["job_status"]
    status["url"] = f"{api.base(request)}/api/v2/job_statuses/{status['id']}.json"
    return json_response(answer)


@endpoint
async def list_deleted(request: Request, api: Api) -> Response:
    """GET /deleted_tickets, oldest first."""
    return json_response(api.page(request, deleted_tickets(api.state), "deleted_tickets"))


@endpoint
async def export_tickets(request: Request, api: Api) -> Response:
    """GET /incremental/tickets/cursor, with ``start_time`` or ``cursor``."""
    window = api.sandbox.export_limiter.hit()
    if not window.allowed:
        raise rate_limited(window.reset, "Number of allowed incremental export API requests "
                           "per minute exceeded")
    query = dict(request.query_params)
    tickets, after, end = export_page(api.state, query, api.sandbox.clock(),
                                      api.sandbox.export_page_size)
    root = api.base(request)
    keep = {k: v for k, v in query.items() if k in ("per_page", "exclude_deleted")}
    cursor = after.cursor()
    return json_response({
        "tickets": [ticket_json(t, root) for t in tickets],
        "after_cursor": cursor,
        "after_url": f"{root}/api/v2/incremental/tickets/cursor.json?"
                     f"{urlencode({**keep, 'cursor': cursor})}",
        "before_cursor": None, "before_url": None, "end_of_stream": end})


ROUTES = [
    Route("/api/v2/tickets/{id}/merge", merge, methods=["POST"]),
    Route("/api/v2/tickets/{id}/mark_as_spam", spam, methods=["PUT"]),
    Route("/api/v2/tickets/{id}", delete, methods=["DELETE"]),
    Route("/api/v2/deleted_tickets", list_deleted, methods=["GET"]),
    Route("/api/v2/incremental/tickets/cursor", export_tickets, methods=["GET"]),
]
