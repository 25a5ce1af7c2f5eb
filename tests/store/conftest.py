"""A fresh database per test on both backends: a SQLite file, and a PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pg_support import drop_schema, postgres_url_or_skip

from sla_bridge.clock import FixedClock
from sla_bridge.store import Store

NOW = datetime.fromisoformat("2026-11-25T16:00:00-06:00")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bridge.db'}"
        return
    url = postgres_url_or_skip()
    yield url
    drop_schema(url)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(database_url: str, clock: FixedClock) -> Iterator[Store]:
    """A migrated store on each backend."""
    opened = Store(database_url, clock)
    opened.upgrade()
    yield opened
    opened.close()
