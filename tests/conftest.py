"""Shared fixtures: run the command line in-process with a fixed clock and a clean environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner, Result
from pg_support import drop_schema, postgres_url_or_skip

from sla_bridge.cli import AppContext, build_cli
from sla_bridge.clock import FixedClock
from sla_bridge.plugin import PluginHost
from sla_bridge.settings import load_settings

RunCli = Callable[..., Result]


@pytest.fixture(autouse=True)
def _clean_environment(clean_environment: None) -> None:
    """Keep a developer's SLA_BRIDGE_* variables and .env file out of every test (the kit's
    ``clean_environment``, made autouse here)."""


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Return ``run(*args, env={...}, now=datetime)`` invoking ``sla-bridge`` in-process."""

    def run(*args: str, env: dict[str, str] | None = None,
            now: datetime = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)) -> Result:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        settings = load_settings()
        host = PluginHost.from_settings(settings)
        app = AppContext(settings=settings, host=host, clock=FixedClock(now))
        return CliRunner().invoke(build_cli(host), list(args), obj=app)

    return run


# The ``testdesk`` fixture (the memory platform installed through a real entry point) comes
# from the kit's pytest plugin, sla_bridge.testing (entry point ``pytest11``).


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh PostgreSQL schema (dropped after the test); skips with the reason
    only where no PostgreSQL answers and CI is not "true"."""
    url = postgres_url_or_skip()
    yield url
    drop_schema(url)
