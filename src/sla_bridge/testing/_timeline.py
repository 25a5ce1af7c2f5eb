"""A readable timeline of what the bridge decided: one line per step, one per decision."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TextIO

from sla_bridge.store import Decision
from sla_bridge.tickets import TicketRef

_LABELS = {
    "policy.selected": "policy", "sla.first_response": "SLA", "sla.next_update": "SLA",
    "severity.suggested": "severity", "severity.recategorised": "severity",
    "intake.missing": "intake", "intake.complete": "intake", "entitlement.admin": "entitled?",
    "entitlement.channel": "entitled?", "escalation.incomplete": "escalation",
    "escalation.requested": "escalation", "escalation.approved": "escalation",
    "escalation.declined": "escalation", "auto_close.closed": "auto-close",
    "auto_close.solved": "auto-close", "follow_up.opened": "follow-up",
    "sla.first_response.breach": "BREACH", "sla.next_update.breach": "BREACH",
    "sla.first_response.paused": "paused", "sla.next_update.paused": "paused",
}


def describe_decision(decision: Decision) -> str:
    """One line of the timeline: a label and the decision's summary."""
    if decision.kind.startswith("action."):
        label, text = decision.summary.split(" ", 1)
        return f"{label:<11}{text}"
    label = _LABELS.get(decision.kind, decision.kind.split(".")[0])
    return f"{label:<11}{decision.summary}"


class Timeline:
    """Writes the timeline to ``out``; quiet without one. Tickets are shown by their label
    (``names``) where one was given, else as ``#id``."""

    def __init__(self, out: TextIO | None, zone: tzinfo | None) -> None:
        self.out = out
        self.zone = zone
        self.names: dict[str, str] = {}

    def name(self, ticket_id: str, label: str) -> None:
        """Show ticket ``ticket_id`` as ``#id label`` from now on."""
        self.names[ticket_id] = f"#{ticket_id} {label}"

    def step(self, when: datetime, what: str) -> None:
        """A line for something that happens at ``when``."""
        if self.out is not None:
            local = when.astimezone(self.zone)
            self.out.write(f"\n{local:%a %d %b %H:%M %Z}   {what}\n")

    def decision(self, ref: TicketRef, decision: Decision) -> None:
        """A line for one of the bridge's decisions."""
        if self.out is not None:
            shown = self.names.get(ref.ticket_id, f"#{ref.ticket_id}")
            self.out.write(f"  {shown:<16}{describe_decision(decision)}\n")

    def say(self, text: str) -> None:
        """Free text (a demo's commentary)."""
        if self.out is not None:
            self.out.write(text)
