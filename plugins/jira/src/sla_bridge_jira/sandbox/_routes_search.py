"""``GET /rest/api/2/search/jql``: the enhanced search the ``jira`` client uses on Cloud.

Searching for issues using JQL enhanced search (GET),
https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-search/ ; it takes
``jql``, ``fields``, ``expand``, ``maxResults`` and ``nextPageToken``; the answer is
``{"issues": [...], "nextPageToken"?, "isLast"}``, a token only while more pages follow. The
JQL understood is :mod:`._jql`'s (400 for anything else).

The search is eventually consistent: it "doesn't provide read-after-write consistency by
default" (https://developer.atlassian.com/cloud/jira/platform/search-and-reconcile/), only
the ids named in ``reconcileIssues`` are current. With a search lag (``Sandbox.search_lag``)
an issue created less than that many seconds ago is not found unless reconciled; seconds as
the site counts them (a virtual clock's monotonic timer when it has one, else real time).
Updates are seen at once here, a simplification.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sla_bridge import sandbox as kit

from . import _jql
from ._errors import bad_request
from ._http import Api, agent_endpoint, int_param, joined
from ._render import issue_json

#: The most issues one page holds.
MAX_PAGE = 100


@agent_endpoint
async def search(request: Request, api: Api) -> Response:
    """One page of the issues the JQL matches, in its ``ORDER BY`` (by key otherwise)."""
    query = request.query_params
    try:
        text, order = _jql.order_of(query.get("jql", ""))
        clauses = _jql.parse(text)
    except _jql.JqlError as exc:
        raise bad_request(f"Error in the JQL Query: {exc}.") from None
    token = query.get("nextPageToken")
    try:
        start = kit.decode_cursor(token) if token else 0
    except ValueError:
        raise bad_request("The nextPageToken is not one this site gave.") from None
    most = int_param(request, "maxResults", 50, most=MAX_PAGE) or 50
    reconciled = {part.strip() for raw in query.getlist("reconcileIssues")
                  for part in raw.split(",") if part.strip()}
    indexed_before = api.state.monotonic() - api.sandbox.search_lag_seconds
    root = api.root(request)
    with api.state.lock:
        matched = [r for r in api.state.issues.values()
                   if api.state.can_see(request.state.actor, r)
                   and (r.id in reconciled or r.indexed_from <= indexed_before)
                   and _jql.matches(clauses, api.state.jql_values(r))]
        field, descending = order or ("key", False)
        matched.sort(key=lambda r: (r.project, int(r.key.split("-")[1])) if field == "key"
                     else r.fields[field], reverse=descending)
        page = matched[start:start + most]
        body = {"issues": [issue_json(api.state, r, root, fields=joined(request, "fields"),
                                      expand=joined(request, "expand")) for r in page],
                "isLast": start + most >= len(matched)}
    if not body["isLast"]:
        body["nextPageToken"] = kit.encode_cursor(start + most)
    return kit.json_response(body)


ROUTES = [Route("/rest/api/2/search/jql", search, methods=["GET"])]
