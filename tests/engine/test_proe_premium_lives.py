"""crashplan-proe-premium: Sev 1 round the clock, appliance severities, New Zealand hours."""

from __future__ import annotations

from lives import Life, Verdict, policy

PREMIUM = policy("crashplan-proe-premium")
COMPLETE = ("CrashPlan PROe 4.1 on the managed appliance, Red Hat 6: RAID array degraded "
            "since the disk 3 alarm. GUID 123456789012345678, admin ops@bank.example, "
            "screenshot attached, no PROe cloud services.")


def test_sev1_at_3_am_sunday_runs_round_the_clock() -> None:
    life = Life([PREMIUM], "2026-12-06T03:00:00-06:00", plan="premium", customer_severity="1",
                description=COMPLETE)
    assert life.due() == "2026-12-06T04:00:00-06:00"


def test_raid_degraded_reported_as_sev3_gets_a_sev2_suggestion() -> None:
    life = Life([PREMIUM], "2026-11-25T16:00:00-06:00", plan="premium", customer_severity="3",
                description=COMPLETE)
    # Sev 3 is 1 business day = 12 US hours: Wed 16-19 (3 h), Thu 07-16 (9 h; no holidays).
    assert life.due() == "2026-11-26T16:00:00-06:00"
    life.classification = Verdict("2", 0.85, ("RAID array degraded: managed-appliance example "
                                              "of Severity 2",))
    [note] = life.customer("2026-11-25T16:05:00-06:00", "Any update?")
    assert not note.action.public
    assert "suggests severity 2 (High)" in note.text
    assert "the customer chose severity 3" in note.text
    # An agent accepts: Sev 2 is 4 hours round the clock and 5 min are used, so 3 h 55 min
    # remain from 16:05: Wednesday 20:00.
    life.change("2026-11-25T16:05:00-06:00", vendor_severity="2")
    assert life.due() == "2026-11-25T20:00:00-06:00"


def test_new_zealand_hours() -> None:
    # 1 business day = 10 h: Fri 17:00-18:00 NZDT (1 h), Mon 08:00-17:00 (9 h).
    life = Life([PREMIUM], "2026-12-04T17:00:00+13:00", plan="premium", customer_severity="3",
                location="nz", description=COMPLETE)
    assert life.due() == "2026-12-07T17:00:00+13:00"


def test_escalation_reminder_counts_on_the_customers_own_calendar() -> None:
    # An Australian request at Mon 10:00 AEDT waits "4 business hours" on the Australian
    # office's hours (08:00-18:00 Sydney): reminded Mon 14:00 AEDT, not on US hours.
    life = Life([PREMIUM], "2026-11-30T09:00:00+11:00", plan="premium", customer_severity="3",
                location="au", description=COMPLETE)
    life.agent("2026-11-30T09:30:00+11:00", "Looking into it")
    [request] = life.customer("2026-11-30T10:00:00+11:00",
                              "Please escalate this to severity 2: restores of our finance "
                              "team's laptops keep failing and the audit is this week.")
    assert request.kind == "request_approval"
    assert life.timer_at("escalation:remind") == "2026-11-30T14:00:00+11:00"


def test_a_chat_outside_the_chat_hours_is_told_when_chat_is_staffed() -> None:
    # Chat is staffed 7 AM - 5 PM US Central, Monday to Friday; Friday 18:30 is outside.
    life = Life([PREMIUM], "2026-11-27T18:30:00-06:00", plan="premium", customer_severity="3",
                channel="chat", description=COMPLETE)
    [told] = [w for w in life.written if w.action.key == "channel:chat:closed"]
    assert told.action.public
    assert told.text == ("Thank you for contacting us by chat. Chat is staffed Mon-Fri "
                         "07:00-17:00 (America/Chicago time); your request came in outside "
                         "those hours, so we have recorded it as a ticket and will answer it "
                         "here within the response time of your plan.")
    assert life.customer("2026-11-27T18:40:00-06:00", "hello?") == []
    # Inside the chat hours, and by web at any hour, nothing is said.
    for channel, opened in (("chat", "2026-11-27T10:00:00-06:00"),
                            ("web", "2026-11-27T18:30:00-06:00")):
        life = Life([PREMIUM], opened, plan="premium", customer_severity="3", channel=channel,
                    description=COMPLETE)
        assert not any(w.action.key.startswith("channel:") for w in life.written)
