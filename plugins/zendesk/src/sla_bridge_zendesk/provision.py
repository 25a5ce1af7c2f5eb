"""``sla-bridge zendesk setup``: wire a Zendesk account to the bridge, idempotently.

What it manages, each found by name and created or updated only when it differs:

* the webhook ``<webhook_name>`` pointing at ``<bridge-url>/webhooks/zendesk`` (POST, JSON),
  subscribed to ``conditional_ticket_events`` (mode ``triggers``) or to the ticket event
  types (mode ``events``);
* in mode ``triggers``, two triggers notifying it with the JSON body of
  :data:`sla_bridge_zendesk.inbound.TRIGGER_BODY`: "<name>: ticket created" and
  "<name>: ticket updated" (in mode ``events`` they are deactivated if present);
* the custom ticket fields the field mapping names by title (``field:SLA first response
  due``...), as text fields;
* the escalation macros "<name>: approve escalation", "<name>: approve escalation and
  severity" and "<name>: decline escalation".

The webhook's signing secret is Zendesk's: setup reads it and checks it against
``SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET``, and can write it to an env file.

The admin objects are plain JSON over the same authenticated session zenpy uses (zenpy's
webhook and trigger objects serialise only the attributes they consider changed, which
makes "is it already like this?" comparisons unreliable).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .client import ZendeskClient
from .inbound import TICKET_EVENT_TYPES, trigger_body
from .settings import ENV_PREFIX, ZendeskSettings

Mode = Literal["triggers", "events"]
# The tags the bridge's escalation workflow reads (docs/workflows.md).
APPROVED_TAG = "sla_escalation_approved"
DECLINED_TAG = "sla_escalation_declined"
SEVERITY_ACCEPTED_TAG = "sla_escalation_severity_accepted"
SECRET_VARIABLE = f"{ENV_PREFIX}WEBHOOK_SECRET"


@dataclass
class Step:
    """One thing setup looked at: what it does about it, and how."""

    kind: str
    name: str
    action: str  # create | update | unchanged | deactivate | note
    detail: str = ""
    run: Callable[[], None] | None = None
    body: str | None = None

    def line(self) -> str:
        """One line of the report."""
        text = f"  {self.action:<10} {self.kind} {self.name!r}"
        return text + (f": {self.detail}" if self.detail else "")


@dataclass
class Plan:
    """Everything setup would do, in order."""

    steps: list[Step] = field(default_factory=list)

    @property
    def changes(self) -> list[Step]:
        """The steps that write to Zendesk."""
        return [s for s in self.steps if s.run is not None]


class Provisioner:
    """Computes and applies the account configuration the bridge needs."""

    def __init__(self, client: ZendeskClient, settings: ZendeskSettings, bridge_url: str,
                 mode: Mode = "triggers", manager_group: str | None = None,
                 ignore_bridge_updates: bool = False) -> None:
        self.client = client
        self.settings = settings
        self.endpoint = bridge_url.rstrip("/") + "/webhooks/zendesk"
        self.mode = mode
        self.manager_group = manager_group
        self.ignore_bridge_updates = ignore_bridge_updates
        self.prefix = settings.webhook_name
        self.webhook_id: str | None = None

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
            "subscriptions": (["conditional_ticket_events"] if self.mode == "triggers"
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

    def desired_field_titles(self) -> list[str]:
        """Custom ticket fields the field mapping names by title."""
        titles: list[str] = []
        for name in self.settings.fields.all():
            for source in self.settings.fields.sources(name):
                if (source.kind == "field" and not source.arg.isdigit()
                        and source.arg not in titles):
                    titles.append(source.arg)
        return titles

    # -- planning ----------------------------------------------------------------------

    def plan(self) -> Plan:
        """Compare the account with the desired state; nothing is written."""
        plan = Plan()
        webhook_id = self._plan_webhook(plan)
        self._plan_triggers(plan, webhook_id)
        self._plan_fields(plan)
        self._plan_macros(plan)
        return plan

    def _plan_webhook(self, plan: Plan) -> str:
        want = self.desired_webhook()
        found = [h for h in self.client.get_all("/webhooks", "webhooks", {
            "filter[name_contains]": want["name"]}) if h.get("name") == want["name"]]
        detail = f"{want['endpoint']} ({', '.join(want['subscriptions'])[:80]})"
        if not found:
            def create() -> None:
                created = self.client.request_json("POST", "/webhooks",
                                                   json_body={"webhook": want})
                self.webhook_id = str(created["webhook"]["id"])

            plan.steps.append(Step("webhook", want["name"], "create", detail, create))
            return "<the new webhook's id>"
        hook = found[0]
        self.webhook_id = str(hook["id"])
        differs = [k for k in ("endpoint", "http_method", "request_format", "status")
                   if hook.get(k) != want[k]]
        if sorted(hook.get("subscriptions") or []) != sorted(want["subscriptions"]):
            differs.append("subscriptions")
        if differs:
            hook_id = self.webhook_id

            def update() -> None:
                self.client.request_json("PATCH", f"/webhooks/{hook_id}", json_body={
                    "webhook": {k: want[k] for k in (*differs, "description")}})

            plan.steps.append(Step("webhook", want["name"], "update",
                                   f"{', '.join(differs)} -> {detail}", update))
        else:
            plan.steps.append(Step("webhook", want["name"], "unchanged", detail))
        return self.webhook_id

    def _plan_triggers(self, plan: Plan, webhook_id: str) -> None:
        existing = {t.get("title"): t for t in self.client.get_all("/triggers", "triggers")}
        bridge_user = None
        if self.ignore_bridge_updates:
            me = self.client.request_json("GET", "/users/me")
            bridge_user = str(me["user"]["id"])
        for want in self.desired_triggers(webhook_id, bridge_user):
            title = want["title"]
            have = existing.get(title)
            if self.mode == "events":
                if have is not None and have.get("active"):
                    plan.steps.append(Step("trigger", title, "deactivate",
                                           "event-subscribed webhooks replace it",
                                           self._put("triggers", "trigger", have["id"],
                                                     {"active": False})))
                continue
            body = want["actions"][0]["value"][1]
            if have is None:
                plan.steps.append(Step("trigger", title, "create", "notifies the webhook",
                                       self._post_trigger(want), body=body))
            elif self._trigger_differs(have, want):
                plan.steps.append(Step("trigger", title, "update", "conditions, actions or "
                                       "status differ", self._put_trigger(have["id"], want),
                                       body=body))
            else:
                plan.steps.append(Step("trigger", title, "unchanged"))

    def _trigger_differs(self, have: dict[str, Any], want: dict[str, Any]) -> bool:
        def conditions(rule: dict[str, Any]) -> Any:
            c = rule.get("conditions") or {}
            return {k: sorted(json.dumps(x, sort_keys=True) for x in c.get(k) or [])
                    for k in ("all", "any")}

        def actions(rule: dict[str, Any]) -> Any:
            return [(a.get("field"), _norm_value(a.get("value")))
                    for a in rule.get("actions") or []]

        return bool(bool(have.get("active")) != want["active"]
                    or conditions(have) != conditions(want) or actions(have) != actions(want))

    def _post_trigger(self, want: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            self.client.request_json("POST", "/triggers",
                                     json_body={"trigger": self._with_webhook(want)})
        return run

    def _put_trigger(self, trigger_id: int, want: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            self.client.request_json("PUT", f"/triggers/{trigger_id}",
                                     json_body={"trigger": self._with_webhook(want)})
        return run

    def _with_webhook(self, want: dict[str, Any]) -> dict[str, Any]:
        # A webhook created in the same run has its id only once the plan is applied.
        actions = [{**a, "value": [self.webhook_id, a["value"][1]]}
                   if a["field"] == "notification_webhook" else a for a in want["actions"]]
        return {**want, "actions": actions}

    def _put(self, kind: str, singular: str, item_id: int,
             changes: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            self.client.request_json("PUT", f"/{kind}/{item_id}",
                                     json_body={singular: changes})
        return run

    def _plan_fields(self, plan: Plan) -> None:
        titles = self.desired_field_titles()
        if not titles:
            return
        have = {str(f.get("title", "")).strip().lower()
                for f in self.client.get_all("/ticket_fields", "ticket_fields")}
        for title in titles:
            if title.strip().lower() in have:
                plan.steps.append(Step("ticket field", title, "unchanged"))
                continue

            def create(title: str = title) -> None:
                self.client.request_json("POST", "/ticket_fields", json_body={"ticket_field": {
                    "type": "text", "title": title,
                    "description": "Kept by sla-bridge; do not edit.",
                }})

            plan.steps.append(Step("ticket field", title, "create", "text", create))

    def _plan_macros(self, plan: Plan) -> None:
        group_id = None
        if self.manager_group:
            groups = self.client.get_all("/groups", "groups")
            group_id = next((int(g["id"]) for g in groups if str(g.get("name", "")).lower()
                             == self.manager_group.lower()), None)
            if group_id is None:
                plan.steps.append(Step("group", self.manager_group, "note",
                                       "not found; the macros are not restricted"))
        existing = {m.get("title"): m for m in self.client.get_all("/macros", "macros")}
        for want in self.desired_macros(group_id):
            have = existing.get(want["title"])
            if have is None:
                plan.steps.append(Step("macro", want["title"], "create",
                                       "escalation decision", self._post_macro(want)))
            elif ([(a.get("field"), a.get("value")) for a in have.get("actions") or []]
                  != [(a["field"], a["value"]) for a in want["actions"]]
                  or bool(have.get("active")) is not True
                  or (have.get("restriction") or None) != want["restriction"]):
                plan.steps.append(Step("macro", want["title"], "update", "actions differ",
                                       self._put("macros", "macro", have["id"], want)))
            else:
                plan.steps.append(Step("macro", want["title"], "unchanged"))

    def _post_macro(self, want: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            self.client.request_json("POST", "/macros", json_body={"macro": want})
        return run

    # -- applying ----------------------------------------------------------------------

    def apply(self, plan: Plan) -> None:
        """Carry out the plan's changes in order."""
        for step in plan.changes:
            assert step.run is not None
            step.run()

    def signing_secret(self) -> str | None:
        """The managed webhook's signing secret (after apply), or ``None``."""
        if self.webhook_id is None:
            return None
        answer = self.client.request_json("GET", f"/webhooks/{self.webhook_id}/signing_secret")
        secret = (answer.get("signing_secret") or {}).get("secret")
        return str(secret) if secret else None


def _norm_value(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
        try:
            return [str(value[0]), json.loads(value[1])]
        except ValueError:
            return [str(value[0]), value[1]]
    return value


def write_env_secret(path: Path, secret: str) -> bool:
    """Set the webhook secret variable in an env file; return whether the file changed."""
    line = f"{SECRET_VARIABLE}={secret}"
    lines = path.read_text().splitlines() if path.exists() else []
    kept = [x for x in lines if not x.strip().startswith(f"{SECRET_VARIABLE}=")]
    if line in lines and len(kept) == len(lines) - 1:
        return False
    path.write_text("\n".join([*kept, line]) + "\n")
    path.chmod(0o600)
    return True
