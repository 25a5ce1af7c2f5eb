"""End to end, a ticket's life after the answer: auto-solve and auto-close with the survey,
a customer reply that re-opens (and goes back to the original agent where the policy says),
and a reply to a closed ticket that becomes a follow-up.

crashplan-small-business: Solved -> Closed after 2 calendar days, Pending -> Solved after 4,
survey after closing, no closing notice, no re-assignment. crashplan-standard-2013:
Solved -> Closed after 2 days, Pending -> Closed after 7, closing notice and survey,
re-assigned to the original agent. See ``test_zendesk_end_to_end.py`` for how they run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zendesk_e2e import COMPLETE, People, at, seen

from sla_bridge_zendesk.loop import BridgeOnSandbox

SURVEY = "sla_survey_requested"
BACKUPS = ("CrashPlan 11.2 on macOS 14 stopped backing up. Computer ID 123456789012345678, "
           "user ivy@initech.test, logs attached, screenshot attached, destination CrashPlan "
           "Central. It stalls at 42% every night.")


def world_for(make_world: Callable[..., BridgeOnSandbox], policy: str,
              plan: str) -> tuple[BridgeOnSandbox, People]:
    """A started world under ``policy`` with one customer, Ivy, on ``plan``; agents Avery
    and Blake."""
    world = make_world(start=at("2026-11-23 08:00"), policies=[policy])
    people = People()
    people.org("Initech", plan, sandbox=world.sandbox)
    people.customer("Ivy", "Initech", sandbox=world.sandbox)
    people.agent("Avery", sandbox=world.sandbox)
    people.agent("Blake", sandbox=world.sandbox)
    world.start()
    return world, people


def opened(world: BridgeOnSandbox, people: People, when: str) -> dict[str, Any]:
    """Ivy opens a Normal ticket at ``when``."""
    return world.step(at(when), "Ivy opens a ticket", lambda: world.sandbox.open_ticket(
        people["Ivy"], "Backups stopped", BACKUPS, priority="normal"))


def by_bridge(world: BridgeOnSandbox, ticket_id: int) -> list[tuple[str, str]]:
    """The bridge's status changes: (when, to)."""
    return [(f"{when:%a %d %H:%M}", to)
            for when, to, who in seen(world.sandbox, ticket_id).status_changes
            if who == "sla-bridge"]


def test_solved_and_pending_tickets_close_by_themselves_with_the_survey(
        make_world: Callable[..., BridgeOnSandbox]) -> None:
    world, people = world_for(make_world, "crashplan-small-business", "small-business")
    sandbox = world.sandbox
    solved = opened(world, people, "2026-11-25 09:00")
    world.step(at("2026-11-25 10:00"), "Avery answers and solves",
               lambda: sandbox.agent_update(solved["id"], people["Avery"], comment="Fixed.",
                                            status="solved"))
    waiting = opened(world, people, "2026-11-30 09:00")
    world.step(at("2026-11-30 10:00"), "Avery asks and waits",
               lambda: sandbox.agent_update(waiting["id"], people["Avery"],
                                            comment="Can you send the logs?", status="pending"))
    world.advance(at("2026-12-08 12:00"))

    # Solved Wed 25 Nov 10:00: "When a ticket is marked as Solved, you receive an automated
    # notification email" (notify_on_solved), once. + 2 calendar days: closed Fri 27 Nov
    # 10:00, the survey tag, no closing notice (notify_on_closed = false).
    ticket = seen(sandbox, solved["id"])
    assert ticket.status == "closed"
    assert by_bridge(world, solved["id"]) == [("Fri 27 10:00", "closed")]
    assert SURVEY in ticket.tags
    assert [(f"{c.at:%a %d %H:%M}", c.body) for c in ticket.by_bridge(public=True)] == [
        ("Wed 25 10:00", "This ticket has been marked solved. If it is not, reply to this "
                         "message and it will re-open. Without a reply it closes "
                         "automatically after 2 days.")]
    # Pending Mon 30 Nov 10:00 + 4 days: solved Fri 4 Dec 10:00 with a public comment;
    # + 2 days: closed Sun 6 Dec 10:00 with the survey tag.
    ticket = seen(sandbox, waiting["id"])
    assert by_bridge(world, waiting["id"]) == [("Fri 04 10:00", "solved"),
                                               ("Sun 06 10:00", "closed")]
    assert [(f"{c.at:%a %d %H:%M}", c.body) for c in ticket.by_bridge(public=True)] == [
        ("Fri 04 10:00", "We have not heard back from you for 4 days, so we are marking this "
                         "ticket solved. Reply to this message to re-open it.")]
    assert SURVEY in ticket.tags
    assert ticket.keys().most_common(1)[0][1] == 1


def test_pending_closes_after_seven_days_with_a_notice_under_the_2013_policy(
        make_world: Callable[..., BridgeOnSandbox]) -> None:
    world, people = world_for(make_world, "crashplan-standard-2013", "standard")
    sandbox = world.sandbox
    ticket = opened(world, people, "2026-11-30 09:00")
    world.step(at("2026-11-30 10:00"), "Avery asks and waits",
               lambda: sandbox.agent_update(ticket["id"], people["Avery"],
                                            comment="Can you send the logs?", status="pending"))
    world.advance(at("2026-12-09 12:00"))
    # Pending Mon 30 Nov 10:00 + 7 calendar days = Mon 7 Dec 10:00: Zendesk closes only
    # solved tickets, so the bridge solves it first, then closes it; the requester gets the
    # closing notice, and the survey tag is set.
    view = seen(sandbox, ticket["id"])
    assert by_bridge(world, ticket["id"]) == [("Mon 07 10:00", "solved"),
                                              ("Mon 07 10:00", "closed")]
    assert [(f"{c.at:%a %d %H:%M}", c.body) for c in view.by_bridge(public=True)] == [
        ("Mon 07 10:00", "This ticket has been closed automatically. If you need more help, "
                         "reply to this message and we will open a follow-up ticket.")]
    assert SURVEY in view.tags
    # The update cadence did not run while the ticket waited on the customer.
    assert view.starting("SLA ") == []


def test_a_customer_reply_before_closing_re_opens_and_nothing_closes_it(
        make_world: Callable[..., BridgeOnSandbox]) -> None:
    world, people = world_for(make_world, "crashplan-small-business", "small-business")
    sandbox = world.sandbox
    ticket = opened(world, people, "2026-11-25 09:00")
    world.step(at("2026-11-25 10:00"), "Avery solves",
               lambda: sandbox.agent_update(ticket["id"], people["Avery"], comment="Fixed.",
                                            status="solved", assignee_id=people["Avery"]))
    world.step(at("2026-11-26 12:00"), "Ivy answers: not fixed",
               lambda: sandbox.customer_reply(ticket["id"], "It stalls again."))
    world.advance(at("2026-11-30 12:00"))  # past Fri 27 Nov 10:00, the old closing time
    view = seen(sandbox, ticket["id"])
    assert view.status == "open"
    assert by_bridge(world, ticket["id"]) == []
    assert SURVEY not in view.tags
    assert view.assignee == "Avery"  # no re-assignment under this policy


def test_a_reply_to_a_pending_ticket_goes_back_to_the_original_agent_under_2013(
        make_world: Callable[..., BridgeOnSandbox]) -> None:
    world, people = world_for(make_world, "crashplan-standard-2013", "standard")
    sandbox = world.sandbox
    ticket = opened(world, people, "2026-11-30 09:00")
    number = ticket["id"]
    world.step(at("2026-11-30 10:00"), "Avery takes it, asks and waits",
               lambda: sandbox.agent_update(number, people["Avery"], assignee_id=people["Avery"],
                                            comment="Can you send the logs?", status="pending"))
    world.step(at("2026-12-01 09:00"), "A lead moves Avery's queue to Blake",
               lambda: sandbox.agent_update(number, people["Blake"],
                                            assignee_id=people["Blake"]))
    world.step(at("2026-12-02 12:00"), "Ivy answers",
               lambda: sandbox.customer_reply(number, "Here are the logs."))
    world.advance(at("2026-12-09 12:00"))  # past Mon 7 Dec 10:00, the old closing time
    view = seen(sandbox, number)
    assert view.status == "open"
    assert view.assignee == "Avery"
    assignments = [(a["created_at"], e["value"]) for a in sandbox.audits(number)
                   if a["author_id"] == sandbox.api_user["id"] for e in a["events"]
                   if e.get("field_name") == "assignee_id"]
    assert assignments == [("2026-12-02T18:00:00Z", people["Avery"])]  # Wed 12:00 CST


def test_a_re_opened_ticket_goes_back_to_the_agent_who_solved_it(
        make_world: Callable[..., BridgeOnSandbox]) -> None:
    world, people = world_for(make_world, "crashplan-standard-2013", "standard")
    sandbox = world.sandbox
    number = opened(world, people, "2026-11-30 09:00")["id"]
    world.step(at("2026-11-30 10:00"), "Avery takes it",
               lambda: sandbox.agent_update(number, people["Avery"], assignee_id=people["Avery"],
                                            comment="Looking into it."))
    world.step(at("2026-12-01 10:00"), "Blake takes over and solves it",
               lambda: sandbox.agent_update(number, people["Blake"], assignee_id=people["Blake"],
                                            comment="Fixed by 11.2.1.", status="solved"))
    world.step(at("2026-12-02 12:00"), "Ivy answers",
               lambda: sandbox.customer_reply(number, "Still stalling."))
    assert seen(sandbox, number).assignee == "Blake"


def test_a_reply_to_a_closed_ticket_becomes_a_follow_up_with_the_original_severity(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox
    original = world.step(at("2026-11-30 09:00"), "Acme: Severity 2",
                          lambda: sandbox.open_ticket(
                              people["Dana"], "Restores fail",
                              "Restores fail from many devices since the upgrade. " + COMPLETE,
                              priority="high"))
    world.step(at("2026-11-30 09:30"), "Avery answers and solves",
               lambda: sandbox.agent_update(original["id"], people["Avery"],
                                            comment="Fixed by 11.2.1.", status="solved"))
    world.step(at("2026-12-04 10:00"), "Zendesk's automation closes solved tickets",
               lambda: {"id": sandbox.close_solved()[0]})
    follow_up = world.step(at("2026-12-07 09:00"), "Dana answers the closed ticket by e-mail",
                           lambda: sandbox.customer_reply(original["id"], "It fails again."))
    assert follow_up["id"] != original["id"]

    view = seen(sandbox, follow_up["id"])
    assert view.follow_up_of == original["id"]
    [note] = view.by_bridge(public=False)
    assert (f"{note.at:%a %d %H:%M}", note.body) == (
        "Mon 07 09:00", f"Follow-up of ticket {original['id']}: a reply to a closed ticket. Its "
                        "SLA clocks start now.")
    # Zendesk does not copy the priority to a follow-up; the bridge carries the original's
    # Severity 2: Gold, 4 business hours from Mon 09:00 (Severity 4, the default, would be
    # three business days).
    assert view.priority is None
    assert view.fields["SLA first response due"] == "2026-12-07T13:00:00-06:00"
    assert view.by_bridge(public=True) == []  # no intake or entitlement replies on it
    # The original stays closed and untouched.
    closed = seen(sandbox, original["id"])
    assert closed.status == "closed"
    assert [c.body for c in closed.comments][-1] == "Fixed by 11.2.1."
