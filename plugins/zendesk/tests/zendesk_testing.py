"""Shared helpers of the Zendesk plugin's tests (a unique name: no clash with other suites)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sla_bridge.testing import WebhookReceiver
from sla_bridge.tickets import TicketRef
from sla_bridge_zendesk.sandbox import Sandbox
from sla_bridge_zendesk.settings import ZendeskSettings

WEBHOOK_SECRET = "test-signing-secret-0123456789"
FIELD_TITLES = ("SLA first response due", "SLA next update due", "SLA escalation reason",
                "SLA escalation severity", "SLA escalation contact",
                "SLA escalation decision reason")


def settings_for(sandbox: Sandbox, **overrides: Any) -> ZendeskSettings:
    """Plugin settings pointing at ``sandbox`` (no environment involved)."""
    values: dict[str, Any] = {
        "subdomain": sandbox.subdomain, "base_url": sandbox.base_url,
        "email": sandbox.api_email, "api_token": sandbox.api_token,
        "webhook_secret": WEBHOOK_SECRET, "lookup_ttl_seconds": 0,
    }
    values.update(overrides)
    return ZendeskSettings(_env_file=None, **values)


@dataclass
class Account:
    """The sandbox's seeded data."""

    org: dict[str, Any]
    customer: dict[str, Any]
    colleague: dict[str, Any]
    agent: dict[str, Any]
    manager: dict[str, Any]
    support: dict[str, Any]
    escalations: dict[str, Any]
    fields: dict[str, int]


def ref(ticket: dict[str, Any] | int) -> TicketRef:
    """The neutral reference of a sandbox ticket."""
    number = ticket if isinstance(ticket, int) else ticket["id"]
    return TicketRef(platform="zendesk", ticket_id=str(number))


# The webhook endpoint the tests point the sandbox at (kept under its old name here).
Receiver = WebhookReceiver
