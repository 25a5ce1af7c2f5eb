"""The conformance driver of Jira Service Management: the suite's people on the JSM sandbox,
acting as portal customers and agents do (requests, comments, transitions, edits, approval
decisions), and requests read back from the sandbox (fields, changelog, comments and their
properties, links, approvals) as a JSM agent sees them (:mod:`jira_view`).

What JSM calls differently, in the neutral words of the views:

* Status: the workflow status through the plugin's status map, except that JSM has no "new"
  status: a request that is waiting for support and that nobody has worked on yet (it only
  ever waited for support or for approval) is ``new``; once an agent moved it, ``open``.
* Severity: the priority; people pick the one the site's priority map gives the severity,
  and the view names it as the request's policy does (its aliases name Jira's priorities:
  Highest is Severity 1 under code42-enterprise).
* Group: the "Support team" group picker (Jira issues have no group).
* The helpdesk's own doings are the "Automation for Jira" account's. JSM's "re-open on a
  customer's comment" rule runs as that account; its transition is named after the customer
  whose comment it answers, as Zendesk names the reply that re-opens a ticket.
* Follow-ups: JSM has none; the bridge raises a new request linked "Relates". A request's
  follow-ups are the linked requests raised after it; ``follow_up_of`` the one before it.
* Channels: request types ("Emailed request", "Chat", "Phone call"; the portal's "Get IT
  help" is the web), named through ``SLA_BRIDGE_JIRA__CHANNEL_MAP``.
* Approvals are JSM's own: the bridge names the approvers and moves the request into
  "Waiting for approval"; that detour is the approval, not a status change, and the
  manager's decision (kept on the approval, not in a label) is shown as the neutral decision
  tag. A manager approving "with the severity" also adds the label
  ``sla_escalation_severity_accepted``; a decline's reason is the decision reason field.
* Webhooks: one person's action sends several (a comment is a ``comment_created`` and a
  ``jira:issue_updated``), so losing "the next webhook" loses all of the next action's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, TextIO

from jira_view import RequestReader, linked

from sla_bridge.testing import FAST_RETRIES
from sla_bridge.testing.conformance import (
    AgentUpdate,
    HarnessDriver,
    SandboxFaults,
    Scene,
    TicketView,
)
from sla_bridge_jira.approvals import HOW_TO_DECIDE
from sla_bridge_jira.loop import BridgeOnSandbox
from sla_bridge_jira.sandbox import Sandbox
from sla_bridge_jira.settings import PRIORITIES, JiraSettings

# Request type per neutral channel; the portal's default request type is the web form.
REQUEST_TYPES = {"web": "Get IT help", "email": "Emailed request", "chat": "Chat",
                 "phone": "Phone call"}
FIELD_NAMES = {"escalation_reason": "SLA escalation reason",
               "escalation_severity": "SLA escalation severity",
               "escalation_contact": "SLA escalation contact",
               "escalation_decision_reason": "SLA escalation decision reason"}
# The transition an agent runs for each neutral status (JSM's IT support workflow).
TRANSITIONS = {"open": "Back to support", "pending": "Respond to customer", "hold": "Pending",
               "solved": "Resolve"}
SEVERITY_ACCEPTED = "sla_escalation_severity_accepted"


class JiraDriver(SandboxFaults, HarnessDriver):
    """The suite on :class:`~sla_bridge_jira.loop.BridgeOnSandbox`."""

    platform = "jira"
    how_to_decide = HOW_TO_DECIDE
    # The bridge's writes that are not idempotent by themselves: comments, transitions,
    # links, requests (POST); its edits (PUT) can be repeated safely.
    write_match: ClassVar[dict[str, Any]] = {"method": "POST"}

    def __init__(self, folder: Path, *, out: TextIO | None = None) -> None:
        super().__init__(folder, out=out)
        self.timeout = 30.0
        self.world: BridgeOnSandbox | None = None
        self._ids: dict[str, str] = {}
        self._reporters: dict[str, str] = {}
        self._customers: set[str] = set()
        self._lost_actions = 0

    def _build(self, scene: Scene) -> BridgeOnSandbox:
        environment = {**FAST_RETRIES, "SLA_BRIDGE_JIRA__LOOKUP_TTL_SECONDS": "300",
                       "SLA_BRIDGE_JIRA__CHANNEL_MAP": json.dumps(
                           {name: channel for channel, name in REQUEST_TYPES.items()})}
        if scene.client_timeout is not None:
            self.timeout = scene.client_timeout
            environment["SLA_BRIDGE_JIRA__TIMEOUT_SECONDS"] = str(scene.client_timeout)
        self.world = BridgeOnSandbox(
            self.folder, start=scene.start, policies=scene.policies,
            seed=lambda site: self._seed(site, scene), environment=environment, out=self.out)
        return self.world

    def _seed(self, site: Sandbox, scene: Scene) -> dict[str, str]:
        """The scene on the site; the approvers of the manager group, as settings."""
        for name in REQUEST_TYPES.values():
            try:
                site.request_type_id(name)
            except KeyError:
                site.add_request_type(name)
        self._customers = {customer.name for customer in scene.customers}
        for customer in scene.customers:
            self._ids[customer.name] = site.add_customer(
                customer.name, f"{customer.name.lower()}@{customer.organization.lower()}.test",
                token=f"{customer.name.lower()}-token")["accountId"]
        for org in scene.organizations:
            staff = [c for c in scene.customers if c.organization == org.name]
            properties: dict[str, Any] = {"support_plan": org.plan, "registered_admins": [
                self._ids[c.name] for c in staff if c.admin]}
            if org.location is not None:
                properties["support_location"] = org.location
            site.add_organization(org.name, [self._ids[c.name] for c in staff], properties)
        for agent in scene.agents:
            self._ids[agent] = site.add_agent(agent, f"{agent.lower()}@vendor.test",
                                              token=f"{agent.lower()}-token")["accountId"]
        members = dict(scene.members)
        for group in scene.groups:
            site.add_group(group, [self._ids[a] for a in members.get(group, scene.agents)])
        if scene.manager_group is None:
            return {}
        managers = members.get(scene.manager_group, scene.agents)
        return {"SLA_BRIDGE_JIRA__APPROVERS": json.dumps(
            {scene.manager_group: [self._ids[name] for name in managers]})}

    @property
    def sandbox(self) -> Sandbox:
        """The JSM sandbox (after ``begin``)."""
        assert self.world is not None, "begin(scene) has not been called"
        return self.world.sandbox

    @property
    def settings(self) -> JiraSettings:
        """The plugin's settings the bridge runs with (its maps are the site's)."""
        assert self.world is not None, "begin(scene) has not been called"
        return self.world.jira_settings

    def person_id(self, name: str) -> str:
        """The Atlassian accountId."""
        return self._ids[name]

    # -- what people do ------------------------------------------------------------------

    def _priority(self, severity: str) -> str:
        """The priority a person picks for ``severity``: what the site's map gives it."""
        priorities = self.settings.priorities
        for name in self.severity_names(severity):
            if name.lower() in priorities:
                return str(priorities[name.lower()])
            if name.capitalize() in PRIORITIES:
                return name.capitalize()
        raise LookupError(f"no Jira priority for severity {severity!r}")

    def _open(self, customer: str, subject: str, description: str, severity: str | None,
              channel: str, tags: tuple[str, ...]) -> str:
        with self._acting():
            return self._raise(customer, subject, description, severity, channel, tags)

    def _raise(self, customer: str, subject: str, description: str, severity: str | None,
               channel: str, tags: tuple[str, ...]) -> str:
        fields: dict[str, Any] = {"labels": list(tags)} if tags else {}
        if severity is not None:
            fields["priority"] = {"name": self._priority(severity)}
        key = self.sandbox.open_request(self._ids[customer], subject, description,
                                        request_type=REQUEST_TYPES[channel], fields=fields)
        self._reporters[key] = self._ids[customer]
        return str(key)

    def _reply(self, ticket: str, body: str) -> None:
        reporter = self._reporters.get(ticket) or self.sandbox.issue(ticket)["fields"][
            "reporter"]["accountId"]
        with self._acting():
            if self.sandbox.status(ticket) == "Closed":
                self.sandbox.email_reply(ticket, reporter, body)
            else:
                self.sandbox.comment(ticket, reporter, body, public=True)

    def _update(self, ticket: str, agent: str, update: AgentUpdate) -> None:
        with self._acting():
            self._submit(ticket, agent, update)

    def _submit(self, ticket: str, agent: str, update: AgentUpdate) -> None:
        sandbox, who = self.sandbox, self._ids[agent]
        if update.comment is not None:
            sandbox.comment(ticket, who, update.comment, public=update.public)
        fields: dict[str, Any] = {sandbox.field_id(FIELD_NAMES[name]): value
                                  for name, value in update.fields.items()}
        if update.severity is not None:
            fields["priority"] = {"name": self._priority(update.severity)}
        labels = [{"add": tag} for tag in update.add_tags]
        if fields or labels:
            sandbox.edit(ticket, who, fields, {"labels": labels} if labels else None)
        if update.assignee is not None:
            sandbox.assign(ticket, who, self._ids[update.assignee])
        if update.status == "closed":
            sandbox.close(ticket, who)
        elif update.status is not None:
            sandbox.transition(ticket, who, TRANSITIONS[update.status])

    def _decide(self, ticket: str, manager: str, decision: str, reason: str | None) -> None:
        who = self._ids[manager]
        with self._acting():
            if reason is not None:
                self.sandbox.edit(ticket, who, {
                    self.sandbox.field_id(FIELD_NAMES["escalation_decision_reason"]): reason})
            if decision == "approve_with_severity":
                self.sandbox.edit(ticket, who, update={"labels": [{"add": SEVERITY_ACCEPTED}]})
            self.sandbox.decide(ticket, who, "decline" if decision == "decline" else "approve")

    def _close_solved(self) -> list[str]:
        """JSM's "close resolved requests" automation rule, as the automation account."""
        automation = self.sandbox.state.automation["accountId"]
        # The site's issues in the order they were raised.
        resolved = [key for key, record in self.sandbox.state.issues.items()
                    if record.status == "Resolved"]
        for key in resolved:
            self.sandbox.transition(key, automation, "Close")
        return resolved

    # -- faults ------------------------------------------------------------------------

    def drop_webhooks(self, count: int) -> None:
        """Lose every webhook of the next ``count`` actions: one action of a person sends
        several (a comment is a ``comment_created`` and a ``jira:issue_updated``; an approval
        decision the transition it runs), and a lost action loses them all."""
        self._lost_actions += count

    @contextmanager
    def _acting(self) -> Iterator[None]:
        """One person's action; its webhooks are lost when :meth:`drop_webhooks` says so."""
        if not self._lost_actions:
            yield
            return
        self._lost_actions -= 1
        sender = self.sandbox.sender
        sender.drop_next = 1_000_000
        try:
            yield
        finally:
            sender.drop_next = 0

    # -- reading back ------------------------------------------------------------------

    def view(self, ticket: str) -> TicketView:
        """The request, its changelog, comments, links and approvals, as an agent sees them."""
        names = {account: name for name, account in self._ids.items()}
        reader = RequestReader(self.sandbox, self.settings.statuses, names, self._customers)
        return reader.view(ticket, lambda priority: self.severity_id(ticket, priority))

    def follow_ups(self, ticket: str) -> list[str]:
        """The requests the bridge raised for replies to the closed one: linked, later."""
        return linked(self.sandbox.issue(ticket), before=False)
