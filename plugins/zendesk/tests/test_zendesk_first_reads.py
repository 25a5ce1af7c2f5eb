"""The first read of a ticket from its audits alone, through the real zenpy against the
sandbox: a new ticket's first reconcile is one request, two when it writes; the first read
of the process and every N-th after it are checked against the ticket, and a check that
finds a property the audits left out turns such reads off with a warning; where the audits
cannot tell the ticket, the first read is a full one."""

from __future__ import annotations

import logging

import pytest
from test_zendesk_audit_reads import requests
from test_zendesk_e2e_lifecycle import BACKUPS
from zendesk_driver import ZendeskDriver
from zendesk_testing import Account, ref, settings_for
from zenpy.lib.api_objects import Ticket as ZenpyTicket  # type: ignore[import-untyped,unused-ignore]

from sla_bridge.actions import AddComment, SetFields
from sla_bridge.clock import SystemClock
from sla_bridge.testing.conformance import at, initech_scene
from sla_bridge.tickets import Status
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.sandbox import Sandbox


def bridge(sandbox: Sandbox, check_every: int = 20) -> ZendeskPlatform:
    """A platform as a fresh process has it, its first check of a first read already made
    (on a ticket of its own), so that the next ``check_every - 1`` are not checked."""
    platform = ZendeskPlatform(settings_for(sandbox, first_read_check_every=check_every),
                               SystemClock())
    platform.reads.until_check = check_every - 1
    return platform


def in_full(platform: ZendeskPlatform) -> ZendeskPlatform:
    """A platform that reads the ticket in full (audits and ticket), for comparison."""
    full = ZendeskPlatform(platform.settings, platform.clock)
    full.reads.folding = False
    return full


def test_a_new_tickets_first_writing_reconcile_is_its_audits_and_one_update(
        sandbox: Sandbox, account: Account) -> None:
    platform = bridge(sandbox)
    ticket = sandbox.open_ticket(account.customer["id"], "Restore fails", "Since Monday.",
                                 priority="high", tags=["product_backup"])
    at = ref(ticket)
    sandbox.clear_request_log()
    seen = platform.fetch_ticket(at.ticket_id)
    read = requests(sandbox)
    assert seen == in_full(platform).fetch_ticket(at.ticket_id)
    sandbox.clear_request_log()
    platform.apply_batch([
        SetFields(ref=at, key="due", fields={"sla_first_response_due": "2026-12-02T10:00:00Z"}),
        AddComment(ref=at, key="ack", body="We are on it.", public=True)])
    assert read + requests(sandbox) == [
        ("GET", f"/api/v2/tickets/{at.ticket_id}/audits", 200),
        ("PUT", f"/api/v2/tickets/{at.ticket_id}", 200)]
    assert seen.status is Status.NEW
    assert seen.plan == "gold"  # the organization from its Create event
    assert seen.customer_severity == "high"
    after = sandbox.ticket(ticket["id"])
    due = account.fields["SLA first response due"]
    assert {f["id"]: f["value"] for f in after["custom_fields"]}[due] == "2026-12-02T10:00:00Z"
    assert [c["body"] for c in sandbox.state.record(ticket["id"]).comments][-1] == (
        "We are on it.")


def test_a_new_tickets_first_reconcile_that_writes_nothing_is_one_request(
        sandbox: Sandbox, account: Account) -> None:
    platform = bridge(sandbox)
    ticket = sandbox.open_ticket(account.customer["id"], "Question", "How do I restore?")
    sandbox.clear_request_log()
    platform.fetch_ticket(str(ticket["id"]))
    assert requests(sandbox) == [("GET", f"/api/v2/tickets/{ticket['id']}/audits", 200)]


def test_a_first_read_is_the_ticket_as_zendesk_shows_it(
        sandbox: Sandbox, account: Account) -> None:
    """A ticket an agent creates through the API with everything set (an assignee and a
    group, a brand and a form, a checkbox left unchecked, a number, tags), then changed: its
    first read from the audits is the ticket read in full, property by property."""
    vip = sandbox.add_ticket_field("VIP", "checkbox")["id"]
    count = sandbox.add_ticket_field("Affected devices", "integer")["id"]
    platform = bridge(sandbox)
    created = platform.client.zenpy.tickets.create(ZenpyTicket(
        subject="Outage", comment={"body": "Nothing restores.", "public": False},
        requester_id=account.customer["id"], assignee_id=account.agent["id"],
        group_id=account.support["id"], priority="urgent", type="incident", brand_id=77,
        ticket_form_id=88, tags=["product_backup", "version_11"],
        custom_fields=[{"id": count, "value": 40},
                       {"id": account.fields["SLA escalation reason"], "value": "Outage"}]))
    number = int(created.ticket.id)
    sandbox.agent_update(number, account.agent["id"], status="pending",
                         custom_fields=[{"id": vip, "value": True}])
    sandbox.clear_request_log()
    seen = platform.fetch_ticket(str(number))
    assert requests(sandbox) == [("GET", f"/api/v2/tickets/{number}/audits", 200)]
    assert seen == in_full(platform).fetch_ticket(str(number))
    assert (seen.brand, seen.form, seen.status) == ("77", "88", Status.PENDING)
    checked = ZendeskPlatform(platform.settings, platform.clock)
    checked.reads.check_every = 1
    checked.reads.read(number)
    assert checked.reads.first_reads  # the raw ticket, compared field by field


def test_the_first_first_read_and_every_nth_are_checked_against_the_ticket(
        sandbox: Sandbox, account: Account) -> None:
    platform = ZendeskPlatform(settings_for(sandbox, first_read_check_every=2), SystemClock())
    tickets = [sandbox.open_ticket(account.customer["id"], f"Ticket {n}", "Body.")["id"]
               for n in range(3)]
    shapes = []
    for number in tickets:
        sandbox.clear_request_log()
        platform.fetch_ticket(str(number))
        shapes.append([path.rsplit("/", 1)[-1] for _, path, _ in requests(sandbox)])
    assert shapes == [["audits", str(tickets[0])], ["audits"], ["audits", str(tickets[2])]]
    assert platform.reads.first_reads


def test_a_check_that_finds_a_property_the_audits_left_out_stops_first_reads(
        sandbox: Sandbox, account: Account, caplog: pytest.LogCaptureFixture) -> None:
    """Zendesk does not document which properties get a Create event: here a sandbox that
    writes none for the priority. The check reads the ticket, the mapping gets the ticket
    as Zendesk shows it, a warning names the ticket and the field, and the first read of
    every other ticket is a full one (later reads still fold)."""
    platform = ZendeskPlatform(settings_for(sandbox), SystemClock())
    sandbox.omit_create_events("priority")
    ticket = sandbox.open_ticket(account.customer["id"], "Down", "Everything is down.",
                                 priority="urgent")
    with caplog.at_level(logging.WARNING, logger="sla_bridge_zendesk"):
        seen = platform.fetch_ticket(str(ticket["id"]))
    assert seen.fields["priority"] == "urgent"
    [warning] = [r.getMessage() for r in caplog.records if "built from its audits" in
                 r.getMessage()]
    assert f"ticket {ticket['id']} " in warning
    assert "priority" in warning
    other = sandbox.open_ticket(account.customer["id"], "Slow", "Restores are slow.")
    sandbox.clear_request_log()
    platform.fetch_ticket(str(other["id"]))
    assert [r[:2] for r in requests(sandbox)] == [
        ("GET", f"/api/v2/tickets/{other['id']}/audits"),
        ("GET", f"/api/v2/tickets/{other['id']}")]
    sandbox.clear_request_log()
    platform.fetch_ticket(str(other["id"]))
    assert [r[:2] for r in requests(sandbox)] == [
        ("GET", f"/api/v2/tickets/{other['id']}/audits")]


@pytest.mark.parametrize("left_out", ["status", "requester_id", "organization_id"])
def test_a_first_read_the_audits_cannot_tell_is_a_full_one(
        sandbox: Sandbox, account: Account, left_out: str,
        caplog: pytest.LogCaptureFixture) -> None:
    """Every ticket has a status and a requester, and a requester's organization may be set
    by Zendesk itself: with no Create event for them the ticket is read in full (and no
    check is spent, nor a warning logged)."""
    platform = bridge(sandbox)
    sandbox.omit_create_events(left_out)
    ticket = sandbox.open_ticket(account.customer["id"], "Down", "Everything is down.")
    sandbox.clear_request_log()
    with caplog.at_level(logging.WARNING, logger="sla_bridge_zendesk"):
        seen = platform.fetch_ticket(str(ticket["id"]))
    assert [r[:2] for r in requests(sandbox)] == [
        ("GET", f"/api/v2/tickets/{ticket['id']}/audits"),
        ("GET", f"/api/v2/tickets/{ticket['id']}")]
    assert seen.plan == "gold"
    assert seen.requester_id == str(account.customer["id"])
    assert platform.reads.until_check == 19
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_requester_without_an_organization_has_a_ticket_without_one(
        sandbox: Sandbox, account: Account) -> None:
    loner = sandbox.add_user("Lee Loner", "lee@nowhere.test")
    platform = bridge(sandbox)
    ticket = sandbox.open_ticket(loner["id"], "Hello", "Who supports me?")
    sandbox.clear_request_log()
    seen = platform.fetch_ticket(str(ticket["id"]))
    assert requests(sandbox) == [("GET", f"/api/v2/tickets/{ticket['id']}/audits", 200)]
    assert seen.organization_id is None
    assert seen == in_full(platform).fetch_ticket(str(ticket["id"]))


def test_a_write_on_a_first_read_that_missed_a_change_reads_the_ticket_and_keeps_it(
        sandbox: Sandbox, account: Account) -> None:
    """A change with no audit before the first read: the fold's stamp is outdated, Zendesk
    answers 409, and the plugin writes again on the ticket as Zendesk shows it."""
    platform = bridge(sandbox)
    ticket = sandbox.open_ticket(account.customer["id"], "Down", "Everything is down.",
                                 tags=["product_backup"])
    sandbox.change_unaudited(ticket["id"], tags=["product_backup", "system_tag"])
    at = ref(ticket)
    sandbox.clear_request_log()
    platform.fetch_ticket(at.ticket_id)
    platform.apply_batch([SetFields(ref=at, key="product", fields={"product": "backup"}),
                          AddComment(ref=at, key="ack", body="On it.", public=False)])
    assert requests(sandbox) == [("GET", f"/api/v2/tickets/{at.ticket_id}/audits", 200),
                                 ("PUT", f"/api/v2/tickets/{at.ticket_id}", 409),
                                 ("GET", f"/api/v2/tickets/{at.ticket_id}", 200),
                                 ("PUT", f"/api/v2/tickets/{at.ticket_id}", 200)]
    assert "system_tag" in sandbox.ticket(ticket["id"])["tags"]


def test_end_to_end_a_new_tickets_first_reconcile_is_its_audits_and_one_update(
        zendesk: ZendeskDriver) -> None:
    """The real bridge on a customer's new ticket, the process's first check already spent
    on another ticket: the reconcile that gives it its first-response due time reads the
    ticket's audits and writes one update, nothing else on the ticket."""
    zendesk.begin(initech_scene("crashplan-standard-2013", "standard"))
    zendesk.open_ticket("Ivy", "Restores slow", BACKUPS, severity="3", at=at("2026-11-30 09:00"))
    zendesk.sandbox.clear_request_log()
    ticket = zendesk.open_ticket("Ivy", "Backups stopped", BACKUPS, severity="3",
                                 at=at("2026-11-30 09:30"))
    mine = (f"/api/v2/tickets/{ticket}", f"/api/v2/tickets/{ticket}/audits")
    calls = [(r["method"], r["path"].split("?")[0].removesuffix(".json"))
             for r in zendesk.sandbox.request_log()
             if r["path"].split("?")[0].removesuffix(".json") in mine]
    # Up to the next read, if any (the echo of that update is known without one).
    reads = [i for i, call in enumerate(calls) if call == ("GET", mine[1])]
    second_read = reads[1] if len(reads) > 1 else len(calls)
    assert calls[:second_read] == [("GET", mine[1]), ("PUT", mine[0])]
    assert "first_response" in zendesk.view(ticket).due
