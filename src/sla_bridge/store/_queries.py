"""Read queries for the operator's dashboard and its admin API: SLA clocks across tickets.

Each function takes an open connection (``with store.reading() as conn``) and only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, and_, or_, select

from ._periods import COMPLIANCE_METRICS
from ._schema import sla_clocks, sla_periods, ticket_states

ClockState = Literal["at_risk", "breached", "open"]


@dataclass(frozen=True)
class ClockRow:
    """One SLA clock of one ticket, with what the ticket's record says about it."""

    platform: str
    ticket_id: str
    policy_id: str | None
    plan: str | None
    severity: str | None
    status: str | None
    state: dict[str, Any]
    metric: str
    target: str
    schedule: str | None
    started_at: datetime
    due_at: datetime | None
    used_seconds: float
    paused: bool
    warned: bool
    breached: bool
    met_at: datetime | None


@dataclass(frozen=True)
class ClockFilter:
    """Which clocks to list: by state, due instant and the ticket's attributes."""

    state: ClockState | None = None
    due_before: datetime | None = None
    platform: str | None = None
    policy: str | None = None
    plan: str | None = None
    severity: str | None = None
    ticket_id: str | None = None
    limit: int = 500


def clock_rows(conn: Connection, wanted: ClockFilter) -> list[ClockRow]:
    """Return the clocks matching ``wanted``, soonest due first.

    ``at_risk``: warned, not met, not breached; ``breached``: the target was missed and the
    clock is not met yet; ``open``: not met. ``due_before`` keeps unmet clocks due by then.
    """
    c, t = sla_clocks.c, ticket_states.c
    query = select(sla_clocks, t.policy_id, t.plan, t.customer_severity, t.vendor_severity,
                   t.status, t.state).join(ticket_states, and_(
                       t.platform == c.platform, t.ticket_id == c.ticket_id))
    if wanted.state == "at_risk":
        query = query.where(c.warned.is_(True), c.breached.is_(False), c.met_at.is_(None))
    elif wanted.state == "breached":
        query = query.where(c.breached.is_(True), c.met_at.is_(None))
    elif wanted.state == "open":
        query = query.where(c.met_at.is_(None))
    if wanted.due_before is not None:
        query = query.where(c.met_at.is_(None), c.due_at.is_not(None),
                            c.due_at <= wanted.due_before)
    for column, value in ((c.platform, wanted.platform), (t.policy_id, wanted.policy),
                          (t.plan, wanted.plan), (c.ticket_id, wanted.ticket_id)):
        if value is not None:
            query = query.where(column == value)
    if wanted.severity is not None:
        query = query.where(or_(t.vendor_severity == wanted.severity, and_(
            t.vendor_severity.is_(None), t.customer_severity == wanted.severity)))
    query = query.order_by(c.due_at.is_(None), c.due_at, c.platform, c.ticket_id,
                           c.metric).limit(wanted.limit)
    return [ClockRow(
        platform=r.platform, ticket_id=r.ticket_id, policy_id=r.policy_id, plan=r.plan,
        severity=r.vendor_severity or r.customer_severity, status=r.status,
        state=dict(r.state), metric=r.metric, target=r.target, schedule=r.schedule,
        started_at=r.started_at, due_at=r.due_at, used_seconds=r.used_seconds,
        paused=r.paused, warned=r.warned, breached=r.breached, met_at=r.met_at,
    ) for r in conn.execute(query)]


@dataclass(frozen=True)
class ComplianceCount:
    """Targets met and breached in one ISO week, for one policy, plan, severity and metric."""

    week: str  # ISO week, e.g. "2026-W48"
    policy_id: str | None
    plan: str | None
    severity: str | None
    metric: str
    met: int
    breached: int


def compliance(conn: Connection, since: datetime, until: datetime) -> list[ComplianceCount]:
    """Count the first-response and next-update periods decided in ``[since, until)``.

    A period is decided when it is met (at ``met_at``; met late counts as breached) or when
    it is breached and still unmet (at its due instant). Every period counts once: a ticket
    answered five times has five next-update periods (``sla_periods``, kept as the tickets'
    states are saved), each under the policy, plan and severity of its ticket when decided.
    """
    p = sla_periods.c
    query = select(p.metric, p.decided_at, p.met_at, p.breached, p.policy_id, p.plan,
                   p.severity).where(p.metric.in_(COMPLIANCE_METRICS),
                                     p.decided_at >= since, p.decided_at < until)
    counts: dict[tuple[str, str | None, str | None, str | None, str], list[int]] = {}
    for row in conn.execute(query):
        year, week, _ = row.decided_at.isocalendar()
        key = (f"{year}-W{week:02d}", row.policy_id, row.plan, row.severity, row.metric)
        met_in_time = row.met_at is not None and not row.breached
        tally = counts.setdefault(key, [0, 0])
        tally[0 if met_in_time else 1] += 1
    return [ComplianceCount(*key, met=tally[0], breached=tally[1])
            for key, tally in sorted(counts.items(), key=lambda kv: tuple(map(str, kv[0])))]
