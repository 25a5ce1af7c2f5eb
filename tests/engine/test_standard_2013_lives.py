"""crashplan-standard-2013: weekend hours, Australian hours, pending->closed, original agent."""

from __future__ import annotations

from lives import Life, policy

from sla_bridge.tickets import Status

STANDARD = policy("crashplan-standard-2013")
COMPLETE = ("CrashPlan PROe 3.6 on Windows 7: restores fail for one user. GUID "
            "123456789012345678, username jdoe, logs attached, screenshot attached, we back up "
            "to our own server, no PROe cloud. The restore stops with an error after an hour.")


def ticket(opened: str, **extra: object) -> Life:
    values: dict[str, object] = {"plan": "standard", "customer_severity": "2",
                                 "description": COMPLETE}
    values.update(extra)
    return Life([STANDARD], opened, **values)


def test_us_ticket_on_saturday_counts_weekend_hours() -> None:
    # 1 business day = 12 h of US hours: Sat 10:00-17:00 (7 h), Sun 09:00-14:00 (5 h).
    life = ticket("2026-12-05T10:00:00-06:00")
    assert life.due() == "2026-12-06T14:00:00-06:00"


def test_au_ticket_uses_sydney_weekday_hours() -> None:
    # 1 business day = 10 h of AU hours: Fri 15:00-18:00 AEDT (3 h), Mon 08:00-15:00 (7 h).
    life = ticket("2026-12-04T15:00:00+11:00", location="au")
    assert life.due() == "2026-12-07T15:00:00+11:00"


def test_pending_closed_after_7_days_with_notice_and_survey() -> None:
    life = ticket("2026-12-07T09:00:00-06:00")
    life.agent("2026-12-07T09:30:00-06:00", "Please try again with the new build",
               status=Status.PENDING)
    assert life.timer_at("auto_close:pending") == "2026-12-14T09:30:00-06:00"
    closed = life.run_until("2026-12-15T00:00:00-06:00")
    assert [w.kind for w in closed] == ["add_comment", "change_tags", "set_status"]
    assert closed[0].action.public
    assert closed[0].text.startswith("This ticket has been closed automatically.")
    assert closed[1].action.add == ("sla_survey_requested",)
    assert closed[2].action.status == Status.CLOSED
    assert {w.at.isoformat() for w in closed} == {"2026-12-14T09:30:00-06:00"}


def test_reply_before_closing_reopens_and_goes_back_to_the_original_agent() -> None:
    life = ticket("2026-12-07T09:00:00-06:00")
    life.agent("2026-12-07T09:30:00-06:00", "Try the new build", status=Status.PENDING)
    assert life.ticket.assignee_id == "agent-7"
    life.change("2026-12-08T08:00:00-06:00", assignee_id="agent-9")  # a shift hand-over
    written = life.customer("2026-12-09T10:00:00-06:00", "The new build did not help")
    assert [(w.kind, getattr(w.action, "status", None), getattr(w.action, "assignee_id", None))
            for w in written if w.kind != "set_fields"] == [
        ("set_status", Status.OPEN, None), ("assign", None, "agent-7")]


def test_solved_closes_after_2_days() -> None:
    life = ticket("2026-12-07T09:00:00-06:00")
    life.agent("2026-12-07T09:30:00-06:00", "Fixed in 3.6.1", status=Status.SOLVED)
    assert life.timer_at("auto_close:solved") == "2026-12-09T09:30:00-06:00"
    assert life.run_until("2026-12-10T00:00:00-06:00")[-1].action.status == Status.CLOSED


def test_a_ticket_an_agent_closes_gets_the_closed_notice_and_survey_once() -> None:
    life = Life([STANDARD], "2026-11-23T09:00:00-06:00", plan="standard",
                customer_severity="3", description=COMPLETE)
    life.agent("2026-11-23T10:00:00-06:00", "Here is the fix")
    life.change("2026-11-23T11:00:00-06:00", status=Status.CLOSED)
    life.change("2026-11-23T12:00:00-06:00", tags=life.ticket.tags | {"x"})
    life.run_until("2026-11-30T12:00:00-06:00")
    # The bridge asks once for the notice and the survey; the simulated desk refuses writes
    # to a closed ticket as Zendesk does (platforms that take them, JSM and Salesforce, do).
    assert [d.kind for d in life.decisions if d.kind == "lifecycle.closed_notice"] == [
        "lifecycle.closed_notice"]
    # The first refusal stops the rest, as the worker does.
    refused = [d.summary for d in life.decisions if d.kind == "action.closed"]
    assert refused == ["could not write (closed) add_comment closed:notice:20261123T110000"]
    [follow_up] = life.customer("2026-11-24T09:00:00-06:00", "It broke again")
    assert follow_up.kind == "create_follow_up"
