"""The conformance driver of Salesforce Service Cloud: the suite's people in the sandbox org,
acting as Web-to-Case / Email-to-Case customers and console agents do (cases, e-mail replies,
CaseComments, case edits), and cases read back from the org (fields, field history,
CaseComments, e-mails, child cases) as an agent sees them (:mod:`salesforce_view`).

What Salesforce calls differently, in the neutral words of the views:

* Status: the Case status through the plugin's status map; a status whose ``IsClosed`` is
  true is closed. The org has a "Resolved" status (open) for solved: Salesforce's standard
  statuses end in "Closed", after which a reply opens a new case
  (:data:`sla_bridge_salesforce.loop.RESOLVED`).
* Severity: the customer picks it on the web form, in the Case field
  ``SLA_Customer_Severity__c`` (:data:`sla_bridge_salesforce.loop.SEVERITY_FIELD`: the
  standard Priority has three values, High, Medium, Low, one fewer than the policies'
  severities); an agent re-categorises in the vendor severity
  field ``SLA_Vendor_Severity__c`` the bridge writes too.
* Registered admins: the Contact checkbox ``SLA_Registered_Admin__c`` (the scene's order is
  their order of registration, the contacts' CreatedDate).
* Group and assignee are both the case's Owner: a queue or a user. An agent's assignment
  replaces the queue, as it does in Salesforce.
* Tags: cases have none; the bridge's live in the text field ``SLA_Tags__c`` (and the
  approval flag ``SLA_Approval_Requested__c``); an agent "adding a tag" adds its word there.
* Replies: a customer's reply is an e-mail (an incoming EmailMessage) on the case; one to a
  closed case stays there, and the bridge opens a follow-up case with ``ParentId``.
* Approvals: without an approval process, the bridge's fallback (an internal CaseComment and
  the approval flag); managers answer in the decision field ``SLA_Escalation_Decision__c``
  (``approved`` / ``declined``, the reason in ``SLA_Escalation_Decision_Reason__c``), as the
  note tells them (the platform's ``how_to_decide``); approving the severity too adds
  ``sla_escalation_severity_accepted`` to the tags field. The view shows the decision as the
  neutral decision tag.
* A customer's reply to a pending or resolved case: Salesforce re-opens nothing (Email-to-Case
  threads the e-mail onto the case), the bridge does, as the policy says; the view names that
  re-open after the customer whose e-mail it answers, as Zendesk's re-open on a reply is.
* The helpdesk's own automation (closing resolved cases) is the org's "Automated Process"
  user.
* Faults: the rate limit is 403 ``REQUEST_LIMIT_EXCEEDED`` without ``Retry-After``, which the
  bridge waits out for ``LIMIT_BACKOFF_SECONDS``; :meth:`SalesforceDriver.faults_hit` names it
  by the suite's ``429``.
* Outbound Messages: one per changed record (Case, CaseComment, EmailMessage); an agent's
  comment and edit are two, and losing "the next webhook" loses all of the next action's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, TextIO

from salesforce_view import DECISION_FIELD, CaseReader

from sla_bridge import neutral
from sla_bridge.testing import FAST_RETRIES
from sla_bridge.testing.conformance import (
    AgentUpdate,
    HarnessDriver,
    SandboxFaults,
    Scene,
    TicketView,
)
from sla_bridge_salesforce.loop import (
    REGISTERED_ADMIN_FIELD,
    RESOLVED,
    SEVERITY_FIELD,
    BridgeOnSandbox,
)
from sla_bridge_salesforce.sandbox import Sandbox
from sla_bridge_salesforce.settings import ENV_PREFIX, SalesforceSettings

# Case Origin per neutral channel (the org's Origin picklist has Phone, Email and Web; the
# admin adds Chat for Messaging); the plugin reads an origin as its lower-case channel.
ORIGINS = {"web": "Web", "email": "Email", "chat": "Chat", "phone": "Phone"}
FIELDS = {"escalation_reason": "SLA_Escalation_Reason__c",
          "escalation_severity": "SLA_Escalation_Severity__c",
          "escalation_contact": "SLA_Escalation_Contact__c",
          "escalation_decision_reason": "SLA_Escalation_Decision_Reason__c"}
# The Case status an agent picks for each neutral status.
STATUSES = {"new": "New", "open": "Working", "pending": "Waiting on Customer",
            "hold": "On Hold", "solved": RESOLVED, "closed": "Closed"}
# What a manager writes in the decision field for each decision.
DECISIONS = {"approve": "approved", "approve_with_severity": "approved", "decline": "declined"}
TAGS_FIELD = "SLA_Tags__c"
VENDOR_SEVERITY = "SLA_Vendor_Severity__c"


class SalesforceDriver(SandboxFaults, HarnessDriver):
    """The suite on :class:`~sla_bridge_salesforce.loop.BridgeOnSandbox`."""

    platform = "salesforce"
    # The bridge's writes: CaseComments (POST sobjects/CaseComment), its one update of a case
    # and the follow-up upserts (PATCH sobjects/Case/...), approval submissions; it reads with
    # SOQL (GET query/), so faults "on the writes" hit these paths whatever the method.
    write_match: ClassVar[dict[str, Any]] = {"path": r"/sobjects/|/process/approvals"}

    def __init__(self, folder: Path, *, out: TextIO | None = None) -> None:
        super().__init__(folder, out=out)
        self.timeout = 30.0
        self.world: BridgeOnSandbox | None = None
        self._ids: dict[str, str] = {}
        self._lost_actions = 0

    def _build(self, scene: Scene) -> BridgeOnSandbox:
        environment = dict(FAST_RETRIES)
        if scene.client_timeout is not None:
            self.timeout = scene.client_timeout
            environment[f"{ENV_PREFIX}TIMEOUT_SECONDS"] = str(scene.client_timeout)
        self.world = BridgeOnSandbox(
            self.folder, start=scene.start, policies=scene.policies,
            seed=lambda org: self._seed(org, scene), environment=environment, out=self.out)
        return self.world

    def _seed(self, org: Sandbox, scene: Scene) -> None:
        """The scene in the org: accounts, contacts, agents, queues."""
        accounts = {}
        for organization in scene.organizations:
            fields = {"SLA_Support_Plan__c": organization.plan}
            if organization.location is not None:
                fields["SLA_Support_Location__c"] = organization.location
            accounts[organization.name] = org.add_account(organization.name, **fields)["Id"]
        for customer in scene.customers:
            email = f"{customer.name.lower()}@{customer.organization.lower()}.test"
            self._ids[customer.name] = org.add_contact(
                customer.name, email, accounts[customer.organization],
                **{REGISTERED_ADMIN_FIELD: customer.admin})["Id"]
        for agent in scene.agents:
            self._ids[agent] = org.add_agent(agent, f"{agent.lower()}@vendor.test")["Id"]
        for group in scene.groups:
            self._ids[group] = org.add_queue(group, group.replace(" ", "_"))["Id"]

    @property
    def sandbox(self) -> Sandbox:
        """The Salesforce sandbox org (after ``begin``)."""
        assert self.world is not None, "begin(scene) has not been called"
        return self.world.sandbox

    @property
    def settings(self) -> SalesforceSettings:
        """The plugin's settings the bridge runs with."""
        assert self.world is not None, "begin(scene) has not been called"
        return self.world.salesforce_settings

    @property
    def how_to_decide(self) -> str:  # type: ignore[override]
        """What the bridge's approval note tells Salesforce's managers (the platform's
        sentence: the decision field)."""
        platform = self.harness.runtime.platforms[self.platform]
        return getattr(platform, "how_to_decide")() or neutral.DECIDE_WITH_TAGS  # noqa: B009

    def ticket_name(self, ticket: str) -> str:
        """How people (and the bridge's texts, ``Ticket.number``) name the case: its
        CaseNumber."""
        return str(self.sandbox.store.get("Case", ticket)["CaseNumber"])

    def person_id(self, name: str) -> str:
        """The User's or Contact's record id."""
        return self._ids[name]

    # -- what people do ------------------------------------------------------------------

    def _open(self, customer: str, subject: str, description: str, severity: str | None,
              channel: str, tags: tuple[str, ...]) -> str:
        fields: dict[str, Any] = {}
        if severity is not None:
            fields[SEVERITY_FIELD] = severity
        if tags:
            fields[TAGS_FIELD] = " ".join(tags)
        with self._acting():
            return str(self.sandbox.open_case(self._ids[customer], subject, description,
                                              origin=ORIGINS[channel], **fields)["Id"])

    def _reply(self, ticket: str, body: str) -> None:
        with self._acting():
            self.sandbox.customer_reply(ticket, body)

    def _update(self, ticket: str, agent: str, update: AgentUpdate) -> None:
        sandbox, who = self.sandbox, self._ids[agent]
        if update.comment is not None:
            with self._acting():
                sandbox.comment(ticket, who, update.comment, public=update.public)
        values: dict[str, Any] = {FIELDS[name]: value for name, value in update.fields.items()}
        if update.severity is not None:
            values[VENDOR_SEVERITY] = update.severity
        if update.add_tags:
            values[TAGS_FIELD] = self._with_tags(ticket, update.add_tags)
        if update.assignee is not None:
            values["OwnerId"] = self._ids[update.assignee]
        if update.status is not None:
            values["Status"] = STATUSES[update.status]
        if values:
            with self._acting():
                sandbox.update_case(ticket, who, **values)

    def _with_tags(self, ticket: str, added: tuple[str, ...] | list[str]) -> str:
        """The tags field with the words ``added``."""
        words = str(self.sandbox.case(ticket).get(TAGS_FIELD) or "").split()
        return " ".join([*words, *(t for t in added if t not in words)])

    def _decide(self, ticket: str, manager: str, decision: str, reason: str | None) -> None:
        values: dict[str, Any] = {DECISION_FIELD: DECISIONS[decision]}
        if decision == "approve_with_severity":
            values[TAGS_FIELD] = self._with_tags(ticket, [neutral.SEVERITY_ACCEPTED_TAG])
        if reason is not None:
            values[FIELDS["escalation_decision_reason"]] = reason
        with self._acting():
            self.sandbox.update_case(ticket, self._ids[manager], **values)

    def _close_solved(self) -> list[str]:
        """The org's scheduled Flow closing resolved cases, as the Automated Process user."""
        automation = self.sandbox.org.system_user
        resolved = [str(case["Id"]) for case in self.sandbox.store.find("Case", Status=RESOLVED)]
        for case_id in resolved:
            with self._acting():
                self.sandbox.update_case(case_id, automation, Status="Closed")
        return resolved

    # -- faults ------------------------------------------------------------------------

    def drop_webhooks(self, count: int) -> None:
        """Lose every Outbound Message of the next ``count`` actions (a comment's and an
        edit's are separate messages; a lost action loses them all)."""
        self._lost_actions += count

    def duplicate_webhooks(self, count: int) -> None:
        """Deliver the next ``count`` acknowledged Outbound Messages twice."""
        self.sandbox.duplicate_outbound(count)

    def faults_hit(self) -> list[str]:
        """The faults the bridge's requests met, in the suite's words: Salesforce's rate limit
        (the org's API request limit) is 403 ``REQUEST_LIMIT_EXCEEDED`` without a
        ``Retry-After`` (the bridge waits ``LIMIT_BACKOFF_SECONDS``), named ``429`` here; the
        driver injects no other 403."""
        return ["429" if hit == "403" else hit for hit in super().faults_hit()]

    @contextmanager
    def _acting(self) -> Iterator[None]:
        """One person's action; its Outbound Messages are lost when :meth:`drop_webhooks`
        says so."""
        if not self._lost_actions:
            yield
            return
        self._lost_actions -= 1
        self.sandbox.lose_outbound(1_000_000)
        try:
            yield
            self.sandbox.deliver_outbound()  # the action's messages are batched, and lost
        finally:
            self.sandbox.outbound.lose_next = 0

    # -- reading back ------------------------------------------------------------------

    def view(self, ticket: str) -> TicketView:
        """The case, its history, comments, e-mails and child cases, as an agent sees them."""
        names = {record_id: name for name, record_id in self._ids.items()}
        reader = CaseReader(self.sandbox, self.settings, names, self.harness)
        return reader.view(ticket, lambda value: self.severity_id(ticket, value))

    def follow_ups(self, ticket: str) -> list[str]:
        """The cases the bridge opened for replies to the closed one: its child cases."""
        children = self.sandbox.store.find("Case", ParentId=ticket)
        return [str(c["Id"]) for c in sorted(children, key=lambda c: c["CreatedDate"])]
