"""Fixtures of the Jira Service Management plugin's tests: a running sandbox, its people,
the platform pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from jira_testing import Site, platform_for

from sla_bridge.testing import VirtualClock, isolated_environment
from sla_bridge_jira.platform import JiraPlatform
from sla_bridge_jira.sandbox import Sandbox

START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

# No SLA_BRIDGE_JIRA__* variable or .env file from the developer's shell.
_isolated_env = isolated_environment("SLA_BRIDGE_JIRA__")


@pytest.fixture
def clock() -> VirtualClock:
    """The bridge's and the sandbox's clock, standing still unless a test moves it."""
    return VirtualClock(START)


@pytest.fixture
def sandbox(clock: VirtualClock) -> Iterator[Sandbox]:
    """A running JSM sandbox on ``clock``."""
    with Sandbox(clock=clock) as running:
        yield running


@pytest.fixture
def site(sandbox: Sandbox) -> Site:
    """Gold Corp's customers, an agent, a manager and the mapping's custom fields."""
    return Site.on(sandbox)


@pytest.fixture
def platform(sandbox: Sandbox, site: Site, clock: VirtualClock) -> JiraPlatform:
    """The platform on the sandbox, with the default mapping."""
    return platform_for(sandbox, clock)


@pytest.fixture
def policy() -> str:
    """The bundled policy the commands' bridge enforces (a test module may override it)."""
    return "code42-enterprise"


@pytest.fixture
def configured(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, policy: str) -> Sandbox:
    """The sandbox, with the plugin's SLA_BRIDGE_JIRA__* variables pointing at it (no webhook
    secret yet) and SLA_BRIDGE_POLICIES naming ``policy`` (for the commands, which read the
    environment)."""
    for name, value in sandbox.plugin_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", policy)
    return sandbox
