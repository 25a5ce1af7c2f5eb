"""Fixtures of the Salesforce Service Cloud plugin's tests: a running sandbox org, its people,
the platform pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from salesforce_testing import Org, PlatformFactory, platform_for

from sla_bridge.testing import VirtualClock, isolated_environment
from sla_bridge_salesforce.platform import SalesforcePlatform
from sla_bridge_salesforce.sandbox import Sandbox

START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

# No SLA_BRIDGE_SALESFORCE__* variable or .env file from the developer's shell.
_isolated_env = isolated_environment("SLA_BRIDGE_SALESFORCE__")


@pytest.fixture
def clock() -> VirtualClock:
    """The bridge's and the sandbox's clock, standing still unless a test moves it."""
    return VirtualClock(START)


@pytest.fixture
def sandbox(clock: VirtualClock) -> Iterator[Sandbox]:
    """A running Salesforce sandbox org (HTTPS) on ``clock``."""
    with Sandbox(clock=clock, autosend=False) as running:
        yield running


@pytest.fixture
def org(sandbox: Sandbox) -> Org:
    """Gold Corp's customer, an agent, a manager, the Tier 2 queue and the mapping's fields."""
    return Org.on(sandbox)



@pytest.fixture
def make_platform(sandbox: Sandbox, org: Org,
                  clock: VirtualClock) -> Iterator[PlatformFactory]:
    """Platforms on the sandbox with settings by their short names (``status_map=...``),
    their connections closed before the sandbox stops."""
    made: list[SalesforcePlatform] = []

    def make(**variables: str) -> SalesforcePlatform:
        made.append(platform_for(sandbox, clock, **variables))
        return made[-1]

    yield make
    for platform in made:
        platform.close()


@pytest.fixture
def platform(make_platform: PlatformFactory) -> SalesforcePlatform:
    """The platform on the sandbox, with the default mapping."""
    return make_platform()
