"""``sla-bridge jira setup``: wire a Jira Service Management site to the bridge, idempotently.

What it manages, each found, compared, and changed only when it differs:

* the admin webhook ``sla-bridge`` (``/rest/webhooks/1.0/webhook``, see
  https://developer.atlassian.com/cloud/jira/platform/webhooks/#registering-a-webhook-using-the-jira-rest-api--other-integrations-)
  calling ``<bridge-url>/webhooks/jira`` for the events the plugin handles
  (:data:`sla_bridge_jira.inbound.WEBHOOK_EVENTS`), filtered by JQL on the configured
  projects, and signed with ``SLA_BRIDGE_JIRA__WEBHOOK_SECRET``. When the setting is unset,
  setup makes a secret up and writes it to the env file;
* the custom fields the field mapping names (:mod:`.setup_fields`);
* checked, not changed: the projects, their workflows and approvals
  (:mod:`.setup_workflow`), the groups the loaded policies name (:mod:`.setup_groups`).

Jira shows a webhook's secret to nobody once it is saved (the webhook only says
``isSigned``), and the documented REST API registers, lists and deletes webhooks but does
not change them. So setup records a fingerprint of the secret (an HMAC of a fixed text,
keyed by the secret: it tells whether the setting still matches, and cannot give the secret
back) in the webhook's description, and a webhook that differs in anything is *replaced*:
the new one is registered first, then the old one deleted, so no event falls in between.

In ``--mode automation`` the team calls the bridge from Automation rules instead
(:mod:`.automation_rule`): setup deletes its webhook if there is one (each change would
reach the bridge twice) and makes up ``SLA_BRIDGE_JIRA__AUTOMATION_SECRET`` when unset.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from jira.exceptions import JIRAError

from sla_bridge.platformkit import Plan

from .client import JiraClient
from .inbound import WEBHOOK_EVENTS
from .settings import JiraSettings
from .setup_fields import plan_fields, site_fields
from .setup_groups import plan_groups
from .setup_workflow import workflow_findings

__all__ = ["HOOKS", "JQL_SECTION", "WEBHOOK_NAME", "Mode", "Provisioner", "fingerprint",
           "jql_filter", "recorded_fingerprint"]

Mode = Literal["webhook", "automation"]
HOOKS = "/rest/webhooks/1.0/webhook"
WEBHOOK_NAME = "sla-bridge"
JQL_SECTION = "issue-related-events-section"
_DESCRIPTION = ("sla-bridge: enforces the support policy on requests (managed by `sla-bridge "
                "jira setup`; secret fingerprint {fingerprint})")
_FINGERPRINT = re.compile(r"secret fingerprint ([0-9a-f]{16})")
Hook = Mapping[str, Any]


def fingerprint(secret: str) -> str:
    """A short, one-way mark of ``secret``: equal for equal secrets, no way back to it."""
    return hmac.new(secret.encode(), b"sla-bridge webhook secret fingerprint",
                    hashlib.sha256).hexdigest()[:16]


def recorded_fingerprint(hook: Mapping[str, Any]) -> str | None:
    """The secret's fingerprint setup wrote in a webhook's description, if any."""
    marked = _FINGERPRINT.search(str(hook.get("description") or ""))
    return marked.group(1) if marked else None


def jql_filter(projects: Sequence[str]) -> str:
    """The webhook's JQL: ``project = SUP`` or ``project in (SUP, HELP)``; none for all."""
    if not projects:
        return ""
    if len(projects) == 1:
        return f"project = {projects[0]}"
    return f"project in ({', '.join(projects)})"


def _hook_id(hook: Hook) -> str:
    """A webhook's id: the end of its ``self`` link (the list names no ``id`` field)."""
    return str(hook.get("id") or str(hook.get("self") or "").rstrip("/").rsplit("/", 1)[-1])


class Provisioner:
    """Computes and applies what the bridge needs of the site."""

    def __init__(self, client: JiraClient, settings: JiraSettings, bridge_url: str,
                 mode: Mode = "webhook", groups: Mapping[str, Sequence[str]] | None = None,
                 make_secret: Callable[[], str] = lambda: secrets.token_urlsafe(32)) -> None:
        self.client = client
        self.settings = settings
        self.endpoint = bridge_url.rstrip("/") + "/webhooks/jira"
        self.mode = mode
        self.groups = dict(groups or {})
        self._make_secret = make_secret
        self.secret_sent: str | None = None  # the secret of a webhook registered by apply
        self.automation_secret_made: str | None = None
        self._verified = False  # the webhook's fingerprint matches the configured secret

    # -- desired state -------------------------------------------------------------------

    def desired_webhook(self, secret: str) -> dict[str, Any]:
        """The admin webhook as it should be, signed with ``secret``."""
        return {
            "name": WEBHOOK_NAME,
            "description": _DESCRIPTION.format(fingerprint=fingerprint(secret)),
            "url": self.endpoint,
            "events": list(WEBHOOK_EVENTS),
            "filters": {JQL_SECTION: jql_filter(self.settings.projects)},
            "excludeBody": False,
            "secret": secret,
        }

    # -- planning ------------------------------------------------------------------------

    def plan(self) -> Plan:
        """Compare the site with the desired state; nothing is written."""
        plan = Plan()
        hooks = self._webhooks()
        if self.mode == "webhook":
            self._plan_webhook(plan, hooks)
        else:
            self._plan_automation(plan, hooks)
        fields = site_fields(self.client)
        plan_fields(plan, self.client, self.settings, fields)
        if any(s.kind == "field" and s.action == "create" for s in plan.steps):
            plan.add("screens", ", ".join(self.settings.projects) or "every project", "note",
                     "put the new fields on the edit and view screens of the projects' "
                     "issue types: Jira refuses an edit naming a field that is not on the "
                     "edit screen ('not on the appropriate screen'), and agents see only the "
                     "fields there")
        for finding in workflow_findings(self.client, self.settings, fields):
            finding.add_to(plan)
        plan_groups(plan, self.client, self.settings, self.groups)
        return plan

    def _webhooks(self) -> list[Hook]:
        """The site's admin webhooks; a refusal (only administrators manage them) is said
        as what to do about it."""
        try:
            found = self.client.get(HOOKS) or []
        except JIRAError as exc:
            if exc.status_code != 403:
                raise
            raise self.client.errors.refused(
                f"the bridge's account ({self.settings.email}) is not a Jira administrator, "
                "and only administrators manage webhooks and custom fields: run setup with "
                f"an administrator's {self.settings.variable('email')} and "
                f"{self.settings.variable('api_token')}") from None
        return [h for h in found if isinstance(h, dict)]

    def _plan_webhook(self, plan: Plan, hooks: Sequence[Hook]) -> None:
        configured = self.settings.webhook_secret.get_secret_value()
        variable = self.settings.variable("webhook_secret")
        ours = [h for h in hooks if h.get("name") == WEBHOOK_NAME]
        shown = self.desired_webhook(configured or "<made up by setup>")
        detail = (f"{self.endpoint} ({', '.join(shown['events'])}; "
                  f"{shown['filters'][JQL_SECTION] or 'every project'})")
        body = json.dumps({**shown, **({} if configured else {
            "description": _DESCRIPTION.format(fingerprint="<of the new secret>")}),
            "secret": f"<{variable}>" if configured else "<made up by setup, written to the "
                      "env file>"}, indent=2)

        def differences(have: Hook) -> list[str]:
            found = [k for k in ("url", "excludeBody") if have.get(k) != shown[k]]
            if sorted(have.get("events") or []) != sorted(shown["events"]):
                found.append("events")
            if ((have.get("filters") or {}).get(JQL_SECTION) or "") != shown["filters"][
                    JQL_SECTION]:
                found.append("JQL filter")
            if have.get("enabled") is False:
                found.append("enabled")
            marked = recorded_fingerprint(have)
            if not have.get("isSigned"):
                found.append("secret (not signed)")
            elif not configured:
                found.append(f"secret ({variable} is unset, and Jira never shows a webhook's "
                             "secret again: a new one is made up)")
            elif marked != fingerprint(configured):
                found.append(f"secret (not the one in {variable})")
            self._verified = not found
            return found

        def replace(have: Hook, _differs: Sequence[str]) -> None:
            self._register()
            self._delete(_hook_id(have))

        step = plan.ensure("webhook", WEBHOOK_NAME, ours[0] if ours else None,
                           differences=differences, create=self._register, update=replace,
                           detail=detail, body=body)
        if step.action == "update":
            step.detail += ("; Jira's REST API cannot change an admin webhook: a new one is "
                            f"registered, then the old one (id {_hook_id(ours[0])}) deleted")
        for extra in ours[1:]:
            plan.add("webhook", WEBHOOK_NAME, "delete", f"a second webhook of that name (id "
                     f"{_hook_id(extra)}): Jira would send each event twice",
                     self._deleter(_hook_id(extra)))
        for other in hooks:
            if other.get("name") != WEBHOOK_NAME and other.get("url") == self.endpoint:
                plan.add("webhook", str(other.get("name")), "note",
                         f"also calls the bridge (id {_hook_id(other)}): each event then "
                         "arrives twice; delete it in Jira settings > System > WebHooks")

    def _plan_automation(self, plan: Plan, hooks: Sequence[Hook]) -> None:
        for hook in hooks:
            if hook.get("name") == WEBHOOK_NAME:
                plan.add("webhook", WEBHOOK_NAME, "delete", f"automation rules call the bridge "
                         f"instead (id {_hook_id(hook)}); both would deliver each change "
                         "twice", self._deleter(_hook_id(hook)))
        variable = self.settings.variable("automation_secret")
        if self.settings.automation_secret.get_secret_value():
            plan.add("automation secret", variable, "unchanged", "set")
        else:
            plan.add("automation secret", variable, "create",
                     "made up by setup and written to the env file; the rules send it in the "
                     "header X-Sla-Bridge-Secret", self._make_automation_secret)

    # -- applying ------------------------------------------------------------------------

    def _register(self) -> None:
        secret = self.settings.webhook_secret.get_secret_value() or self._make_secret()
        self.client.send("POST", HOOKS, self.desired_webhook(secret))
        self.secret_sent = secret

    def _delete(self, hook_id: str) -> None:
        self.client.jira._session.delete(self.client.url(f"{HOOKS}/{hook_id}"))

    def _deleter(self, hook_id: str) -> Callable[[], None]:
        def run() -> None:
            self._delete(hook_id)
        return run

    def _make_automation_secret(self) -> None:
        self.automation_secret_made = self._make_secret()

    def signing_secret(self) -> str | None:
        """After apply: the secret the webhook is signed with, when setup knows it (it
        registered the webhook, or the fingerprint matched the setting); else ``None``."""
        if self.secret_sent is not None:
            return self.secret_sent
        if self._verified:
            return self.settings.webhook_secret.get_secret_value()
        return None
