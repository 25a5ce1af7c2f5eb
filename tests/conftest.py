"""Shared fixtures: run the command line in-process with a fixed clock and a clean environment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sla_bridge.cli import AppContext, build_cli
from sla_bridge.clock import FixedClock
from sla_bridge.plugin import PluginHost
from sla_bridge.settings import load_settings

RunCli = Callable[..., Result]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep a developer's SLA_BRIDGE_* variables and .env file out of the tests."""
    import os

    for name in list(os.environ):
        if name.startswith("SLA_BRIDGE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


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


TESTDESK_DIR = Path(__file__).parent / "testdesk"


class InstalledTestdesk:
    """The testdesk plugin installed for this test: its shared file, secret and environment."""

    def __init__(self, root: Path) -> None:
        from sla_bridge_testdesk import TestdeskDB

        self.secret = "testdesk-secret-0123456789"
        self.db_path = root / "testdesk.db"
        self.db = TestdeskDB(self.db_path)
        self.database_url = f"sqlite:///{root / 'bridge.db'}"
        self.site = root / "site"
        self.env = {
            "SLA_BRIDGE_TESTDESK__DB": str(self.db_path),
            "SLA_BRIDGE_TESTDESK__SECRET": self.secret,
            "SLA_BRIDGE_DATABASE_URL": self.database_url,
        }

    def subprocess_env(self, **extra: str) -> dict[str, str]:
        """Environment for a bridge in another process that finds the plugin."""
        import os

        env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_BRIDGE_")}
        env["PYTHONPATH"] = os.pathsep.join([str(self.site), str(TESTDESK_DIR)])
        env.update(self.env)
        env.update(extra)
        return env


@pytest.fixture
def testdesk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> InstalledTestdesk:
    """Install the testdesk platform plugin through a real ``sla_bridge`` entry point."""
    site = tmp_path / "site"
    dist_info = site / "sla_bridge_testdesk-0.1.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: sla-bridge-testdesk\nVersion: 0.1\n")
    (dist_info / "entry_points.txt").write_text("[sla_bridge]\ntestdesk = sla_bridge_testdesk\n")
    monkeypatch.syspath_prepend(str(TESTDESK_DIR))
    monkeypatch.syspath_prepend(str(site))
    installed = InstalledTestdesk(tmp_path)
    for name, value in installed.env.items():
        monkeypatch.setenv(name, value)
    return installed
