"""The bridge's memory of tickets as plain values: what the engine reads and returns, and the
store keeps. No database code here, so the pure engine loads none."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sla_bridge.tickets import TicketRef
from sla_bridge.urgency import Urgency

# Where an event's version stamp is kept in its stored payload (``InboundEvent.version``).
VERSION_KEY = "version_stamp"


@dataclass(frozen=True)
class StoredEvent:
    """An inbox event waiting for (or done with) its ticket's reconciliation."""

    id: int
    ref: TicketRef
    delivery_id: str
    event_type: str
    by_bridge: bool
    payload: dict[str, Any]
    received_at: datetime

    @property
    def version(self) -> str | None:
        """The ticket's version stamp the event reported (``InboundEvent.version``), if any."""
        stamp = self.payload.get(VERSION_KEY)
        return stamp if isinstance(stamp, str) and stamp else None


@dataclass(frozen=True)
class TimerSpec:
    """A timer the engine wants for a ticket: at ``due_at``, look at the ticket again; when
    it fires, the ticket's work is claimed in its ``urgency`` class (:mod:`sla_bridge.urgency`)."""

    kind: str
    due_at: datetime
    payload: dict[str, Any]
    urgency: int = Urgency.ROUTINE


@dataclass(frozen=True)
class ClockRecord:
    """One SLA clock of a ticket as stored (see the admin API's ticket view)."""

    metric: str
    target: str
    started_at: datetime
    due_at: datetime | None
    used_seconds: float = 0.0
    paused: bool = False
    warned: bool = False
    breached: bool = False
    met_at: datetime | None = None
    schedule: str | None = None


@dataclass(frozen=True)
class TicketRecord:
    """The bridge's memory of one ticket between reconciliations."""

    ref: TicketRef
    policy_id: str | None = None
    plan: str | None = None
    customer_severity: str | None = None
    vendor_severity: str | None = None
    status: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    clocks: tuple[ClockRecord, ...] = ()
    updated_at: datetime | None = None
    # Next-update periods a later reply closed since the remembered clock (met_at: that
    # reply), for the compliance history; the store keeps them, clocks replace each other.
    periods: tuple[ClockRecord, ...] = ()


@dataclass(frozen=True)
class Decision:
    """One entry of a ticket's audit trail: what the bridge decided and why, in words."""

    kind: str
    summary: str
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)
