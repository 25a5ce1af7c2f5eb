"""A brute-force business-time reference: the engine's rule, checked one minute at a time.

The rule (module docstring of ``sla_bridge.businesstime._calendar``): an instant is
business time when its wall-clock time in the calendar's zone lies inside that
weekday's hours (``[start, end)``, ``end`` may be 24:00) and its wall-clock date in
each holiday calendar's own zone is not a holiday there.

This module steps through UTC minutes and asks that question of the first instant
of each minute ``[t, t + 1 min)``. That is exact as long as every instant handed in
is a whole UTC minute and every zone involved only has whole-minute UTC offsets
that change on whole minutes -- true for every IANA zone in use since 1972 (Chatham
is +12:45/+13:45, Kolkata +05:30). Nothing here is clever on purpose: no interval
tables, no bisection, no DST arithmetic; the only time-zone knowledge used is
``datetime.astimezone``.

It lives with the tests (and is loaded by path from the benchmarks); the bridge
never imports it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sla_bridge.businesstime import BusinessCalendar

MINUTE = timedelta(minutes=1)
# Refuse to walk further than this (about 19 months): a reference that needs more
# is being used on a calendar or a target it was not meant for.
DEFAULT_LIMIT_MINUTES = 800_000


class ReferenceLimitError(RuntimeError):
    """The walk needed more minutes than the limit allows."""


class ReferenceCalendar:
    """Weekly hours in ``zone`` minus whole-day holidays, each set in its own zone.

    ``days[0]`` is Monday; each day is a sequence of ``(start, end)`` minutes after
    local midnight, ``end`` up to 1440. ``holidays`` is a sequence of
    ``(zone, dates)``: the dates observed as holidays, as wall-clock dates in ``zone``.
    """

    def __init__(
        self,
        days: Sequence[Iterable[tuple[int, int]]],
        zone: ZoneInfo,
        holidays: Sequence[tuple[ZoneInfo, Collection[date]]] = (),
        limit_minutes: int = DEFAULT_LIMIT_MINUTES,
    ) -> None:
        if len(days) != 7:
            raise ValueError("seven days, Monday first")
        self.days = tuple(tuple(day) for day in days)
        self.zone = zone
        self.holidays = tuple((hz, frozenset(dates)) for hz, dates in holidays)
        self.limit_minutes = limit_minutes

    @classmethod
    def from_business_calendar(
        cls, calendar: BusinessCalendar, years: Iterable[int]
    ) -> ReferenceCalendar:
        """Mirror an engine ``BusinessCalendar``, taking its holiday dates for ``years``.

        For benchmarks: the holiday *dates* come from the engine's holiday rules, so
        this does not check those rules (the property tests compute them on their own).
        """
        year_list = list(years)
        holidays = [
            (hc.timezone, {h.day for y in year_list for h in hc.holidays_in(y)})
            for hc in calendar.holidays
        ]
        return cls(calendar.weekly.days, calendar.timezone, holidays)

    # -- the rule ---------------------------------------------------------------------

    def is_business_minute(self, t: datetime) -> bool:
        """Whether instant ``t`` (and so the whole minute starting at it) is business time."""
        local = t.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        if not any(start <= minute < end for start, end in self.days[local.weekday()]):
            return False
        return all(t.astimezone(hz).date() not in dates for hz, dates in self.holidays)

    # -- arithmetic ---------------------------------------------------------------------

    def is_open(self, instant: datetime) -> bool:
        """Whether ``instant`` (a whole minute) is business time."""
        return self.is_business_minute(_utc_minute(instant))

    def next_opening(self, instant: datetime) -> datetime:
        """``instant`` if it is business time, else the first business minute after it."""
        t = _utc_minute(instant)
        for _ in range(self.limit_minutes):
            if self.is_business_minute(t):
                return t
            t += MINUTE
        raise ReferenceLimitError(f"no business minute within {self.limit_minutes} minutes")

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The end of the business minute that completes ``duration`` (whole minutes).

        A zero duration returns ``start``.
        """
        wanted, rest = divmod(duration, MINUTE)
        if rest or wanted < 0:
            raise ValueError(f"the reference adds whole, non-negative minutes, not {duration}")
        t = _utc_minute(start)
        if wanted == 0:
            return t
        counted = 0
        for _ in range(self.limit_minutes):
            if self.is_business_minute(t):
                counted += 1
                if counted == wanted:
                    return t + MINUTE
            t += MINUTE
        raise ReferenceLimitError(f"target not reached within {self.limit_minutes} minutes")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time in ``[start, end)``; zero when ``end`` is not after ``start``."""
        t, stop = _utc_minute(start), _utc_minute(end)
        if (stop - t) // MINUTE > self.limit_minutes:
            raise ReferenceLimitError(f"more than {self.limit_minutes} minutes to walk")
        counted = 0
        while t < stop:
            counted += self.is_business_minute(t)
            t += MINUTE
        return counted * MINUTE


def _utc_minute(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant!r} is naive; the reference needs exact instants")
    t = instant.astimezone(UTC)
    if t.second or t.microsecond:
        raise ValueError(f"{instant.isoformat()} is not a whole UTC minute")
    return t
