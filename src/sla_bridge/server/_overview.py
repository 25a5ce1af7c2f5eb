"""Tickets at risk, breached or due soon, and compliance per week: what the admin API's
``GET /v1/tickets`` and ``GET /v1/compliance`` answer and the dashboard shows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from sla_bridge.platforms import Platform
from sla_bridge.policy import METRICS, Policy
from sla_bridge.runtime import Runtime
from sla_bridge.store._queries import ClockFilter, ClockRow, ComplianceCount, clock_rows
from sla_bridge.store._queries import compliance as compliance_counts

ClockHealth = Literal["breached", "at_risk", "on_track", "paused", "met"]


class TicketClock(BaseModel):
    """One SLA clock of one ticket, as the list of tickets at risk shows it."""

    platform: str
    ticket_id: str
    ticket_url: str | None = Field(
        description="Where an agent opens the ticket in the helpdesk; null when the platform "
                    "gives no link (no site configured, or a platform without agent pages)")
    policy: str | None
    plan: str | None
    severity: str | None = Field(description="The vendor's severity, else the customer's")
    status: str | None
    metric: str = Field(description="first_response, next_update, ...")
    target: str = Field(description="The target as the policy states it")
    health: ClockHealth
    due_at: datetime | None = Field(description="The due instant (UTC)")
    due_local: datetime | None = Field(description="The due instant in the customer's zone")
    customer_zone: str | None = Field(description="The customer's time zone (IANA name)")
    business_seconds_left: float | None = Field(
        description="Business time from now to the due instant on the target's calendar; "
                    "negative once overdue; null when paused, met or not computable")
    used_seconds: float
    warned: bool
    breached: bool


class TicketClockList(BaseModel):
    """Clocks matching the filters, soonest due first."""

    as_of: datetime = Field(description="The instant 'time left' is computed from")
    count: int
    clocks: list[TicketClock]


class ComplianceRow(BaseModel):
    """Targets met in time and breached in one ISO week for one policy, plan and severity."""

    week: str = Field(description="ISO week, e.g. 2026-W48")
    policy: str | None
    plan: str | None
    severity: str | None
    metric: Literal["first_response", "next_update"]
    met: int
    breached: int

    @classmethod
    def of(cls, count: ComplianceCount) -> ComplianceRow:
        """Build from a store count."""
        return cls.model_validate({
            "week": count.week, "policy": count.policy_id, "plan": count.plan,
            "severity": count.severity, "metric": count.metric, "met": count.met,
            "breached": count.breached})


class Compliance(BaseModel):
    """First-response and next-update targets met vs breached, decided in ``[from, to)``."""

    from_: datetime = Field(alias="from")
    to: datetime
    rows: list[ComplianceRow]

    model_config = {"populate_by_name": True}


def list_clocks(runtime: Runtime, wanted: ClockFilter) -> TicketClockList:
    """Return the clocks matching ``wanted`` with their local due instant and time left."""
    now = runtime.clock.now()
    policies = {p.id: p for p in runtime.policies}
    with runtime.store.reading() as conn:
        rows = clock_rows(conn, wanted)
    clocks = [_clock_view(row, policies.get(row.policy_id or ""), now,
                          ticket_url(runtime.platforms.get(row.platform), row.ticket_id))
              for row in rows]
    return TicketClockList(as_of=now, count=len(clocks), clocks=clocks)


def compliance(runtime: Runtime, since: datetime, until: datetime) -> Compliance:
    """Return the compliance counts for ``[since, until)``."""
    with runtime.store.reading() as conn:
        counts = compliance_counts(conn, since, until)
    return Compliance.model_validate(
        {"from": since, "to": until, "rows": [ComplianceRow.of(c) for c in counts]})


def ticket_url(platform: Platform | None, ticket_id: str) -> str | None:
    """The ticket's page in its helpdesk, as its platform builds it (``None`` for a platform
    no longer installed, or one written before platforms had ``ticket_url``)."""
    build = getattr(platform, "ticket_url", None)
    return build(ticket_id) if callable(build) else None


def _health(row: ClockRow) -> ClockHealth:
    if row.breached:
        return "breached"
    if row.met_at is not None:
        return "met"
    if row.paused:
        return "paused"
    return "at_risk" if row.warned else "on_track"


def _location(row: ClockRow) -> str | None:
    timeline = row.state.get("timeline") or []
    last = timeline[-1] if timeline and isinstance(timeline[-1], dict) else {}
    location = last.get("location")
    return location if isinstance(location, str) else None


def _clock_view(row: ClockRow, policy: Policy | None, now: datetime,
                url: str | None) -> TicketClock:
    zone: ZoneInfo | None = None
    left: float | None = None
    location = _location(row)
    if policy is not None:
        zone = policy.location_zone(location)[1]
        if row.due_at is not None and row.met_at is None and not row.paused:
            left = _business_left(policy, row, location, now)
    return TicketClock(
        platform=row.platform, ticket_id=row.ticket_id, ticket_url=url,
        policy=row.policy_id, plan=row.plan, severity=row.severity, status=row.status,
        metric=row.metric, target=row.target, health=_health(row), due_at=row.due_at,
        due_local=row.due_at.astimezone(zone) if row.due_at and zone else None,
        customer_zone=zone.key if zone else None, business_seconds_left=left,
        used_seconds=row.used_seconds, warned=row.warned, breached=row.breached)


def _business_left(policy: Policy, row: ClockRow, location: str | None,
                   now: datetime) -> float | None:
    assert row.due_at is not None
    metric = next((m for m in METRICS if m == row.metric), None)
    if row.severity is None or metric is None:
        return None
    try:
        calendar = policy.target(row.plan, row.severity, metric, location).calendar
    except (LookupError, KeyError, ValueError):
        return None  # the policy changed since: no calendar to count on
    if now <= row.due_at:
        return calendar.elapsed(now, row.due_at).total_seconds()
    return -calendar.elapsed(row.due_at, now).total_seconds()


def format_left(seconds: float | None) -> str:
    """``seconds`` of business time as "2 h 05 m" or "overdue 1 h 10 m" (for the dashboard)."""
    if seconds is None:
        return "-"
    span = timedelta(seconds=abs(round(seconds)))
    hours, rest = divmod(int(span.total_seconds()), 3600)
    text = f"{hours} h {rest // 60:02d} m"
    return f"overdue {text}" if seconds < 0 else text
