"""The Jira sandbox's own ``/_sandbox`` routes, to drive its Jira-only knobs from another
process (a rehearsal against ``python -m sla_bridge_jira.sandbox``); the kit's (faults, the
request log, deliveries) are there too.

``POST /_sandbox/issue_write_limit`` ``{"count": 2, "per_seconds": 1}`` (``count`` null: no
limit); ``POST /_sandbox/search_lag`` ``{"seconds": 30}``; ``POST /_sandbox/webhooks/hold``;
``POST /_sandbox/webhooks/release`` ``{"newest_first": false}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sla_bridge import sandbox as kit

if TYPE_CHECKING:
    from . import Sandbox


def _invalid(description: str) -> Response:
    return kit.json_response({"error": "InvalidControl", "description": description}, 400)


def control_routes(sandbox: Sandbox) -> list[BaseRoute]:
    """The routes above, acting on ``sandbox``."""

    async def body(request: Request) -> dict[str, Any]:
        return await kit.json_object(request)

    async def issue_write_limit(request: Request) -> Response:
        try:
            asked = await body(request)
        except kit.BodyError as exc:
            return _invalid(str(exc))
        count, seconds = asked.get("count"), asked.get("per_seconds", 1)
        if (count is not None and (not isinstance(count, int) or count < 1)) or not isinstance(
                seconds, (int, float)) or seconds <= 0:
            return _invalid("give count (a positive integer, or null) and per_seconds (> 0)")
        sandbox.limit_issue_writes(count, float(seconds))
        return kit.json_response({"count": count, "per_seconds": seconds})

    async def search_lag(request: Request) -> Response:
        try:
            seconds = (await body(request)).get("seconds")
        except kit.BodyError as exc:
            return _invalid(str(exc))
        if not isinstance(seconds, (int, float)) or seconds < 0:
            return _invalid("give seconds, a number of seconds (0: no lag)")
        sandbox.search_lag(float(seconds))
        return kit.json_response({"seconds": seconds})

    async def hold(request: Request) -> Response:
        sandbox.hold_webhooks()
        return kit.json_response({"holding": True})

    async def release(request: Request) -> Response:
        try:
            newest_first = bool((await body(request)).get("newest_first", False))
        except kit.BodyError as exc:
            return _invalid(str(exc))
        return kit.json_response({"released": sandbox.release_webhooks(
            newest_first=newest_first)})

    prefix = kit.CONTROL_PREFIX
    return [Route(f"{prefix}/issue_write_limit", issue_write_limit, methods=["POST"]),
            Route(f"{prefix}/search_lag", search_lag, methods=["POST"]),
            Route(f"{prefix}/webhooks/hold", hold, methods=["POST"]),
            Route(f"{prefix}/webhooks/release", release, methods=["POST"])]
