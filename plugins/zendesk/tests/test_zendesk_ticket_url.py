"""The link the dashboard and the admin API give for a Zendesk ticket: its page in the agent
interface, built from the configured account without a call."""

from __future__ import annotations

from datetime import UTC, datetime

from sla_bridge.clock import FixedClock
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.settings import ZendeskSettings

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def platform(**settings: str) -> ZendeskPlatform:
    return ZendeskPlatform(ZendeskSettings(_env_file=None, email="bridge@acme.test",
                                           api_token="token", **settings), FixedClock(NOW))


def test_a_ticket_opens_in_the_agent_interface_of_the_account() -> None:
    assert platform(subdomain="acme").ticket_url("4211") == (
        "https://acme.zendesk.com/agent/tickets/4211")


def test_the_account_wins_over_an_api_proxy_and_a_sandbox_alone_links_to_itself() -> None:
    proxied = platform(subdomain="acme", base_url="http://127.0.0.1:8765")
    assert proxied.ticket_url("7") == "https://acme.zendesk.com/agent/tickets/7"
    assert platform(base_url="http://127.0.0.1:8765").ticket_url("7") == (
        "http://127.0.0.1:8765/agent/tickets/7")


def test_an_id_cannot_leave_the_ticket_path() -> None:
    assert platform(subdomain="acme").ticket_url("../admin?x=1") == (
        "https://acme.zendesk.com/agent/tickets/..%2Fadmin%3Fx%3D1")
