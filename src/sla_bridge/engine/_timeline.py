"""The ticket's history as the bridge observed it: status, plan, severity, location over time.

Platforms give the current ticket, not its past, so the bridge remembers each change it
sees (at the ticket's own ``updated_at``), in its per-ticket memory. Clocks are then
recomputed from the whole history at every reconciliation, which is what makes pauses
and re-targeting exact and repeatable however often the ticket is looked at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sla_bridge.tickets import Status, Ticket

MAX_OBSERVATIONS = 200


@dataclass(frozen=True)
class Observation:
    """From ``at`` on (until the next observation) the ticket had these attributes."""

    at: datetime
    status: str
    plan: str | None
    severity: str | None
    location: str | None
    # An exemption of the policy (a tag on the ticket) suspends its targets.
    exempt: bool = False

    def same_as(self, other: Observation) -> bool:
        """Whether nothing but the instant differs."""
        return (self.status, self.plan, self.severity, self.location, self.exempt) == (
            other.status, other.plan, other.severity, other.location, other.exempt)

    def to_json(self) -> dict[str, Any]:
        """Serialise for the ticket's memory (by hand: ``asdict`` deep-copies, and this runs
        for every observation at every reconcile)."""
        data: dict[str, Any] = {"at": self.at.isoformat(), "status": self.status,
                                "plan": self.plan, "severity": self.severity,
                                "location": self.location}
        if self.exempt:
            data["exempt"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Observation:
        """Read back from the ticket's memory."""
        return cls(datetime.fromisoformat(data["at"]), data["status"], data.get("plan"),
                   data.get("severity"), data.get("location"), bool(data.get("exempt")))


def current(ticket: Ticket, at: datetime,
            exempting: frozenset[str] = frozenset()) -> Observation:
    """The ticket's attributes now, as an observation at ``at``; ``exempting`` are the tags
    that suspend its targets."""
    return Observation(at, str(ticket.status), ticket.plan, ticket.severity, ticket.location,
                       bool(ticket.tags & exempting))


def observe(timeline: Sequence[dict[str, Any]], ticket: Ticket,
            exempting: frozenset[str] = frozenset()) -> list[Observation]:
    """Return the ticket's history with the current attributes appended if they changed.

    A ticket seen for the first time is taken to have been open with its current plan,
    severity and location since it was created; if it is already pending, solved or
    closed, that status is taken to have started at its last update.
    """
    history = [Observation.from_json(item) for item in timeline]
    if not history:
        opened = Observation(ticket.created_at, str(Status.OPEN), ticket.plan,
                             ticket.severity, ticket.location, bool(ticket.tags & exempting))
        history = [opened]
    now = current(ticket, max(ticket.updated_at, history[-1].at), exempting)
    if not now.same_as(history[-1]):
        history.append(now)
    return history[-MAX_OBSERVATIONS:]


def timeline_json(history: Sequence[Observation]) -> list[dict[str, Any]]:
    """Serialise a history for the ticket's memory."""
    return [item.to_json() for item in history]


def status_since(history: Sequence[Observation], status: str) -> datetime | None:
    """When the ticket last entered ``status``, if it is in it now."""
    if not history or history[-1].status != status:
        return None
    since = history[-1].at
    for item in reversed(history):
        if item.status != status:
            break
        since = item.at
    return since
