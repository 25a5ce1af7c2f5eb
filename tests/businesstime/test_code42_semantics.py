"""Each time rule of PRODUCT.md as its own test, with hand-checked instants on code42-enterprise.

Contact hours are Mon-Fri 08:00-17:00 in the customer's zone (US Central for USA and
"Other", Western European -- Europe/Lisbon -- for Europe and Asia); ten US holidays are
observed as whole days in US Central; Gold Severity 1 runs round the clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sla_bridge.businesstime import explain
from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, Policy, PolicyLibrary


@pytest.fixture(scope="module")
def code42() -> Policy:
    return PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS).load("code42-enterprise")


def due(policy: Policy, plan: str, severity: str, opened: str, location: str | None = None) -> str:
    target = policy.target(plan, severity, "first_response", location)
    return target.calendar.add(datetime.fromisoformat(opened), target.duration).isoformat()


def test_one_business_day_is_nine_business_hours(code42: Policy) -> None:
    assert code42.target("silver", "1").duration == timedelta(hours=9)
    assert code42.target("gold", "4").duration == timedelta(hours=27)


def test_target_spent_at_closing_time_is_due_at_closing_time(code42: Policy) -> None:
    # 9 business hours from Monday 08:00 end at Monday 17:00, not Tuesday 08:00.
    assert due(code42, "silver", "3", "2026-11-23T08:00:00-06:00") == "2026-11-23T17:00:00-06:00"


def test_ticket_opened_after_hours_starts_at_next_opening(code42: Policy) -> None:
    # Tuesday 19:30 -> the clock starts Wednesday 08:00; 4 business hours -> 12:00.
    assert due(code42, "gold", "2", "2026-11-24T19:30:00-06:00") == "2026-11-25T12:00:00-06:00"


def test_ticket_opened_on_saturday_starts_monday(code42: Policy) -> None:
    assert due(code42, "gold", "2", "2026-11-07T10:00:00-06:00") == "2026-11-09T12:00:00-06:00"


def test_thanksgiving_and_the_day_after_are_skipped(code42: Policy) -> None:
    # Gold Sev 2 opened Wednesday 16:00 before Thanksgiving: 1 h on Wed, Thu and Fri are
    # holidays, the weekend is closed, 3 h on Monday -> Monday 11:00.
    opened = "2026-11-25T16:00:00-06:00"
    assert due(code42, "gold", "2", opened) == "2026-11-30T11:00:00-06:00"
    target = code42.target("gold", "2")
    start = datetime.fromisoformat(opened)
    walk = explain(target.calendar, start, target.calendar.add(start, target.duration))
    skipped = [(w.day.isoformat(), w.skipped_because) for w in walk.days if w.skipped_because]
    assert skipped == [
        ("2026-11-26", "Thanksgiving Day"),
        ("2026-11-27", "Day after Thanksgiving Day"),
        ("2026-11-28", "weekend"),
        ("2026-11-29", "weekend"),
    ]
    assert walk.summary() == (
        "due Mon 30 Nov 11:00 CST: 1 h on Wed 25 Nov, Thu 26 Nov skipped (Thanksgiving Day), "
        "Fri 27 Nov skipped (Day after Thanksgiving Day), Sat 28 Nov-Sun 29 Nov skipped "
        "(weekend), 3 h on Mon 30 Nov"
    )


def test_july_4_on_a_saturday_leaves_friday_july_3_a_working_day(code42: Policy) -> None:
    # 8 h on Friday July 3 (not a holiday: the date itself is observed), 1 h on Monday.
    assert due(code42, "silver", "1", "2026-07-03T09:00:00-05:00") == "2026-07-06T09:00:00-05:00"
    holidays = code42.holiday_calendar("us").holidays_in(2026)
    independence = [h.day.isoformat() for h in holidays if h.name == "Independence Day"]
    assert independence == ["2026-07-04"]


def test_christmas_eve_and_christmas_day_are_skipped(code42: Policy) -> None:
    # Wed Dec 23 15:00: 2 h that day; Thu 24 and Fri 25 are holidays; weekend; Mon 08-10.
    assert due(code42, "gold", "2", "2026-12-23T15:00:00-06:00") == "2026-12-28T10:00:00-06:00"


def test_us_central_spring_forward_in_business_hours(code42: Policy) -> None:
    # 27 business hours from Fri Mar 6 13:00 CST: 4 h Fri, 9 h Mon, 9 h Tue (now CDT), 5 h Wed.
    assert due(code42, "silver", "4", "2026-03-06T13:00:00-06:00") == "2026-03-11T13:00:00-05:00"


def test_us_central_spring_forward_in_calendar_hours(code42: Policy) -> None:
    # 1 calendar hour from 01:30 CST on Sunday March 8 is 03:30 CDT: 02:00-03:00 never happens.
    assert due(code42, "gold", "1", "2026-03-08T01:30:00-06:00") == "2026-03-08T03:30:00-05:00"


def test_us_central_fall_back_in_calendar_hours(code42: Policy) -> None:
    # 1 calendar hour from 01:30 CDT on Sunday November 1 is 01:30 CST: 3,600 seconds later.
    assert due(code42, "gold", "1", "2026-11-01T01:30:00-05:00") == "2026-11-01T01:30:00-06:00"


def test_us_central_fall_back_in_business_hours(code42: Policy) -> None:
    # Fri Oct 30 15:00 CDT: 2 h Friday; Monday Nov 2 is in CST: 08:00 + 2 h.
    assert due(code42, "gold", "2", "2026-10-30T15:00:00-05:00") == "2026-11-02T10:00:00-06:00"


def test_western_european_spring_forward(code42: Policy) -> None:
    # Europe customer, Fri Mar 27 12:00 WET: 5 h Friday; Monday Mar 30 is WEST: 08:00 + 4 h.
    assert (due(code42, "silver", "3", "2026-03-27T12:00:00+00:00", "europe")
            == "2026-03-30T12:00:00+01:00")


def test_western_european_fall_back(code42: Policy) -> None:
    # Europe customer, Fri Oct 23 16:00 WEST: 1 h Friday; Monday Oct 26 is WET: 08:00 + 3 h.
    assert (due(code42, "gold", "2", "2026-10-23T16:00:00+01:00", "europe")
            == "2026-10-26T11:00:00+00:00")


def test_europe_customer_observes_us_holidays_in_us_central(code42: Policy) -> None:
    # Thanksgiving and the day after are US Central days (06:00Z-06:00Z); they cover the
    # whole Lisbon working day, so a Europe ticket skips them too.
    assert (due(code42, "silver", "3", "2026-11-25T16:00:00+00:00", "europe")
            == "2026-11-30T16:00:00+00:00")
    # Memorial Day (Mon May 25) in summer time on both sides: Tue 08:00 WEST + 2 h.
    assert (due(code42, "gold", "2", "2026-05-22T15:00:00+01:00", "asia")
            == "2026-05-26T10:00:00+01:00")


def test_holiday_in_another_zone_covers_only_its_own_hours() -> None:
    # A Tokyo calendar observing a US Central holiday loses only the hours that overlap
    # the US Central day: Thanksgiving runs Thu 15:00 JST to Fri 15:00 JST.
    from zoneinfo import ZoneInfo

    from sla_bridge.businesstime import (
        BusinessCalendar,
        HolidayCalendar,
        NthWeekday,
        WeeklyHours,
    )

    tokyo = ZoneInfo("Asia/Tokyo")
    us = HolidayCalendar("us", ZoneInfo("America/Chicago"),
                         [NthWeekday("Thanksgiving Day", 11, 3, 4)])
    calendar = BusinessCalendar(WeeklyHours.parse({"mon-fri": "09:00-18:00"}), tokyo, [us])
    start = datetime(2026, 11, 26, 9, 0, tzinfo=tokyo)
    # 6 h on Thursday (09-15), then Friday 15-18 (3 h): 9 h end Friday 18:00.
    assert calendar.add(start, timedelta(hours=9)).isoformat() == "2026-11-27T18:00:00+09:00"


def test_gold_sev1_on_a_holiday_night_vs_silver_sev1(code42: Policy) -> None:
    # 03:00 on Thanksgiving: Gold Sev 1 runs round the clock, holidays included -> 04:00.
    assert due(code42, "gold", "1", "2026-11-26T03:00:00-06:00") == "2026-11-26T04:00:00-06:00"
    # Silver Sev 1 is 1 business day: it waits for Monday 08:00 and ends at 17:00.
    assert due(code42, "silver", "1", "2026-11-26T03:00:00-06:00") == "2026-11-30T17:00:00-06:00"


def test_elapsed_business_time_counts_only_open_minutes(code42: Policy) -> None:
    calendar = code42.target("silver", "3").calendar
    start = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
    end = datetime.fromisoformat("2026-11-30T11:00:00-06:00")
    assert calendar.elapsed(start, end) == timedelta(hours=4)
    assert calendar.elapsed(end, start) == timedelta(0)


def test_retargeting_keeps_business_time_already_used(code42: Policy) -> None:
    # A Gold Sev 3 (9 h) ticket opened Monday 08:00 is raised to Sev 2 (4 h) at 10:00: 2 h
    # are used, so 2 h remain from the change -> 12:00, not 14:00.
    calendar = code42.target("gold", "2").calendar
    opened = datetime.fromisoformat("2026-11-23T08:00:00-06:00")
    changed = datetime.fromisoformat("2026-11-23T10:00:00-06:00")
    used = calendar.elapsed(opened, changed)
    remaining = code42.target("gold", "2").duration - used
    assert calendar.add(changed, remaining).isoformat() == "2026-11-23T12:00:00-06:00"


def test_next_opening_and_is_open(code42: Policy) -> None:
    calendar = code42.target("silver", "3").calendar
    friday_evening = datetime.fromisoformat("2026-11-20T17:00:00-06:00")
    assert not calendar.is_open(friday_evening)
    assert calendar.next_opening(friday_evening).isoformat() == "2026-11-23T08:00:00-06:00"
    assert calendar.is_open(datetime.fromisoformat("2026-11-20T16:59:00-06:00"))
