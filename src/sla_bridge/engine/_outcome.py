"""What the engine returns: the ticket's new memory, the desired actions, timers and reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sla_bridge.actions import Action
from sla_bridge.records import ClockRecord, Decision, StoredEvent, TicketRecord, TimerSpec
from sla_bridge.tickets import Ticket


@dataclass(frozen=True)
class Situation:
    """Everything the engine may look at: no I/O happens while it decides."""

    ticket: Ticket
    memory: TicketRecord | None
    events: tuple[StoredEvent, ...]
    now: datetime
    classification: Classified | None = None

    def remembered_clock(self, metric: str) -> ClockRecord | None:
        """Return the clock the bridge kept for ``metric`` last time, if any."""
        if self.memory is None:
            return None
        return next((c for c in self.memory.clocks if c.metric == metric), None)


@dataclass
class Part:
    """What one concern of the policy (clocks, auto-close, escalation ...) contributes."""

    actions: list[Action] = field(default_factory=list)
    timers: list[TimerSpec] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    def add(self, other: Part) -> None:
        """Merge ``other`` into this part (actions keep their order)."""
        self.actions += other.actions
        self.timers += other.timers
        self.decisions += other.decisions
        self.state.update(other.state)


class Classified(Protocol):
    """A severity classification as the engine reads it (see ``sla_bridge.classify``)."""

    @property
    def severity(self) -> str:
        """The policy's severity id the classifier chose."""
        ...

    @property
    def confidence(self) -> float:
        """How sure the classifier is, 0..1."""
        ...

    @property
    def reasons(self) -> Sequence[str]:
        """Why, in sentences a support manager understands."""
        ...


@dataclass(frozen=True)
class Outcome:
    """The desired state of a ticket: the reconciler applies only what differs from it."""

    record: TicketRecord
    actions: tuple[Action, ...] = ()
    timers: tuple[TimerSpec, ...] = ()
    decisions: tuple[Decision, ...] = field(default_factory=tuple)
