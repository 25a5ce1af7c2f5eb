"""The admin API: ``GET /v1/tickets/{platform}/{ticket_id}``, ``GET /v1/timers``,
``GET /v1/tickets``, ``GET /v1/compliance`` and ``GET /v1/backlog``.

Every route needs ``Authorization: Bearer <SLA_BRIDGE_ADMIN_TOKEN>``; without the setting
the routes answer 404 saying how to enable them.
"""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError

from sla_bridge.runtime import Runtime
from sla_bridge.tickets import TicketRef

from ._backlog import add_backlog_route
from ._errors import ApiError, ErrorBody
from ._models import TicketView, TimerList, TimerView
from ._overview import ticket_url
from ._overview_routes import add_overview_routes

DISABLED_MESSAGE = "the admin API is disabled; set SLA_BRIDGE_ADMIN_TOKEN to enable it"

_DECODED_PLUS = re.compile(r"\d \d\d:\d\d$")

_bearer = HTTPBearer(auto_error=False, description="SLA_BRIDGE_ADMIN_TOKEN")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "Missing or wrong bearer token"},
    404: {"model": ErrorBody, "description": "Not found, or the admin API is disabled"},
    503: {"model": ErrorBody, "description": "Database unavailable"},
}


def admin_router(runtime: Runtime) -> APIRouter:
    """Return the admin routes, guarded by the bearer token from the settings."""
    secret = runtime.settings.admin_token
    token = secret.get_secret_value().encode() if secret is not None else b""
    store = runtime.store

    def require_admin(credentials: Credentials) -> None:
        """Refuse the request unless it carries the admin token (compared in constant time)."""
        if not token:
            raise ApiError(404, "admin_disabled", DISABLED_MESSAGE)
        given = credentials.credentials.encode() if credentials is not None else b""
        if not hmac.compare_digest(given, token):
            raise ApiError(401, "unauthorized", "a valid bearer token is required",
                           headers={"WWW-Authenticate": "Bearer"})

    router = APIRouter(prefix="/v1", tags=["admin"], dependencies=[Depends(require_admin)],
                       responses=_ERRORS)

    @router.get("/tickets/{platform}/{ticket_id}", response_model=TicketView,
                summary="What the bridge knows about a ticket")
    def ticket_view(platform: str, ticket_id: str) -> TicketView:
        """Return the ticket's policy, plan, severities, status, SLA clocks, scheduled
        timers, recent decisions and applied actions; 404 if the bridge never saw it."""
        try:
            ref = TicketRef(platform=platform, ticket_id=ticket_id)
        except ValidationError:
            # No ticket id the bridge stores is like this (NUL, over 200 characters ...).
            raise ApiError(404, "not_found", f"the bridge has no state for ticket "
                           f"{ticket_id[:200]!r} on {platform[:40]!r}") from None
        record = store.ticket(ref)
        timers = store.timers(ref=ref)
        decisions = store.decisions(ref)
        ledger = store.ledger(ref)
        pending = store.pending_events(ref)
        if record is None and not (timers or decisions or ledger or pending):
            raise ApiError(404, "not_found",
                           f"the bridge has no state for ticket {ticket_id} on {platform}")
        return TicketView.of(platform, ticket_id, record, timers, decisions, ledger, pending,
                             ticket_url(runtime.platforms.get(platform), ticket_id))

    @router.get("/timers", response_model=TimerList, summary="Scheduled timers in due order",
                responses={400: {"model": ErrorBody, "description": "due_before is not an "
                                 "ISO 8601 instant with a UTC offset, or is out of range"}})
    def list_timers(
        due_before: Annotated[str | None, Query(
            description="Only timers due at or before this instant (ISO 8601 with a UTC "
                        "offset, e.g. 2026-11-27T17:00:00-06:00)")] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    ) -> TimerList:
        """Return scheduled timers, earliest first; ``due_before`` bounds their due time."""
        until = _instant(due_before) if due_before is not None else None
        timers = store.timers(due_before=until, limit=limit)
        return TimerList(due_before=until, count=len(timers),
                         timers=[TimerView.of(t) for t in timers])

    add_overview_routes(router, runtime, _instant)
    add_backlog_route(router, runtime)
    return router


def _instant(value: str, name: str = "due_before") -> datetime:
    """Parse the ISO 8601 instant given as query parameter ``name``; 400 naming it if bad."""
    if _DECODED_PLUS.search(value):  # "+01:00" sent unencoded arrives as " 01:00"
        value = value[:-6] + "+" + value[-5:]
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "bad_request", f"{name}={value!r} is not an ISO 8601 date and "
                       "time; use e.g. 2026-11-27T17:00:00-06:00") from None
    if parsed.tzinfo is None:
        raise ApiError(400, "bad_request",
                       f"{name}={value!r} has no UTC offset, so the instant is ambiguous; "
                       f"add one, e.g. {parsed.isoformat()}Z or {parsed.isoformat()}-06:00")
    try:
        parsed.astimezone(UTC)  # 9999-12-31T23:59-23:59 is past the last instant there is
    except OverflowError:
        raise ApiError(400, "bad_request", f"{name}={value!r} is out of range; use an "
                       "instant before the year 9999") from None
    return parsed
