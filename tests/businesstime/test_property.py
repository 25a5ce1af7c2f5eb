"""Property tests: the business-time engine agrees with a minute-by-minute brute force.

Random weekly hours (00:00 and 24:00 boundaries, hours that touch the DST change hours),
random zones with and without DST (for the hours and, independently, for each holiday
calendar and for the output), random holiday rules with and without the weekend shift,
and random start instants in 2025-2027 biased towards DST changes, holidays, new year
(the engine's tables are per UTC year) and opening/closing times.

Every instant and target handed to the reference is a whole UTC minute, which makes its
minute stepping exact (see ``reference.py``). Targets are capped at two weeks' worth of
the calendar's hours (and at 60 business hours) so the reference walks at most a few
weeks of minutes per example.
"""

from __future__ import annotations

import calendar as _cal
import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from businesstime_reference import ReferenceCalendar
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla_bridge.businesstime import (
    BusinessCalendar,
    ExplicitDates,
    FixedDate,
    HolidayCalendar,
    HolidayRule,
    LastWeekday,
    NthWeekday,
    RelativeTo,
    WeeklyHours,
    explain,
)

MINUTE = timedelta(minutes=1)
# 200 examples per property keeps the file well under a minute on CI; raise it for a
# longer hunt with e.g. BUSINESSTIME_EXAMPLES=5000.
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("BUSINESSTIME_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Zones with DST at 01:00-03:00 local (Chicago, London, Lisbon, Sydney), at 02:45
# (Chatham, +12:45/+13:45), by half an hour (Lord Howe), at midnight (Santiago, Havana,
# Cairo: the day itself starts late or a late-evening hour happens twice), at 23:00 local
# (Nuuk: the skipped or repeated hour is the last of Saturday), at -03:30 (St John's),
# without DST (Sao Paulo since 2019, Kolkata +05:30, UTC).
ZONES = (
    "America/Chicago",
    "Europe/London",
    "Europe/Lisbon",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "UTC",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Africa/Cairo",
    "America/Nuuk",
    "America/St_Johns",
)
WINDOW_LO = datetime(2025, 1, 1, tzinfo=UTC)
WINDOW_HI = datetime(2028, 1, 1, tzinfo=UTC)
WINDOW_MINUTES = (WINDOW_HI - WINDOW_LO) // MINUTE
HOLIDAY_YEARS = range(2023, 2031)
MAX_TARGET_MINUTES = 60 * 60


# -- DST transitions, found by brute force ---------------------------------------------


@functools.cache
def transitions(zone_name: str) -> tuple[datetime, ...]:
    """Instants (UTC, whole minutes) at which ``zone_name`` changes its UTC offset."""
    zone = ZoneInfo(zone_name)
    found: list[datetime] = []
    t = datetime(2024, 11, 1, tzinfo=UTC)
    offset = t.astimezone(zone).utcoffset()
    while t < datetime(2028, 3, 1, tzinfo=UTC):
        nxt = t + timedelta(hours=6)
        if nxt.astimezone(zone).utcoffset() != offset:
            lo, hi = t, nxt
            while hi - lo > MINUTE:
                mid = lo + (hi - lo) // MINUTE // 2 * MINUTE
                if mid.astimezone(zone).utcoffset() == offset:
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
            offset = hi.astimezone(zone).utcoffset()
        t = nxt
    return tuple(found)


TRANSITION_DAYS = tuple(
    sorted({t.astimezone(ZoneInfo(z)).date() for z in ZONES for t in transitions(z)})
)


# -- holiday dates, computed independently of the engine's rules -----------------------


def _month_days(year: int, month: int) -> list[date]:
    return [date(year, month, d) for d in range(1, _cal.monthrange(year, month)[1] + 1)]


def rule_dates(rule: HolidayRule, year: int, earlier: dict[str, list[date]]) -> list[date]:
    """The dates ``rule`` falls on in ``year`` (before any weekend shift)."""
    if isinstance(rule, FixedDate):
        try:
            return [date(year, rule.month, rule.day)]
        except ValueError:  # February 29 in a common year
            return []
    if isinstance(rule, NthWeekday):
        matching = [d for d in _month_days(year, rule.month) if d.weekday() == rule.weekday]
        return [matching[rule.n - 1]] if rule.n <= len(matching) else []
    if isinstance(rule, LastWeekday):
        return [[d for d in _month_days(year, rule.month) if d.weekday() == rule.weekday][-1]]
    if isinstance(rule, RelativeTo):
        return [d + timedelta(days=rule.days) for d in earlier[rule.holiday]]
    if isinstance(rule, ExplicitDates):
        return [d for d in rule.dates if d.year == year]
    raise TypeError(rule)


def observed_dates(rules: Sequence[HolidayRule], weekend_shift: bool) -> set[date]:
    """Every observed holiday date of ``HOLIDAY_YEARS``."""
    observed: set[date] = set()
    for year in HOLIDAY_YEARS:
        earlier: dict[str, list[date]] = {}
        for rule in rules:
            days = earlier[rule.name] = rule_dates(rule, year, earlier)
            for day in days:
                if weekend_shift and day.weekday() == 5:
                    day -= timedelta(days=1)
                elif weekend_shift and day.weekday() == 6:
                    day += timedelta(days=1)
                observed.add(day)
    return observed


# -- scenarios ----------------------------------------------------------------------------

Days = tuple[tuple[tuple[int, int], ...], ...]


@dataclass(frozen=True)
class HolidaySpec:
    zone: str
    rules: tuple[HolidayRule, ...]
    weekend_shift: bool


@dataclass(frozen=True)
class Scenario:
    days: Days
    zone: str
    output_zone: str
    holidays: tuple[HolidaySpec, ...]

    def engine(self) -> BusinessCalendar:
        return BusinessCalendar(
            WeeklyHours(self.days),
            ZoneInfo(self.zone),
            [
                HolidayCalendar(f"cal{i}", ZoneInfo(h.zone), list(h.rules), h.weekend_shift)
                for i, h in enumerate(self.holidays)
            ],
            output_zone=ZoneInfo(self.output_zone),
        )

    def reference(self) -> ReferenceCalendar:
        return ReferenceCalendar(
            self.days,
            ZoneInfo(self.zone),
            [(ZoneInfo(h.zone), self.holiday_dates[i]) for i, h in enumerate(self.holidays)],
        )

    @functools.cached_property
    def holiday_dates(self) -> tuple[set[date], ...]:
        return tuple(observed_dates(h.rules, h.weekend_shift) for h in self.holidays)

    @property
    def weekly_minutes(self) -> int:
        return sum(e - s for day in self.days for s, e in day)

    @property
    def target_cap(self) -> int:
        """Largest target (minutes) the reference is asked for: two weeks of hours, <= 60 h."""
        return min(MAX_TARGET_MINUTES, 2 * self.weekly_minutes)

    def zones(self) -> list[str]:
        return [self.zone, *(h.zone for h in self.holidays)]

    def holiday_starts(self) -> list[datetime]:
        """The instants (UTC) at which each holiday begins and ends in its own zone."""
        out: list[datetime] = []
        for spec, dates in zip(self.holidays, self.holiday_dates, strict=True):
            zone = ZoneInfo(spec.zone)
            for day in dates:
                for d in (day, day + timedelta(days=1)):
                    out.append(datetime.combine(d, time(), tzinfo=zone).astimezone(UTC))
        return sorted(t for t in out if WINDOW_LO <= t < WINDOW_HI)


# Minutes after midnight that matter: midnight, the DST change hours (01:00-03:00, 02:30
# for Lord Howe, 02:45/03:45 for Chatham), late evening (midnight changes) and 24:00.
SPECIAL_MINUTES = (0, 60, 120, 150, 165, 180, 225, 240, 1380, 1410, 1440)
minute_points = st.one_of(
    st.sampled_from(SPECIAL_MINUTES),
    st.integers(0, 48).map(lambda k: k * 30),
    st.integers(0, 1440),
)


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    """One to three sorted intervals of a day; they may touch, and may be 00:00 or 24:00."""
    n = draw(st.integers(1, 3))
    points = sorted(draw(st.lists(minute_points, min_size=2 * n, max_size=2 * n)))
    intervals = tuple((s, e) for s, e in zip(points[::2], points[1::2], strict=True) if s < e)
    return intervals or ((points[0], points[0] + 1) if points[0] < 1440 else (1439, 1440),)


PRESETS: tuple[Days, ...] = (
    (((480, 1020),),) * 5 + ((), ()),  # Mon-Fri 08:00-17:00
    WeeklyHours.always().days,
    (((60, 180),),) * 7,  # 01:00-03:00 daily: the DST change hours
    (((120, 150),),) * 7,  # 02:00-02:30 daily: inside a spring-forward gap
    ((), (), (), (), (), ((1380, 1440),), ((0, 60),)),  # around midnight Sat/Sun
)


@st.composite
def weekly_days(draw: st.DrawFn) -> Days:
    if draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(PRESETS))
    days = [draw(st.one_of(st.just(()), day_hours())) for _ in range(7)]
    if not any(days):
        days[draw(st.integers(0, 6))] = draw(day_hours())
    return tuple(days)


holiday_days = st.one_of(
    st.sampled_from(TRANSITION_DAYS),
    st.dates(date(2024, 12, 20), date(2028, 1, 10)),
    st.sampled_from((date(2025, 12, 31), date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1))),
)


@st.composite
def holiday_rules(draw: st.DrawFn) -> tuple[HolidayRule, ...]:
    rules: list[HolidayRule] = []
    for i in range(draw(st.integers(0, 5))):
        name = f"holiday {i}"
        kinds = ["fixed", "explicit", "nth", "last"] + (["relative"] if rules else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "fixed":
            day = draw(holiday_days)
            if draw(st.booleans()):  # any month/day, Feb 29 included
                month = draw(st.integers(1, 12))
                day = date(2024, month, draw(st.integers(1, _cal.monthrange(2024, month)[1])))
            rules.append(FixedDate(name, day.month, day.day))
        elif kind == "explicit":
            rules.append(ExplicitDates(name, tuple(draw(st.lists(holiday_days, max_size=4)))))
        elif kind == "nth":
            rules.append(NthWeekday(name, draw(st.integers(1, 12)), draw(st.integers(0, 6)),
                                    draw(st.integers(1, 5))))
        elif kind == "last":
            rules.append(LastWeekday(name, draw(st.integers(1, 12)), draw(st.integers(0, 6))))
        else:
            anchor = draw(st.sampled_from(rules)).name
            rules.append(RelativeTo(name, anchor, draw(st.integers(-3, 3))))
    return tuple(rules)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone = draw(st.sampled_from(ZONES))
    holidays = tuple(
        HolidaySpec(
            # Often the same zone as the hours, often another one.
            draw(st.one_of(st.just(zone), st.sampled_from(ZONES))),
            draw(holiday_rules()),
            draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    output_zone = draw(st.one_of(st.just(zone), st.sampled_from(ZONES)))
    return Scenario(draw(weekly_days()), zone, output_zone, holidays)


@st.composite
def instants(draw: st.DrawFn, scenario: Scenario) -> datetime:
    """A whole UTC minute in 2025-2027 (give or take a few days), biased to edges."""
    how = draw(st.sampled_from(("anywhere", "dst", "holiday", "new_year", "opening")))
    anchor = None
    if how == "dst":
        changes = [
            t for z in scenario.zones() for t in transitions(z) if WINDOW_LO <= t < WINDOW_HI
        ]
        anchor = draw(st.sampled_from(changes)) if changes else None
    elif how == "holiday":
        starts = scenario.holiday_starts()
        anchor = draw(st.sampled_from(starts)) if starts else None
    elif how == "new_year":
        year = draw(st.integers(2025, 2028))
        local = draw(st.sampled_from((UTC, ZoneInfo(scenario.zone))))
        anchor = datetime(year, 1, 1, tzinfo=local).astimezone(UTC)
    elif how == "opening":
        day = draw(st.dates(WINDOW_LO.date(), WINDOW_HI.date() - timedelta(days=1)))
        edges = [m for s, e in scenario.days[day.weekday()] for m in (s, e)] or [0]
        minute = draw(st.sampled_from(edges))
        wall = datetime.combine(day, time()) + timedelta(minutes=minute)
        fold = draw(st.integers(0, 1))
        anchor = wall.replace(tzinfo=ZoneInfo(scenario.zone), fold=fold).astimezone(UTC)
    if anchor is None:
        return WINDOW_LO + draw(st.integers(0, WINDOW_MINUTES - 1)) * MINUTE
    shift = draw(
        st.one_of(
            st.integers(-3, 3),
            st.integers(-180, 180),
            st.integers(-3 * 1440, 3 * 1440),
        )
    )
    return anchor + shift * MINUTE


def presented(draw: st.DrawFn, scenario: Scenario, instant: datetime) -> datetime:
    """The same instant, expressed in UTC, the calendar's zone or a fixed offset."""
    tz = draw(
        st.sampled_from(
            (UTC, ZoneInfo(scenario.zone), ZoneInfo(scenario.output_zone),
             timezone(timedelta(hours=-5)))
        )
    )
    return instant.astimezone(tz)


@st.composite
def targets(draw: st.DrawFn, scenario: Scenario, ref: ReferenceCalendar,
            start: datetime) -> timedelta:
    """A whole-minute business duration from 1 minute up to the scenario's cap."""
    cap = scenario.target_cap
    how = draw(st.sampled_from(("small", "any", "hours", "until")))
    if how == "small":
        minutes = draw(st.integers(1, min(cap, 90)))
    elif how == "hours":
        minutes = 60 * draw(st.integers(1, max(1, cap // 60)))
    elif how == "until":
        # The business time up to an instant shortly after start: when that instant is
        # outside hours, the target is spent exactly at a closing time.
        until = start + draw(st.integers(1, 3 * 1440)) * MINUTE
        minutes = ref.elapsed(start, until) // MINUTE
    else:
        minutes = draw(st.integers(1, cap))
    return min(max(minutes, 1), cap) * MINUTE


def utc(instant: datetime) -> datetime:
    """``instant`` in UTC, for comparisons and arithmetic.

    The engine answers in its output zone, and aware datetimes of one zone are
    wall-clock values to Python: ``b - a`` ignores a DST change between them,
    ``t + delta`` drops ``fold`` (the second pass of a fall-back hour), and ``==``
    against another zone is always False for a ``fold=1`` time (PEP 495).
    """
    return instant.astimezone(UTC)


def describe(scenario: Scenario, *instants_: datetime) -> str:
    zone = ZoneInfo(scenario.zone)
    return "; ".join(
        f"{t.astimezone(UTC).isoformat()} = {t.astimezone(zone).isoformat()} "
        f"({t.astimezone(zone):%a})"
        for t in instants_
    )


# -- properties ---------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(st.data())
def test_add_agrees_with_reference(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(), label="scenario")
    cal, ref = scenario.engine(), scenario.reference()
    start = presented(data.draw, scenario, data.draw(instants(scenario), label="start"))
    duration = data.draw(targets(scenario, ref, start), label="duration")

    expected = ref.add(start, duration)
    got = cal.add(start, duration)
    assert utc(got) == expected, f"+{duration}: got/expected {describe(scenario, got, expected)}"
    assert got.tzinfo == ZoneInfo(scenario.output_zone)


@PROPERTY_SETTINGS
@given(st.data())
def test_elapsed_agrees_with_reference(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(), label="scenario")
    cal, ref = scenario.engine(), scenario.reference()
    start = data.draw(instants(scenario), label="start")
    span = data.draw(
        st.one_of(st.integers(-1440, 0), st.integers(1, 1440), st.integers(1, 14 * 1440)),
        label="span minutes",
    )
    end = start + span * MINUTE
    start, end = presented(data.draw, scenario, start), presented(data.draw, scenario, end)

    expected = ref.elapsed(start, end)
    assert cal.elapsed(start, end) == expected, describe(scenario, start, end)
    pieces = list(cal.open_intervals(start, end))
    assert sum((utc(b) - utc(a) for a, b in pieces), timedelta(0)) == expected
    assert all(utc(start) <= utc(a) < utc(b) <= utc(end) for a, b in pieces)


@PROPERTY_SETTINGS
@given(st.data())
def test_elapsed_of_add_is_the_target(data: st.DataObject) -> None:
    # Engine only, so sub-minute instants and targets far beyond the reference's reach.
    scenario = data.draw(scenarios(), label="scenario")
    cal = scenario.engine()
    start = data.draw(instants(scenario), label="start") + timedelta(
        microseconds=data.draw(st.integers(0, 60_000_000 - 1), label="microseconds")
    )
    start = presented(data.draw, scenario, start)
    # At most ~a year of the calendar's hours (each year is a table to build).
    cap_us = min(2_000 * 3600, 50 * scenario.weekly_minutes * 60) * 1_000_000
    duration = timedelta(microseconds=data.draw(st.integers(1, cap_us), label="duration µs"))

    due = cal.add(start, duration)
    assert utc(due) > utc(start)
    assert cal.elapsed(start, due) == duration
    assert cal.is_open(utc(due) - timedelta(microseconds=1))
    # The explained walk counts the same business time, day by day.
    walk = explain(cal, start, due)
    assert sum((day.counted for day in walk.days), timedelta(0)) == duration


@PROPERTY_SETTINGS
@given(st.data())
def test_next_opening_agrees_with_reference(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(), label="scenario")
    cal, ref = scenario.engine(), scenario.reference()
    instant = presented(data.draw, scenario, data.draw(instants(scenario), label="instant"))

    expected = ref.next_opening(instant)
    got = cal.next_opening(instant)
    assert utc(got) == expected, f"got/expected {describe(scenario, got, expected)}"
    # Inside the same minute the answer moves along with the instant when it is open.
    later = utc(instant) + timedelta(seconds=59, microseconds=999_999)
    assert utc(cal.next_opening(later)) == (later if expected == utc(instant) else expected)


@PROPERTY_SETTINGS
@given(st.data())
def test_is_open_agrees_with_reference(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(), label="scenario")
    cal, ref = scenario.engine(), scenario.reference()
    instant = presented(data.draw, scenario, data.draw(instants(scenario), label="instant"))

    expected = ref.is_open(instant)
    assert cal.is_open(instant) == expected, describe(scenario, instant)
    later = utc(instant) + timedelta(seconds=59, microseconds=999_999)
    assert cal.is_open(later) == expected
