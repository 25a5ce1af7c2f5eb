"""The escalation approval: the customer asks, the bridge asks once for what is missing,
requests the managers' approval, and acts on their decision; without a decision within the
policy's time it reminds the managers once. A request recorded by an agent (the request tag
and the reason field) is one round however often the ticket echoes.

code42-enterprise: required ticket, reason and severity; managers "Customer Champion
managers"; approved tickets go to "Senior Customer Champions"; decision within 4 business
hours.
"""

from __future__ import annotations

import pytest

from ._cast import ANSWERED, MANAGERS, SENIORS, at, code42_scene, local
from ._driver import FOLLOW_UPS, AgentUpdate, HelpdeskDriver

REASON = ("Restores from many devices have failed for five days and our audit is on "
          "Wednesday. We expect severity 1.")
APPROVED = ("A support manager has approved your escalation request and set the ticket to "
            "severity 1; Senior Customer Champions will take it from here.")


def answered_severity_2(desk: HelpdeskDriver) -> str:
    """Acme's Gold Severity 2, opened Mon 30 Nov 09:00 and answered at 09:30 by Avery, who
    takes it (Avery is not a Senior Customer Champion: an approved escalation cannot keep
    Avery as the assignee where the helpdesk keeps memberships)."""
    ticket = desk.open_ticket("Dana", "Restores fail", ANSWERED, severity="2",
                              at=at("2026-11-30 09:00"))
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="We are on it.", assignee="Avery"),
                      at=at("2026-11-30 09:30"))
    return ticket


def approved_by_phone(desk: HelpdeskDriver, ticket: str) -> None:
    """Dana phones at 10:00: Avery records the request as the tag and the reason field;
    Morgan approves it with the severity at 11:00."""
    desk.agent_update(ticket, "Avery", AgentUpdate(
        comment="Dana called: please escalate.", public=False,
        add_tags=("sla_escalation_requested",), fields={"escalation_reason": REASON}),
        at=at("2026-11-30 10:00"))
    desk.approve_escalation(ticket, "Morgan", with_severity=True, at=at("2026-11-30 11:00"))


def request_summary(desk: HelpdeskDriver, ticket: str, reason: str) -> str:
    """What the managers are asked to decide, and how to answer on ``desk``'s platform."""
    return (f"Escalation requested by the customer on ticket {desk.ticket_name(ticket)}. "
            f"Reason: {reason}. "
            f"Expected severity: 1 (now 2). Contact: the requester. {desk.how_to_decide}")


def test_missing_parts_are_asked_once_then_approved_with_the_severity(
        helpdesk_driver: HelpdeskDriver) -> None:
    """Asked once for the reason and severity; approved with the severity: re-assigned."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    ticket = answered_severity_2(desk)
    desk.customer_reply(ticket, "Please escalate this ticket.", at=at("2026-11-30 10:00"))
    view = desk.view(ticket)
    [ask] = view.by_bridge(public=True)
    assert (local(ask.at, "%H:%M"), ask.body) == (
        "10:00", "Thank you for asking us to escalate this ticket. So that a manager can "
                 "review it, please reply with the reason for the escalation, the severity you "
                 "expect.")
    assert not view.awaiting_approval
    desk.customer_reply(ticket, REASON, at=at("2026-11-30 10:30"))
    view = desk.view(ticket)
    assert [(local(a.at, "%H:%M"), a.group, a.summary) for a in view.approvals] == [
        ("10:30", MANAGERS, request_summary(desk, ticket, REASON.rstrip(".")))]
    assert view.awaiting_approval
    assert (view.group, view.severity) == (None, "2")

    desk.approve_escalation(ticket, "Morgan", with_severity=True, at=at("2026-11-30 11:00"))
    desk.advance(at("2026-12-01 12:00"))  # past the reminder time (10:30 + 4 h = 14:30)

    view = desk.view(ticket)
    assert (view.group, view.severity) == (SENIORS, "1")
    assert not view.awaiting_approval  # decided: no longer awaiting approval
    assert [(local(c.at, "%H:%M"), c.body) for c in view.by_bridge(public=True)] == [
        ("10:00", ask.body), ("11:00", APPROVED)]
    assert view.starting("Reminder:") == []  # decided in time
    assert set(view.keys().values()) == {1}
    assert [d.kind for d in desk.decisions(ticket) if d.kind.startswith("escalation")] == [
        "escalation.incomplete", "escalation.requested", "escalation.approved"]


def test_a_late_decision_is_reminded_once_then_declined_with_the_managers_reason(
        helpdesk_driver: HelpdeskDriver) -> None:
    """Everything in one comment: the approval is asked at once; reminded after 4 business
    hours; declined with a reason the customer is told."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    ticket = answered_severity_2(desk)
    desk.customer_reply(ticket, "Please escalate: " + REASON, at=at("2026-11-30 10:00"))
    desk.advance(at("2026-12-01 08:30"))
    view = desk.view(ticket)
    assert view.by_bridge(public=True) == []
    # 4 business hours after 10:00 on Monday: 14:00.
    assert [(local(c.at), c.body) for c in view.starting("Reminder:")] == [
        ("Mon 14:00", f"Reminder: the escalation request on this ticket has waited 4 business "
                      f"hours for a decision by {MANAGERS}.")]

    why = ("Only devices on the retired 10.x client fail; upgrading them fixes it, so the "
           "severity stays 2.")
    desk.decline_escalation(ticket, "Morgan", reason=why, at=at("2026-12-01 09:00"))
    desk.advance(at("2026-12-02 12:00"))
    view = desk.view(ticket)
    assert [(local(c.at), c.body) for c in view.by_bridge(public=True)] == [
        ("Tue 09:00", "A support manager has reviewed your escalation request and decided not "
                      f"to escalate this ticket at this time. {why}")]
    assert (view.group, view.severity) == (None, "2")  # not re-assigned, severity kept
    assert not view.awaiting_approval
    assert len(view.starting("Reminder:")) == 1
    assert set(view.keys().values()) == {1}


def test_a_request_recorded_by_tag_and_field_is_one_round_however_often_the_ticket_echoes(
        helpdesk_driver: HelpdeskDriver) -> None:
    """Dana phones; Avery records the request as the tag and the reason field. They stay on
    the ticket after the decision: they must not start another round on each webhook the
    bridge's own writes echo back."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    ticket = answered_severity_2(desk)
    approved_by_phone(desk, ticket)
    desk.customer_reply(ticket, "Thank you, talk soon.", at=at("2026-11-30 12:00"))
    desk.advance(at("2026-12-01 12:00"))
    view = desk.view(ticket)
    assert len(view.approvals) == 1
    assert [c.body for c in view.by_bridge(public=True)] == [APPROVED]
    assert set(view.keys().values()) == {1}
    assert [d.kind for d in desk.decisions(ticket) if d.kind.startswith("escalation")] == [
        "escalation.requested", "escalation.approved"]


def test_a_follow_up_of_an_escalated_ticket_replays_no_escalation(
        helpdesk_driver: HelpdeskDriver) -> None:
    """The escalation is approved, the ticket solved and closed; the customer's reply opens a
    follow-up that copies the closed ticket's tags and fields (Zendesk's do): the bridge
    neither asks the managers again nor tells the customer of an escalation."""
    desk = helpdesk_driver
    if FOLLOW_UPS not in desk.features:
        pytest.skip(f"{desk.platform} has no follow-up tickets")
    desk.begin(code42_scene())
    ticket = answered_severity_2(desk)
    approved_by_phone(desk, ticket)
    desk.agent_update(ticket, "Blake", AgentUpdate(comment="Fixed by 11.2.1.", status="solved",
                                                   assignee="Blake"),
                      at=at("2026-11-30 15:00"))
    assert desk.close_solved(at=at("2026-12-04 10:00")) == [ticket]
    desk.customer_reply(ticket, "It fails again.", at=at("2026-12-07 09:00"))
    desk.advance(at("2026-12-08 12:00"))
    [follow_up] = desk.follow_ups(ticket)
    view = desk.view(follow_up)
    assert view.approvals == ()
    assert not view.awaiting_approval
    assert view.by_bridge(public=True) == []
    assert [d.kind for d in desk.decisions(follow_up) if d.kind.startswith("escalation")] == []


__all__ = [
    "test_a_follow_up_of_an_escalated_ticket_replays_no_escalation",
    "test_a_late_decision_is_reminded_once_then_declined_with_the_managers_reason",
    "test_a_request_recorded_by_tag_and_field_is_one_round_however_often_the_ticket_echoes",
    "test_missing_parts_are_asked_once_then_approved_with_the_severity",
]
