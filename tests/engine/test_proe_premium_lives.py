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
    # An agent accepts: Sev 2 is 4 business hours and 5 min are used, so 3 h 55 min remain:
    # Wed 16:05-19:00 (2 h 55 min), then Thu 07:00-08:00.
    life.change("2026-11-25T16:05:00-06:00", vendor_severity="2")
    assert life.due() == "2026-11-26T08:00:00-06:00"


def test_new_zealand_hours() -> None:
    # 1 business day = 10 h: Fri 17:00-18:00 NZDT (1 h), Mon 08:00-17:00 (9 h).
    life = Life([PREMIUM], "2026-12-04T17:00:00+13:00", plan="premium", customer_severity="3",
                location="nz", description=COMPLETE)
    assert life.due() == "2026-12-07T17:00:00+13:00"
