"""Whole ticket lives on the pure engine: no database, no network, a clock the test moves.

A :class:`Life` plays the platform and the bridge's reconciler in memory: each change
to the ticket is followed by a reconciliation; timers fire in due order when the test
moves time forward; actions are diffed against the ticket and applied once, exactly as
the worker does (it reuses the worker's pure diff functions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sla_bridge.actions import Action, CreateFollowUp, apply_to
from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.engine import Classified, Situation, decide
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, Policy, PolicyLibrary
from sla_bridge.store import Decision, TicketRecord, TimerSpec
from sla_bridge.tickets import Comment, Status, Ticket, TicketRef
from sla_bridge.worker import is_one_off, ledger_key, pending_part

LIBRARY = PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS)


def policy(name: str) -> Policy:
    """A bundled policy by name (or a path)."""
    return LIBRARY.load(name) if "/" not in name else LIBRARY.load(str(Path(name)))


@dataclass(frozen=True)
class Written:
    """One action the bridge wrote, and when."""

    at: datetime
    action: Action

    @property
    def kind(self) -> str:
        return self.action.kind

    @property
    def text(self) -> str:
        return str(getattr(self.action, "body", "") or getattr(self.action, "summary", ""))


@dataclass(frozen=True)
class Verdict:
    severity: str
    confidence: float
    reasons: tuple[str, ...] = ()


class Life:
    """One ticket's life under a set of policies."""

    def __init__(self, policies: list[Policy], opened: str, **ticket: Any) -> None:
        self.policies = policies
        at = datetime.fromisoformat(opened)
        values: dict[str, Any] = {"status": Status.NEW, "created_at": at, "updated_at": at,
                                  "subject": "Backups are failing", "requester_id": "u1",
                                  "description": ""}
        values.update(ticket)
        self.ticket = Ticket(ref=TicketRef(platform="sim", ticket_id="100"), **values)
        self.memory: TicketRecord | None = None
        self.timers: list[TimerSpec] = []
        self.written: list[Written] = []
        self.decisions: list[Decision] = []
        self.ledger: set[str] = set()
        self.classification: Classified | None = None
        self.now = at
        self._comments = 0
        self.reconcile(at)

    # -- what people do -----------------------------------------------------------------

    def customer(self, at: str, body: str, *, attachments: tuple[str, ...] = ()) -> list[Written]:
        """The customer comments (publicly)."""
        return self._comment(at, "customer", body, True, attachments=attachments)

    def agent(self, at: str, body: str, *, public: bool = True, **changes: Any) -> list[Written]:
        """An agent comments, optionally changing the ticket in the same update."""
        return self._comment(at, "agent", body, public, **changes)

    def change(self, at: str, **changes: Any) -> list[Written]:
        """Someone changes the ticket (status, tags, fields ...) without a comment."""
        when = self._advance(at)
        self.ticket = self.ticket.model_copy(update={**changes, "updated_at": when})
        return self.reconcile(when)

    def run_until(self, at: str) -> list[Written]:
        """Move time forward, firing every timer due on the way, in due order."""
        until = datetime.fromisoformat(at)
        fired: list[Written] = []
        while True:
            due = sorted((t for t in self.timers if t.due_at <= until), key=lambda t: t.due_at)
            if not due:
                break
            self.now = due[0].due_at
            fired += self.reconcile(due[0].due_at)
        self.now = max(self.now, until)
        return fired

    # -- the bridge ---------------------------------------------------------------------

    def reconcile(self, now: datetime) -> list[Written]:
        """Reconcile until the ticket settles, as the bridge does when its own write-backs
        come back as webhooks; return everything written."""
        written: list[Written] = []
        for _ in range(5):
            step = self._reconcile_once(now)
            if not step:
                return written
            written += step
        raise AssertionError(f"the ticket did not settle: still writing {step}")

    def _reconcile_once(self, now: datetime) -> list[Written]:
        outcome = decide(self.policies, Situation(self.ticket, self.memory, (), now,
                                                  self.classification))
        written = []
        for action in outcome.actions:
            pending = pending_part(action, self.ticket)
            if pending is None:
                continue
            key = ledger_key(pending)
            if is_one_off(pending) and key in self.ledger:
                continue
            self.ledger.add(key)
            if not isinstance(pending, CreateFollowUp):
                self.ticket = apply_to(self.ticket, pending, now)
            written.append(Written(now, pending))
        self.written += written
        self.memory = outcome.record
        self.timers = list(outcome.timers)
        self.decisions += outcome.decisions
        return written

    def due(self, metric: str = "first_response") -> str | None:
        """The due instant the bridge keeps for a clock, ISO 8601."""
        assert self.memory is not None
        clock = next((c for c in self.memory.clocks if c.metric == metric), None)
        return clock.due_at.isoformat() if clock and clock.due_at else None

    def clock(self, metric: str = "first_response"):  # type: ignore[no-untyped-def]
        assert self.memory is not None
        return next(c for c in self.memory.clocks if c.metric == metric)

    def timer_at(self, kind: str) -> str | None:
        found = [t.due_at.isoformat() for t in self.timers if t.kind == kind]
        return found[0] if found else None

    def _advance(self, at: str) -> datetime:
        when = datetime.fromisoformat(at)
        self.run_until(at)
        self.now = when
        return when

    def _comment(self, at: str, role: str, body: str, public: bool,
                 attachments: tuple[str, ...] = (), **changes: Any) -> list[Written]:
        when = self._advance(at)
        self._comments += 1
        comment = Comment(id=f"u{self._comments}", author_role=role,  # type: ignore[arg-type]
                          public=public, body=body, created_at=when, attachments=attachments,
                          author_id="agent-7" if role == "agent" else "u1")
        update: dict[str, Any] = {"comments": (*self.ticket.comments, comment),
                                  "updated_at": when, **changes}
        if role == "agent" and "assignee_id" not in changes and self.ticket.assignee_id is None:
            update["assignee_id"] = "agent-7"
        if role == "agent" and self.ticket.status == Status.NEW and "status" not in changes:
            update["status"] = Status.OPEN
        self.ticket = self.ticket.model_copy(update=update)
        return self.reconcile(when)
