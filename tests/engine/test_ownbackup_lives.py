"""ownbackup: Premier calendar hours with a 2-hour update cadence, Standard in the customer's
own zone, and re-categorisation applied by the vendor."""

from __future__ import annotations

from lives import Life, Verdict, policy

from sla_bridge.tickets import Status

OWNBACKUP = policy("ownbackup")
DESCRIPTION = ("Our production Salesforce org lost 2,000 Account records in last night's "
               "sync and the restore job from OwnBackup fails with a timeout every time.")


def test_premier_high_first_response_and_2_hour_updates() -> None:
    life = Life([OWNBACKUP], "2026-11-25T16:00:00-05:00", plan="premier",
                customer_severity="High", description=DESCRIPTION)
    assert life.due() == "2026-11-25T17:00:00-05:00"  # 1 calendar hour
    life.agent("2026-11-25T16:30:00-05:00", "We are restoring from the previous snapshot")
    assert life.due("next_update") == "2026-11-25T18:30:00-05:00"  # 2 calendar hours
    assert life.timer_at("next_update:warning") == "2026-11-25T18:00:00-05:00"
    [warning_note, warning_tag] = life.run_until("2026-11-25T18:05:00-05:00")
    assert warning_note.text == ("SLA warning: the next update (2 calendar hours, severity "
                                 "High, plan premier) is due Wed 25 Nov 18:30 EST.")
    assert warning_tag.action.add == ("sla_warning",)
    life.agent("2026-11-25T18:10:00-05:00", "Restore 60% done", status=Status.PENDING)
    assert life.clock("next_update").paused
    # The customer answers at 21:00: the clock resumes; pending time does not count.
    life.customer("2026-11-25T21:00:00-05:00", "Thanks, waiting")
    assert life.due("next_update") == "2026-11-25T23:00:00-05:00"
    breach = life.run_until("2026-11-25T23:30:00-05:00")
    assert [w.kind for w in breach] == ["add_comment", "add_comment", "change_tags"]
    assert breach[1].text == ("SLA breach: the next update (2 calendar hours, severity High, "
                              "plan premier) was due Wed 25 Nov 23:00 EST.")


def test_standard_medium_in_the_customers_own_zone() -> None:
    # 1 business day = 9 h of 09:00-18:00 Asia/Jerusalem: Thu 17-18 (1 h), Fri 09-17 (8 h).
    life = Life([OWNBACKUP], "2026-11-26T17:00:00+02:00", plan="standard",
                customer_severity="Medium", location="Asia/Jerusalem", description=DESCRIPTION)
    assert life.due() == "2026-11-27T17:00:00+02:00"


def test_vendor_recategorises_and_tells_the_customer() -> None:
    life = Life([OWNBACKUP], "2026-11-24T09:00:00-05:00", plan="standard",
                customer_severity="High", description="How do I schedule a weekly export of "
                                                      "our sandbox metadata to S3?")
    assert life.due() == "2026-11-24T13:00:00-05:00"  # High: 4 business hours
    life.classification = Verdict("Low", 0.9, ("a how-to question (impact: none)",))
    written = life.customer("2026-11-24T09:30:00-05:00", "Any news?")
    assert [w.kind for w in written] == ["set_fields", "add_comment", "set_fields"]
    assert written[0].action.fields == {"vendor_severity": "Low"}
    assert written[1].action.public
    assert written[1].text == ("We have reviewed this ticket and categorised it as severity Low "
                               "(Low) under our support policy: a how-to question (impact: "
                               "none). You chose severity High; both are recorded on the "
                               "ticket.")
    assert life.ticket.customer_severity == "High"
    # The Low target (2 business days = 18 h) keeps the 30 minutes already used: 17.5 h
    # remain from Tue 09:30 -> 8.5 h on Tuesday, 9 h on Wednesday: Wed 18:00.
    assert life.due() == "2026-11-25T18:00:00-05:00"


def test_no_customer_escalation_process_runs_where_the_source_offers_none() -> None:
    # The source mentions only internal escalation ("will be escalated to higher support
    # tiers"): a customer's "please escalate" is an ordinary reply for the agents.
    life = Life([OWNBACKUP], "2026-11-25T16:00:00-05:00", plan="standard",
                customer_severity="High", description=DESCRIPTION)
    said = life.customer("2026-11-25T16:30:00-05:00", "Please escalate this to your managers, "
                         "we expect severity High and the restore is urgent.")
    assert not any(w.kind == "request_approval" or "escalat" in w.text for w in said)
    assert not any(d.kind.startswith("escalation") for d in life.decisions)
