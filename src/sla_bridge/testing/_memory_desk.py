"""The memory platform's helpdesk side: its people, what they do, and its webhooks.

:class:`MemoryHelpdesk` is to the testdesk plugin what a vendor's sandbox is to its plugin:
customers open and answer tickets, agents reply and change them, and every change -- the
bridge's own writes included, flagged ``by_bridge`` -- is sent to the bridge as a signed
webhook over real HTTP. It keeps the rules the helpdesks share: an agent assigning a new
ticket opens it; the requester answering a pending, on-hold or solved ticket re-opens it; a
closed ticket takes no change (a reply to it is recorded, and the bridge opens the follow-up);
the account's "close solved tickets" automation (:meth:`MemoryHelpdesk.close_solved`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sla_bridge.clock import Clock
from sla_bridge.settings import Settings
from sla_bridge.tickets import Comment, Status, Ticket, TicketRef

from ._testdesk import NAME, TestdeskDB, sign

AUTOMATION = "automation"  # who the audit trail names for the account's own automations


@dataclass(frozen=True)
class MemoryPerson:
    """A customer or an agent of the memory helpdesk."""

    id: str
    name: str
    role: str  # customer | agent
    organization: str | None = None


@dataclass(frozen=True)
class MemoryOrganization:
    """A customer organization: its plan, location and registered admins (in order)."""

    id: str
    name: str
    plan: str | None
    location: str | None
    admins: list[str] = field(default_factory=list)


@dataclass
class MemoryDelivery:
    """One webhook the helpdesk sent (or lost on purpose)."""

    id: str
    ticket_id: str
    event: str
    by_bridge: bool
    status: str = "queued"  # queued | success | failed | dropped


class MemoryHelpdesk:
    """The helpdesk of the testdesk platform, sharing ``db_path`` with the plugin."""

    platform = NAME

    def __init__(self, db_path: Path, secret: str, clock: Clock) -> None:
        self.db = TestdeskDB(db_path)
        self.db_path = db_path
        self.secret = secret
        self.clock = clock
        self.people: dict[str, MemoryPerson] = {}
        self.organizations: dict[str, MemoryOrganization] = {}
        self.groups: list[str] = []
        self.deliveries: list[MemoryDelivery] = []
        self.drop_next = 0
        self.duplicate_next = 0
        self.url: str | None = None
        self._queue: list[MemoryDelivery] = []
        self._echoed = 0  # the last applied row echoed as a webhook
        self._comments = 0

    # -- PlatformSandbox -------------------------------------------------------------------

    def plugin_environment(self) -> Mapping[str, str]:
        """``SLA_BRIDGE_TESTDESK__DB`` and ``__SECRET``."""
        return {"SLA_BRIDGE_TESTDESK__DB": str(self.db_path),
                "SLA_BRIDGE_TESTDESK__SECRET": self.secret}

    def connect(self, bridge_url: str, settings: Settings) -> None:
        """Send the webhooks to ``bridge_url``/webhooks/testdesk from now on."""
        self.url = f"{bridge_url}/webhooks/{NAME}"

    def deliver(self) -> None:
        """Queue a webhook for each write of the bridge's since the last delivery (as a
        helpdesk's triggers fire on API updates), then send every queued webhook."""
        for row in self.db.applied():
            if row["n"] <= self._echoed:
                continue
            self._echoed = row["n"]
            self._enqueue(row["ticket_id"], "ticket.updated", by_bridge=True)
            if row["kind"] == "create_follow_up" and row["result"]:
                self._enqueue(row["result"], "ticket.created", by_bridge=True)
        while self._queue:
            self._send(self._queue.pop(0))

    def close(self) -> None:
        """Nothing runs in the background: nothing to stop."""

    # -- the account --------------------------------------------------------------------------

    def add_organization(self, name: str, plan: str | None,
                         location: str | None = None) -> MemoryOrganization:
        """A customer organization on ``plan`` in ``location``."""
        org = MemoryOrganization(f"o{len(self.organizations) + 1}", name, plan, location)
        self.organizations[org.id] = org
        return org

    def add_customer(self, name: str, organization_id: str | None,
                     admin: bool = True) -> MemoryPerson:
        """An end user; ``admin``: one of the organization's registered admins."""
        person = MemoryPerson(f"u{len(self.people) + 1}", name, "customer", organization_id)
        self.people[person.id] = person
        if admin and organization_id is not None:
            self.organizations[organization_id].admins.append(person.id)
        return person

    def add_agent(self, name: str) -> MemoryPerson:
        """An agent of the vendor."""
        person = MemoryPerson(f"u{len(self.people) + 1}", name, "agent")
        self.people[person.id] = person
        return person

    def add_group(self, name: str) -> None:
        """A group of agents."""
        self.groups.append(name)

    # -- what people do -----------------------------------------------------------------------

    def open_ticket(self, requester_id: str, subject: str, description: str, *,
                    severity: str | None = None, channel: str = "web",
                    tags: Iterable[str] = ()) -> Ticket:
        """The customer opens a ticket; its description is its first (public) comment."""
        person = self.people[requester_id]
        org = self.organizations.get(person.organization or "")
        now = self.clock.now()
        ticket = Ticket(
            ref=TicketRef(platform=NAME, ticket_id=self.db.next_ticket_id()),
            status=Status.NEW, subject=subject, description=description, created_at=now,
            updated_at=now, requester_id=person.id, organization_id=org.id if org else None,
            plan=org.plan if org else None, location=org.location if org else None,
            channel=channel, customer_severity=severity, tags=frozenset(tags),
            comments=(self._comment("customer", person.id, description, True),),
            registered_admins=tuple(org.admins) if org else None)
        self.db.put_ticket(ticket, author=person.id)
        self._enqueue(ticket.ref.ticket_id, "ticket.created")
        return ticket

    def customer_reply(self, ticket_id: str, body: str) -> Ticket:
        """The requester answers: a pending, on-hold or solved ticket re-opens; a closed one
        keeps the reply (and the bridge opens a follow-up)."""
        ticket = self.ticket(ticket_id)
        assert ticket.requester_id is not None
        comment = self._comment("customer", ticket.requester_id, body, True)
        changes: dict[str, Any] = {"comments": (*ticket.comments, comment)}
        if ticket.status in (Status.PENDING, Status.HOLD, Status.SOLVED):
            changes["status"] = Status.OPEN
        return self._update(ticket, ticket.requester_id, changes)

    def agent_update(self, ticket_id: str, agent_id: str, *, comment: str | None = None,
                     public: bool = True, status: str | None = None,
                     vendor_severity: str | None = None, assignee_id: str | None = None,
                     group: str | None = None, add_tags: Iterable[str] = (),
                     remove_tags: Iterable[str] = (),
                     fields: Mapping[str, Any] | None = None) -> Ticket:
        """An agent updates the ticket in one submit (a comment and changes)."""
        ticket = self.ticket(ticket_id)
        if ticket.status == Status.CLOSED:
            raise ValueError(f"ticket {ticket_id} is closed and takes no update")
        changes: dict[str, Any] = {}
        if comment is not None:
            changes["comments"] = (*ticket.comments,
                                   self._comment("agent", agent_id, comment, public))
        if vendor_severity is not None:
            changes["vendor_severity"] = vendor_severity
        if assignee_id is not None:
            changes["assignee_id"] = assignee_id
        if group is not None:
            changes["group"] = group
        if status is not None:
            changes["status"] = Status(status)
        elif ticket.status == Status.NEW and (assignee_id or ticket.assignee_id):
            changes["status"] = Status.OPEN
        if add_tags or remove_tags:
            changes["tags"] = (ticket.tags | set(add_tags)) - set(remove_tags)
        if fields:
            changes["fields"] = {**ticket.fields, **fields}
        return self._update(ticket, agent_id, changes)

    def close_solved(self) -> list[str]:
        """The account's automation: every solved ticket is closed, now."""
        closed = []
        for ticket in self.db.tickets():
            if ticket.status == Status.SOLVED:
                self._update(ticket, AUTOMATION, {"status": Status.CLOSED})
                closed.append(ticket.ref.ticket_id)
        return closed

    def ticket(self, ticket_id: str) -> Ticket:
        """The ticket as stored."""
        found = self.db.ticket(ticket_id)
        if found is None:
            raise KeyError(ticket_id)
        return found

    # -- webhooks -------------------------------------------------------------------------------

    def _update(self, ticket: Ticket, author: str, changes: dict[str, Any]) -> Ticket:
        updated = ticket.model_copy(update={**changes, "updated_at": self.clock.now()})
        self.db.put_ticket(updated, author=author)
        self._enqueue(ticket.ref.ticket_id, "ticket.updated")
        return updated

    def _comment(self, role: str, author_id: str, body: str, public: bool) -> Comment:
        self._comments += 1
        return Comment(id=f"p{self._comments}", author_role=role,  # type: ignore[arg-type]
                       public=public, body=body, created_at=self.clock.now(),
                       author_id=author_id)

    def _enqueue(self, ticket_id: str, event: str, by_bridge: bool = False) -> None:
        delivery = MemoryDelivery(uuid.uuid4().hex, ticket_id, event, by_bridge)
        self.deliveries.append(delivery)
        if self.drop_next:
            self.drop_next -= 1
            delivery.status = "dropped"
            return
        self._queue.append(delivery)
        if self.duplicate_next:
            self.duplicate_next -= 1
            self._queue.append(delivery)

    def _send(self, delivery: MemoryDelivery) -> None:
        if self.url is None:
            delivery.status = "failed"
            return
        body = json.dumps({"ticket_id": delivery.ticket_id, "event": delivery.event,
                           "by_bridge": delivery.by_bridge}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "content-type": "application/json", "x-testdesk-delivery": delivery.id,
            "x-testdesk-signature": sign(self.secret, body)})
        for _ in range(3):  # as helpdesks do: a few attempts, the same delivery id
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    delivery.status = "success" if answer.status < 300 else "failed"
                    return
            except (urllib.error.URLError, OSError):
                delivery.status = "failed"
