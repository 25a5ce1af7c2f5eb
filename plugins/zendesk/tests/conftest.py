"""Fixtures: a running sandbox, the plugin pointed at it, a webhook receiver, and whole
worlds (the bridge on the sandbox) for the end-to-end stories."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from zendesk_driver import ZendeskDriver
from zendesk_testing import (
    FIELD_TITLES,
    WEBHOOK_SECRET,
    Account,
    Receiver,
    settings_for,
)

from sla_bridge.clock import SystemClock
from sla_bridge.testing import isolated_environment
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.sandbox import Sandbox
from sla_bridge_zendesk.settings import ZendeskSettings

# No SLA_BRIDGE_ZENDESK__* variable or .env file from the developer's shell (nor zenpy's
# ZENPY_FORCE* switches).
_isolated_env = isolated_environment("SLA_BRIDGE_ZENDESK__", "ZENPY_FORCE")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A running sandbox whose webhooks are signed with :data:`WEBHOOK_SECRET`."""
    with Sandbox(webhook_secret=WEBHOOK_SECRET) as running:
        yield running


@pytest.fixture
def settings(sandbox: Sandbox) -> ZendeskSettings:
    return settings_for(sandbox)


@pytest.fixture
def platform(settings: ZendeskSettings) -> ZendeskPlatform:
    return ZendeskPlatform(settings, SystemClock())


@pytest.fixture
def account(sandbox: Sandbox) -> Account:
    """A Gold customer in the USA with a registered admin, agents, groups and SLA fields."""
    org = sandbox.add_organization("Gold Corp", {"support_plan": "gold",
                                                 "support_location": "usa"})
    customer = sandbox.add_user("Grace Gold", "grace@gold.test", org["id"],
                                tags=["support_admin"])
    colleague = sandbox.add_user("Carl Gold", "carl@gold.test", org["id"])
    agent = sandbox.add_agent("Avery Agent", "avery@vendor.test")
    manager = sandbox.add_agent("Morgan Manager", "morgan@vendor.test")
    fields = {title: sandbox.add_ticket_field(title)["id"] for title in FIELD_TITLES}
    return Account(org, customer, colleague, agent, manager, sandbox.add_group("Support"),
                   sandbox.add_group("Escalations"), fields)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def zendesk(tmp_path: Path, clean_environment: None) -> Iterator[ZendeskDriver]:
    """The conformance driver on the Zendesk sandbox: the real bridge, wired by setup
    (``begin(scene)`` starts it)."""
    driver = ZendeskDriver(tmp_path / "world", out=sys.stdout)
    yield driver
    driver.close(wait=False)


@pytest.fixture
def configured(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The sandbox, with the plugin's SLA_BRIDGE_ZENDESK__* variables pointing at it (for
    the commands, which read the environment)."""
    for name, value in sandbox.plugin_env().items():
        monkeypatch.setenv(name, value)
    return sandbox
