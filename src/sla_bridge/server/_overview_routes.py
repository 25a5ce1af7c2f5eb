"""``GET /v1/tickets`` (clocks at risk, breached or due by an instant) and
``GET /v1/compliance`` (targets met vs breached per week), added to the admin router."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from sla_bridge.runtime import Runtime
from sla_bridge.store._queries import ClockFilter, ClockState
from sla_bridge.tickets import StorableText

from ._errors import ApiError, ErrorBody
from ._overview import Compliance, TicketClockList, compliance, list_clocks

InstantParser = Callable[[str, str], datetime]
_INSTANT = "ISO 8601 with a UTC offset, e.g. 2026-11-27T17:00:00-06:00"
_BAD_INSTANT: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody, "description": "An instant parameter is not ISO 8601 with a "
          "UTC offset, or a range is empty; the message names the parameter"}}
# A compliance query wider than this is refused: it would read every clock ever kept.
MAX_COMPLIANCE_SPAN = timedelta(days=400)


def add_overview_routes(router: APIRouter, runtime: Runtime, instant: InstantParser) -> None:
    """Add the list of clocks and the compliance report to the admin ``router``."""

    @router.get("/tickets", response_model=TicketClockList, responses=_BAD_INSTANT,
                summary="SLA clocks at risk, breached or due by an instant, across platforms")
    def tickets(
        state: Annotated[ClockState | None, Query(
            description="at_risk: warned and not met; breached: missed and not met yet; "
                        "open: not met")] = None,
        due_before: Annotated[str | None, Query(
            description=f"Only unmet clocks due at or before this instant ({_INSTANT})")] = None,
        platform: Annotated[StorableText | None, Query(max_length=50)] = None,
        policy: Annotated[StorableText | None, Query(max_length=100)] = None,
        plan: Annotated[StorableText | None, Query(max_length=100)] = None,
        severity: Annotated[StorableText | None, Query(
            max_length=50, description="The vendor's severity, else the customer's")] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> TicketClockList:
        """Return the clocks matching every filter given, soonest due first, each with its
        due instant in the customer's zone and the business time left."""
        until = instant(due_before, "due_before") if due_before is not None else None
        return list_clocks(runtime, ClockFilter(
            state=state, due_before=until, platform=platform, policy=policy, plan=plan,
            severity=severity, limit=limit))

    @router.get("/compliance", response_model=Compliance, responses=_BAD_INSTANT,
                response_model_by_alias=True,
                summary="First-response and next-update targets met vs breached per week")
    def compliance_report(
        from_: Annotated[str, Query(alias="from", description=f"Start, inclusive ({_INSTANT})")],
        to: Annotated[str, Query(description=f"End, exclusive ({_INSTANT})")],
    ) -> Compliance:
        """Count the targets decided in ``[from, to)`` per ISO week, policy, plan, severity
        and metric; a target met late counts as breached."""
        since, until = instant(from_, "from"), instant(to, "to")
        if until <= since:
            raise ApiError(400, "bad_request", f"to={to!r} is not after from={from_!r}; "
                           "give a range that ends after it starts")
        if until - since > MAX_COMPLIANCE_SPAN:
            raise ApiError(400, "bad_request", f"from={from_!r} to={to!r} spans more than "
                           f"{MAX_COMPLIANCE_SPAN.days} days; ask for a shorter range")
        return compliance(runtime, since, until)
