"""The start-up line says where the state is and what the bridge will do: the SQLite file as
an absolute path (the default ``./var/sla-bridge.db`` included), a PostgreSQL URL with its
password masked, and each loaded platform with its mode."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from server_helpers import StartBridge

SECRET = "pg-pw-never-logged-81c"


def _ready_line(caplog: pytest.LogCaptureFixture) -> str:
    lines = [r.getMessage() for r in caplog.records
             if r.name == "sla_bridge.server" and " ready: " in r.getMessage()]
    assert len(lines) == 1, caplog.text
    return lines[0]


def test_the_default_sqlite_path_is_logged_absolute(start_bridge: StartBridge, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("SLA_BRIDGE_DATABASE_URL")  # the default: ./var/sla-bridge.db
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.INFO, logger="sla_bridge.server")
    start_bridge()
    line = _ready_line(caplog)
    database = tmp_path.resolve() / "var" / "sla-bridge.db"
    assert line.endswith(f"; database SQLite file {database}")
    assert database.is_file()
    assert "platforms testdesk (enforce)" in line


def test_each_platform_is_logged_with_its_mode(start_bridge: StartBridge,
                                               monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("SLA_BRIDGE_TESTDESK__MODE", "observe")
    caplog.set_level(logging.INFO, logger="sla_bridge.server")
    start_bridge()
    assert "ready: platforms testdesk (observe); database SQLite file /" in _ready_line(caplog)


def test_a_postgresql_url_is_logged_with_its_password_masked(
        start_bridge: StartBridge, pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    url = pg_url.replace("postgres@", f"postgres:{SECRET}@", 1)  # trust auth ignores it
    caplog.set_level(logging.INFO, logger="sla_bridge.server")
    start_bridge(database_url=url)
    line = _ready_line(caplog)
    assert "; database PostgreSQL postgresql+psycopg://postgres:**********@127.0.0.1:5432/" \
        "test?options=-csearch_path" in line
    assert SECRET not in caplog.text
