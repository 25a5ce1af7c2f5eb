"""The conformance suite (sla_bridge.testing.conformance) on Zendesk: the real bridge under
uvicorn, real zenpy against the Zendesk sandbox over HTTP, signed webhooks, a virtual clock.

What only Zendesk does (priorities, macros, audits, its own follow-ups) is in
``test_zendesk_e2e_*.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from zendesk_driver import ZendeskDriver

from sla_bridge.testing.conformance import *  # noqa: F403
from sla_bridge.testing.conformance import HelpdeskDriver


@pytest.fixture
def helpdesk_driver(tmp_path: Path, clean_environment: None) -> Iterator[HelpdeskDriver]:
    """The Zendesk driver, its world in the test's folder."""
    driver = ZendeskDriver(tmp_path / "zendesk-world", out=sys.stdout)
    yield driver
    driver.close(wait=False)
