"""A runtime on a real SQLite file with the testdesk platform, a round-the-clock policy and
a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from sla_bridge.clock import FixedClock
from sla_bridge.runtime import Runtime
from sla_bridge.settings import load_settings

START = datetime.fromisoformat("2026-11-24T09:00:00+00:00")
POLICIES = Path(__file__).parent / "policies"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def runtime(testdesk: object, clock: FixedClock,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("SLA_BRIDGE_POLICY_DIRS", str(POLICIES))
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", "metrics-test")
    built = Runtime.build(load_settings(), clock)
    built.store.upgrade()
    yield built
    built.close()
