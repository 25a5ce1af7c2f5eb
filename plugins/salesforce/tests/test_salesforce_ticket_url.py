"""The link the dashboard and the admin API give for a Salesforce Case: its record page in
Lightning Experience, built from the instance URL without a call."""

from __future__ import annotations

from salesforce_testing import offline_settings

from sla_bridge.testing import VirtualClock
from sla_bridge_salesforce.platform import SalesforcePlatform

CASE = "500Ho00000AbCdEIAV"


def test_a_case_opens_on_its_lightning_record_page(clock: VirtualClock) -> None:
    platform = SalesforcePlatform(offline_settings(), clock)
    assert platform.ticket_url(CASE) == (
        f"https://acme.my.salesforce.com/lightning/r/Case/{CASE}/view")


def test_an_id_that_is_no_case_has_no_link(clock: VirtualClock) -> None:
    platform = SalesforcePlatform(offline_settings(), clock)
    assert platform.ticket_url("00001234") is None
