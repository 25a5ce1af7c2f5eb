"""Shared helpers of the Jira plugin's tests: the sandbox's people, the plugin pointed at it,
signed deliveries, webhook bodies as Jira sends them, and the sandbox as the core's test
harness drives a platform."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from sla_bridge.clock import Clock
from sla_bridge.platforms import WebhookRequest
from sla_bridge.settings import Settings, load_settings
from sla_bridge.tickets import TicketRef
from sla_bridge_jira.platform import JiraPlatform
from sla_bridge_jira.sandbox import Sandbox
from sla_bridge_jira.settings import JiraSettings
from sla_bridge_jira.signature import sign

WEBHOOK_SECRET = "It's a Secret to Everybody"
AUTOMATION_SECRET = "automation-shared-secret"
# The custom fields the default field mapping names, as setup would create them.
FIELDS = {"SLA first response due": "datetime", "SLA next update due": "datetime",
          "SLA escalation reason": "text", "SLA escalation severity": "text",
          "SLA escalation contact": "text", "SLA escalation decision reason": "text"}


def settings_for(sandbox: Sandbox, **variables: str) -> JiraSettings:
    """The plugin's settings pointing at ``sandbox`` (``variables``: more of them, by the
    name after ``SLA_BRIDGE_JIRA__``)."""
    environ = {**sandbox.plugin_env(webhook_secret=WEBHOOK_SECRET),
               "SLA_BRIDGE_JIRA__AUTOMATION_SECRET": AUTOMATION_SECRET,
               **{f"SLA_BRIDGE_JIRA__{k.upper()}": v for k, v in variables.items()}}
    return load_settings(environ=environ).section(JiraSettings)


def platform_for(sandbox: Sandbox, clock: Clock, **variables: str) -> JiraPlatform:
    """The platform on ``sandbox``, with ``clock``."""
    return JiraPlatform(settings_for(sandbox, **variables), clock)


def ref(key: str) -> TicketRef:
    """The bridge's reference of a request."""
    return TicketRef(platform="jira", ticket_id=key)


def delivery(body: Mapping[str, Any] | bytes, received_at: datetime, *,
             secret: str | None = WEBHOOK_SECRET, identifier: str = "d-1",
             headers: Mapping[str, str] | None = None) -> WebhookRequest:
    """An admin webhook delivery as Jira sends it (signed with ``secret`` unless ``None``)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {"content-type": "application/json; charset=utf-8",
            "user-agent": "Atlassian Webhook HTTP Client",
            "x-atlassian-webhook-identifier": identifier}
    if secret is not None:
        sent["x-hub-signature"] = sign(secret, raw)
    sent.update({k.lower(): v for k, v in (headers or {}).items()})
    return WebhookRequest(headers=sent, body=raw, received_at=received_at)


def millis(instant: datetime) -> int:
    """An instant as the milliseconds Jira writes in a webhook's ``timestamp``."""
    return int(instant.timestamp() * 1000)


@dataclass
class Site:
    """The sandbox's people: Gold Corp's customer (its registered admin) and a colleague,
    an agent, a manager; and the custom fields of the default mapping."""

    org: dict[str, Any]
    grace: dict[str, Any]
    carl: dict[str, Any]
    ada: dict[str, Any]
    morgan: dict[str, Any]
    fields: dict[str, str]

    @classmethod
    def on(cls, sandbox: Sandbox) -> Site:
        """Add them to ``sandbox``."""
        org = sandbox.add_organization("Gold Corp", properties={
            "support_plan": "gold", "support_location": "usa"})
        grace = sandbox.add_customer("Grace Gold", "grace@gold.test", token="grace-token",
                                     organization=org["id"])
        carl = sandbox.add_customer("Carl Gold", "carl@gold.test", organization=org["id"])
        # As an admin records them: the organization property the mapping reads.
        requests.put(f"{sandbox.base_url}/rest/servicedeskapi/organization/{org['id']}"
                     "/property/registered_admins", json=[grace["accountId"]],
                     auth=(sandbox.api_email, sandbox.api_token), timeout=10,
                     headers={"X-ExperimentalApi": "opt-in"}).raise_for_status()
        ada = sandbox.add_agent("Ada Agent", "ada@vendor.test", token="ada-token")
        morgan = sandbox.add_agent("Morgan Manager", "morgan@vendor.test", token="morgan-token")
        fields = {name: sandbox.add_field(name, kind) for name, kind in FIELDS.items()}
        return cls(org, grace, carl, ada, morgan, fields)


class JiraHelpdesk:
    """The sandbox as :class:`sla_bridge.testing.BridgeHarness` drives a platform: the
    admin webhook registered with the bridge's secret, deliveries flushed on demand."""

    platform = "jira"

    def __init__(self, sandbox: Sandbox, **variables: str) -> None:
        self.sandbox = sandbox
        self.variables = variables

    def plugin_environment(self) -> Mapping[str, str]:
        """The plugin pointed at the sandbox, with the admin webhook's secret."""
        return {**self.sandbox.plugin_env(webhook_secret=WEBHOOK_SECRET),
                **{f"SLA_BRIDGE_JIRA__{k.upper()}": v for k, v in self.variables.items()}}

    def connect(self, bridge_url: str, settings: Settings) -> None:
        """Register the admin webhook as an admin would: the bridge's URL, signed."""
        self.sandbox.register_webhook(f"{bridge_url}/webhooks/jira", secret=WEBHOOK_SECRET)

    def deliver(self) -> None:
        """Send what the sandbox has queued."""
        self.sandbox.flush()

    def close(self) -> None:
        """The test's fixture stops the sandbox."""


# Webhook bodies as Jira Cloud sends them, from the contract research (A1): a status change by
# an agent (a captured jira:issue_updated, trimmed) and a comment_created (a 2026 capture),
# re-keyed to project SUP; each test sets the timestamp.

AGENT = {"self": "https://acme.atlassian.net/rest/api/2/user?accountId=5b10ac8d82e05b22cc7d4ef5",
         "accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Ada Agent", "active": True,
         "timeZone": "Europe/Berlin", "accountType": "atlassian"}
CUSTOMER = {"accountId": "qm:a713c8ea-1075-4e30-9d96-891a7d181739:5ad6d3581db05e2a66fa80b",
            "displayName": "Grace Customer", "accountType": "customer"}


def issue_updated(timestamp: int, key: str = "SUP-42") -> dict[str, Any]:
    """An agent moved the request from Waiting for support to In Progress."""
    return {
        "timestamp": timestamp,
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": AGENT,
        "issue": {
            "id": "10042", "self": "https://acme.atlassian.net/rest/api/2/issue/10042",
            "key": key,
            "fields": {
                "summary": "Restore fails",
                "status": {"self": "https://acme.atlassian.net/rest/api/2/status/3",
                           "name": "In Progress", "id": "3",
                           "statusCategory": {"id": 4, "key": "indeterminate",
                                              "colorName": "yellow", "name": "In Progress"}},
                "priority": {"name": "High", "id": "2"},
                "labels": ["product_backup"],
                "assignee": {"accountId": AGENT["accountId"], "displayName": "Ada Agent",
                             "accountType": "atlassian"},
                "reporter": CUSTOMER,
                "created": "2024-06-01T09:00:00.000+0000",
                "updated": "2024-06-01T10:00:00.123+0000",
                "resolution": None,
            },
        },
        "changelog": {"id": "10500", "items": [{
            "field": "status", "fieldtype": "jira", "fieldId": "status", "from": "10001",
            "fromString": "Waiting for support", "to": "3", "toString": "In Progress"}]},
    }


def comment_created(timestamp: int, key: str = "SUP-42", public: bool = True,
                    author: dict[str, Any] | None = None) -> dict[str, Any]:
    """A comment's own delivery: the comment and a reduced issue, no user, no changelog."""
    by = author or AGENT
    return {
        "timestamp": timestamp,
        "webhookEvent": "comment_created",
        "comment": {
            "self": "https://acme.atlassian.net/rest/api/2/issue/10042/comment/10034",
            "id": "10034", "author": by, "body": "Test 3 comment", "updateAuthor": by,
            "created": "2026-04-24T14:24:22.928+0800", "updated": "2026-04-24T14:24:22.928+0800",
            "jsdPublic": public,
        },
        "issue": {"id": "10042", "key": key, "fields": {
            "summary": "Http issue with server",
            "issuetype": {"id": "10003", "name": "Task"},
            "project": {"id": "10000", "key": key.split("-")[0], "name": "Support"},
            "priority": {"id": "3", "name": "Medium"},
            "status": {"id": "10001", "name": "In Progress"}}},
        "eventType": "primaryAction",
    }


def issue_commented(timestamp: int, key: str = "SUP-42") -> dict[str, Any]:
    """The same comment's other delivery: an issue update that carries it."""
    body = issue_updated(timestamp, key)
    body.pop("changelog")
    comment = comment_created(timestamp, key)["comment"]
    return {**body, "issue_event_type_name": "issue_commented", "comment": comment}
