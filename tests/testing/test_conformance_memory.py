"""The conformance suite on the memory platform."""

from __future__ import annotations

import pytest

from sla_bridge.testing.conformance import *  # noqa: F403
from sla_bridge.testing.conformance import HelpdeskDriver, MemoryDriver


@pytest.fixture
def helpdesk_driver(memory_driver: MemoryDriver) -> HelpdeskDriver:
    """The memory platform's driver."""
    return memory_driver
