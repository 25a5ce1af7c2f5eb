"""The conformance driver of Zendesk: the suite's people on the Zendesk sandbox, through
its API as the agent workspace and e-mail would use it, and tickets read back from the
sandbox (the ticket, its audits and their metadata) as a Zendesk agent sees them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sla_bridge.testing import FAST_RETRIES
from sla_bridge.testing.conformance import (
    BRIDGE,
    AgentUpdate,
    HarnessDriver,
    SandboxFaults,
    Scene,
    SeenApproval,
    SeenChange,
    SeenComment,
    TicketView,
)
from sla_bridge_zendesk.loop import BridgeOnSandbox
from sla_bridge_zendesk.provision import Mode
from sla_bridge_zendesk.sandbox import Sandbox

BRIDGE_KEY = "sla_bridge_key"
PRIORITIES = ("urgent", "high", "normal", "low")
CHANNELS = {"phone": "voice"}  # neutral channel -> the sandbox's via channel
FIELD_TITLES = {"escalation_reason": "SLA escalation reason",
                "escalation_severity": "SLA escalation severity",
                "escalation_contact": "SLA escalation contact",
                "escalation_decision_reason": "SLA escalation decision reason"}
DUE_TITLES = {"first_response": "SLA first response due", "next_update": "SLA next update due"}
MACROS = {"approve": "sla-bridge: approve escalation",
          "approve_with_severity": "sla-bridge: approve escalation and severity",
          "decline": "sla-bridge: decline escalation"}
HISTORY = {"status": "status", "assignee_id": "assignee", "group_id": "group"}


class ZendeskDriver(SandboxFaults, HarnessDriver):
    """The suite on :class:`~sla_bridge_zendesk.loop.BridgeOnSandbox`; webhooks from
    triggers, or from event subscriptions with ``mode="events"``."""

    platform = "zendesk"

    def __init__(self, folder: Path, *, mode: Mode = "triggers",
                 out: TextIO | None = None) -> None:
        super().__init__(folder, out=out)
        self.mode: Mode = mode
        self.timeout = 30.0
        self.world: BridgeOnSandbox | None = None
        self._ids: dict[str, int] = {}
        self._groups: tuple[str, ...] = ()

    def _build(self, scene: Scene) -> BridgeOnSandbox:
        # The scene is seeded before the bridge starts and does not change: the plugin's
        # look-ups (fields, groups, organizations) are cached as in production.
        environment = {**FAST_RETRIES, "SLA_BRIDGE_ZENDESK__LOOKUP_TTL_SECONDS": "300"}
        if scene.client_timeout is not None:
            self.timeout = scene.client_timeout
            environment["SLA_BRIDGE_ZENDESK__TIMEOUT_SECONDS"] = str(scene.client_timeout)
        world = self.world = BridgeOnSandbox(
            self.folder, start=scene.start, policies=scene.policies, mode=self.mode,
            manager_group=scene.manager_group, environment=environment, out=self.out)
        orgs: dict[str, int] = {}
        for org in scene.organizations:
            fields = {"support_plan": org.plan}
            if org.location is not None:
                fields["support_location"] = org.location
            orgs[org.name] = world.sandbox.add_organization(org.name, fields)["id"]
        for group in scene.groups:
            world.sandbox.add_group(group)
        self._groups = scene.groups
        groups_of = {agent: [g for g, members in scene.members if agent in members]
                     for agent in scene.agents}
        for customer in scene.customers:
            self._ids[customer.name] = world.sandbox.add_user(
                customer.name, f"{customer.name.lower()}@{customer.organization.lower()}.test",
                orgs[customer.organization],
                tags=["support_admin"] if customer.admin else [])["id"]
        for agent in scene.agents:
            self._ids[agent] = world.sandbox.add_agent(
                agent, f"{agent.lower()}@vendor.test",
                groups=groups_of[agent] if scene.members else None)["id"]
        return world

    @property
    def sandbox(self) -> Sandbox:
        """The Zendesk sandbox (after ``begin``)."""
        assert self.world is not None, "begin(scene) has not been called"
        return self.world.sandbox

    def person_id(self, name: str) -> str:
        """The Zendesk user id."""
        return str(self._ids[name])

    # -- what people do ------------------------------------------------------------------

    def _priority(self, severity: str) -> str:
        names = [name.lower() for name in self.severity_names(severity)]
        return next(name for name in names if name in PRIORITIES)

    def _open(self, customer: str, subject: str, description: str, severity: str | None,
              channel: str, tags: tuple[str, ...]) -> str:
        priority = self._priority(severity) if severity is not None else None
        return str(self.sandbox.open_ticket(self._ids[customer], subject, description,
                                            priority=priority, tags=tags,
                                            channel=CHANNELS.get(channel, channel))["id"])

    def _reply(self, ticket: str, body: str) -> None:
        self.sandbox.customer_reply(int(ticket), body)

    def _update(self, ticket: str, agent: str, update: AgentUpdate) -> None:
        changes: dict[str, Any] = {}
        if update.status is not None:
            changes["status"] = update.status
        if update.severity is not None:
            changes["priority"] = self._priority(update.severity)
        if update.assignee is not None:
            changes["assignee_id"] = self._ids[update.assignee]
        if update.add_tags:
            changes["additional_tags"] = list(update.add_tags)
        if update.fields:
            changes["custom_fields"] = [{"id": self.sandbox.field_id(FIELD_TITLES[name]),
                                         "value": value} for name, value in update.fields.items()]
        self.sandbox.agent_update(int(ticket), self._ids[agent], comment=update.comment,
                                  public=update.public, **changes)

    def _decide(self, ticket: str, manager: str, decision: str, reason: str | None) -> None:
        if reason is not None:
            self._update(ticket, manager, AgentUpdate(
                fields={"escalation_decision_reason": reason}))
        self.sandbox.apply_macro(int(ticket), self.sandbox.macro_id(MACROS[decision]),
                                 self._ids[manager])

    def _close_solved(self) -> list[str]:
        return [str(number) for number in self.sandbox.close_solved()]

    # -- reading back ------------------------------------------------------------------

    def view(self, ticket: str) -> TicketView:
        """The ticket and its audits, as a Zendesk agent sees them."""
        sandbox, raw = self.sandbox, self.sandbox.ticket(int(ticket))
        names: dict[Any, str] = {number: name for name, number in self._ids.items()}
        names.update({sandbox.api_user["id"]: BRIDGE, -1: "the helpdesk"})
        groups = {sandbox.group_id(name): name for name in self._groups}
        comments, approvals, changes = [], [], []
        for audit in sandbox.audits(int(ticket)):
            when = datetime.fromisoformat(audit["created_at"].replace("Z", "+00:00"))
            key = (audit["metadata"].get("custom") or {}).get(BRIDGE_KEY)
            key = key.removeprefix(f"zendesk:{ticket}:") if key else None
            by = names.get(audit["author_id"], str(audit["author_id"]))
            for event in audit["events"]:
                name = event.get("field_name")
                if event["type"] == "Comment" and key and key.startswith("request_approval:"):
                    approvals.append(SeenApproval.from_note(when, event["body"], key))
                elif event["type"] == "Comment":
                    comments.append(SeenComment(names.get(event["author_id"], "?"),
                                                event["public"], event["body"], when, key))
                elif event["type"] == "Change" and name == "tags":
                    changes += SeenChange.tags(when, event.get("previous_value") or [],
                                               event["value"], by)
                elif event["type"] == "Change" and name in HISTORY:
                    value = event["value"]
                    shown = {"assignee_id": names, "group_id": groups}.get(name, {})
                    if isinstance(value, str) and value.isdigit():
                        value = int(value)  # ids are strings in audits
                    changes.append(SeenChange(when, HISTORY[name], shown.get(value, value)
                                              if value is not None else None, by))
        custom = {f["id"]: f["value"] for f in raw["custom_fields"]}
        due = {metric: datetime.fromisoformat(custom[sandbox.field_id(title)])
               for metric, title in DUE_TITLES.items() if custom.get(sandbox.field_id(title))}
        source = raw["via"].get("source") or {}
        origin = (source.get("from") or {}).get("ticket_id") if source.get("rel") else None
        return TicketView(
            id=ticket, status=raw["status"], severity=self.severity_id(ticket, raw["priority"]),
            group=groups.get(raw["group_id"]), assignee=names.get(raw["assignee_id"]),
            tags=frozenset(raw["tags"]), due=due, comments=tuple(comments),
            changes=tuple(changes), approvals=tuple(approvals),
            awaiting_approval="sla_approval_requested" in raw["tags"],
            follow_up_of=str(origin) if origin is not None else None)

    def follow_ups(self, ticket: str) -> list[str]:
        """The follow-ups Zendesk opened for replies to the closed ticket."""
        return [str(n) for n in self.sandbox.ticket(int(ticket)).get("followup_ids") or []]
