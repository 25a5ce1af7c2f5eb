"""A runtime on a real SQLite file with the testdesk platform and a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from sla_bridge.clock import FixedClock
from sla_bridge.runtime import Runtime
from sla_bridge.settings import load_settings

START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


POLICIES = Path(__file__).parent / "policies"


@pytest.fixture
def runtime(testdesk: object, clock: FixedClock,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("SLA_BRIDGE_POLICY_DIRS", str(POLICIES))
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", "runtime-test")
    built = Runtime.build(load_settings(), clock)
    built.store.upgrade()
    yield built
    built.close()


@pytest.fixture
def bridges(testdesk: object, clock: FixedClock,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Runtime]]:
    """``bridges["observe"]`` and ``bridges["enforce"]``: the same state database and
    helpdesk, read with ``SLA_BRIDGE_MODE`` set to each (a restart with the other mode)."""
    monkeypatch.setenv("SLA_BRIDGE_POLICY_DIRS", str(POLICIES))
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", "runtime-test")
    built = {}
    for mode in ("observe", "enforce"):
        monkeypatch.setenv("SLA_BRIDGE_MODE", mode)
        built[mode] = Runtime.build(load_settings(), clock)
    built["observe"].store.upgrade()
    yield built
    for runtime in built.values():
        runtime.close()
