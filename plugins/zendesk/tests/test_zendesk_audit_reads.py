"""A ticket read from its audits alone, through the real zenpy against the sandbox: one
request for a ticket read before, two for a reconcile that writes, the same ticket as a full
read gives, and never a write over a change the audits did not show."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from zendesk_testing import Account, ref

from sla_bridge.actions import ChangeTags, SetFields, SetStatus
from sla_bridge.tickets import Status
from sla_bridge_zendesk.audit_fold import fold_changes
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.sandbox import Sandbox


def requests(sandbox: Sandbox) -> list[tuple[str, str, int]]:
    """The API requests since the log was cleared: method, path shape, status."""
    return [(r["method"], r["path"].removesuffix(".json"), r["status"])
            for r in sandbox.request_log() if r["path"].startswith("/api/v2/tickets")]


def worked_ticket(sandbox: Sandbox, account: Account) -> dict[str, Any]:
    """A ticket with a history: created with a priority, tags and a field; then an agent
    changes its status, priority, group, assignee, tags and a field, and comments."""
    ticket = sandbox.open_ticket(account.customer["id"], "Restore fails", "Since Monday.",
                                 priority="high", tags=["product_backup"],
                                 custom_fields={account.fields["SLA escalation reason"]: "x"})
    sandbox.agent_update(ticket["id"], account.agent["id"], comment="Looking.", public=False,
                         status="pending", priority="urgent", group_id=account.support["id"],
                         assignee_id=None, tags=["product_backup", "vip"])
    sandbox.customer_reply(ticket["id"], "Still broken.")
    return ticket


def test_a_ticket_read_before_is_read_again_in_one_request_and_is_the_same_ticket(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = worked_ticket(sandbox, account)
    number = str(ticket["id"])
    sandbox.clear_request_log()
    first = platform.fetch_ticket(number)
    assert [r[:2] for r in requests(sandbox)] == [
        ("GET", f"/api/v2/tickets/{number}/audits"), ("GET", f"/api/v2/tickets/{number}")]
    sandbox.agent_update(ticket["id"], account.agent["id"], status="hold",
                         tags=["product_backup", "vip", "sla_breached"])
    sandbox.clear_request_log()
    again = platform.fetch_ticket(number)
    assert [r[:2] for r in requests(sandbox)] == [("GET", f"/api/v2/tickets/{number}/audits")]
    assert first.status is Status.OPEN
    assert again.status is Status.HOLD
    assert "sla_breached" in again.tags
    full = ZendeskPlatform(platform.settings, platform.clock)
    full.reads.folding = False
    assert again == full.fetch_ticket(number)


def test_a_reconcile_that_writes_is_two_requests(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = worked_ticket(sandbox, account)
    at = ref(ticket)
    platform.fetch_ticket(at.ticket_id)
    sandbox.clear_request_log()
    platform.fetch_ticket(at.ticket_id)
    platform.apply_batch([ChangeTags(ref=at, key="breach", add=("sla_breached",)),
                          SetStatus(ref=at, key="open", status=Status.OPEN)])
    assert requests(sandbox) == [("GET", f"/api/v2/tickets/{at.ticket_id}/audits", 200),
                                 ("PUT", f"/api/v2/tickets/{at.ticket_id}", 200)]
    after = sandbox.ticket(ticket["id"])
    assert after["status"] == "open"
    assert after["tags"] == ["product_backup", "sla_breached", "vip"]


def test_a_write_after_an_unaudited_change_reads_the_ticket_and_keeps_the_change(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    """The fold's ``updated_stamp`` (its last audit's time) is outdated: Zendesk answers
    409, and the plugin writes again on the ticket as Zendesk shows it."""
    ticket = worked_ticket(sandbox, account)
    at = ref(ticket)
    field = account.fields["SLA escalation reason"]
    platform.fetch_ticket(at.ticket_id)
    platform.fetch_ticket(at.ticket_id)  # from the audits
    sandbox.change_unaudited(ticket["id"], tags=["product_backup", "system_tag", "vip"])
    sandbox.clear_request_log()
    platform.apply_batch([ChangeTags(ref=at, key="breach", add=("sla_breached",)),
                          SetFields(ref=at, key="reason",
                                    fields={"escalation_reason": "Outage"})])
    assert requests(sandbox) == [("PUT", f"/api/v2/tickets/{at.ticket_id}", 409),
                                 ("GET", f"/api/v2/tickets/{at.ticket_id}", 200),
                                 ("PUT", f"/api/v2/tickets/{at.ticket_id}", 200)]
    after = sandbox.ticket(ticket["id"])
    assert after["tags"] == ["product_backup", "sla_breached", "system_tag", "vip"]
    assert {f["id"]: f["value"] for f in after["custom_fields"]}[field] == "Outage"
    # The ticket's next read is a full one again (its audits missed a change).
    sandbox.clear_request_log()
    platform.fetch_ticket(at.ticket_id)
    assert [r[:2] for r in requests(sandbox)][-1] == ("GET", f"/api/v2/tickets/{at.ticket_id}")


def test_audits_that_tell_a_ticket_otherwise_stop_the_folding_with_a_warning(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform,
        caplog: pytest.LogCaptureFixture) -> None:
    """A change no audit shows and that leaves ``updated_at`` as it was (a safe update could
    not catch it) is seen on the ticket's full read: the plugin never folds again."""
    ticket = worked_ticket(sandbox, account)
    sandbox.change_unaudited(ticket["id"], moves_updated_at=False, priority="low")
    with caplog.at_level(logging.WARNING, logger="sla_bridge_zendesk"):
        seen = platform.fetch_ticket(str(ticket["id"]))
    assert seen.fields["priority"] == "low"  # the full read is what the mapping got
    [warning] = [r.getMessage() for r in caplog.records if "audits of ticket" in r.getMessage()]
    assert f"ticket {ticket['id']}" in warning
    assert "priority" in warning
    other = worked_ticket(sandbox, account)
    platform.fetch_ticket(str(other["id"]))
    sandbox.clear_request_log()
    platform.fetch_ticket(str(other["id"]))
    assert [r[:2] for r in requests(sandbox)] == [
        ("GET", f"/api/v2/tickets/{other['id']}/audits"),
        ("GET", f"/api/v2/tickets/{other['id']}")]


def test_audit_strings_are_read_back_as_the_ticket_shows_its_fields(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    """"value and previous_value are normally strings. However, the attribute is an array
    when the value of field_name is tags" (Ticket Audit events reference): ids, numbers and
    checkboxes come back as the ticket shows them."""
    count = sandbox.add_ticket_field("Affected devices", "integer")["id"]
    vip = sandbox.add_ticket_field("VIP", "checkbox")["id"]
    ticket = worked_ticket(sandbox, account)
    platform.fetch_ticket(str(ticket["id"]))
    sandbox.agent_update(ticket["id"], account.agent["id"], assignee_id=account.agent["id"],
                         custom_fields=[{"id": count, "value": 12}, {"id": vip, "value": True}])
    [change] = sandbox.audits(ticket["id"])[-1:]
    values = {e["field_name"]: e["value"] for e in change["events"] if e["type"] == "Change"}
    assert values == {"assignee_id": str(account.agent["id"]), str(count): "12",
                      str(vip): "true"}
    folded = platform.reads.read(ticket["id"])
    assert folded.folded
    assert folded.ticket["assignee_id"] == account.agent["id"]
    assert {f["id"]: f["value"] for f in folded.ticket["custom_fields"]}[count] == 12
    assert {f["id"]: f["value"] for f in folded.ticket["custom_fields"]}[vip] is True
    full = ZendeskPlatform(platform.settings, platform.clock)
    full.reads.folding = False
    assert platform.fetch_ticket(str(ticket["id"])) == full.fetch_ticket(str(ticket["id"]))


def test_changes_are_read_as_the_audit_events_reference_shows_them() -> None:
    """The event shapes of the Ticket Audit events reference: strings (ids too), tags as
    arrays, an SLA target as an object; events of other types and fields the ticket does
    not have as properties change nothing."""
    base = {"id": 47, "status": "new", "priority": None, "group_id": None, "assignee_id": None,
            "tags": ["feedback"], "updated_at": "2026-11-30T09:00:00Z",
            "custom_fields": [{"id": 24806306, "value": None}]}
    audit = {"id": 2, "created_at": "2026-11-30T10:12:18Z", "events": [
        {"id": 1, "type": "Comment", "body": "Hello", "public": True, "author_id": 7},
        {"id": 2, "type": "Change", "field_name": "assignee_id", "value": "2450996566",
         "previous_value": None},
        {"id": 3, "type": "Change", "field_name": "group_id", "value": "20602642",
         "previous_value": None},
        {"id": 4, "type": "Change", "field_name": "status", "value": "solved",
         "previous_value": "new"},
        {"id": 5, "type": "Change", "field_name": "tags", "value": ["feedback", "tech"],
         "previous_value": ["feedback"]},
        {"id": 6, "type": "Change", "field_name": "24806306", "value": "technical_support",
         "previous_value": ""},
        {"id": 7, "type": "Change", "field_name": "satisfaction_score", "value": "offered",
         "previous_value": "unoffered"},
        {"id": 8, "type": "Create", "field_name": "first_reply_time",
         "value": {"minutes": 1440, "in_business_hours": False}},
        {"id": 9, "type": "Notification", "subject": "Updated", "body": "Ticket updated"}]}
    folded = fold_changes(base, [audit], lambda: {24806306: "tagger"})
    assert folded["assignee_id"] == 2450996566
    assert folded["group_id"] == 20602642
    assert folded["status"] == "solved"
    assert folded["tags"] == ["feedback", "tech"]
    assert folded["custom_fields"] == [{"id": 24806306, "value": "technical_support"}]
    assert folded["updated_at"] == "2026-11-30T10:12:18Z"
    assert "satisfaction_score" not in folded
    assert "first_reply_time" not in folded
    assert base["tags"] == ["feedback"]  # the kept ticket is not changed by a fold
