"""Example-based edge cases of the business-time engine, and regressions found by the
property tests in ``test_property.py`` (each regression names what was wrong).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sla_bridge.businesstime import (
    BusinessCalendar,
    FixedDate,
    HolidayCalendar,
    WeeklyHours,
    explain,
)

CHICAGO = ZoneInfo("America/Chicago")
LISBON = ZoneInfo("Europe/Lisbon")


def daily(start: int, end: int) -> WeeklyHours:
    return WeeklyHours(tuple(((start, end),) for _ in range(7)))


# -- regressions ----------------------------------------------------------------------


def test_explained_day_counts_elapsed_time_across_spring_forward() -> None:
    # Regression: DayWalk.counted subtracted two datetimes of the output zone, which
    # Python does on the wall clock; on 9 March 2025 (23 hours long in Chicago) a 24x7
    # walk reported 13 h counted for 00:00-13:00, 25 h in all for a 24 h target.
    cal = BusinessCalendar(WeeklyHours.always(), CHICAGO)
    start = datetime(2025, 3, 8, 12, 0, tzinfo=CHICAGO)
    due = cal.add(start, timedelta(hours=24))
    assert due.isoformat() == "2025-03-09T13:00:00-05:00"
    walk = explain(cal, start, due)
    assert [(w.day.isoformat(), w.counted) for w in walk.days] == [
        ("2025-03-08", timedelta(hours=12)),
        ("2025-03-09", timedelta(hours=12)),
    ]
    # A stretch with a DST change inside it names both zone abbreviations.
    assert walk.lines()[2] == "counted  Sun 09 Mar 2025  00:00 CST-13:00 CDT  (12 h)"


def test_explained_day_counts_the_repeated_hour_twice() -> None:
    # Regression: with hours 01:00-03:00, on 2 November 2025 (fall back at 02:00 CDT)
    # the stretch 01:00 CDT - 03:00 CST is three hours of business time, which add()
    # and elapsed() count, but the explanation said "(2 h)".
    cal = BusinessCalendar(daily(60, 180), CHICAGO)
    start = datetime(2025, 11, 2, 0, 0, tzinfo=CHICAGO)
    due = cal.add(start, timedelta(hours=3))
    assert due.astimezone(UTC) == datetime(2025, 11, 2, 9, 0, tzinfo=UTC)  # 03:00 CST
    walk = explain(cal, start, due)
    assert [w.counted for w in walk.days] == [timedelta(hours=3)]
    assert walk.summary() == "due Sun 02 Nov 03:00 CST: 3 h on Sun 02 Nov"


def test_explained_stretch_ending_in_the_repeated_hour_is_kept() -> None:
    # Regression: _split_at_midnight compared two datetimes of the output zone, which
    # Python does on the wall clock, and dropped the stretch 02:59 AEDT - 02:00 AEST
    # (Sydney falls back at 03:00 AEDT on 6 April 2025) as "empty": the walk said 0 min
    # counted for a 1 min target.
    sydney = ZoneInfo("Australia/Sydney")
    cal = BusinessCalendar(WeeklyHours(((), (), (), (), (), (), ((0, 180),))), sydney)
    start = datetime(2025, 4, 5, 15, 59, tzinfo=UTC)  # Sunday 02:59 AEDT
    due = cal.add(start, timedelta(minutes=1))
    assert due.astimezone(UTC) == datetime(2025, 4, 5, 16, 0, tzinfo=UTC)
    assert (due.hour, due.minute, due.fold) == (2, 0, 1)  # 02:00 AEST, second pass
    walk = explain(cal, start, due)
    assert [w.counted for w in walk.days] == [timedelta(minutes=1)]
    assert walk.lines()[1] == "counted  Sun 06 Apr 2025  02:59 AEDT-02:00 AEST  (1 min)"


# -- DST ------------------------------------------------------------------------------


def test_hours_inside_the_spring_forward_gap_never_happen() -> None:
    # 02:00-02:30 does not exist in Chicago on 9 March 2025: that day has no business time.
    cal = BusinessCalendar(daily(120, 150), CHICAGO)
    day = datetime(2025, 3, 9, 0, 0, tzinfo=CHICAGO)
    assert cal.elapsed(day, day + timedelta(hours=23)) == timedelta(0)
    assert cal.add(day, timedelta(minutes=1)).isoformat() == "2025-03-10T02:01:00-05:00"


def test_the_repeated_fall_back_hour_counts_twice() -> None:
    cal = BusinessCalendar(daily(60, 120), CHICAGO)  # 01:00-02:00
    day = datetime(2025, 11, 2, 0, 0, tzinfo=CHICAGO)
    assert cal.elapsed(day, day + timedelta(hours=25)) == timedelta(hours=2)
    # 90 minutes from 01:00 CDT: the first pass, then half of the second one.
    due = cal.add(day, timedelta(minutes=90))
    assert due.astimezone(UTC) == datetime(2025, 11, 2, 7, 30, tzinfo=UTC)
    assert (due.hour, due.minute, due.fold) == (1, 30, 1)


def test_due_in_the_repeated_hour_is_the_second_pass_instant() -> None:
    # The engine answers in the output zone; a due date in the second pass of a
    # fall-back hour has fold=1, and Python's == across zones is False for such a time
    # (PEP 495) -- compare instants in UTC.
    cal = BusinessCalendar(WeeklyHours.always(), CHICAGO)
    due = cal.add(datetime(2025, 11, 2, 6, 0, tzinfo=UTC), timedelta(hours=1))
    assert due.fold == 1
    assert due.astimezone(UTC) == datetime(2025, 11, 2, 7, 0, tzinfo=UTC)


# -- closing time, opening, zero --------------------------------------------------------


def test_target_spent_at_closing_is_due_at_closing_even_before_a_holiday() -> None:
    us = HolidayCalendar("us", CHICAGO, [FixedDate("Independence Day", 7, 4)])
    hours = WeeklyHours.parse({"mon-fri": "08:00-17:00"})
    cal = BusinessCalendar(hours, CHICAGO, [us])
    # Friday 3 July 2026 is a working day (4 July is a Saturday, observed as itself).
    start = datetime(2026, 7, 3, 8, 0, tzinfo=CHICAGO)
    assert cal.add(start, timedelta(hours=9)).isoformat() == "2026-07-03T17:00:00-05:00"
    assert cal.add(start, timedelta(hours=9, minutes=1)).isoformat() == (
        "2026-07-06T08:01:00-05:00"
    )


def test_zero_target_returns_the_start_even_outside_hours() -> None:
    cal = BusinessCalendar(WeeklyHours.parse({"mon-fri": "08:00-17:00"}), CHICAGO)
    start = datetime(2026, 11, 21, 23, 0, tzinfo=CHICAGO)  # Saturday night
    assert cal.add(start, timedelta(0)) == start
    assert cal.next_opening(start).isoformat() == "2026-11-23T08:00:00-06:00"


def test_hours_until_midnight_are_due_at_midnight() -> None:
    cal = BusinessCalendar(WeeklyHours.parse({"mon": "20:00-24:00"}), CHICAGO)
    start = datetime(2026, 11, 23, 20, 0, tzinfo=CHICAGO)
    assert cal.add(start, timedelta(hours=4)).isoformat() == "2026-11-24T00:00:00-06:00"
    assert not cal.is_open(datetime(2026, 11, 24, 0, 0, tzinfo=CHICAGO))


# -- holidays in another zone, year boundaries --------------------------------------------


def test_holiday_in_another_zone_covers_its_own_midnight_to_midnight() -> None:
    # Lisbon hours, US Central holiday: 25 December 2026 runs from 06:00 on Friday 25 to
    # 06:00 on Saturday 26 in Lisbon, so Friday's 08:00-17:00 is closed and Thursday's
    # last hour is followed by Monday 08:00.
    us = HolidayCalendar("us", CHICAGO, [FixedDate("Christmas Day", 12, 25)])
    cal = BusinessCalendar(WeeklyHours.parse({"mon-fri": "08:00-17:00"}), LISBON, [us])
    assert not cal.is_open(datetime(2026, 12, 25, 12, 0, tzinfo=LISBON))
    assert cal.is_open(datetime(2026, 12, 24, 16, 0, tzinfo=LISBON))
    start = datetime(2026, 12, 24, 16, 0, tzinfo=LISBON)
    assert cal.add(start, timedelta(hours=2)).isoformat() == "2026-12-28T09:00:00+00:00"


def test_holiday_spanning_the_utc_new_year() -> None:
    # Round-the-clock hours, New Year's Day in Chicago: 1 January 06:00 UTC to 2 January
    # 06:00 UTC, just after the boundary of the engine's per-UTC-year tables. Seven hours
    # before the holiday, one after.
    us = HolidayCalendar("us", CHICAGO, [FixedDate("New Year's Day", 1, 1)])
    cal = BusinessCalendar(WeeklyHours.always(), ZoneInfo("UTC"), [us])
    start = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    due = cal.add(start, timedelta(hours=8))
    assert due == datetime(2027, 1, 2, 7, 0, tzinfo=UTC)
    assert cal.elapsed(start, due) == timedelta(hours=8)
    assert cal.next_opening(datetime(2027, 1, 1, 12, 0, tzinfo=UTC)) == datetime(
        2027, 1, 2, 6, 0, tzinfo=UTC
    )


def test_weekend_shift_moves_a_saturday_holiday_to_friday() -> None:
    us = HolidayCalendar("us", CHICAGO, [FixedDate("Independence Day", 7, 4)],
                         weekend_shift=True)
    cal = BusinessCalendar(WeeklyHours.parse({"mon-fri": "08:00-17:00"}), CHICAGO, [us])
    assert not cal.is_open(datetime(2026, 7, 3, 12, 0, tzinfo=CHICAGO))
    assert cal.next_opening(datetime(2026, 7, 3, 12, 0, tzinfo=CHICAGO)).isoformat() == (
        "2026-07-06T08:00:00-05:00"
    )
