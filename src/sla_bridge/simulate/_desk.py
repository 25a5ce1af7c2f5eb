"""A helpdesk and the bridge in memory: tickets' lives on the pure engine, time moved by hand.

The :class:`Desk` plays the platform and the worker. After every change a person makes, the
bridge reconciles the ticket the way the worker does: it asks the classifier when a policy
applies and the ticket has no vendor severity, lets the engine decide, and writes only what
the ticket does not show yet (the worker's write plan, ``sla_bridge.diff.WritePlan``:
one-off actions once per idempotency key). The platform applies each write
(``Action.applied_to``); like Zendesk it refuses writes to a closed ticket, and it opens
follow-up tickets that copy the closed ticket's tags and fields. The bridge looks again
right after its own writes, as their echo webhook makes it do, until a look writes nothing.
Timers fire in due order as time moves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sla_bridge.actions import Action, CreateFollowUp
from sla_bridge.classify import classify_ticket
from sla_bridge.diff import WritePlan
from sla_bridge.engine import Classified, Situation, decide, needs_classification
from sla_bridge.policy import Policy
from sla_bridge.records import ClockRecord, Decision, TicketRecord, TimerSpec
from sla_bridge.tickets import Comment, Status, Ticket, TicketRef

PLATFORM = "sim"
FIRST_TICKET_ID = 100
DEFAULT_AGENT = "agent-1"
DEFAULT_REQUESTER = "customer-1"
# A look, then up to this many looks again after the bridge's own writes.
MAX_PASSES = 5

Classifier = Callable[[Policy, Ticket], Classified | None]


@dataclass(frozen=True)
class Write:
    """One action the bridge wrote to a ticket, and when."""

    at: datetime
    action: Action

    @property
    def kind(self) -> str:
        """The action's kind, e.g. ``add_comment`` or ``set_status``."""
        return self.action.kind

    @property
    def text(self) -> str:
        """The comment's body, the approval's summary or the follow-up's body; else ``""``."""
        return str(getattr(self.action, "body", "") or getattr(self.action, "summary", ""))


@dataclass
class Round:
    """One trigger (a person's update, timers, a new ticket) and the bridge's looks after it.

    ``passes`` holds what each look wrote, first the look the trigger caused, then the looks
    after the bridge's own writes; ``refused`` the writes the closed ticket did not accept.
    """

    at: datetime
    ticket_id: str
    trigger: str
    passes: list[list[Write]] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    refused: list[Write] = field(default_factory=list)
    settled: bool = True

    @property
    def writes(self) -> list[Write]:
        """Everything written in this round, in order."""
        return [w for look in self.passes for w in look]


class NotSettled(Exception):
    """The bridge kept writing after its own writes: the reconciles reach no fixed point."""

    def __init__(self, round_: Round) -> None:
        self.round = round_
        self.repeating = round_.passes[-1] if round_.passes else []
        kinds = ", ".join(f"{w.kind} ({w.action.key})" for w in self.repeating)
        super().__init__(f"ticket {round_.ticket_id} did not settle at {round_.at.isoformat()}: "
                         f"after {len(round_.passes)} looks the bridge still writes {kinds}")


class Desk:
    """The simulated helpdesk with the bridge attached: every ticket, one clock, all timers."""

    def __init__(self, policies: Sequence[Policy], classify: Classifier | None = classify_ticket,
                 *, max_passes: int = MAX_PASSES) -> None:
        self.policies = list(policies)
        self.classify = classify
        self.max_passes = max_passes
        self.lives: list[TicketLife] = []
        self.rounds: list[Round] = []
        self.now: datetime | None = None
        # The idempotency key of each create_follow_up write -> the ticket it opened.
        self.opened_by: dict[str, str] = {}
        self._opening: list[tuple[TicketLife, CreateFollowUp, datetime]] = []

    @property
    def follow_ups(self) -> list[TicketLife]:
        """The follow-up tickets the bridge created, in creation order."""
        return [life for life in self.lives if life.ticket.follow_up_of is not None]

    def open(self, opened: datetime, **attributes: Any) -> TicketLife:
        """A customer opens a ticket at ``opened`` (attributes of the neutral Ticket)."""
        self.advance(opened)
        life = self._new_life(opened, attributes)
        trigger = f"ticket #{life.id} opened by {life.ticket.requester_id or 'the customer'}"
        life.reconcile(opened, trigger + (f": {_quote(life.ticket.subject)}"
                                          if life.ticket.subject else ""))
        return life

    def advance(self, until: datetime) -> list[Write]:
        """Move time to ``until``, firing every ticket's timers due on the way, in due order.

        Raises :class:`NotSettled` when a ticket's timers keep firing at the same instant.
        """
        fired: list[Write] = []
        fires: dict[tuple[int, datetime], int] = {}
        while True:
            due = [(t.due_at, index) for index, life in enumerate(self.lives)
                   for t in life.timers if t.due_at <= until]
            if not due:
                break
            at, index = min(due)
            life = self.lives[index]
            kinds = sorted({t.kind for t in life.timers if t.due_at <= at})
            fires[index, at] = fires.get((index, at), 0) + 1
            if fires[index, at] > self.max_passes:
                stuck = Round(at, life.id, "timers the engine schedules again at the instant "
                                           "they fired: " + ", ".join(kinds), settled=False)
                self.rounds.append(stuck)
                raise NotSettled(stuck)
            self.now = at if self.now is None else max(self.now, at)
            fired += life.reconcile(at, "the bridge's timers: " + ", ".join(kinds))
        self.now = until if self.now is None else max(self.now, until)
        return fired

    def _new_life(self, opened: datetime, attributes: dict[str, Any]) -> TicketLife:
        unknown = sorted(set(attributes) - set(Ticket.model_fields) - {"ref"})
        if unknown:
            raise ValueError(f"a ticket has no attribute {', '.join(unknown)}")
        ticket_id = str(FIRST_TICKET_ID + len(self.lives))
        values: dict[str, Any] = {"status": Status.NEW, "created_at": opened,
                                  "updated_at": opened, "requester_id": DEFAULT_REQUESTER,
                                  **attributes,
                                  "ref": TicketRef(platform=PLATFORM, ticket_id=ticket_id)}
        life = TicketLife(self, Ticket.model_validate(values))
        self.lives.append(life)
        return life

    def _open_follow_ups(self) -> None:
        while self._opening:
            parent, action, at = self._opening.pop(0)
            closed = parent.ticket
            # As on Zendesk: the follow-up copies the closed ticket's tags and custom fields.
            attributes: dict[str, Any] = {
                "subject": action.subject, "description": action.body, "tags": closed.tags,
                "fields": dict(closed.fields), "registered_admins": closed.registered_admins,
                "channel": closed.channel, **action.carry}
            life = self._new_life(at, attributes)
            self.opened_by[action.idempotency_key] = life.id
            life.reconcile(at, f"follow-up #{life.id} of #{parent.id} opened by the bridge")


class TicketLife:
    """One ticket of the desk: what people do to it, and what the bridge wrote and decided."""

    def __init__(self, desk: Desk, ticket: Ticket) -> None:
        self.desk = desk
        self.ticket = ticket
        self.memory: TicketRecord | None = None
        self.timers: list[TimerSpec] = []
        self.written: list[Write] = []
        self.decisions: list[Decision] = []
        self.ledger: set[str] = set()
        self._comments = 0

    @property
    def id(self) -> str:
        """The ticket's id on the simulated platform."""
        return self.ticket.ref.ticket_id

    # -- what people do -----------------------------------------------------------------

    def customer(self, at: datetime, body: str, *, attachments: Sequence[str] = (),
                 author_id: str | None = None, **changes: Any) -> list[Write]:
        """The customer comments publicly (optionally changing the ticket in the same update)."""
        author = author_id or self.ticket.requester_id or DEFAULT_REQUESTER
        return self._comment(at, "customer", author, body, True, attachments, changes)

    def agent(self, at: datetime, body: str, *, public: bool = True,
              attachments: Sequence[str] = (), author_id: str = DEFAULT_AGENT,
              **changes: Any) -> list[Write]:
        """An agent replies or writes an internal note, optionally changing the ticket.

        As on the helpdesks, the reply opens a new ticket and assigns an unassigned one to
        the agent, unless the same update sets the status or the assignee itself.
        """
        self.desk.advance(at)  # the timers due before the update fire first
        if self.ticket.assignee_id is None and "assignee_id" not in changes:
            changes["assignee_id"] = author_id
        if self.ticket.status == Status.NEW and "status" not in changes:
            changes["status"] = Status.OPEN
        return self._comment(at, "agent", author_id, body, public, attachments, changes)

    def change(self, at: datetime, *, author_id: str | None = None,
               **changes: Any) -> list[Write]:
        """Someone changes the ticket (status, tags, fields ...) without a comment."""
        self.desk.advance(at)
        difference = self._update(at, changes)
        trigger = f"{author_id or 'someone'} changes #{self.id}: {difference or 'nothing'}"
        return self.reconcile(at, trigger)

    def run_until(self, at: datetime) -> list[Write]:
        """Move the desk's time forward to ``at``; return what this ticket's timers wrote."""
        fired = self.desk.advance(at)
        mine = {id(w) for w in self.written}
        return [w for w in fired if id(w) in mine]

    # -- what the bridge keeps ----------------------------------------------------------

    def clock(self, metric: str = "first_response") -> ClockRecord | None:
        """The SLA clock the bridge keeps for ``metric``, if any."""
        if self.memory is None:
            return None
        return next((c for c in self.memory.clocks if c.metric == metric), None)

    def timer_at(self, kind: str) -> datetime | None:
        """When the bridge's timer of ``kind`` (e.g. ``auto_close:pending``) is due, if set."""
        return next((t.due_at for t in self.timers if t.kind == kind), None)

    # -- the bridge ---------------------------------------------------------------------

    def reconcile(self, now: datetime, trigger: str = "the bridge looks") -> list[Write]:
        """Look at the ticket, then again after each look that wrote, until one writes nothing.

        Raises :class:`NotSettled` when the bridge still writes after ``max_passes`` looks.
        """
        round_ = Round(now, self.id, trigger)
        self.desk.rounds.append(round_)
        for _ in range(self.desk.max_passes):
            step = self._look(now, round_)
            if not step:
                self.desk._open_follow_ups()
                return round_.writes
            round_.passes.append(step)
        round_.settled = False
        raise NotSettled(round_)

    def _look(self, now: datetime, round_: Round) -> list[Write]:
        fetched = self.ticket
        situation = Situation(fetched, self.memory, (), now)
        policy = needs_classification(self.desk.policies, situation)
        if policy is not None and self.desk.classify:
            # As the worker does: the engine is pure, the classifier is asked beside it.
            situation = replace(situation, classification=self.desk.classify(policy, fetched))
        outcome = decide(self.desk.policies, situation)
        written: list[Write] = []
        # The worker's own plan: compared with the ticket as fetched, one-offs once.
        plan = WritePlan(outcome.actions, fetched, self.ledger.__contains__)
        for step in plan:
            pending, key = step.pending, step.key
            if pending is None or key is None:
                continue
            if self.ticket.status == Status.CLOSED and pending.writes_to_ticket:
                # Zendesk answers 422: the worker stops writing to this ticket for this look.
                round_.refused.append(Write(now, pending))
                refusal = Decision("action.closed", f"could not write (closed) {pending.kind} "
                                   f"{pending.key}", now, {"key": pending.idempotency_key})
                self.decisions.append(refusal)
                round_.decisions.append(refusal)
                plan.closed()
                continue
            self.ledger.add(key)
            if isinstance(pending, CreateFollowUp):
                self.desk._opening.append((self, pending, now))
            else:
                self.ticket = pending.applied_to(self.ticket, now)
            written.append(Write(now, pending))
        self.written += written
        self.memory = outcome.record
        self.timers = list(outcome.timers)
        self.decisions += outcome.decisions
        round_.decisions += outcome.decisions
        return written

    def _comment(self, at: datetime, role: str, author: str, body: str, public: bool,
                 attachments: Sequence[str], changes: dict[str, Any]) -> list[Write]:
        self.desk.advance(at)
        self._comments += 1
        comment = Comment(id=f"u{self._comments}", author_role=role,  # type: ignore[arg-type]
                          public=public, body=body, created_at=at,
                          attachments=tuple(attachments), author_id=author)
        difference = self._update(at, {"comments": (*self.ticket.comments, comment), **changes})
        said = "comments" if role == "customer" else (
            "replies" if public else "writes an internal note")
        trigger = f"{author} ({role}) {said} on #{self.id}: {_quote(body)}"
        if attachments:
            trigger += f" [attached: {', '.join(attachments)}]"
        return self.reconcile(at, trigger + (f"; {difference}" if difference else ""))

    def _update(self, at: datetime, changes: dict[str, Any]) -> str:
        """Apply a person's changes; return them in words (what actually differs)."""
        unknown = sorted(set(changes) - set(Ticket.model_fields))
        if unknown or "ref" in changes:
            raise ValueError(f"a ticket has no attribute {', '.join(unknown or ['ref'])} "
                             "to change")
        before = self.ticket
        values = {**before.model_dump(), **changes, "updated_at": at}
        self.ticket = Ticket.model_validate(values)
        return describe_difference(before, self.ticket)


def describe_difference(before: Ticket, after: Ticket) -> str:
    """What differs between two versions of a ticket, in words (comments aside)."""
    parts: list[str] = []
    for name in Ticket.model_fields:
        old, new = getattr(before, name), getattr(after, name)
        if name in {"comments", "updated_at"} or old == new:
            continue
        if name == "tags":
            parts.append("tags " + " ".join([*(f"+{t}" for t in sorted(new - old)),
                                             *(f"-{t}" for t in sorted(old - new))]))
        elif name == "fields":
            changed = {k: new.get(k) for k in sorted(set(old) | set(new))
                       if old.get(k) != new.get(k)}
            parts.append(", ".join(f"field {k} = {v}" for k, v in changed.items()))
        else:
            parts.append(f"{name.removesuffix('_id').replace('_', ' ')} {new}")
    return "; ".join(parts)


def _quote(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[:limit - 3] + "...")
