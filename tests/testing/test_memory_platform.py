"""The memory platform: the testdesk plugin as the bridge calls it, and its helpdesk side."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from sla_bridge.actions import AddComment, CreateFollowUp, SetStatus
from sla_bridge.clock import FixedClock
from sla_bridge.platforms import TicketClosed, VendorError
from sla_bridge.testing import (
    InstalledTestdesk,
    MemoryHelpdesk,
    Testdesk,
    TestdeskSettings,
    new_ticket,
)
from sla_bridge.tickets import Status

MONDAY = datetime.fromisoformat("2026-11-30T09:00:00-06:00")


@pytest.fixture
def platform(testdesk: InstalledTestdesk) -> Testdesk:
    """The platform object, as the plugin registers it, sleeping nowhere."""
    waits: list[float] = []
    settings = TestdeskSettings(db=testdesk.db_path, secret=testdesk.secret)
    return Testdesk(settings, FixedClock(MONDAY), sleep=waits.append)


def test_a_one_off_action_that_landed_before_the_connection_dropped_lands_once(
        testdesk: InstalledTestdesk, platform: Testdesk) -> None:
    ticket = new_ticket("1", MONDAY)
    testdesk.db.put_ticket(ticket)
    testdesk.db.inject("drop_after", 1, op="apply")
    note = AddComment(ref=ticket.ref, key="note", body="Looking into it.")
    with pytest.raises(VendorError) as dropped:
        platform.apply(note)
    assert dropped.value.retryable
    platform.apply(note)  # the bridge's retry
    assert [c.body for c in platform.fetch_ticket("1").comments] == ["Looking into it."]
    assert testdesk.db.faults_hit() == ["drop_after"]


def test_faults_answer_as_a_vendor_would(testdesk: InstalledTestdesk,
                                         platform: Testdesk) -> None:
    testdesk.db.put_ticket(new_ticket("1", MONDAY))
    testdesk.db.inject("status", 1, status=429, retry_after=3)
    testdesk.db.inject("timeout", 1, delay=0.5)
    testdesk.db.inject("drop_before", 1)
    with pytest.raises(VendorError) as limited:
        platform.fetch_ticket("1")
    assert (limited.value.status, limited.value.retry_after) == (429, 3)
    for _ in range(2):
        with pytest.raises(VendorError) as failed:
            platform.fetch_ticket("1")
        assert failed.value.retryable
    assert platform.fetch_ticket("1").ref.ticket_id == "1"
    assert testdesk.db.faults_hit() == ["429", "timeout", "drop_before"]


def test_a_closed_ticket_refuses_writes_but_gets_its_follow_up(
        testdesk: InstalledTestdesk, platform: Testdesk) -> None:
    closed = new_ticket("5", MONDAY, status=Status.CLOSED, tags=frozenset({"vip"}),
                        fields={"product": "backup"}, requester_id="u1")
    testdesk.db.put_ticket(closed)
    with pytest.raises(TicketClosed):
        platform.apply(SetStatus(ref=closed.ref, key="reopen", status=Status.OPEN))
    follow_up = CreateFollowUp(ref=closed.ref, key="follow_up:c9", subject="Again",
                               body="It broke again.", carry={"customer_severity": "2",
                                                              "follow_up_of": "5"})
    new_id = platform.apply(follow_up)
    assert platform.apply(follow_up) == new_id  # retried: the same ticket, not another
    opened = platform.fetch_ticket(str(new_id))
    assert (opened.follow_up_of, opened.customer_severity, opened.tags, opened.fields) == (
        "5", "2", frozenset({"vip"}), {"product": "backup"})
    assert [(c.author_role, c.body) for c in opened.comments] == [("customer",
                                                                   "It broke again.")]


def test_the_helpdesk_keeps_the_rules_every_helpdesk_shares(tmp_path: Path) -> None:
    clock = FixedClock(MONDAY)
    desk = MemoryHelpdesk(tmp_path / "desk.db", "secret", clock)
    org = desk.add_organization("Acme", "gold", "usa")
    dana = desk.add_customer("Dana", org.id)
    avery = desk.add_agent("Avery")
    ticket = desk.open_ticket(dana.id, "Restores fail", "Since Monday.", severity="2")
    assert (ticket.status, ticket.registered_admins, ticket.plan) == (Status.NEW, ("u1",),
                                                                      "gold")
    # An agent assigning a new ticket opens it; the requester answering re-opens it.
    assert desk.agent_update(ticket.ref.ticket_id, avery.id,
                             assignee_id=avery.id).status == Status.OPEN
    desk.agent_update(ticket.ref.ticket_id, avery.id, comment="Fixed.", status="solved")
    assert desk.customer_reply(ticket.ref.ticket_id, "Not fixed.").status == Status.OPEN
    desk.agent_update(ticket.ref.ticket_id, avery.id, status="solved")
    assert desk.close_solved() == [ticket.ref.ticket_id]
    with pytest.raises(ValueError, match="closed"):
        desk.agent_update(ticket.ref.ticket_id, avery.id, comment="Too late.")
    assert [(who, field, value) for _, who, field, value in
            desk.db.audits(ticket.ref.ticket_id)] == [
        ("u2", "status", "open"), ("u2", "assignee", "u2"), ("u2", "status", "solved"),
        ("u1", "status", "open"), ("u2", "status", "solved"),
        ("automation", "status", "closed")]
    # Every change is a webhook (none sent: the desk is not connected to a bridge).
    assert [d.event for d in desk.deliveries] == ["ticket.created", *["ticket.updated"] * 5]
