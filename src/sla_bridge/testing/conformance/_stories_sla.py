"""SLA clocks: first response across holidays, warning and breach, pausing while pending,
re-targeting on a severity change, and a subsequent-update cadence.

Every expected instant is worked out by hand from the policy in the comment next to it (see
:mod:`._cast` for code42-enterprise's rules).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ._cast import (
    EASTERN,
    OUTAGE,
    REPORTS,
    RESTORES,
    at,
    code42_scene,
    local,
)
from ._driver import AgentUpdate, Customer, HelpdeskDriver, Organization, Scene


def sla_notes(desk: HelpdeskDriver, ticket: str) -> list[tuple[str, str, bool]]:
    """The bridge's SLA notes on the ticket: (``Mon 14:45``, text, public)."""
    return [(local(c.at), c.body, c.public) for c in desk.view(ticket).starting("SLA ")]


def test_first_response_due_is_written_across_thanksgiving(
        helpdesk_driver: HelpdeskDriver) -> None:
    """Holidays and weekends are skipped in the customer's zone; Gold Severity 1 is 24x7."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    # Lisboa (Gold, Europe: Lisbon, WET = UTC) opens a Severity 3 at 16:00 Lisbon on the
    # Wednesday: 1 h that day; Thanksgiving and the day after are US Central holidays,
    # 06:00 Thu - 06:00 Sat in Lisbon, so Lisbon's Thursday and Friday hours are skipped;
    # weekend; 8 h on Monday 08:00-16:00 Lisbon.
    lisboa = desk.open_ticket("Ines", "Backup report wrong", REPORTS, severity="3",
                              at=at("2026-11-25 10:00"))
    # Acme (Gold, USA) opens a Severity 2 at 16:00 on the Wednesday before Thanksgiving:
    # 1 h on Wednesday, Thursday and Friday are holidays, weekend, 3 h on Monday.
    acme = desk.open_ticket("Dana", "Restores fail", RESTORES, severity="2",
                            at=at("2026-11-25 16:00"))
    # On Thanksgiving at 03:00: Silver Severity 1 waits for Monday (9 h, 08:00-17:00) ...
    globex = desk.open_ticket("Gil", "Cannot restore", OUTAGE, severity="1",
                              at=at("2026-11-26 03:00"))
    # ... Gold Severity 1 is 1 calendar hour, 24x7, holidays included.
    gold_one = desk.open_ticket("Dana", "Cannot restore", OUTAGE, severity="1",
                                at=at("2026-11-26 03:00"))

    assert desk.view(lisboa).due["first_response"] == at("2026-11-30 16:00", zone=UTC)
    assert desk.view(acme).due["first_response"] == at("2026-11-30 11:00")
    assert desk.view(globex).due["first_response"] == at("2026-11-30 17:00")
    assert desk.view(gold_one).due["first_response"] == at("2026-11-26 04:00")
    # Why: on the bridge's audit trail.
    assert [d.summary for d in desk.decisions(acme) if d.kind == "sla.first_response"] == [
        "first response due Mon 30 Nov 11:00 CST: 1 h on Wed 25 Nov, Thu 26 Nov skipped "
        "(Thanksgiving Day), Fri 27 Nov skipped (Day after Thanksgiving Day), Sat 28 Nov-Sun "
        "29 Nov skipped (weekend), 3 h on Mon 30 Nov"]


def test_warning_then_breach_leave_internal_notes_and_tags(
        helpdesk_driver: HelpdeskDriver) -> None:
    """At 75 % a warning, at the due instant a breach: notes and tags, never public."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    globex = desk.open_ticket("Gil", "Cannot restore", OUTAGE, severity="1",
                              at=at("2026-11-26 03:00"))
    gold_one = desk.open_ticket("Dana", "Cannot restore", OUTAGE, severity="1",
                                at=at("2026-11-26 03:00"))
    desk.advance(at("2026-12-01 12:00"))

    # Silver Severity 1: due Mon 17:00 (9 business hours from Mon 08:00); warning at 75 %,
    # 6 h 45 min into Monday: 14:45.
    assert sla_notes(desk, globex) == [
        ("Mon 14:45", "SLA warning: the first response (1 business day, severity 1, plan "
                      "silver) is due Mon 30 Nov 17:00 CST.", False),
        ("Mon 17:00", "SLA breach: the first response (1 business day, severity 1, plan "
                      "silver) was due Mon 30 Nov 17:00 CST.", False)]
    # Gold Severity 1: 1 calendar hour on the holiday, warning after 45 minutes.
    assert sla_notes(desk, gold_one) == [
        ("Thu 03:45", "SLA warning: the first response (1 calendar hour, severity 1, plan "
                      "gold) is due Thu 26 Nov 04:00 CST.", False),
        ("Thu 04:00", "SLA breach: the first response (1 calendar hour, severity 1, plan "
                      "gold) was due Thu 26 Nov 04:00 CST.", False)]
    view = desk.view(globex)
    assert {"sla_warning", "sla_breached"} <= view.tags
    assert view.added("sla_warning") == [at("2026-11-30 14:45")]
    assert view.added("sla_breached") == [at("2026-11-30 17:00")]
    assert view.severity == "1"  # the policy does not raise the severity
    assert view.by_bridge(public=True) == []  # the customer sees none of it
    # Answering late changes nothing that was written.
    desk.agent_update(globex, "Avery", AgentUpdate(comment="Looking now."),
                      at=at("2026-12-01 13:00"))
    desk.advance(at("2026-12-03 12:00"))
    assert len(sla_notes(desk, globex)) == 2
    assert set(desk.view(globex).keys().values()) == {1}


def test_pending_pauses_the_clock_and_the_due_instant_moves_by_the_paused_time(
        helpdesk_driver: HelpdeskDriver) -> None:
    """Waiting on the customer stops the clock; the customer's answer resumes it."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    # Gold Severity 2 at 09:00 on Mon 30 Nov: 4 business hours, due 13:00 (warning 12:00).
    ticket = desk.open_ticket("Dana", "Restores fail", RESTORES, severity="2",
                              at=at("2026-11-30 09:00"))
    assert desk.view(ticket).due["first_response"] == at("2026-11-30 13:00")
    # 10:00: waiting on the customer (1 h used); no public reply, so the target is not met.
    desk.agent_update(ticket, "Avery", AgentUpdate(
        comment="Waiting for Dana's change window.", public=False, status="pending"),
        at=at("2026-11-30 10:00"))
    desk.advance(at("2026-11-30 13:30"))  # past the old warning and due instants
    assert sla_notes(desk, ticket) == []
    assert [d.summary for d in desk.decisions(ticket) if d.kind.endswith(".paused")] == [
        "first response clock paused while the ticket waits on the customer (1 h of 4 "
        "business hours used)"]
    # 14:00: Dana answers, the helpdesk re-opens the ticket; 3 h are left: due 17:00, four
    # hours later than before (the paused 10:00-14:00); warning at 3 h used: 16:00.
    desk.customer_reply(ticket, "The change window is now.", at=at("2026-11-30 14:00"))
    assert desk.view(ticket).status == "open"
    assert desk.view(ticket).due["first_response"] == at("2026-11-30 17:00")
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="Fixed."),
                      at=at("2026-11-30 16:30"))
    desk.advance(at("2026-12-01 12:00"))
    assert sla_notes(desk, ticket) == [
        ("Mon 16:00", "SLA warning: the first response (4 business hours, severity 2, plan "
                      "gold) is due Mon 30 Nov 17:00 CST.", False)]
    view = desk.view(ticket)
    assert "sla_breached" not in view.tags
    assert [(local(c.at, "%H:%M"), c.value, c.by) for c in view.status_changes()] == [
        ("10:00", "pending", "Avery"), ("14:00", "open", "Dana")]
    # The reason for the resumed clock counts only the time it ran: 1 h before the pause
    # (09:00-10:00), the walk from the resume at 14:00.
    *_, reason = [d.summary for d in desk.decisions(ticket) if d.kind == "sla.first_response"]
    assert reason == ("first response due Mon 30 Nov 17:00 CST: 3 h on Mon 30 Nov (1 h used "
                      "before Mon 30 Nov 14:00 CST)")
    counted = sum(int(h) * 60 + int(m or 0) for h, m in
                  re.findall(r"(\d+) h(?: (\d+) min)? (?:on|used before) ", reason))
    assert counted == 4 * 60, reason


def test_a_severity_change_re_targets_the_clock_and_keeps_the_time_used(
        helpdesk_driver: HelpdeskDriver) -> None:
    """Raised or lowered, the clock keeps the time used; nothing left: due at once."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    monday = at("2026-11-30 09:00")
    raised = desk.open_ticket("Dana", "Reports", REPORTS, severity="3", at=monday)
    lowered = desk.open_ticket("Dana", "Restores", RESTORES, severity="2", at=monday)
    too_late = desk.open_ticket("Dana", "Reports 2", REPORTS, severity="3", at=monday)
    # Severity 3 = 9 business hours from Mon 09:00: 8 h on Monday, 1 h on Tuesday.
    assert desk.view(raised).due["first_response"] == at("2026-12-01 09:00")
    assert desk.view(lowered).due["first_response"] == at("2026-11-30 13:00")

    # 10:00, Severity 2 -> 4 (3 business days = 27 h): 1 h used, 26 h left: 7 h Mon,
    # 9 h Tue, 9 h Wed, 1 h Thu -> Thu 3 Dec 09:00.
    desk.agent_update(lowered, "Avery", AgentUpdate(severity="4"), at=at("2026-11-30 10:00"))
    assert desk.view(lowered).due["first_response"] == at("2026-12-03 09:00")
    # 11:00, Severity 3 -> 2 (4 business hours): 2 h used, 2 h left -> 13:00; the warning
    # (3 h used) at 12:00.
    desk.agent_update(raised, "Avery", AgentUpdate(severity="2"), at=at("2026-11-30 11:00"))
    assert desk.view(raised).due["first_response"] == at("2026-11-30 13:00")
    # 14:00, Severity 3 -> 2 after 5 h used: nothing is left, due at the change, breached at
    # once, the due instant written in the customer's zone.
    desk.agent_update(too_late, "Avery", AgentUpdate(severity="2"),
                      at=at("2026-11-30 14:00"))
    assert desk.view(too_late).due["first_response"] == at("2026-11-30 14:00")
    assert sla_notes(desk, too_late) == [
        ("Mon 14:00", "SLA breach: the first response (4 business hours, severity 2, plan "
                      "gold) was due Mon 30 Nov 14:00 CST.", False)]
    desk.advance(at("2026-11-30 16:00"))

    assert sla_notes(desk, raised) == [
        ("Mon 12:00", "SLA warning: the first response (4 business hours, severity 2, plan "
                      "gold) is due Mon 30 Nov 13:00 CST.", False),
        ("Mon 13:00", "SLA breach: the first response (4 business hours, severity 2, plan "
                      "gold) was due Mon 30 Nov 13:00 CST.", False)]
    assert sla_notes(desk, lowered) == []
    assert desk.view(raised).severity == "2"


def test_premier_high_next_update_every_two_hours_pauses_while_pending(
        helpdesk_driver: HelpdeskDriver) -> None:
    """ownbackup Premier High: first response 1 calendar hour, then an update every 2
    calendar hours, 24x7; clocks pause while pending. The customer is in US Eastern."""
    desk = helpdesk_driver
    desk.begin(Scene(start=at("2026-11-30 07:00"), policies=("ownbackup",),
                     organizations=(Organization("Contoso", "premier"),),
                     customers=(Customer("Pat", "Contoso", admin=False),),
                     agents=("Avery",)))

    def east(hhmm: str) -> datetime:
        return at(f"2026-11-30 {hhmm}", zone=EASTERN)

    ticket = desk.open_ticket(
        "Pat", "Production records corrupted",
        "Real data loss in production: records were corrupted after last night's job and "
        "there is no workaround; the whole sales team is blocked.", severity="High",
        at=at("2026-11-30 09:00", zone=EASTERN))
    assert desk.view(ticket).due["first_response"] == east("10:00")
    # 09:30 first answer: the next update is due 2 h later.
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="Investigating."),
                      at=at("2026-11-30 09:30", zone=EASTERN))
    assert desk.view(ticket).due["next_update"] == east("11:30")
    # 10:45 an update, and pending: the new 2 h cycle waits for the customer.
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="Can you send the job id?",
                                                   status="pending"),
                      at=at("2026-11-30 10:45", zone=EASTERN))
    # 12:00 Pat answers (re-opened): the cycle runs from 12:00, due 14:00, warning 13:30.
    desk.customer_reply(ticket, "Job id 4711.", at=at("2026-11-30 12:00", zone=EASTERN))
    assert desk.view(ticket).due["next_update"] == east("14:00")
    desk.advance(at("2026-11-30 14:30", zone=EASTERN))
    assert [(local(c.at, "%H:%M", EASTERN), c.body)
            for c in desk.view(ticket).starting("SLA ")] == [
        ("13:30", "SLA warning: the next update (2 calendar hours, severity High, plan premier) "
                  "is due Mon 30 Nov 14:00 EST."),
        ("14:00", "SLA breach: the next update (2 calendar hours, severity High, plan premier) "
                  "was due Mon 30 Nov 14:00 EST.")]
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="Restored."),
                      at=at("2026-11-30 14:30", zone=EASTERN))
    assert desk.view(ticket).due["next_update"] == east("16:30")


__all__ = [
    "test_a_severity_change_re_targets_the_clock_and_keeps_the_time_used",
    "test_first_response_due_is_written_across_thanksgiving",
    "test_pending_pauses_the_clock_and_the_due_instant_moves_by_the_paused_time",
    "test_premier_high_next_update_every_two_hours_pauses_while_pending",
    "test_warning_then_breach_leave_internal_notes_and_tags",
]
