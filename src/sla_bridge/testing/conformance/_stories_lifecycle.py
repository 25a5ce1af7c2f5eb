"""A ticket's life after the answer: auto-solve and auto-close with the notices and the
survey, a customer reply that re-opens (and goes back to the original agent where the policy
says), and a reply to a closed ticket that becomes a follow-up.

crashplan-small-business: Solved -> Closed after 2 calendar days, Pending -> Solved after 4,
survey after closing, no closing notice, no re-assignment. crashplan-standard-2013:
Solved -> Closed after 2 days, Pending -> Closed after 7, closing notice and survey,
re-assigned to the original agent.
"""

from __future__ import annotations

import pytest

from ._cast import ANSWERED, BACKUPS, at, code42_scene, initech_scene, local
from ._driver import FOLLOW_UPS, AgentUpdate, HelpdeskDriver
from ._view import BRIDGE

SURVEY = "sla_survey_requested"


def closed_by_bridge(desk: HelpdeskDriver, ticket: str) -> list[tuple[str, str | None]]:
    """The bridge's status changes: (``Fri 27 10:00``, to)."""
    return [(local(c.at, "%a %d %H:%M"), c.value)
            for c in desk.view(ticket).status_changes(by=BRIDGE)]


def opened(desk: HelpdeskDriver, when: str, severity: str) -> str:
    """Ivy opens a ticket at ``severity``: her backups stopped."""
    return desk.open_ticket("Ivy", "Backups stopped", BACKUPS, severity=severity, at=at(when))


def test_solved_and_pending_tickets_close_by_themselves_with_the_survey(
        helpdesk_driver: HelpdeskDriver) -> None:
    """small-business: solved closes after 2 days, pending is solved after 4."""
    desk = helpdesk_driver
    desk.begin(initech_scene("crashplan-small-business", "small-business"))
    solved = opened(desk, "2026-11-25 09:00", "Normal")
    desk.agent_update(solved, "Avery", AgentUpdate(comment="Fixed.", status="solved"),
                      at=at("2026-11-25 10:00"))
    waiting = opened(desk, "2026-11-30 09:00", "Normal")
    desk.agent_update(waiting, "Avery", AgentUpdate(comment="Can you send the logs?",
                                                    status="pending"),
                      at=at("2026-11-30 10:00"))
    desk.advance(at("2026-12-08 12:00"))

    # Solved Wed 25 Nov 10:00: "When a ticket is marked as Solved, you receive an automated
    # notification email" (notify_on_solved), once. + 2 calendar days: closed Fri 27 Nov
    # 10:00, the survey tag, no closing notice (notify_on_closed = false).
    view = desk.view(solved)
    assert view.status == "closed"
    assert closed_by_bridge(desk, solved) == [("Fri 27 10:00", "closed")]
    assert SURVEY in view.tags
    assert [(local(c.at, "%a %d %H:%M"), c.body) for c in view.by_bridge(public=True)] == [
        ("Wed 25 10:00", "This ticket has been marked solved. If it is not, reply to this "
                         "message and it will re-open. Without a reply it closes "
                         "automatically after 2 days.")]
    # Pending Mon 30 Nov 10:00 + 4 days: solved Fri 4 Dec 10:00 with a public comment;
    # + 2 days: closed Sun 6 Dec 10:00 with the survey tag.
    view = desk.view(waiting)
    assert closed_by_bridge(desk, waiting) == [("Fri 04 10:00", "solved"),
                                               ("Sun 06 10:00", "closed")]
    assert [(local(c.at, "%a %d %H:%M"), c.body) for c in view.by_bridge(public=True)] == [
        ("Fri 04 10:00", "We have not heard back from you for 4 days, so we are marking this "
                         "ticket solved. Reply to this message to re-open it.")]
    assert SURVEY in view.tags
    assert set(view.keys().values()) == {1}


def test_pending_closes_after_seven_days_with_a_notice_under_the_2013_policy(
        helpdesk_driver: HelpdeskDriver) -> None:
    """standard-2013: pending closes after 7 days, the requester gets the closing notice."""
    desk = helpdesk_driver
    desk.begin(initech_scene("crashplan-standard-2013", "standard"))
    ticket = opened(desk, "2026-11-30 09:00", "3")
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="Can you send the logs?",
                                                   status="pending"),
                      at=at("2026-11-30 10:00"))
    desk.advance(at("2026-12-09 12:00"))
    # Pending Mon 30 Nov 10:00 + 7 calendar days = Mon 7 Dec 10:00: closed (a platform that
    # closes only solved tickets sees it solved first, at the same instant), the closing
    # notice, the survey tag.
    view = desk.view(ticket)
    changes = closed_by_bridge(desk, ticket)
    assert changes[-1] == ("Mon 07 10:00", "closed")
    assert {when for when, _ in changes} == {"Mon 07 10:00"}
    assert [(local(c.at, "%a %d %H:%M"), c.body) for c in view.by_bridge(public=True)] == [
        ("Mon 07 10:00", "This ticket has been closed automatically. If you need more help, "
                         "reply to this message and we will open a follow-up ticket.")]
    assert SURVEY in view.tags
    # The update cadence did not run while the ticket waited on the customer.
    assert view.starting("SLA ") == []


def test_a_solved_ticket_closes_after_two_days_with_the_notice_under_the_2013_policy(
        helpdesk_driver: HelpdeskDriver) -> None:
    """standard-2013: the bridge closes a solved ticket itself when the policy says, and the
    closing notice comes with the close (a helpdesk whose closed tickets take no comment
    gets it in the update that closes the ticket)."""
    desk = helpdesk_driver
    desk.begin(initech_scene("crashplan-standard-2013", "standard"))
    ticket = opened(desk, "2026-11-30 09:00", "3")
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="Fixed.", status="solved"),
                      at=at("2026-11-30 10:00"))
    desk.advance(at("2026-12-03 12:00"))
    # Solved Mon 30 Nov 10:00 + 2 calendar days = Wed 2 Dec 10:00: closed, the notice (no
    # solved notice under this policy), the survey tag.
    view = desk.view(ticket)
    assert view.status == "closed"
    assert closed_by_bridge(desk, ticket) == [("Wed 02 10:00", "closed")]
    assert [(local(c.at, "%a %d %H:%M"), c.body) for c in view.by_bridge(public=True)] == [
        ("Wed 02 10:00", "This ticket has been closed automatically. If you need more help, "
                         "reply to this message and we will open a follow-up ticket.")]
    assert SURVEY in view.tags


def test_a_customer_reply_before_closing_re_opens_and_nothing_closes_it(
        helpdesk_driver: HelpdeskDriver) -> None:
    """small-business: the reply re-opens; the old closing time passes without effect."""
    desk = helpdesk_driver
    desk.begin(initech_scene("crashplan-small-business", "small-business"))
    ticket = opened(desk, "2026-11-25 09:00", "Normal")
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="Fixed.", status="solved",
                                                   assignee="Avery"),
                      at=at("2026-11-25 10:00"))
    desk.customer_reply(ticket, "It stalls again.", at=at("2026-11-26 12:00"))
    desk.advance(at("2026-11-30 12:00"))  # past Fri 27 Nov 10:00, the old closing time
    view = desk.view(ticket)
    assert view.status == "open"
    assert [c for c in view.status_changes(by=BRIDGE) if c.value == "closed"] == []
    assert SURVEY not in view.tags
    assert view.assignee == "Avery"  # no re-assignment under this policy


def test_a_reply_to_a_pending_ticket_goes_back_to_the_original_agent_under_2013(
        helpdesk_driver: HelpdeskDriver) -> None:
    """standard-2013: re-opened by the customer, back to the agent who set it pending."""
    desk = helpdesk_driver
    desk.begin(initech_scene("crashplan-standard-2013", "standard"))
    ticket = opened(desk, "2026-11-30 09:00", "3")
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="Can you send the logs?",
                                                   status="pending", assignee="Avery"),
                      at=at("2026-11-30 10:00"))
    desk.agent_update(ticket, "Blake", AgentUpdate(assignee="Blake"),
                      at=at("2026-12-01 09:00"))  # a lead moves Avery's queue to Blake
    desk.customer_reply(ticket, "Here are the logs.", at=at("2026-12-02 12:00"))
    desk.advance(at("2026-12-09 12:00"))  # past Mon 7 Dec 10:00, the old closing time
    view = desk.view(ticket)
    assert view.status == "open"
    assert view.assignee == "Avery"
    assert [(c.at, c.value) for c in view.assignments(by=BRIDGE)] == [
        (at("2026-12-02 12:00"), "Avery")]


def test_a_re_opened_ticket_goes_back_to_the_agent_who_solved_it(
        helpdesk_driver: HelpdeskDriver) -> None:
    """standard-2013: the original agent is the one who solved it, not the first one."""
    desk = helpdesk_driver
    desk.begin(initech_scene("crashplan-standard-2013", "standard"))
    ticket = opened(desk, "2026-11-30 09:00", "3")
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="Looking into it.",
                                                   assignee="Avery"),
                      at=at("2026-11-30 10:00"))
    desk.agent_update(ticket, "Blake", AgentUpdate(comment="Fixed by 11.2.1.",
                                                   status="solved", assignee="Blake"),
                      at=at("2026-12-01 10:00"))
    desk.customer_reply(ticket, "Still stalling.", at=at("2026-12-02 12:00"))
    assert desk.view(ticket).assignee == "Blake"


def test_a_reply_to_a_closed_ticket_becomes_a_follow_up_with_the_original_severity(
        helpdesk_driver: HelpdeskDriver) -> None:
    """code42: the follow-up has its own clocks, at the closed ticket's severity."""
    desk = helpdesk_driver
    if FOLLOW_UPS not in desk.features:
        pytest.skip(f"{desk.platform} has no follow-up tickets")
    desk.begin(code42_scene())
    original = desk.open_ticket("Dana", "Restores fail", ANSWERED, severity="2",
                                at=at("2026-11-30 09:00"))
    desk.agent_update(original, "Avery", AgentUpdate(comment="Fixed by 11.2.1.",
                                                     status="solved"),
                      at=at("2026-11-30 09:30"))
    assert desk.close_solved(at=at("2026-12-04 10:00")) == [original]
    desk.customer_reply(original, "It fails again.", at=at("2026-12-07 09:00"))
    [follow_up] = desk.follow_ups(original)

    view = desk.view(follow_up)
    assert view.follow_up_of == original
    [note] = view.by_bridge(public=False)
    assert (local(note.at, "%a %d %H:%M"), note.body) == (
        "Mon 07 09:00", f"Follow-up of ticket {original}: a reply to a closed ticket. Its SLA "
                        "clocks start now.")
    # The closed ticket's Severity 2 is carried: Gold, 4 business hours from Mon 09:00
    # (Severity 4, the default, would be three business days).
    assert view.due["first_response"] == at("2026-12-07 13:00")
    assert view.by_bridge(public=True) == []  # no intake or entitlement replies on it
    # The original stays closed, and the bridge wrote nothing more to it.
    closed = desk.view(original)
    assert closed.status == "closed"
    assert [c for c in closed.by_bridge() if c.at >= at("2026-12-04 10:00")] == []


__all__ = [
    "test_a_customer_reply_before_closing_re_opens_and_nothing_closes_it",
    "test_a_re_opened_ticket_goes_back_to_the_agent_who_solved_it",
    "test_a_reply_to_a_closed_ticket_becomes_a_follow_up_with_the_original_severity",
    "test_a_reply_to_a_pending_ticket_goes_back_to_the_original_agent_under_2013",
    "test_pending_closes_after_seven_days_with_a_notice_under_the_2013_policy",
    "test_solved_and_pending_tickets_close_by_themselves_with_the_survey",
]
