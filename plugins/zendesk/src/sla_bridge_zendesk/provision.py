"""``sla-bridge zendesk setup``: wire a Zendesk account to the bridge, idempotently.

What it manages, each found by name and created or updated only when it differs:

* the webhook ``<webhook_name>`` pointing at ``<bridge-url>/webhooks/zendesk`` (POST, JSON),
  subscribed to ``conditional_ticket_events`` (mode ``triggers``) or to the ticket event
  types (mode ``events``);
* in mode ``triggers``, two triggers notifying it with the JSON body of
  :data:`sla_bridge_zendesk.inbound.TRIGGER_BODY`: "<name>: ticket created" and
  "<name>: ticket updated" (in mode ``events`` they are deactivated if present);
* the custom ticket fields the field mapping names by title (``field:SLA first response
  due``...), as text fields, those customers fill in to ask for an escalation visible and
  editable in the Help Center, and the organization fields the mapping reads
  (:mod:`.setup_fields`);
* the agent groups the loaded policies name: checked, not created; the plan says which to
  create (:mod:`.setup_groups`);
* the escalation macros "<name>: approve escalation", "<name>: approve escalation and
  severity" and "<name>: decline escalation".

A webhook's connection method (triggers, or event subscriptions) cannot change once it is
created, so switching ``--mode`` replaces the webhook: the old one is renamed
"<name> (replaced)" and deactivated, a new one is created, the triggers are pointed at it
(or deactivated), and the old one is deleted at the end, unless a trigger setup does not
manage still notifies it (then the plan says which, and what to do).

The webhook's signing secret is Zendesk's: setup reads it and checks it against
``SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET``, and can write it to an env file.

The admin objects are plain JSON over the same authenticated session zenpy uses (zenpy's
webhook and trigger objects serialise only the attributes they consider changed, which
makes "is it already like this?" comparisons unreliable).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from sla_bridge.platformkit import Plan, Step, differing, find_named, write_env_variable

from .client import ZendeskClient
from .inbound import TICKET_EVENT_TYPES, trigger_body
from .settings import ZendeskSettings
from .setup_fields import plan_organization_fields, plan_ticket_fields
from .setup_groups import plan_groups

__all__ = ["APPROVED_TAG", "DECLINED_TAG", "SECRET_VARIABLE", "SEVERITY_ACCEPTED_TAG", "Mode",
           "Plan", "Provisioner", "Step", "write_env_secret"]

Mode = Literal["triggers", "events"]
# The tags the bridge's escalation workflow reads (docs/workflows.md).
APPROVED_TAG = "sla_escalation_approved"
DECLINED_TAG = "sla_escalation_declined"
SEVERITY_ACCEPTED_TAG = "sla_escalation_severity_accepted"
SECRET_VARIABLE = ZendeskSettings.variable("webhook_secret")
TRIGGERS_SUBSCRIPTION = "conditional_ticket_events"
REPLACED = "{name} (replaced)"  # what a webhook setup replaces is called until it is deleted
Rule = Mapping[str, Any]


class Provisioner:
    """Computes and applies the account configuration the bridge needs."""

    def __init__(self, client: ZendeskClient, settings: ZendeskSettings, bridge_url: str,
                 mode: Mode = "triggers", manager_group: str | None = None,
                 ignore_bridge_updates: bool = False,
                 groups: Mapping[str, Sequence[str]] | None = None) -> None:
        self.client = client
        self.groups = dict(groups or {})  # each group the policies name -> where
        self.settings = settings
        self.endpoint = bridge_url.rstrip("/") + "/webhooks/zendesk"
        self.mode = mode
        self.manager_group = manager_group
        self.ignore_bridge_updates = ignore_bridge_updates
        self.prefix = settings.webhook_name
        self.webhook_id: str | None = None
        self._replaced: list[Rule] = []  # webhooks to delete once nothing notifies them

    # -- desired state ---------------------------------------------------------------

    def desired_webhook(self) -> dict[str, Any]:
        """The webhook as it should be."""
        return {
            "name": self.settings.webhook_name,
            "description": "sla-bridge: enforces the support policy on tickets "
                           "(managed by `sla-bridge zendesk setup`)",
            "endpoint": self.endpoint,
            "http_method": "POST",
            "request_format": "json",
            "status": "active",
            "subscriptions": ([TRIGGERS_SUBSCRIPTION] if self.mode == "triggers"
                              else list(TICKET_EVENT_TYPES)),
        }

    def desired_triggers(self, webhook_id: str, bridge_user_id: str | None) -> list[
            dict[str, Any]]:
        """The two triggers as they should be."""
        triggers = []
        for update_type, event, verb in (("Create", "ticket.created", "created"),
                                         ("Change", "ticket.updated", "updated")):
            conditions: list[dict[str, Any]] = [
                {"field": "update_type", "operator": "is", "value": update_type}]
            if self.ignore_bridge_updates and bridge_user_id:
                conditions.append({"field": "current_user", "operator": "is_not",
                                   "value": bridge_user_id})
            triggers.append({
                "title": f"{self.prefix}: ticket {verb}",
                "description": f"Tells sla-bridge a ticket was {verb} (managed by "
                               "`sla-bridge zendesk setup`).",
                "active": True,
                "conditions": {"all": conditions, "any": []},
                "actions": [{"field": "notification_webhook",
                             "value": [webhook_id, trigger_body(event)]}],
            })
        return triggers

    def desired_macros(self, group_id: int | None) -> list[dict[str, Any]]:
        """The escalation decision macros (tags the engine reads; see the README)."""
        restriction = {"type": "Group", "id": group_id} if group_id is not None else None
        note = ("Fill in 'SLA escalation decision reason' before submitting; sla-bridge tells "
                "the customer and carries out the decision (managed by `sla-bridge zendesk "
                "setup`).")
        macros = []
        for title, add, remove, what in (
                ("approve escalation", [APPROVED_TAG], [DECLINED_TAG, SEVERITY_ACCEPTED_TAG],
                 "Approve the escalation; the ticket keeps its severity."),
                ("approve escalation and severity", [APPROVED_TAG, SEVERITY_ACCEPTED_TAG],
                 [DECLINED_TAG],
                 "Approve the escalation at the severity the customer asked for."),
                ("decline escalation", [DECLINED_TAG], [APPROVED_TAG, SEVERITY_ACCEPTED_TAG],
                 "Decline the escalation.")):
            macros.append({
                "title": f"{self.prefix}: {title}",
                "description": f"{what} {note}",
                "active": True,
                "actions": [{"field": "current_tags", "value": " ".join(add)},
                            {"field": "remove_tags", "value": " ".join(remove)}],
                "restriction": restriction,
            })
        return macros

    # -- planning ----------------------------------------------------------------------

    def plan(self) -> Plan:
        """Compare the account with the desired state; nothing is written."""
        plan = Plan()
        self._replaced = []
        triggers = self.client.get_all("/triggers", "triggers")
        webhook_id = self._plan_webhook(plan)
        self._plan_triggers(plan, webhook_id, triggers)
        plan_ticket_fields(plan, self.client, self.settings)
        plan_organization_fields(plan, self.client, self.settings)
        plan_groups(plan, self.client, self.groups)
        self._plan_macros(plan)
        self._plan_retirement(plan, triggers)
        return plan

    def _plan_webhook(self, plan: Plan) -> str:
        want = self.desired_webhook()
        hooks = self.client.get_all("/webhooks", "webhooks", {
            "filter[name_contains]": want["name"]})
        hook = find_named(hooks, want["name"])
        replaced = find_named(hooks, REPLACED.format(name=want["name"]))
        if replaced is not None:  # left by a setup that stopped half-way
            self._replaced.append(replaced)
        if hook is not None and _method(hook) != _method(want):
            self._plan_replacement(plan, hook, want)
            hook = None
        if hook is not None:
            self.webhook_id = str(hook["id"])

        def create() -> None:
            created = self.client.request_json("POST", "/webhooks", json_body={"webhook": want})
            self.webhook_id = str(created["webhook"]["id"])

        def differences(have: Rule) -> list[str]:
            found = differing(have, want, ("endpoint", "http_method", "request_format", "status"))
            subscribed = sorted(have.get("subscriptions") or [])
            return found + (["subscriptions"] if subscribed != sorted(want["subscriptions"])
                            else [])

        def update(have: Rule, differs: Sequence[str]) -> None:
            self.client.request_json("PATCH", f"/webhooks/{have['id']}", json_body={
                "webhook": {k: want[k] for k in (*differs, "description")}})

        plan.ensure("webhook", want["name"], hook, differences=differences, create=create,
                    update=update,
                    detail=f"{want['endpoint']} ({', '.join(want['subscriptions'])[:80]})")
        return self.webhook_id or "<the new webhook's id>"

    def _plan_replacement(self, plan: Plan, hook: Rule, want: Rule) -> None:
        """The webhook is connected the other way: Zendesk refuses to change a webhook's
        connection method, so it is set aside (renamed, deactivated) for a new one."""
        old_name = REPLACED.format(name=want["name"])
        plan.add("webhook", str(hook["name"]), "deactivate",
                 f"connected to {_METHODS[_method(hook)]}, and Zendesk cannot change a "
                 f"webhook's connection method: renamed {old_name!r} and deactivated; a new "
                 "webhook, with a signing secret of its own, takes its place",
                 lambda: self.client.request_json(
                     "PATCH", f"/webhooks/{hook['id']}", json_body={"webhook": {
                         "name": old_name, "status": "inactive"}}))
        self._replaced.append({**hook, "name": old_name})

    def _plan_retirement(self, plan: Plan, triggers: Sequence[Rule]) -> None:
        """Delete the replaced webhooks nothing but setup's own triggers notify; name the
        triggers that still do."""
        ours = {t["title"] for t in self.desired_triggers("", None)}
        for hook in self._replaced:
            others = sorted(str(t.get("title")) for t in triggers
                            if t.get("title") not in ours and _notifies(t, str(hook["id"])))
            if others:
                plan.add("webhook", str(hook["name"]), "note",
                         f"kept inactive: {', '.join(repr(t) for t in others)} still notify "
                         f"it; point them at the webhook {self.settings.webhook_name!r}, then "
                         f"delete {hook['name']!r} (id {hook['id']})")
                continue
            plan.add("webhook", str(hook["name"]), "delete",
                     f"replaced by the new webhook {self.settings.webhook_name!r}",
                     self._delete_webhook(str(hook["id"])))

    def _delete_webhook(self, hook_id: str) -> Callable[[], None]:
        def run() -> None:
            self.client.request_json("DELETE", f"/webhooks/{hook_id}")
        return run

    def _plan_triggers(self, plan: Plan, webhook_id: str, existing: Sequence[Rule]) -> None:
        bridge_user = None
        if self.ignore_bridge_updates:
            me = self.client.request_json("GET", "/users/me")
            bridge_user = str(me["user"]["id"])
        for want in self.desired_triggers(webhook_id, bridge_user):
            have = find_named(existing, want["title"], key="title")
            if self.mode == "events":
                if have is not None and have.get("active"):
                    plan.add("trigger", want["title"], "deactivate",
                             "event-subscribed webhooks replace it",
                             self._write("PUT", f"/triggers/{have['id']}", "trigger",
                                         {"active": False}))
                continue
            self._ensure_rule(plan, "trigger", "triggers", have, want, "notifies the webhook",
                              body=want["actions"][0]["value"][1])

    def _ensure_rule(self, plan: Plan, kind: str, path: str, have: Rule | None, want: Rule,
                     detail: str, body: str | None = None) -> Step:
        """Plan a trigger or a macro, found by title and compared as Zendesk returns it."""
        post = self._write("POST", f"/{path}", kind, want)
        return plan.ensure(
            kind, want["title"], have, detail=detail, body=body, create=post,
            differences=lambda found: differing(_comparable(found), _comparable(want)),
            update=lambda found, _differs: self._write("PUT", f"/{path}/{found['id']}", kind,
                                                       want)())

    def _write(self, method: str, path: str, singular: str,
               body: Rule) -> Callable[[], None]:
        def run() -> None:
            self.client.request_json(method, path, json_body={singular: self._with_webhook(body)})
        return run

    def _with_webhook(self, want: Rule) -> Rule:
        # A webhook created in the same run has its id only once the plan is applied.
        actions = [{**a, "value": [self.webhook_id, a["value"][1]]}
                   if a["field"] == "notification_webhook" else a
                   for a in want.get("actions") or []]
        return {**want, "actions": actions} if "actions" in want else want

    def _plan_macros(self, plan: Plan) -> None:
        group_id = None
        if self.manager_group:
            group = find_named(self.client.get_all("/groups", "groups"), self.manager_group,
                               ignore_case=True)
            group_id = int(group["id"]) if group is not None else None
            if group is None:
                plan.add("group", self.manager_group, "note",
                         "not found; the macros are not restricted")
        existing = self.client.get_all("/macros", "macros")
        for want in self.desired_macros(group_id):
            self._ensure_rule(plan, "macro", "macros",
                              find_named(existing, want["title"], key="title"), want,
                              "escalation decision")

    # -- applying ----------------------------------------------------------------------

    def apply(self, plan: Plan) -> None:
        """Carry out the plan's changes in order."""
        plan.apply()

    def signing_secret(self) -> str | None:
        """The managed webhook's signing secret (after apply), or ``None``."""
        if self.webhook_id is None:
            return None
        answer = self.client.request_json("GET", f"/webhooks/{self.webhook_id}/signing_secret")
        secret = (answer.get("signing_secret") or {}).get("secret")
        return str(secret) if secret else None


_METHODS = {"triggers": "triggers and automations", "events": "event subscriptions"}


def _method(hook: Rule) -> str:
    """A webhook's connection method: ``triggers`` or ``events``."""
    return "triggers" if TRIGGERS_SUBSCRIPTION in (hook.get("subscriptions") or []) else "events"


def _notifies(trigger: Rule, hook_id: str) -> bool:
    return any(a.get("field") == "notification_webhook" and isinstance(a.get("value"), list)
               and a["value"] and str(a["value"][0]) == hook_id
               for a in trigger.get("actions") or [])


def _comparable(rule: Rule) -> Rule:
    """A trigger or macro as far as setup manages it, in a form that compares equal when
    Zendesk's copy means the same (condition order, the webhook body as JSON)."""
    conditions = rule.get("conditions") or {}
    return {
        "active": bool(rule.get("active")),
        "conditions": {k: sorted(json.dumps(x, sort_keys=True) for x in conditions.get(k) or [])
                       for k in ("all", "any")},
        "actions": [(a.get("field"), _norm_value(a.get("value")))
                    for a in rule.get("actions") or []],
        "restriction": rule.get("restriction") or None,
    }


def _norm_value(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
        try:
            return [str(value[0]), json.loads(value[1])]
        except ValueError:
            return [str(value[0]), value[1]]
    return value


def write_env_secret(path: Path, secret: str) -> bool:
    """Set the webhook secret variable in an env file; return whether the file changed."""
    return write_env_variable(path, SECRET_VARIABLE, secret)
