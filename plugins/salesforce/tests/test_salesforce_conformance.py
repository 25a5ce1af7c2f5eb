"""The conformance suite (sla_bridge.testing.conformance) on Salesforce Service Cloud: the real
bridge under uvicorn, the real simple-salesforce against the sandbox org over HTTPS, the org's
Outbound Messages (SOAP, acknowledged) to the bridge, a virtual clock.

What only Salesforce does (follow-up cases by upsert with ParentId, the approval process,
Outbound Message retries) is in ``test_salesforce_e2e_*.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from salesforce_driver import SalesforceDriver

from sla_bridge.testing.conformance import *  # noqa: F403
from sla_bridge.testing.conformance import HelpdeskDriver


@pytest.fixture
def helpdesk_driver(tmp_path: Path) -> Iterator[HelpdeskDriver]:
    """The Salesforce driver, its world in the test's folder."""
    driver = SalesforceDriver(tmp_path / "salesforce-world", out=sys.stdout)
    yield driver
    driver.close(wait=False)
