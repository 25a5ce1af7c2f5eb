"""Holiday rules and holiday calendars: which whole days, in which zone, are not worked."""

from __future__ import annotations

import calendar as _cal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo


@runtime_checkable
class HolidayRule(Protocol):
    """One named holiday that falls on zero or more dates a year.

    Rules are produced from policy files by the rule kinds registered through the
    ``sla_bridge_register_holiday_rules`` hook; a plugin may add its own kinds.
    """

    @property
    def name(self) -> str:
        """The holiday's name as shown on tickets and in explanations."""
        ...

    def dates_in(self, year: int, earlier: Mapping[str, Sequence[date]]) -> list[date]:
        """Return the dates this holiday falls on in ``year``.

        ``earlier`` maps the names of the rules listed before this one in the same
        calendar to their dates that year, so a rule can be relative to another.
        """
        ...


@dataclass(frozen=True)
class FixedDate:
    """A holiday on the same month and day every year (e.g. July 4)."""

    name: str
    month: int
    day: int

    def dates_in(self, year: int, earlier: Mapping[str, Sequence[date]]) -> list[date]:
        """Return the one date in ``year``, or none for February 29 in a common year."""
        if self.month == 2 and self.day == 29 and not _cal.isleap(year):
            return []
        return [date(year, self.month, self.day)]


@dataclass(frozen=True)
class NthWeekday:
    """A holiday on the n-th given weekday of a month (fourth Thursday of November)."""

    name: str
    month: int
    weekday: int  # 0 = Monday
    n: int  # 1..5

    def dates_in(self, year: int, earlier: Mapping[str, Sequence[date]]) -> list[date]:
        """Return the date in ``year``, or none when the month has no such n-th weekday."""
        first = date(year, self.month, 1)
        offset = (self.weekday - first.weekday()) % 7
        day = 1 + offset + 7 * (self.n - 1)
        if day > _cal.monthrange(year, self.month)[1]:
            return []
        return [date(year, self.month, day)]


@dataclass(frozen=True)
class LastWeekday:
    """A holiday on the last given weekday of a month (last Monday of May)."""

    name: str
    month: int
    weekday: int

    def dates_in(self, year: int, earlier: Mapping[str, Sequence[date]]) -> list[date]:
        """Return the date in ``year``."""
        last = date(year, self.month, _cal.monthrange(year, self.month)[1])
        return [last - timedelta(days=(last.weekday() - self.weekday) % 7)]


@dataclass(frozen=True)
class RelativeTo:
    """A holiday a number of days after (or before) another holiday of the same calendar."""

    name: str
    holiday: str
    days: int

    def dates_in(self, year: int, earlier: Mapping[str, Sequence[date]]) -> list[date]:
        """Return the other holiday's dates in ``year`` shifted by ``days``."""
        if self.holiday not in earlier:
            raise KeyError(self.holiday)
        return [d + timedelta(days=self.days) for d in earlier[self.holiday]]


@dataclass(frozen=True)
class ExplicitDates:
    """A holiday on dates listed one by one (a company shutdown, a one-off closure)."""

    name: str
    dates: tuple[date, ...]

    def dates_in(self, year: int, earlier: Mapping[str, Sequence[date]]) -> list[date]:
        """Return the listed dates that fall in ``year``."""
        return [d for d in self.dates if d.year == year]


@dataclass(frozen=True)
class Holiday:
    """One observed holiday date and the name a support manager would recognise."""

    day: date
    name: str


@dataclass
class HolidayCalendar:
    """Named holidays observed as whole days in the calendar's own time zone.

    ``weekend_shift`` moves a Saturday holiday to the Friday before and a Sunday
    holiday to the Monday after; it is off by default because the bundled sources
    observe the date itself. Dates are computed once per calendar year and cached.
    """

    name: str
    timezone: ZoneInfo
    rules: Sequence[HolidayRule]
    weekend_shift: bool = False
    _cache: dict[int, tuple[Holiday, ...]] = field(default_factory=dict, repr=False)

    def holidays_in(self, year: int) -> tuple[Holiday, ...]:
        """Return the observed holidays of ``year``, sorted by date."""
        cached = self._cache.get(year)
        if cached is None:
            cached = self._cache[year] = self._compute(year)
        return cached

    def _compute(self, year: int) -> tuple[Holiday, ...]:
        by_name: dict[str, list[date]] = {}
        found: list[Holiday] = []
        for rule in self.rules:
            days = rule.dates_in(year, by_name)
            by_name[rule.name] = days
            for day in days:
                found.append(Holiday(self._observed(day), rule.name))
        return tuple(sorted(found, key=lambda h: h.day))

    def _observed(self, day: date) -> date:
        if not self.weekend_shift:
            return day
        if day.weekday() == 5:
            return day - timedelta(days=1)
        if day.weekday() == 6:
            return day + timedelta(days=1)
        return day
