"""End to end, what only Zendesk does in a ticket's life: it closes only solved tickets (the
bridge solves a pending ticket before closing it), and it opens a follow-up itself when the
requester answers a closed ticket by e-mail, without the priority (the bridge carries the
severity). The stories are the conformance suite's (``test_zendesk_conformance.py``).
"""

from __future__ import annotations

from typing import Any

from zendesk_driver import ZendeskDriver
from zendesk_e2e import seen

from sla_bridge.testing.conformance import BRIDGE, AgentUpdate, at, code42_scene, initech_scene

BACKUPS = ("CrashPlan 11.2 on macOS 14 stopped backing up. Computer ID 123456789012345678, "
           "user ivy@initech.test, logs attached, screenshot attached, destination CrashPlan "
           "Central. It stalls at 42% every night.")


def test_a_pending_ticket_is_solved_then_closed_as_zendesk_closes_only_solved_tickets(
        zendesk: ZendeskDriver) -> None:
    zendesk.begin(initech_scene("crashplan-standard-2013", "standard"))
    ticket = zendesk.open_ticket("Ivy", "Backups stopped", BACKUPS, severity="3",
                                 at=at("2026-11-30 09:00"))
    zendesk.agent_update(ticket, "Avery", AgentUpdate(comment="Can you send the logs?",
                                                      status="pending"),
                         at=at("2026-11-30 10:00"))
    zendesk.advance(at("2026-12-09 12:00"))
    # Pending Mon 30 Nov 10:00 + 7 calendar days = Mon 7 Dec 10:00.
    assert [(c.at, c.value) for c in zendesk.view(ticket).status_changes(by=BRIDGE)] == [
        (at("2026-12-07 10:00"), "solved"), (at("2026-12-07 10:00"), "closed")]


CLOSED_NOTICE = ("This ticket has been closed automatically. If you need more help, reply to "
                 "this message and we will open a follow-up ticket.")


def status_audits(zendesk: ZendeskDriver, ticket: str, status: str) -> list[dict[str, Any]]:
    """The ticket's audits that set ``status``."""
    return [a for a in zendesk.sandbox.audits(int(ticket)) if any(
        e["type"] == "Change" and e.get("field_name") == "status" and e["value"] == status
        for e in a["events"])]


def test_the_bridge_closes_a_solved_ticket_with_its_notice_in_the_same_update(
        zendesk: ZendeskDriver) -> None:
    """standard-2013 closes solved tickets after 2 calendar days, sooner than Zendesk's own
    automation (4 days by default): the bridge closes the ticket itself, and the closing
    notice is a comment of the update that closes it (after that Zendesk takes no write)."""
    zendesk.begin(initech_scene("crashplan-standard-2013", "standard"))
    ticket = zendesk.open_ticket("Ivy", "Backups stopped", BACKUPS, severity="3",
                                 at=at("2026-11-30 09:00"))
    zendesk.agent_update(ticket, "Avery", AgentUpdate(comment="Fixed.", status="solved"),
                         at=at("2026-11-30 10:00"))
    zendesk.advance(at("2026-12-03 12:00"))
    assert [(c.at, c.value) for c in zendesk.view(ticket).status_changes(by=BRIDGE)] == [
        (at("2026-12-02 10:00"), "closed")]
    [closing] = status_audits(zendesk, ticket, "closed")
    assert [(e["body"], e["public"]) for e in closing["events"] if e["type"] == "Comment"] == [
        (CLOSED_NOTICE, True)]
    assert zendesk.close_solved(at=at("2026-12-04 10:00")) == []  # nothing left to close


def test_a_ticket_zendesk_closed_first_gets_no_closing_notice(zendesk: ZendeskDriver) -> None:
    """An account whose automation closes solved tickets sooner than the policy does: the
    closed ticket takes no comment, so the notice is not tried (the README says to set the
    automation later than the policy's ``solved_to_closed_after``)."""
    zendesk.begin(initech_scene("crashplan-standard-2013", "standard"))
    ticket = zendesk.open_ticket("Ivy", "Backups stopped", BACKUPS, severity="3",
                                 at=at("2026-11-30 09:00"))
    zendesk.agent_update(ticket, "Avery", AgentUpdate(comment="Fixed.", status="solved"),
                         at=at("2026-11-30 10:00"))
    assert zendesk.close_solved(at=at("2026-12-01 10:00")) == [ticket]
    zendesk.advance(at("2026-12-03 12:00"))
    view = zendesk.view(ticket)
    assert view.status == "closed"
    assert view.by_bridge(public=True) == []
    decisions = zendesk.decisions(ticket)
    assert "lifecycle.closed_notice" in [d.kind for d in decisions]
    untried = [d.details["detail"] for d in decisions if d.kind == "action.closed"]
    assert untried
    assert all("not tried" in detail for detail in untried)


def test_zendesk_opens_the_follow_up_itself_without_the_priority(
        zendesk: ZendeskDriver) -> None:
    zendesk.begin(code42_scene())
    original = zendesk.open_ticket("Dana", "Restores fail", "Restores fail from many devices "
                                   "since the upgrade. Product: Code42 app 11.2 on Windows 11. "
                                   "GUID 987654321098765432, user dana@acme.test, logs "
                                   "attached, screenshot attached, cloud destination: Code42 "
                                   "cloud.", severity="2", at=at("2026-11-30 09:00"))
    zendesk.agent_update(original, "Avery", AgentUpdate(comment="Fixed by 11.2.1.",
                                                        status="solved"),
                         at=at("2026-11-30 09:30"))
    zendesk.close_solved(at=at("2026-12-04 10:00"))
    zendesk.customer_reply(original, "It fails again.", at=at("2026-12-07 09:00"))
    [follow_up] = zendesk.follow_ups(original)
    view = seen(zendesk.sandbox, int(follow_up))
    assert view.follow_up_of == int(original)
    assert view.priority is None  # Zendesk does not copy it; the bridge carries Severity 2
    assert view.fields["SLA first response due"] == "2026-12-07T13:00:00-06:00"
    # The reply went to the follow-up: the closed ticket ends with the agent's answer.
    assert [c.body for c in seen(zendesk.sandbox, int(original)).comments][-1] == (
        "Fixed by 11.2.1.")
