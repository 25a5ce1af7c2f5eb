"""A Case read into the neutral ticket: through the real simple-salesforce over HTTPS, in one
SOQL query, with the org's statuses, priorities, owner, comments and e-mails."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from salesforce_testing import REGISTERED_ADMIN, Org, PlatformFactory

from sla_bridge.platforms import VendorError
from sla_bridge.testing import VirtualClock
from sla_bridge.tickets import Status
from sla_bridge_salesforce.platform import SalesforcePlatform
from sla_bridge_salesforce.sandbox import Sandbox


def queries(sandbox: Sandbox) -> list[str]:
    return [parse_qs(e["query"]).get("q", [""])[0] for e in sandbox.request_log()
            if "/query" in e["path"]]


def test_a_case_is_the_neutral_ticket_read_in_one_query(
        sandbox: Sandbox, org: Org, platform: SalesforcePlatform, clock: VirtualClock) -> None:
    case = sandbox.open_case(org.customer["Id"], "Restore fails", "Every restore fails",
                             origin="Email", Priority="High", SLA_Product__c="Backup")
    clock.advance(timedelta(minutes=5))
    sandbox.comment(case["Id"], org.agent["Id"], "Looking at the logs", public=False)
    clock.advance(timedelta(minutes=5))
    sandbox.comment(case["Id"], org.agent["Id"], "Which version do you run?", public=True)
    clock.advance(timedelta(minutes=5))
    sandbox.customer_reply(case["Id"], "Version 7.2")
    platform.bridge_user_id()  # learnt once, as before any write
    platform.queues()
    platform.registered_admins(org.account["Id"])  # cached per Account
    sandbox.clear_request_log()
    ticket = platform.fetch_ticket(case["Id"])
    assert len(queries(sandbox)) == 1
    assert ticket.ref.ticket_id == case["Id"]
    assert ticket.number == case["CaseNumber"]
    assert ticket.display_id == case["CaseNumber"]  # how the bridge's texts name the case
    assert ticket.status == Status.NEW
    assert (ticket.subject, ticket.description) == ("Restore fails", "Every restore fails")
    assert ticket.channel == "email"
    assert ticket.customer_severity == "High"
    assert ticket.vendor_severity is None
    assert ticket.fields["priority"] == "urgent"  # the highest, as the bridge writes it
    assert (ticket.plan, ticket.location, ticket.product) == ("gold", "usa", "Backup")
    assert ticket.requester_id == org.customer["Id"]
    assert ticket.organization_id == org.account["Id"]
    assert [(c.author_role, c.public, c.body) for c in ticket.comments] == [
        ("customer", True, "Every restore fails"),
        ("agent", False, "Looking at the logs"),
        ("agent", True, "Which version do you run?"),
        ("customer", True, "Version 7.2")]
    assert ticket.comments[-1].author_id == "grace@gold.test"


@pytest.mark.parametrize(("status", "neutral"), [
    ("New", Status.NEW), ("Working", Status.OPEN), ("Escalated", Status.OPEN),
    ("Waiting on Customer", Status.PENDING), ("On Hold", Status.HOLD),
    ("Closed", Status.CLOSED), ("Resolved", Status.CLOSED)])
def test_the_status_is_closed_by_is_closed_and_named_otherwise(
        sandbox: Sandbox, org: Org, make_platform: PlatformFactory, status: str,
        neutral: Status) -> None:
    sandbox.add_case_status("Resolved", closed=True)
    platform = make_platform(status_map='{"On Hold": "hold"}')
    case = sandbox.open_case(org.customer["Id"], "Restore fails")
    sandbox.update_case(case["Id"], org.agent["Id"], Status=status)
    assert platform.fetch_ticket(case["Id"]).status == neutral


def test_the_owner_is_the_assignee_or_the_queue_is_the_group(
        sandbox: Sandbox, org: Org, platform: SalesforcePlatform) -> None:
    case = sandbox.open_case(org.customer["Id"], "Restore fails")
    sandbox.update_case(case["Id"], org.agent["Id"], OwnerId=org.agent["Id"])
    owned = platform.fetch_ticket(case["Id"])
    assert (owned.assignee_id, owned.group) == (org.agent["Id"], None)
    sandbox.update_case(case["Id"], org.agent["Id"], OwnerId=org.tier2["Id"])
    queued = platform.fetch_ticket(case["Id"])
    assert (queued.assignee_id, queued.group) == (None, "Tier 2")  # its label, as policies say
    tier3 = sandbox.add_queue("Tier 3", "Tier3")  # made after the queues were cached
    sandbox.update_case(case["Id"], org.agent["Id"], OwnerId=tier3["Id"])
    assert platform.fetch_ticket(case["Id"]).group == "Tier 3"


def test_the_bridges_own_comments_and_a_follow_ups_parent_are_recognised(
        sandbox: Sandbox, org: Org, platform: SalesforcePlatform) -> None:
    parent = sandbox.open_case(org.customer["Id"], "Restore fails")
    child = sandbox.open_case(org.customer["Id"], "Again", ParentId=parent["Id"])
    sandbox.comment(child["Id"], sandbox.bridge_user_id, "Noted", public=True)
    ticket = platform.fetch_ticket(child["Id"])
    assert ticket.follow_up_of == parent["Id"]
    assert [c.author_role for c in ticket.comments] == ["bridge"]


def test_plan_and_location_can_come_from_case_fields_first(
        sandbox: Sandbox, org: Org, make_platform: PlatformFactory) -> None:
    sandbox.add_field("Case", "Plan__c")
    platform = make_platform(fields__plan="case:Plan__c, account:SLA_Support_Plan__c")
    own = sandbox.open_case(org.customer["Id"], "Restore fails", Plan__c="silver")
    inherited = sandbox.open_case(org.customer["Id"], "Restore fails")
    assert platform.fetch_ticket(own["Id"]).plan == "silver"
    assert platform.fetch_ticket(inherited["Id"]).plan == "gold"


def test_a_case_that_is_gone_or_not_a_case_id_is_a_404(
        sandbox: Sandbox, org: Org, platform: SalesforcePlatform) -> None:
    for ticket_id in ("5005g00000AbCdEAAV", "42", "0015g00000AbCdEAAV"):
        with pytest.raises(VendorError) as failed:
            platform.fetch_ticket(ticket_id)
        assert (failed.value.status, failed.value.retryable) == (404, False)


def contact_queries(sandbox: Sandbox) -> list[str]:
    return [q for q in queries(sandbox) if " FROM Contact " in q]


def test_registered_admins_are_the_accounts_ticked_contacts_in_registration_order(
        sandbox: Sandbox, org: Org, platform: SalesforcePlatform, clock: VirtualClock) -> None:
    clock.advance(timedelta(days=1))
    sandbox.add_contact("Carl Colleague", "carl@gold.test", org.account["Id"])
    clock.advance(timedelta(days=1))
    later = sandbox.add_contact("Hal Helper", "hal@gold.test", org.account["Id"],
                                **{REGISTERED_ADMIN: True})
    other = sandbox.add_account("Globex", SLA_Support_Plan__c="silver")
    sandbox.add_contact("Gil Globex", "gil@globex.test", other["Id"], **{REGISTERED_ADMIN: True})
    case = sandbox.open_case(org.customer["Id"], "Restore fails")
    ticket = platform.fetch_ticket(case["Id"])
    assert ticket.registered_admins == (org.customer["Id"], later["Id"])
    assert ticket.requester_id == ticket.registered_admins[0]


def test_the_admins_are_read_once_per_account_until_the_lookup_ttl_runs_out(
        sandbox: Sandbox, org: Org, make_platform: PlatformFactory,
        clock: VirtualClock) -> None:
    platform = make_platform(lookup_ttl_seconds="600")
    colleague = sandbox.add_contact("Carl Colleague", "carl@gold.test", org.account["Id"])
    first = sandbox.open_case(org.customer["Id"], "Restore fails")
    second = sandbox.open_case(colleague["Id"], "Restore slow")
    sandbox.clear_request_log()
    assert platform.fetch_ticket(first["Id"]).registered_admins == (org.customer["Id"],)
    assert platform.fetch_ticket(second["Id"]).registered_admins == (org.customer["Id"],)
    assert len(contact_queries(sandbox)) == 1
    sandbox.client().Contact.update(colleague["Id"], {REGISTERED_ADMIN: True})
    # VirtualClock.set moves its monotonic timer (the cache's) too; advance does not.
    clock.set(clock.now() + timedelta(minutes=9))
    assert platform.fetch_ticket(second["Id"]).registered_admins == (org.customer["Id"],)
    clock.set(clock.now() + timedelta(minutes=2))
    assert platform.fetch_ticket(second["Id"]).registered_admins == (org.customer["Id"],
                                                                     colleague["Id"])


def test_without_an_account_or_the_admin_field_the_admins_are_unknown(
        sandbox: Sandbox, org: Org, make_platform: PlatformFactory) -> None:
    loner = sandbox.add_contact("Lou Loner", "lou@nowhere.test")
    case = sandbox.open_case(loner["Id"], "Restore fails")
    sandbox.clear_request_log()
    assert make_platform().fetch_ticket(case["Id"]).registered_admins is None
    at_gold = sandbox.open_case(org.customer["Id"], "Restore fails")
    assert make_platform(registered_admin_field="").fetch_ticket(
        at_gold["Id"]).registered_admins is None
    assert contact_queries(sandbox) == []


def test_a_missing_admin_checkbox_is_warned_once_and_the_cases_are_still_read(
        sandbox: Sandbox, org: Org, make_platform: PlatformFactory,
        caplog: pytest.LogCaptureFixture) -> None:
    platform = make_platform(registered_admin_field="Support_Admin__c")
    first = sandbox.open_case(org.customer["Id"], "Restore fails")
    other = sandbox.add_account("Globex", SLA_Support_Plan__c="silver")
    gil = sandbox.add_contact("Gil Globex", "gil@globex.test", other["Id"])
    second = sandbox.open_case(gil["Id"], "Restore slow")
    with caplog.at_level("WARNING", logger="sla_bridge_salesforce"):
        assert platform.fetch_ticket(first["Id"]).registered_admins is None
        assert platform.fetch_ticket(second["Id"]).subject == "Restore slow"
    [warning] = [r.getMessage() for r in caplog.records if "Support_Admin__c" in r.getMessage()]
    assert "Contact.Support_Admin__c does not exist" in warning
    assert "SLA_BRIDGE_SALESFORCE__REGISTERED_ADMIN_FIELD" in warning
