"""The conformance suite (sla_bridge.testing.conformance) on Jira Service Management: the
real bridge under uvicorn, the real ``jira`` client against the JSM sandbox over HTTP,
signed admin webhooks, a virtual clock.

What only JSM does (priorities and the changelog, native approvals, linked follow-ups) is in
``test_jira_e2e_*.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from jira_driver import JiraDriver

from sla_bridge.testing.conformance import *  # noqa: F403
from sla_bridge.testing.conformance import HelpdeskDriver


@pytest.fixture
def helpdesk_driver(tmp_path: Path, clean_environment: None) -> Iterator[HelpdeskDriver]:
    """The JSM driver, its world in the test's folder."""
    driver = JiraDriver(tmp_path / "jira-world", out=sys.stdout)
    yield driver
    driver.close(wait=False)
