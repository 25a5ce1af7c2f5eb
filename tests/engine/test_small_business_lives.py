"""crashplan-small-business: auto-solve, auto-close with survey, follow-up, update cadence."""

from __future__ import annotations

from lives import Life, policy

from sla_bridge.tickets import Status

SMALL = policy("crashplan-small-business")
COMPLETE = ("CrashPlan for Small Business 11.2 on macOS 14 stopped backing up. Computer ID "
            "123456789012345678, user bob@shop.example, logs attached, screenshot attached, "
            "destination CrashPlan Central. The backup stalls at 42% every night since Monday.")


def ticket(opened: str, severity: str = "Normal") -> Life:
    return Life([SMALL], opened, plan="small-business", customer_severity=severity,
                channel="web", description=COMPLETE)


def test_pending_auto_solved_after_4_days_then_closed_after_2_with_survey_then_follow_up() -> None:
    life = ticket("2026-12-01T10:00:00-06:00")
    assert life.due() == "2026-12-02T10:00:00-06:00"  # 7 h Tue + 2 h Wed = 1 business day
    assert life.agent("2026-12-01T11:00:00-06:00", "Can you send the latest log?",
                      status=Status.PENDING) == []
    assert life.clock("next_update").paused  # the update cadence waits on the customer
    assert life.timer_at("auto_close:pending") == "2026-12-05T11:00:00-06:00"

    solved = life.run_until("2026-12-05T12:00:00-06:00")
    assert [(w.at.isoformat(), w.kind) for w in solved] == [
        ("2026-12-05T11:00:00-06:00", "add_comment"), ("2026-12-05T11:00:00-06:00", "set_status")]
    assert solved[0].action.public
    assert solved[0].text == ("We have not heard back from you for 4 days, so we are marking "
                              "this ticket solved. Reply to this message to re-open it.")
    assert solved[1].action.status == Status.SOLVED

    closed = life.run_until("2026-12-07T12:00:00-06:00")
    assert [(w.at.isoformat(), w.kind) for w in closed] == [
        ("2026-12-07T11:00:00-06:00", "change_tags"), ("2026-12-07T11:00:00-06:00", "set_status")]
    assert closed[0].action.add == ("sla_survey_requested",)
    assert closed[1].action.status == Status.CLOSED

    [follow_up] = life.customer("2026-12-08T09:00:00-06:00", "The backup stalls again")
    assert follow_up.kind == "create_follow_up"
    assert follow_up.action.carry["plan"] == "small-business"


def test_customer_reply_before_auto_solve_reopens() -> None:
    life = ticket("2026-12-01T10:00:00-06:00")
    life.agent("2026-12-01T11:00:00-06:00", "Can you send the log?", status=Status.PENDING)
    reopen, resumed = life.customer("2026-12-03T09:00:00-06:00", "Log attached",
                                    attachments=("backup.log",))
    assert (reopen.kind, reopen.action.status) == ("set_status", Status.OPEN)
    assert life.timer_at("auto_close:pending") is None
    # The update cadence resumes: the reply and "pending" came together at 11:00, so no
    # time was used; 9 business hours from Thursday 09:00 end Friday 09:00.
    assert resumed.action.fields == {"sla_next_update_due": "2026-12-04T09:00:00-06:00"}


def test_update_cadence_one_business_day_warns_breaches_and_restarts() -> None:
    life = ticket("2026-12-07T09:00:00-06:00", severity="High")
    life.agent("2026-12-07T10:00:00-06:00", "We are on it")
    # The next update is due one business day (9 h) after the last public update.
    assert life.due("next_update") == "2026-12-08T10:00:00-06:00"
    assert life.timer_at("next_update:warning") == "2026-12-07T16:45:00-06:00"
    fired = life.run_until("2026-12-08T10:30:00-06:00")
    assert [(w.at.isoformat(), w.kind) for w in fired] == [
        ("2026-12-07T16:45:00-06:00", "add_comment"), ("2026-12-07T16:45:00-06:00", "change_tags"),
        ("2026-12-08T10:00:00-06:00", "add_comment"), ("2026-12-08T10:00:00-06:00", "change_tags"),
    ]
    assert fired[2].text == ("SLA breach: the next update (1 business day, severity High, plan "
                             "small-business) was due Tue 08 Dec 10:00 CST.")
    life.agent("2026-12-08T11:00:00-06:00", "Still investigating, next update tomorrow")
    assert life.due("next_update") == "2026-12-09T11:00:00-06:00"


def test_severity_is_the_vendors_to_set_the_bridge_only_suggests() -> None:
    from lives import Verdict

    life = ticket("2026-12-07T09:00:00-06:00", severity="Urgent")
    life.classification = Verdict("Low", 0.8, ("a how-to question (impact: none)",))
    [note] = life.customer("2026-12-07T09:05:00-06:00", "How do I exclude a folder?")
    assert not note.action.public
    assert note.text.startswith("sla-bridge suggests severity Low (Low), confidence 80%")
    assert life.ticket.vendor_severity is None


def test_a_ticket_marked_solved_by_an_agent_notifies_the_customer_once_per_solve() -> None:
    life = ticket("2026-12-01T10:00:00-06:00")
    [notice] = [w for w in life.agent("2026-12-01T11:00:00-06:00", "Fixed in 11.2.1",
                                      status=Status.SOLVED) if w.kind == "add_comment"]
    assert notice.action.public
    assert notice.text == ("This ticket has been marked solved. If it is not, reply to this "
                           "message and it will re-open. Without a reply it closes "
                           "automatically after 2 days.")
    assert life.change("2026-12-01T12:00:00-06:00", tags=life.ticket.tags | {"x"}) == []
    # Re-opened by the customer and solved again: a second solve, a second notice.
    life.customer("2026-12-02T09:00:00-06:00", "Still stalls at 42%")
    again = life.agent("2026-12-02T10:00:00-06:00", "Fixed for real", status=Status.SOLVED)
    assert sum(w.text.startswith("This ticket has been marked solved") for w in again) == 1
    # The bridge's own auto-solve already says so: no second notice for it.
    life = ticket("2026-12-01T10:00:00-06:00")
    life.agent("2026-12-01T11:00:00-06:00", "Send the log?", status=Status.PENDING)
    life.run_until("2026-12-06T00:00:00-06:00")
    assert not any(w.text.startswith("This ticket has been marked solved") for w in life.written)


def test_a_bug_report_is_asked_for_the_steps_that_reproduce_it() -> None:
    life = Life([SMALL], "2026-12-01T10:00:00-06:00", customer_severity="Normal",
                description=COMPLETE + " I think this is a bug: the app behaves strangely.")
    [ask] = [w for w in life.written if w.action.key == "intake:ask"]
    assert ask.text.endswith("- the steps that reproduce the unexpected behaviour")
    # A bug report with its steps, or a ticket that reports no bug, is not asked.
    steps = COMPLETE + " Bug: steps to reproduce: 1. open the app 2. start a backup."
    for description in (COMPLETE, steps):
        life = Life([SMALL], "2026-12-01T10:00:00-06:00", customer_severity="Normal",
                    description=description)
        assert not any(w.action.key == "intake:ask" for w in life.written)


def test_an_unassigned_pending_ticket_is_solved_as_the_agent_who_answered_it() -> None:
    """Helpdesks solve only assigned tickets (Zendesk refuses otherwise): the auto-solve
    assigns the agent who answered, in the same reconcile as the notice and the status."""
    life = ticket("2026-12-01T10:00:00-06:00")
    life.agent("2026-12-01T11:00:00-06:00", "Can you send the latest log?",
               status=Status.PENDING, assignee_id=None)
    assert life.ticket.assignee_id is None
    solved = life.run_until("2026-12-05T12:00:00-06:00")
    assert [w.kind for w in solved] == ["assign", "add_comment", "set_status"]
    assert solved[0].action.assignee_id == "agent-7"
    assert (life.ticket.status, life.ticket.assignee_id) == (Status.SOLVED, "agent-7")


def test_a_pending_ticket_no_agent_answered_is_not_solved_and_the_agents_are_told() -> None:
    life = ticket("2026-12-01T10:00:00-06:00")
    life.change("2026-12-01T11:00:00-06:00", status=Status.PENDING)  # no agent, no answer
    written = life.run_until("2026-12-05T12:00:00-06:00")
    [note] = written
    assert (note.kind, note.action.public) == ("add_comment", False)
    assert note.text == ("This ticket has been pending for 4 calendar days without a reply "
                         "from the customer, but it has no assignee and no agent has answered "
                         "it, so it was not marked solved. Assign it to an agent and the bridge "
                         "will solve it.")
    assert life.ticket.status == Status.PENDING
    assert life.reconcile(life.ticket.updated_at) == []  # said once: settled
