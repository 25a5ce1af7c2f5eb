"""Business-time arithmetic: weekly hours in a time zone, minus holidays.

The public surface is :class:`BusinessCalendar` (add a business duration, measure
elapsed business time, find the next opening), :class:`WeeklyHours`, the holiday
rule kinds and :class:`HolidayCalendar`, and :func:`explain` for the walk behind a
due date.
"""

from ._calendar import BusinessCalendar, NaiveDatetimeError, from_us, to_us
from ._explain import DayWalk, Explanation, explain, format_duration
from ._holidays import (
    ExplicitDates,
    FixedDate,
    Holiday,
    HolidayCalendar,
    HolidayRule,
    LastWeekday,
    NthWeekday,
    RelativeTo,
)
from ._weekly import DAY_NAMES, FULL_DAY_NAMES, WeeklyHours, WeeklyHoursError

__all__ = [
    "DAY_NAMES",
    "FULL_DAY_NAMES",
    "BusinessCalendar",
    "DayWalk",
    "Explanation",
    "ExplicitDates",
    "FixedDate",
    "Holiday",
    "HolidayCalendar",
    "HolidayRule",
    "LastWeekday",
    "NaiveDatetimeError",
    "NthWeekday",
    "RelativeTo",
    "WeeklyHours",
    "WeeklyHoursError",
    "explain",
    "format_duration",
    "from_us",
    "to_us",
]
