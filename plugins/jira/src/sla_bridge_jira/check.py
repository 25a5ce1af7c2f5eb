"""What ``sla-bridge jira check`` looks at besides fields, workflows and groups: the site
(``serverInfo``), the bridge's account (``/myself``) and the admin webhook.

Reaching the site and authenticating come first (:func:`connect`): when either fails, the
command ends with status 2 and one line naming the setting to fix, since nothing else can be
checked. The webhook is judged as Jira shows it (``GET /rest/webhooks/1.0/webhook``, admins
only): its URL, events, JQL filter, whether it is enabled and signed, and whether the secret
it was registered with is ``SLA_BRIDGE_JIRA__WEBHOOK_SECRET`` (by the fingerprint setup
writes in its description, :func:`.provision.fingerprint`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click
from jira.exceptions import JIRAError

from sla_bridge.clock import Clock
from sla_bridge.platformkit import Finding
from sla_bridge.platforms import VendorError

from .client import JiraClient
from .inbound import WEBHOOK_EVENTS
from .provision import (
    HOOKS,
    JQL_SECTION,
    WEBHOOK_NAME,
    fingerprint,
    jql_filter,
    recorded_fingerprint,
)
from .settings import JiraSettings

__all__ = ["Connection", "connect", "webhook_findings"]

Hook = Mapping[str, Any]


class Connection:
    """A client that reached the site and authenticated, with what the site said."""

    def __init__(self, client: JiraClient, server: Mapping[str, Any],
                 account: Mapping[str, Any]) -> None:
        self.client = client
        self.server = dict(server)
        self.account = dict(account)

    def findings(self) -> list[Finding]:
        """The site and the account, as ``check`` shows them."""
        deployment = str(self.server.get("deploymentType") or "")
        version = self.server.get("version") or ".".join(
            str(v) for v in self.server.get("versionNumbers") or [])
        site = Finding(deployment == "Cloud", "site", str(self.server.get("baseUrl") or
                                                          self.client.settings.base_url),
                       f"Jira {deployment or '(deployment unknown)'} {version}".rstrip()
                       if deployment == "Cloud" else
                       f"Jira {deployment or '(deployment unknown)'}: the plugin speaks to "
                       "Jira Cloud (Data Center's webhooks and approvals differ)")
        name = str(self.account.get("displayName") or self.account.get("emailAddress") or "")
        account = Finding(True, "account", name,
                          f"accountId {self.account.get('accountId')} (the bridge's own "
                          "writes are recognised by it)")
        return [site, account]


def connect(settings: JiraSettings, command: str, clock: Clock) -> Connection:
    """Reach the site and authenticate; a failure ends ``command`` with status 2 and one line
    naming the setting to fix (status 1 for any other failure of Jira's)."""
    client = JiraClient(settings, clock)
    try:
        with client.errors.calling("connecting"):
            server = client.jira.server_info()
            account = client.jira.myself()
    except VendorError as exc:
        click.echo(f"{command}: {_advice(settings, exc)}", err=True)
        sys.exit(2 if exc.status in (None, 401, 403, 404) else 1)
    return Connection(client, server, account)


def _advice(settings: JiraSettings, exc: VendorError) -> str:
    site = settings.variable("base_url")
    if exc.status in (401, 403):
        return (f"Jira refused the credentials ({exc.status}): check "
                f"{settings.variable('email')} ({settings.email}) and "
                f"{settings.variable('api_token')} (an API token of that account, from "
                "id.atlassian.com > Security > API tokens)")
    if exc.status == 404:
        return f"{settings.base_url} has no Jira REST API (404): check {site}"
    if exc.status is None:
        return f"cannot reach {settings.base_url}: {exc}; check {site}"
    return str(exc)


def webhook_findings(client: JiraClient, settings: JiraSettings,
                     bridge_url: str | None) -> list[Finding]:
    """The admin webhook calling the bridge: there, and as the bridge needs it."""
    try:
        hooks = [h for h in client.get(HOOKS) or [] if isinstance(h, dict)]
    except JIRAError as exc:
        if exc.status_code != 403:
            raise
        return [Finding(False, "webhook", WEBHOOK_NAME, "cannot be listed: the bridge's "
                        "account is not a Jira administrator; look in Jira settings > System "
                        "> WebHooks, or run check with an admin's "
                        f"{settings.variable('api_token')}")]
    ours = [h for h in hooks if h.get("name") == WEBHOOK_NAME
            or str(h.get("url") or "").rstrip("/").endswith("/webhooks/jira")]
    if not ours:
        if settings.automation_secret.get_secret_value():
            return [Finding(True, "webhook", WEBHOOK_NAME, "none registered: automation rules "
                            f"call the bridge ({settings.variable('automation_secret')} is "
                            "set; `sla-bridge jira automation-rule` prints them)")]
        return [Finding(False, "webhook", WEBHOOK_NAME, "none calls the bridge: run "
                        "`sla-bridge jira setup --bridge-url <the bridge's URL>`")]
    return [_judge(hook, settings, bridge_url) for hook in ours]


def _judge(hook: Hook, settings: JiraSettings, bridge_url: str | None) -> Finding:
    name = str(hook.get("name") or WEBHOOK_NAME)
    url = str(hook.get("url") or "")
    wanted_url = bridge_url.rstrip("/") + "/webhooks/jira" if bridge_url else None
    variable = settings.variable("webhook_secret")
    secret = settings.webhook_secret.get_secret_value()
    problems: list[str] = []
    if wanted_url is not None and url != wanted_url:
        problems.append(f"calls {url}, not {wanted_url}")
    missing = [e for e in WEBHOOK_EVENTS if e not in (hook.get("events") or [])]
    if missing:
        problems.append(f"misses the events {', '.join(missing)}")
    jql = str((hook.get("filters") or {}).get(JQL_SECTION) or "")
    if jql != jql_filter(settings.projects):
        problems.append(f"filters {jql or 'nothing'!r}, not "
                        f"{jql_filter(settings.projects) or 'nothing'!r}")
    if hook.get("enabled") is False:
        problems.append("is disabled")
    marked = recorded_fingerprint(hook)
    if not hook.get("isSigned"):
        problems.append("is not signed: the bridge refuses its deliveries (401)")
    elif not secret:
        problems.append(f"is signed, but {variable} is unset: the bridge refuses its "
                        "deliveries (401)")
    elif marked is not None and marked != fingerprint(secret):
        problems.append(f"is signed with another secret than {variable}: the bridge refuses "
                        "its deliveries (401)")
    if problems:
        return Finding(False, "webhook", name, "; ".join(problems) + ": run `sla-bridge jira "
                       "setup --bridge-url <the bridge's URL>` to register it anew")
    checked = "" if marked is not None else (f"; signed, but not by setup: whether with "
                                             f"{variable} cannot be seen")
    return Finding(True, "webhook", name, f"{url} ({len(WEBHOOK_EVENTS)} events, "
                   f"{jql or 'every project'}){checked}")


def summary_lines(settings: JiraSettings) -> Sequence[str]:
    """The settings worth showing, secrets masked."""
    return [f"{key:>18}: {value}" for key, value in settings.summary().items()]
