"""What the engine returns: the ticket's new memory, the desired actions, timers and reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sla_bridge.actions import Action
from sla_bridge.store import ClockRecord, Decision, StoredEvent, TicketRecord, TimerSpec
from sla_bridge.tickets import Ticket


@dataclass(frozen=True)
class Situation:
    """Everything the engine may look at: no I/O happens while it decides."""

    ticket: Ticket
    memory: TicketRecord | None
    events: tuple[StoredEvent, ...]
    now: datetime

    def remembered_clock(self, metric: str) -> ClockRecord | None:
        """Return the clock the bridge kept for ``metric`` last time, if any."""
        if self.memory is None:
            return None
        return next((c for c in self.memory.clocks if c.metric == metric), None)


@dataclass(frozen=True)
class Outcome:
    """The desired state of a ticket: the reconciler applies only what differs from it."""

    record: TicketRecord
    actions: tuple[Action, ...] = ()
    timers: tuple[TimerSpec, ...] = ()
    decisions: tuple[Decision, ...] = field(default_factory=tuple)
