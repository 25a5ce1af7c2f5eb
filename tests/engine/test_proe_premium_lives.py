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


def test_restricted_appliance_access_pauses_the_clocks_while_tagged() -> None:
    life = Life([PREMIUM], "2026-11-23T09:00:00-06:00", plan="premium", customer_severity="3",
                description=COMPLETE)
    # 12 US business hours from Monday 09:00: Mon 09-19 (10 h), Tue 07-09 (2 h).
    assert life.due() == "2026-11-24T09:00:00-06:00"
    # At 10:00 an agent finds the appliance unreachable and tags the ticket: 1 h used.
    told = life.change("2026-11-23T10:00:00-06:00",
                       tags=life.ticket.tags | {"sla_appliance_access_restricted"})
    assert [(w.action.public, w.text.split(":")[0]) for w in told if w.kind == "add_comment"] == [
        (False, "Managed appliance access is restricted"),
        (True, "To work on this ticket the Customer Champions need network access to your "
               "managed appliance and the access and permissions to monitor and manage it. "
               "While access is restricted we cannot commit to the response times of your "
               "plan; please restore it, or tell us when you have.")]
    assert life.clock().paused
    assert life.timer_at("first_response:breach") is None
    assert life.run_until("2026-11-25T09:00:00-06:00") == []
    # Access restored Wednesday 09:00: 11 h remain: Wed 09-19 (10 h), Thu 07-08 (1 h).
    life.change("2026-11-25T09:00:00-06:00",
                tags=life.ticket.tags - {"sla_appliance_access_restricted"})
    assert life.due() == "2026-11-26T08:00:00-06:00"
    # Set again later: told again (a new round), not on every look in between.
    again = life.change("2026-11-25T10:00:00-06:00",
                        tags=life.ticket.tags | {"sla_appliance_access_restricted"})
    assert sum(w.kind == "add_comment" for w in again) == 2
    assert life.change("2026-11-25T11:00:00-06:00", tags=life.ticket.tags | {"x"}) == []
