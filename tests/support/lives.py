"""Whole ticket lives on the pure engine: no database, no network, a clock the test moves.

A thin adapter over :mod:`sla_bridge.simulate` (the life ``sla-bridge simulate`` plays) for
the engine tests: instants are ISO strings, the agent is ``agent-7``, the customer ``u1``, and
the classification is whatever the test sets on :attr:`Life.classification` (``None`` by
default), so the engine tests do not depend on the classifier's wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.engine import Classified
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, Policy, PolicyLibrary
from sla_bridge.simulate import Desk, Write
from sla_bridge.store import ClockRecord, Decision, TicketRecord, TimerSpec
from sla_bridge.tickets import Ticket

LIBRARY = PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS)
AGENT = "agent-7"

Written = Write  # the name the engine tests know


def policy(name: str) -> Policy:
    """A bundled policy by name (or a path)."""
    return LIBRARY.load(name) if "/" not in name else LIBRARY.load(str(Path(name)))


@dataclass(frozen=True)
class Verdict:
    """A classification a test hands the engine instead of the classifier's."""

    severity: str
    confidence: float
    reasons: tuple[str, ...] = ()


class Life:
    """One ticket's life under a set of policies."""

    def __init__(self, policies: list[Policy], opened: str, **ticket: Any) -> None:
        self.policies = policies
        self.classification: Classified | None = None
        self.desk = Desk(policies, classify=lambda _policy, _ticket: self.classification)
        values: dict[str, Any] = {"subject": "Backups are failing", "requester_id": "u1",
                                  "description": ""}
        values.update(ticket)
        self.life = self.desk.open(datetime.fromisoformat(opened), **values)

    @property
    def ticket(self) -> Ticket:
        """The ticket as the platform shows it now."""
        return self.life.ticket

    @property
    def memory(self) -> TicketRecord | None:
        """What the bridge remembers about the ticket."""
        return self.life.memory

    @property
    def timers(self) -> list[TimerSpec]:
        """The bridge's timers for the ticket."""
        return self.life.timers

    @property
    def written(self) -> list[Write]:
        """Everything the bridge wrote to the ticket, in order."""
        return self.life.written

    @property
    def decisions(self) -> list[Decision]:
        """The ticket's audit trail."""
        return self.life.decisions

    # -- what people do -----------------------------------------------------------------

    def customer(self, at: str, body: str, *, attachments: Sequence[str] = ()) -> list[Write]:
        """The customer comments (publicly)."""
        return self.life.customer(datetime.fromisoformat(at), body, attachments=attachments)

    def agent(self, at: str, body: str, *, public: bool = True, **changes: Any) -> list[Write]:
        """An agent comments, optionally changing the ticket in the same update."""
        return self.life.agent(datetime.fromisoformat(at), body, public=public,
                               author_id=AGENT, **changes)

    def change(self, at: str, **changes: Any) -> list[Write]:
        """Someone changes the ticket (status, tags, fields ...) without a comment."""
        return self.life.change(datetime.fromisoformat(at), **changes)

    def run_until(self, at: str) -> list[Write]:
        """Move time forward, firing every timer due on the way, in due order."""
        return self.life.run_until(datetime.fromisoformat(at))

    # -- the bridge ---------------------------------------------------------------------

    def reconcile(self, now: datetime) -> list[Write]:
        """Reconcile until the ticket settles; return everything written."""
        return self.life.reconcile(now)

    def due(self, metric: str = "first_response") -> str | None:
        """The due instant the bridge keeps for a clock, ISO 8601."""
        clock = self.life.clock(metric)
        return clock.due_at.isoformat() if clock and clock.due_at else None

    def clock(self, metric: str = "first_response") -> ClockRecord:
        """The clock the bridge keeps for ``metric`` (the test fails if there is none)."""
        clock = self.life.clock(metric)
        assert clock is not None, f"the bridge keeps no {metric} clock"
        return clock

    def timer_at(self, kind: str) -> str | None:
        """When the timer of ``kind`` is due, ISO 8601."""
        due = self.life.timer_at(kind)
        return due.isoformat() if due else None
