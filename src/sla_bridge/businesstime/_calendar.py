"""Business-time arithmetic on a calendar of weekly hours, a time zone and holidays.

The calendar is turned, once per UTC year, into a sorted table of open intervals
(epoch microseconds) with running totals of business time. Adding a duration or
measuring elapsed business time is then a pair of bisections, whatever the length
of the target, instead of a walk minute by minute or day by day.

An instant counts as business time when its wall-clock time in the calendar's zone
lies inside that weekday's hours and its wall-clock date in each holiday calendar's
zone is not a holiday there. That one rule settles DST: in a spring-forward gap the
missing wall minutes never happen, and in a fall-back fold both passes count.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ._holidays import Holiday, HolidayCalendar
from ._weekly import WeeklyHours

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_PROBE_STEP = timedelta(hours=6)
# A calendar that yields no business time for this many years in a row is broken
# (every day a holiday); stop instead of looping forever.
_MAX_EMPTY_YEARS = 10


class NaiveDatetimeError(ValueError):
    """An instant without a UTC offset was given where an exact instant is needed."""


def to_us(instant: datetime) -> int:
    """Return ``instant`` as integer microseconds since the Unix epoch."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{instant.isoformat()} has no UTC offset; give an exact instant such as "
            f"{instant.isoformat()}+00:00"
        )
    return (instant - EPOCH) // _US


def from_us(us: int, zone: ZoneInfo | None = None) -> datetime:
    """Return the instant ``us`` microseconds after the epoch, in ``zone`` (UTC by default)."""
    instant = EPOCH + timedelta(microseconds=us)
    return instant if zone is None else instant.astimezone(zone)


@dataclass(frozen=True)
class _YearTable:
    """Open intervals of one UTC year with the business time before each one."""

    starts: list[int]
    ends: list[int]
    before: list[int]  # business microseconds in this year before starts[i]
    through: list[int]  # business microseconds in this year up to ends[i]

    @property
    def total(self) -> int:
        return self.through[-1] if self.through else 0

    def used_at(self, t: int) -> int:
        """Business microseconds of this year that lie before instant ``t``."""
        i = bisect_right(self.ends, t)
        if i == len(self.ends):
            return self.total
        return self.before[i] + max(0, t - self.starts[i])

    def instant_at(self, used: int) -> int:
        """The instant at which ``used`` (> 0) business microseconds of the year are spent."""
        j = bisect_left(self.through, used)
        return self.starts[j] + (used - self.before[j])


class BusinessCalendar:
    """Weekly hours in a time zone, minus holidays: the clock that SLA targets run on.

    All methods take and return timezone-aware datetimes; results are expressed in
    ``output_zone`` (the customer's zone), which defaults to the calendar's own zone.
    """

    def __init__(
        self,
        weekly: WeeklyHours,
        timezone: ZoneInfo,
        holidays: Sequence[HolidayCalendar] = (),
        output_zone: ZoneInfo | None = None,
    ) -> None:
        self.weekly = weekly
        self.timezone = timezone
        self.holidays = tuple(holidays)
        self.output_zone = output_zone or timezone
        self._years: dict[int, _YearTable] = {}

    def __repr__(self) -> str:
        names = ", ".join(h.name for h in self.holidays) or "no holidays"
        return f"BusinessCalendar({self.timezone.key}, {names})"

    # -- public arithmetic -------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """Return the instant at which ``duration`` of business time after ``start`` is spent.

        A start outside hours begins counting at the next opening; a target spent
        exactly at closing time is due at closing time, not at the next opening.
        A zero duration returns ``start`` itself.
        """
        remaining = duration // _US
        if remaining < 0:
            raise ValueError(f"cannot add a negative business duration ({duration})")
        t = to_us(start)
        if remaining == 0:
            return from_us(t, self.output_zone)
        year = from_us(t).year
        table = self._table(year)
        used = table.used_at(t)
        empty_years = 0
        while used + remaining > table.total:
            remaining -= table.total - used
            empty_years = empty_years + 1 if table.total == 0 else 0
            if empty_years > _MAX_EMPTY_YEARS:
                raise ValueError(f"{self!r} has no business hours for {_MAX_EMPTY_YEARS} years")
            year += 1
            table = self._table(year)
            used = 0
        return from_us(table.instant_at(used + remaining), self.output_zone)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Return the business time between ``start`` and ``end`` (zero if ``end`` is earlier)."""
        a, b = to_us(start), to_us(end)
        if b <= a:
            return timedelta(0)
        year_a, year_b = from_us(a).year, from_us(b).year
        if year_a == year_b:
            table = self._table(year_a)
            return timedelta(microseconds=table.used_at(b) - table.used_at(a))
        first = self._table(year_a)
        total = first.total - first.used_at(a)
        total += sum(self._table(y).total for y in range(year_a + 1, year_b))
        total += self._table(year_b).used_at(b)
        return timedelta(microseconds=total)

    def next_opening(self, instant: datetime) -> datetime:
        """Return ``instant`` if it is business time, else the next moment that is."""
        t = to_us(instant)
        year = from_us(t).year
        for offset in range(_MAX_EMPTY_YEARS + 1):
            table = self._table(year + offset)
            i = bisect_right(table.ends, t)
            if i < len(table.starts):
                return from_us(max(t, table.starts[i]), self.output_zone)
        raise ValueError(f"{self!r} has no business hours for {_MAX_EMPTY_YEARS} years")

    def is_open(self, instant: datetime) -> bool:
        """Return whether ``instant`` is business time on this calendar."""
        t = to_us(instant)
        table = self._table(from_us(t).year)
        i = bisect_right(table.ends, t)
        return i < len(table.starts) and table.starts[i] <= t

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Yield the business-time stretches between ``start`` and ``end``, clipped to them."""
        a, b = to_us(start), to_us(end)
        for year in range(from_us(a).year, from_us(max(a, b)).year + 1):
            table = self._table(year)
            for i in range(bisect_right(table.ends, a), len(table.starts)):
                lo, hi = max(a, table.starts[i]), min(b, table.ends[i])
                if table.starts[i] >= b:
                    return
                if lo < hi:
                    yield from_us(lo, self.output_zone), from_us(hi, self.output_zone)

    def holidays_on(self, local_day: date) -> list[Holiday]:
        """Return the holidays (of any holiday calendar) observed on ``local_day``."""
        return [
            holiday
            for calendar in self.holidays
            for year in (local_day.year - 1, local_day.year, local_day.year + 1)
            for holiday in calendar.holidays_in(year)
            if holiday.day == local_day
        ]

    # -- table construction -------------------------------------------------------------

    def _table(self, year: int) -> _YearTable:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = self._build(year)
        return table

    def _build(self, year: int) -> _YearTable:
        lo = datetime(year, 1, 1, tzinfo=UTC)
        hi = datetime(year + 1, 1, 1, tzinfo=UTC)
        pad = timedelta(days=2)
        opened = _merge(self._weekly_intervals(lo - pad, hi + pad))
        closed = _merge(self._holiday_intervals(year))
        starts: list[int] = []
        ends: list[int] = []
        before: list[int] = []
        through: list[int] = []
        spent = 0
        for s, e in _subtract(opened, closed):
            s, e = max(s, to_us(lo)), min(e, to_us(hi))
            if s < e:
                starts.append(s)
                ends.append(e)
                before.append(spent)
                spent += e - s
                through.append(spent)
        return _YearTable(starts, ends, before, through)

    def _weekly_intervals(self, lo: datetime, hi: datetime) -> Iterator[tuple[int, int]]:
        """Open intervals (epoch µs) whose wall-clock time is inside the weekly hours."""
        for seg_lo, seg_hi, offset in _offset_segments(self.timezone, lo, hi):
            wall_lo = (seg_lo + offset).replace(tzinfo=None)
            wall_hi = (seg_hi + offset).replace(tzinfo=None)
            day = wall_lo.date()
            while day <= wall_hi.date():
                midnight = datetime.combine(day, time())
                for start_min, end_min in self.weekly.days[day.weekday()]:
                    a = max(wall_lo, midnight + timedelta(minutes=start_min))
                    b = min(wall_hi, midnight + timedelta(minutes=end_min))
                    if a < b:
                        yield (
                            to_us((a - offset).replace(tzinfo=UTC)),
                            to_us((b - offset).replace(tzinfo=UTC)),
                        )
                day += timedelta(days=1)

    def _holiday_intervals(self, year: int) -> Iterator[tuple[int, int]]:
        for calendar in self.holidays:
            zone = calendar.timezone
            for y in (year - 1, year, year + 1):
                for holiday in calendar.holidays_in(y):
                    begin = datetime.combine(holiday.day, time(), tzinfo=zone)
                    end = datetime.combine(holiday.day + timedelta(days=1), time(), tzinfo=zone)
                    yield to_us(begin), to_us(end)


def _offset_segments(
    zone: ZoneInfo, lo: datetime, hi: datetime
) -> Iterator[tuple[datetime, datetime, timedelta]]:
    """Split [lo, hi) (UTC) into stretches over which ``zone`` keeps one UTC offset."""
    seg_start = lo
    offset = _offset(zone, lo)
    probe = lo
    while probe < hi:
        nxt = min(probe + _PROBE_STEP, hi)
        if _offset(zone, nxt) != offset:
            change = _find_change(zone, probe, nxt, offset)
            yield seg_start, change, offset
            seg_start, offset = change, _offset(zone, change)
        probe = nxt
    yield seg_start, hi, offset


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    value = instant.astimezone(zone).utcoffset()
    assert value is not None  # zoneinfo always knows the offset of an exact instant
    return value


def _find_change(zone: ZoneInfo, lo: datetime, hi: datetime, offset: timedelta) -> datetime:
    """Binary-search the first second in (lo, hi] at which the offset differs from ``offset``."""
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            break
        if _offset(zone, mid) == offset:
            lo = mid
        else:
            hi = mid
    return hi


def _merge(intervals: Iterator[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _subtract(
    opened: list[tuple[int, int]], closed: list[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """Yield the parts of the ``opened`` intervals not covered by any ``closed`` interval."""
    j = 0
    for s, e in opened:
        while j < len(closed) and closed[j][1] <= s:
            j += 1
        k = j
        cursor = s
        while k < len(closed) and closed[k][0] < e:
            if closed[k][0] > cursor:
                yield cursor, closed[k][0]
            cursor = max(cursor, closed[k][1])
            k += 1
        if cursor < e:
            yield cursor, e
