"""Response models of the admin and operations endpoints (they make the OpenAPI docs)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from sla_bridge.store import (
    ClockRecord,
    Decision,
    LedgerEntry,
    StoredEvent,
    TicketRecord,
    Timer,
)


class ClockView(BaseModel):
    """One SLA clock: which target, when it is due and how much of it is used."""

    metric: str = Field(description="first_response, next_update, ...")
    target: str = Field(description="The target as the policy states it, e.g. '4 business hours'")
    schedule: str | None = Field(None, description="The business-hours schedule it counts on")
    started_at: datetime
    due_at: datetime | None = Field(description="None while paused or once met")
    used_seconds: float = Field(description="Business time used so far, in seconds")
    paused: bool
    warned: bool
    breached: bool
    met_at: datetime | None

    @classmethod
    def of(cls, clock: ClockRecord) -> ClockView:
        """Build the view of a stored clock."""
        return cls(metric=clock.metric, target=clock.target, schedule=clock.schedule,
                   started_at=clock.started_at, due_at=clock.due_at,
                   used_seconds=clock.used_seconds, paused=clock.paused, warned=clock.warned,
                   breached=clock.breached, met_at=clock.met_at)


class TimerView(BaseModel):
    """A scheduled timer: at ``due_at`` the bridge looks at the ticket again."""

    id: int
    platform: str
    ticket_id: str
    kind: str
    due_at: datetime
    status: str
    payload: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, timer: Timer) -> TimerView:
        """Build the view of a stored timer."""
        return cls(id=timer.id, platform=timer.ref.platform, ticket_id=timer.ref.ticket_id,
                   kind=timer.kind, due_at=timer.due_at, status=timer.status,
                   payload=dict(timer.payload))


class DecisionView(BaseModel):
    """An entry of the ticket's audit trail: what the bridge decided and why."""

    at: datetime
    kind: str
    summary: str
    details: dict[str, Any]

    @classmethod
    def of(cls, decision: Decision) -> DecisionView:
        """Build the view of a recorded decision."""
        return cls(at=decision.at, kind=decision.kind, summary=decision.summary,
                   details=dict(decision.details))


class LedgerView(BaseModel):
    """An action the bridge applied (or gave up on), under its idempotency key."""

    key: str
    kind: str
    status: str = Field(description="applied, skipped, dead, or observed "
                                    "(SLA_BRIDGE_MODE=observe: recorded, not written)")
    result: str | None
    recorded_at: datetime
    action: Any = Field(description="The action as JSON")

    @classmethod
    def of(cls, entry: LedgerEntry) -> LedgerView:
        """Build the view of a ledger entry, decoding the stored action JSON."""
        try:
            action: Any = json.loads(entry.action)
        except ValueError:
            action = entry.action
        return cls(key=entry.key, kind=entry.kind, status=entry.status, result=entry.result,
                   recorded_at=entry.recorded_at, action=action)


class PendingEventView(BaseModel):
    """A webhook stored in the inbox and waiting for the ticket's next reconciliation."""

    delivery_id: str
    event_type: str
    by_bridge: bool = Field(description="The platform reported the bridge's own update")
    received_at: datetime

    @classmethod
    def of(cls, event: StoredEvent) -> PendingEventView:
        """Build from a stored inbox event."""
        return cls(delivery_id=event.delivery_id, event_type=event.event_type,
                   by_bridge=event.by_bridge, received_at=event.received_at)


class TicketView(BaseModel):
    """Everything the bridge knows about one ticket, for "when is this due, and why?"."""

    platform: str
    ticket_id: str
    ticket_url: str | None = Field(
        default=None, description="Where an agent opens the ticket in the helpdesk; null "
        "when the platform gives no link")
    policy: str | None = Field(description="The policy enforced on the ticket")
    plan: str | None
    customer_severity: str | None
    vendor_severity: str | None
    status: str | None
    updated_at: datetime | None = Field(description="When the bridge last reconciled it")
    clocks: list[ClockView]
    timers: list[TimerView] = Field(description="Scheduled timers, in due order")
    decisions: list[DecisionView] = Field(description="Recent decisions, newest first")
    ledger: list[LedgerView] = Field(description="Actions applied, oldest first")
    pending_events: list[PendingEventView] = Field(
        default_factory=list,
        description="Webhooks accepted for the ticket and not reconciled yet, oldest first")

    @classmethod
    def of(cls, platform: str, ticket_id: str, record: TicketRecord | None, timers: list[Timer],
           decisions: list[Decision], ledger: list[LedgerEntry],
           pending: list[StoredEvent] | None = None,
           ticket_url: str | None = None) -> TicketView:
        """Assemble the view from what the store returned."""
        return cls(
            platform=platform, ticket_id=ticket_id, ticket_url=ticket_url,
            policy=record.policy_id if record else None, plan=record.plan if record else None,
            customer_severity=record.customer_severity if record else None,
            vendor_severity=record.vendor_severity if record else None,
            status=record.status if record else None,
            updated_at=record.updated_at if record else None,
            clocks=[ClockView.of(c) for c in record.clocks] if record else [],
            timers=[TimerView.of(t) for t in timers],
            decisions=[DecisionView.of(d) for d in decisions],
            ledger=[LedgerView.of(e) for e in ledger],
            pending_events=[PendingEventView.of(e) for e in pending or []])


class TimerList(BaseModel):
    """Scheduled timers in due order."""

    due_before: datetime | None
    count: int
    timers: list[TimerView]


class Health(BaseModel):
    """The process is alive."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """Whether the bridge can take traffic, and each check's outcome ("ok" or why not)."""

    status: Literal["ready", "unavailable"]
    checks: dict[str, str]
