"""What the conformance stories need from a platform: the :class:`HelpdeskDriver` protocol,
the neutral scene and faults, and :class:`HarnessDriver`, the part every driver shares.

A driver plays the people of a helpdesk (customers, agents, managers) on the platform's
sandbox, with the real bridge on the :class:`~sla_bridge.testing.BridgeHarness`, and reads
tickets back as :class:`~sla_bridge.testing.conformance.TicketView`. Each action happens at
an instant (``at=``; the virtual clock moves there first, firing the bridge's timers on the
way) and returns once the bridge has processed everything and written back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol, Self, TextIO, runtime_checkable

from sla_bridge import neutral
from sla_bridge.policy import Policy
from sla_bridge.store import Decision

from .._harness import BridgeHarness
from ._view import TicketView

FaultKind = Literal["rate_limited", "server_error", "slow", "timeout", "drop_before",
                    "drop_after"]
#: What a platform may lack (``features``); a story needing it is skipped there, saying why.
FOLLOW_UPS = "follow_ups"


@dataclass(frozen=True)
class Organization:
    """A customer organization on ``plan``, in ``location`` (the policy's names)."""

    name: str
    plan: str
    location: str | None = None


@dataclass(frozen=True)
class Customer:
    """A customer of ``organization``; ``admin``: one of its registered admins (the scene's
    order is their order of registration)."""

    name: str
    organization: str
    admin: bool = True


@dataclass(frozen=True)
class Scene:
    """Who is on the helpdesk and which policies the bridge enforces, from ``start`` on.

    ``client_timeout`` shortens the platform client's timeout (seconds), for the stories
    that make the platform answer too late. ``members`` says which agents are in which group
    (``(group, (agent, ...))`` pairs), for platforms that keep memberships; without it every
    agent is in every group.
    """

    start: datetime
    policies: tuple[str, ...]
    organizations: tuple[Organization, ...] = ()
    customers: tuple[Customer, ...] = ()
    agents: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    manager_group: str | None = None
    client_timeout: float | None = None
    members: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Fault:
    """The platform's next ``count`` API answers fail as ``kind`` (only the writes when
    ``writes_only``): ``rate_limited`` (429 with ``Retry-After: retry_after``),
    ``server_error`` (``status``), ``slow`` (after ``delay`` s, in time), ``timeout`` (later
    than the client waits), ``drop_before`` / ``drop_after`` (the connection is dropped
    before or after the work was done)."""

    kind: FaultKind
    count: int = 1
    writes_only: bool = False
    status: int = 500
    retry_after: float = 1.0
    delay: float = 0.2


@dataclass(frozen=True)
class AgentUpdate:
    """What an agent submits in one update; ``None`` leaves a part as it is. ``severity``
    is the policy's severity id; ``fields`` are neutral field names (``escalation_reason``)."""

    comment: str | None = None
    public: bool = True
    status: str | None = None
    severity: str | None = None
    assignee: str | None = None
    add_tags: tuple[str, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class HelpdeskDriver(Protocol):
    """The people of a helpdesk and the bridge on it, as the conformance stories use them.

    People and groups are named as in the :class:`Scene`; tickets by the platform's ids
    (strings). Every action takes ``at``, the instant it happens (now by default).
    """

    platform: str
    features: frozenset[str]
    #: How the bridge's request for approval tells the managers to answer on this platform.
    how_to_decide: str

    def begin(self, scene: Scene) -> None:
        """Seed the helpdesk with the scene and start the bridge on it."""
        ...

    def ticket_name(self, ticket: str) -> str:
        """How people (and the bridge's texts) name ``ticket``: a Salesforce CaseNumber,
        else the ticket's id."""
        ...

    def person_id(self, name: str) -> str:
        """The platform's id of a person (as the bridge writes it, e.g. in a note)."""
        ...

    def open_ticket(self, customer: str, subject: str, description: str, *,
                    severity: str | None = None, channel: str = "web",
                    tags: Iterable[str] = (), at: datetime | None = None) -> str:
        """The customer opens a ticket by ``channel`` (web, email, chat, phone) choosing
        ``severity`` (the policy's id); return its id."""
        ...

    def customer_reply(self, ticket: str, body: str, *, at: datetime | None = None) -> None:
        """The requester answers publicly (a closed ticket: by e-mail)."""
        ...

    def agent_update(self, ticket: str, agent: str, update: AgentUpdate, *,
                     at: datetime | None = None) -> None:
        """An agent submits ``update`` (a reply or a note, a status, a severity ...)."""
        ...

    def approve_escalation(self, ticket: str, manager: str, *, with_severity: bool = False,
                           at: datetime | None = None) -> None:
        """A manager approves the escalation (and the severity the customer asked for)."""
        ...

    def decline_escalation(self, ticket: str, manager: str, *, reason: str | None = None,
                           at: datetime | None = None) -> None:
        """A manager declines the escalation, giving ``reason``."""
        ...

    def close_solved(self, *, at: datetime | None = None) -> list[str]:
        """The helpdesk's own automation closes the solved tickets; return their ids."""
        ...

    def advance(self, to: datetime) -> None:
        """Move the clock to ``to``; the bridge's timers fire on the way."""
        ...

    def view(self, ticket: str) -> TicketView:
        """The ticket as its people see it."""
        ...

    def follow_ups(self, ticket: str) -> list[str]:
        """The follow-up tickets of ``ticket``, oldest first."""
        ...

    def decisions(self, ticket: str) -> list[Decision]:
        """The bridge's audit trail of the ticket, oldest first."""
        ...

    def look_again(self, ticket: str) -> list[str]:
        """Make the bridge reconcile the ticket once more; the kinds of what it wrote."""
        ...

    def inject(self, fault: Fault) -> None:
        """Queue ``fault`` for the platform's next API answers."""
        ...

    def clear_faults(self) -> None:
        """Forget the queued faults not used yet."""
        ...

    def drop_webhooks(self, count: int) -> None:
        """Lose the helpdesk's next ``count`` webhooks."""
        ...

    def duplicate_webhooks(self, count: int) -> None:
        """Send the helpdesk's next ``count`` webhooks twice."""
        ...

    def faults_hit(self) -> list[str]:
        """The faults the bridge's API calls met: ``429``, ``500`` ..., ``slow``,
        ``drop_before``, ``drop_after``, in order."""
        ...

    @property
    def harness(self) -> BridgeHarness:
        """The bridge under test (metrics, retry waits, dead letters)."""
        ...


class HarnessDriver:
    """The part of a driver that is the same on every platform: the harness, time, the
    bridge's memory, and each action as a step of the timeline.

    A platform's driver implements :meth:`_build` and the underscore methods (what its
    people do, in its API), :meth:`view`, :meth:`follow_ups`, :meth:`person_id` and the
    fault methods.
    """

    platform = "?"
    features: frozenset[str] = frozenset({FOLLOW_UPS})
    how_to_decide: str = neutral.DECIDE_WITH_TAGS

    def __init__(self, folder: Path, *, out: TextIO | None = None) -> None:
        self.folder = folder
        self.out = out
        self._harness: BridgeHarness | None = None

    # -- to implement ----------------------------------------------------------------------

    def _build(self, scene: Scene) -> BridgeHarness:
        """Seed the platform's sandbox with ``scene``; return the harness, not started."""
        raise NotImplementedError

    def _open(self, customer: str, subject: str, description: str, severity: str | None,
              channel: str, tags: tuple[str, ...]) -> str:
        raise NotImplementedError

    def _reply(self, ticket: str, body: str) -> None:
        raise NotImplementedError

    def _update(self, ticket: str, agent: str, update: AgentUpdate) -> None:
        raise NotImplementedError

    def _decide(self, ticket: str, manager: str, decision: str, reason: str | None) -> None:
        """``decision``: ``approve``, ``approve_with_severity`` or ``decline``."""
        raise NotImplementedError

    def _close_solved(self) -> list[str]:
        raise NotImplementedError

    # -- the protocol ----------------------------------------------------------------------

    def ticket_name(self, ticket: str) -> str:
        """The ticket's id: how most helpdesks' people name a ticket."""
        return ticket

    def begin(self, scene: Scene) -> None:
        """Seed the helpdesk with ``scene`` and start the bridge on it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._harness = self._build(scene)
        self._harness.start()

    @property
    def harness(self) -> BridgeHarness:
        """The bridge under test (after :meth:`begin`)."""
        if self._harness is None:
            raise RuntimeError("begin(scene) has not been called")
        return self._harness

    def close(self, *, wait: bool = True) -> None:
        """Stop the bridge and the sandbox (``wait=False``: finish in the background, see
        :meth:`BridgeHarness.close <sla_bridge.testing.BridgeHarness.close>`)."""
        if self._harness is not None:
            self._harness.close(wait=wait)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open_ticket(self, customer: str, subject: str, description: str, *,
                    severity: str | None = None, channel: str = "web",
                    tags: Iterable[str] = (), at: datetime | None = None) -> str:
        """The customer opens a ticket; return its id."""
        return self.harness.step(self._when(at), f"{customer} opens a ticket: {subject!r}",
                                 lambda: self._open(customer, subject, description, severity,
                                                    channel, tuple(tags)), label=customer)

    def customer_reply(self, ticket: str, body: str, *, at: datetime | None = None) -> None:
        """The requester answers publicly."""
        self.harness.step(self._when(at), f"the requester answers #{ticket}",
                          lambda: self._reply(ticket, body))

    def agent_update(self, ticket: str, agent: str, update: AgentUpdate, *,
                     at: datetime | None = None) -> None:
        """An agent submits ``update``."""
        self.harness.step(self._when(at), f"{agent} updates #{ticket}",
                          lambda: self._update(ticket, agent, update))

    def approve_escalation(self, ticket: str, manager: str, *, with_severity: bool = False,
                           at: datetime | None = None) -> None:
        """A manager approves the escalation (and the severity asked for)."""
        decision = "approve_with_severity" if with_severity else "approve"
        self.harness.step(self._when(at), f"{manager} approves the escalation of #{ticket}",
                          lambda: self._decide(ticket, manager, decision, None))

    def decline_escalation(self, ticket: str, manager: str, *, reason: str | None = None,
                           at: datetime | None = None) -> None:
        """A manager declines the escalation, giving ``reason``."""
        self.harness.step(self._when(at), f"{manager} declines the escalation of #{ticket}",
                          lambda: self._decide(ticket, manager, "decline", reason))

    def close_solved(self, *, at: datetime | None = None) -> list[str]:
        """The helpdesk's automation closes the solved tickets."""
        return self.harness.step(self._when(at), "the helpdesk closes the solved tickets",
                                 self._close_solved)

    def advance(self, to: datetime) -> None:
        """Move the clock to ``to``; the bridge's timers fire on the way."""
        self.harness.advance(to)

    def decisions(self, ticket: str) -> list[Decision]:
        """The bridge's audit trail of the ticket, oldest first."""
        return self.harness.decisions(ticket)

    def look_again(self, ticket: str) -> list[str]:
        """Make the bridge reconcile the ticket once more; the kinds of what it wrote."""
        return [applied.action.kind for applied in self.harness.look_again(ticket)]

    # -- helpers for drivers --------------------------------------------------------------------

    def _when(self, at: datetime | None) -> datetime:
        return at if at is not None else self.harness.clock.now()

    def severity_id(self, ticket: str, value: str | None) -> str | None:
        """``value`` (a platform's severity or priority name) as the id the ticket's policy
        gives it; the value itself where no policy knows it."""
        if value is None:
            return None
        record = self.harness.runtime.store.ticket(self.harness.ref(ticket))
        policies = self.harness.runtime.policies
        chosen = [p for p in policies if record is not None and p.id == record.policy_id]
        for policy in [*chosen, *policies]:
            try:
                return policy.severity(value).id
            except LookupError:
                continue
        return value

    def severity_names(self, severity: str) -> list[str]:
        """The names a severity goes by in the policies in force: id, label, aliases."""
        return severity_names(self.harness.runtime.policies, severity)


def severity_names(policies: Sequence[Policy], severity: str) -> list[str]:
    """The id, label and aliases of ``severity`` in the first policy that knows it."""
    for policy in policies:
        try:
            found = policy.severity(severity)
        except LookupError:
            continue
        return [found.id, found.label, *found.aliases]
    return [severity]
