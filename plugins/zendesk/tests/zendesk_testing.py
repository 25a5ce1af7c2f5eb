"""Shared helpers of the Zendesk plugin's tests (a unique name: no clash with other suites)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sla_bridge.clock import FixedClock, SystemClock
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


@contextmanager
def racing_agent(edit: dict[str, Any], *, fields: tuple[str, ...] = (),
                 tags: tuple[str, ...] = ()) -> Iterator[tuple[Sandbox, dict[str, Any], Any]]:
    """A sandbox where an agent's ``edit`` lands, five seconds on, between the bridge's read
    and its safe update: yields the sandbox, a ticket (with ``tags``; the custom ``fields``
    exist) and the platform pointed at it."""
    from sla_bridge_zendesk.platform import ZendeskPlatform

    clock = FixedClock(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    with Sandbox(clock=clock) as racing:
        customer = racing.add_user("Pat", "pat@example.test")
        agent = racing.add_agent("Avery", "avery@vendor.test")
        for title in fields:
            racing.add_ticket_field(title)
        ticket = racing.open_ticket(customer["id"], "S", "B", tags=list(tags))
        update = racing.state.update_ticket

        def agent_first(ticket_id: int, payload: dict[str, Any], actor: dict[str, Any],
                        channel: str = "api") -> object:
            if payload.get("safe_update"):
                clock.advance(timedelta(seconds=5))
                update(ticket_id, edit, racing.state.user(agent["id"]))
            return update(ticket_id, payload, actor, channel)

        racing.state.update_ticket = agent_first  # type: ignore[method-assign]
        yield racing, ticket, ZendeskPlatform(settings_for(racing), SystemClock())
