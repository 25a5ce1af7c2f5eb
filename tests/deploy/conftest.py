"""Fixtures for the deployment tests: a fresh PostgreSQL schema per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pg_support import drop_schema, postgres_url_or_skip


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh PostgreSQL schema (dropped after the test); skips with the reason
    only where no PostgreSQL answers and CI is not "true"."""
    url = postgres_url_or_skip()
    yield url
    drop_schema(url)
