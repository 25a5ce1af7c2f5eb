"""The conformance suite (sla_bridge.testing.conformance) on Zendesk: the real bridge under
uvicorn, real zenpy against the Zendesk sandbox over HTTP, signed webhooks, a virtual clock.

After every story, each ticket as the bridge reads it from its audits equals it read in full.
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
from sla_bridge_zendesk.loop import BridgeOnSandbox
from sla_bridge_zendesk.platform import ZendeskPlatform


@pytest.fixture
def helpdesk_driver(tmp_path: Path, clean_environment: None) -> Iterator[HelpdeskDriver]:
    """The Zendesk driver, its world in the test's folder."""
    driver = ZendeskDriver(tmp_path / "zendesk-world", out=sys.stdout)
    yield driver
    try:
        if driver.world is not None:
            assert_read_from_audits_as_in_full(driver.world)
    finally:
        driver.close(wait=False)


def assert_read_from_audits_as_in_full(world: BridgeOnSandbox) -> None:
    """After every story: each of its tickets, as the bridge reads it now (from the ticket
    it kept and the audits since: one request), and as a bridge that never saw it reads it
    first (from its audits alone: one request), is the ticket read with its audits and in
    full (two requests); no read of the story found the audits telling a ticket otherwise
    than Zendesk, and each first read checked against the ticket agreed with it."""
    bridge = world.runtime.platforms["zendesk"]
    assert isinstance(bridge, ZendeskPlatform)
    full = ZendeskPlatform(world.zendesk_settings, world.clock)
    full.reads.folding = False
    first = ZendeskPlatform(world.zendesk_settings, world.clock)
    first.reads.until_check = len(world.sandbox.state.tickets)  # none checked: all folded
    checked = ZendeskPlatform(world.zendesk_settings, world.clock)
    checked.reads.check_every = 1  # every first read also read in full and compared
    for number in sorted(world.sandbox.state.tickets):
        expected = full.fetch_ticket(str(number))
        assert bridge.fetch_ticket(str(number)) == expected, (
            f"ticket {number} read from its audits differs from the ticket itself")
        assert bridge.reads.read(number).folded, f"ticket {number} was not read from its audits"
        assert first.fetch_ticket(str(number)) == expected, (
            f"ticket {number} first read from its audits differs from the ticket itself")
        checked.reads.read(number)
    assert first.reads.until_check == 0, "a first read could not be made from the audits"
    assert bridge.reads.folding, "a read found the audits telling a ticket otherwise"
    assert checked.reads.first_reads, "a ticket built from its audits differs from the ticket"
    assert bridge.reads.first_reads, "a first read differed from the ticket in the story"
