"""The conformance driver of the memory platform (the testdesk): the reference every
platform's driver is compared with, and the smallest example of one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TextIO

from .._harness import FAST_RETRIES, BridgeHarness
from .._install import InstalledTestdesk
from .._memory_desk import AUTOMATION, MemoryHelpdesk
from .._serving import VirtualClock
from .._testdesk import BRIDGE_AUTHOR, TestdeskFault
from ._driver import AgentUpdate, Fault, HarnessDriver, Scene
from ._view import BRIDGE, SeenApproval, SeenChange, SeenComment, TicketView

_KINDS: dict[str, TestdeskFault] = {
    "rate_limited": "status", "server_error": "status", "slow": "slow", "timeout": "timeout",
    "drop_before": "drop_before", "drop_after": "drop_after"}
_APPROVAL = "request_approval:"
_DECISION_TAGS = {
    "approve": (("sla_escalation_approved",),
                ("sla_escalation_declined", "sla_escalation_severity_accepted")),
    "approve_with_severity": (("sla_escalation_approved", "sla_escalation_severity_accepted"),
                              ("sla_escalation_declined",)),
    "decline": (("sla_escalation_declined",),
                ("sla_escalation_approved", "sla_escalation_severity_accepted")),
}


class MemoryDriver(HarnessDriver):
    """Drives the :class:`~sla_bridge.testing.MemoryHelpdesk` of an installed testdesk."""

    platform = "testdesk"

    def __init__(self, folder: Path, installed: InstalledTestdesk, *,
                 out: TextIO | None = None) -> None:
        super().__init__(folder, out=out)
        self.installed = installed
        self.desk: MemoryHelpdesk | None = None
        self._ids: dict[str, str] = {}

    def _build(self, scene: Scene) -> BridgeHarness:
        clock = VirtualClock(scene.start)
        desk = self.desk = MemoryHelpdesk(self.installed.db_path, self.installed.secret, clock)
        orgs = {o.name: desk.add_organization(o.name, o.plan, o.location).id
                for o in scene.organizations}
        for customer in scene.customers:
            person = desk.add_customer(customer.name, orgs[customer.organization],
                                       customer.admin)
            self._ids[customer.name] = person.id
        for agent in scene.agents:
            self._ids[agent] = desk.add_agent(agent).id
        for group in scene.groups:
            desk.add_group(group)
        return BridgeHarness(self.folder, desk, clock=clock, policies=scene.policies,
                             environment={**FAST_RETRIES, **self.installed.environment()},
                             out=self.out, zone=scene.start.tzinfo)

    @property
    def _desk(self) -> MemoryHelpdesk:
        assert self.desk is not None, "begin(scene) has not been called"
        return self.desk

    def person_id(self, name: str) -> str:
        """The desk's id of a person (``u3``)."""
        return self._ids[name]

    # -- what people do ------------------------------------------------------------------

    def _open(self, customer: str, subject: str, description: str, severity: str | None,
              channel: str, tags: tuple[str, ...]) -> str:
        return self._desk.open_ticket(self._ids[customer], subject, description,
                                      severity=severity, channel=channel,
                                      tags=tags).ref.ticket_id

    def _reply(self, ticket: str, body: str) -> None:
        self._desk.customer_reply(ticket, body)

    def _update(self, ticket: str, agent: str, update: AgentUpdate) -> None:
        self._desk.agent_update(
            ticket, self._ids[agent], comment=update.comment, public=update.public,
            status=update.status, vendor_severity=update.severity,
            assignee_id=self._ids[update.assignee] if update.assignee else None,
            add_tags=update.add_tags, fields=dict(update.fields))

    def _decide(self, ticket: str, manager: str, decision: str, reason: str | None) -> None:
        add, remove = _DECISION_TAGS[decision]
        fields = {"escalation_decision_reason": reason} if reason else None
        self._desk.agent_update(ticket, self._ids[manager], add_tags=add, remove_tags=remove,
                                fields=fields)

    def _close_solved(self) -> list[str]:
        return self._desk.close_solved()

    # -- reading back ------------------------------------------------------------------

    def view(self, ticket: str) -> TicketView:
        """The stored ticket and its audit trail, in neutral terms."""
        found = self._desk.ticket(ticket)
        names = {person.id: person.name for person in self._desk.people.values()}
        names.update({BRIDGE_AUTHOR: BRIDGE, AUTOMATION: "the helpdesk"})
        prefix = f"{self.platform}:{ticket}:"
        comments, approvals = [], []
        groups = {row["key"]: row["action"].get("group") for row in self._desk.db.applied(ticket)
                  if row["kind"] == "request_approval"}
        for comment in found.comments:
            key = comment.bridge_key.removeprefix(prefix) if comment.bridge_key else None
            if key is not None and key.startswith(_APPROVAL):
                approvals.append(SeenApproval.from_note(
                    comment.created_at, comment.body, key,
                    str(groups.get(comment.bridge_key, ""))))
                continue
            author = BRIDGE if comment.author_role == "bridge" else names.get(
                comment.author_id or "", comment.author_id or "?")
            comments.append(SeenComment(author, comment.public, comment.body,
                                        comment.created_at, key))
        changes = [SeenChange(when, field, names.get(value or "", value)
                              if field == "assignee" else value, names.get(author, author))
                   for when, author, field, value in self._desk.db.audits(ticket)]
        due = {metric: datetime.fromisoformat(str(found.fields[f"sla_{metric}_due"]))
               for metric in ("first_response", "next_update")
               if found.fields.get(f"sla_{metric}_due")}
        return TicketView(
            id=ticket, status=str(found.status), severity=self.severity_id(ticket,
                                                                           found.severity),
            group=found.group, assignee=names.get(found.assignee_id or "", found.assignee_id),
            tags=found.tags, due=due, comments=tuple(comments), changes=tuple(changes),
            approvals=tuple(approvals),
            awaiting_approval="sla_approval_requested" in found.tags,
            follow_up_of=found.follow_up_of)

    def follow_ups(self, ticket: str) -> list[str]:
        """The tickets whose ``follow_up_of`` is ``ticket``."""
        return [t.ref.ticket_id for t in self._desk.db.tickets() if t.follow_up_of == ticket]

    # -- faults ------------------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        """Queue the fault in the shared file (the platform's calls take it)."""
        status = {"rate_limited": 429, "server_error": fault.status}.get(fault.kind, 500)
        delay = {"slow": 0.01, "timeout": 0.01}.get(fault.kind, 0.0)
        self._desk.db.inject(_KINDS[fault.kind], fault.count, status=status,
                             retry_after=fault.retry_after if fault.kind == "rate_limited"
                             else None, delay=delay,
                             op="apply" if fault.writes_only else "any")

    def clear_faults(self) -> None:
        """Forget the queued faults."""
        self._desk.db.clear_faults()

    def drop_webhooks(self, count: int) -> None:
        """Lose the next ``count`` webhooks."""
        self._desk.drop_next += count

    def duplicate_webhooks(self, count: int) -> None:
        """Send the next ``count`` webhooks twice."""
        self._desk.duplicate_next += count

    def faults_hit(self) -> list[str]:
        """The faults the bridge's calls met."""
        return self._desk.db.faults_hit()
