"""Weekly opening hours: which wall-clock minutes of each weekday count as business time."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FULL_DAY_NAMES = tuple(label.lower() for label in DAY_LABELS)
MINUTES_PER_DAY = 24 * 60

_TIME_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class WeeklyHoursError(ValueError):
    """A weekly-hours specification that cannot be understood; the message says why."""


@dataclass(frozen=True)
class WeeklyHours:
    """Opening intervals per weekday, as minutes after local midnight.

    ``days[0]`` is Monday. Each day holds sorted, non-overlapping ``(start, end)``
    pairs with ``0 <= start < end <= 1440``; ``end == 1440`` means "until midnight".
    """

    days: tuple[tuple[tuple[int, int], ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise WeeklyHoursError("weekly hours need exactly seven days, Monday first")
        if not any(self.days):
            raise WeeklyHoursError("weekly hours are empty: no day has any opening interval")

    @classmethod
    def always(cls) -> WeeklyHours:
        """Return round-the-clock hours: every minute of every day counts."""
        return cls(tuple(((0, MINUTES_PER_DAY),) for _ in range(7)))

    @classmethod
    def parse(cls, spec: str | Mapping[str, str | Sequence[str]]) -> WeeklyHours:
        """Build weekly hours from a policy-file specification.

        ``spec`` is either ``"24x7"`` or a mapping from a day or day range
        (``"mon"``, ``"mon-fri"``, ``"sat-sun"``) to one ``"HH:MM-HH:MM"`` range or a
        list of them. Days not named are closed. Raises :class:`WeeklyHoursError`
        naming the offending key or value.
        """
        if isinstance(spec, str):
            if spec.strip().lower() in {"24x7", "24/7", "always"}:
                return cls.always()
            raise WeeklyHoursError(
                f"{spec!r} is not a weekly-hours value; use \"24x7\" or a table such as "
                '{ "mon-fri" = "08:00-17:00" }'
            )
        per_day: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for key, value in spec.items():
            ranges = [value] if isinstance(value, str) else list(value)
            for day in _expand_days(key):
                for text in ranges:
                    per_day[day].append(_parse_range(key, text))
        return cls(tuple(_normalise(key_day, intervals) for key_day, intervals
                         in zip(DAY_NAMES, per_day, strict=True)))

    def minutes_on(self, weekday: int) -> int:
        """Return how many business minutes weekday ``weekday`` (0 = Monday) has."""
        return sum(end - start for start, end in self.days[weekday])

    def describe(self) -> list[tuple[str, str]]:
        """Return ``(days, hours)`` rows that group equal days, for tables and explanations."""
        rows: list[tuple[str, str]] = []
        day = 0
        while day < 7:
            last = day
            while last + 1 < 7 and self.days[last + 1] == self.days[day]:
                last += 1
            label = DAY_NAMES[day] if last == day else f"{DAY_NAMES[day]}-{DAY_NAMES[last]}"
            hours = ", ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in self.days[day]) or "closed"
            rows.append((label.title(), hours))
            day = last + 1
        return rows


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _expand_days(key: str) -> Iterable[int]:
    parts = [p.strip().lower() for p in key.split("-")]
    parts = [p[:3] if p in FULL_DAY_NAMES else p for p in parts]
    if any(p not in DAY_NAMES for p in parts) or len(parts) > 2:
        raise WeeklyHoursError(
            f"{key!r} is not a day or day range; use names like mon, tue ... sun, or a range "
            "like mon-fri"
        )
    first = DAY_NAMES.index(parts[0])
    last = DAY_NAMES.index(parts[-1])
    if last < first:
        raise WeeklyHoursError(f"day range {key!r} runs backwards; write it as e.g. mon-fri")
    return range(first, last + 1)


def _parse_range(key: str, text: str) -> tuple[int, int]:
    match = _TIME_RANGE.match(text)
    if not match:
        raise WeeklyHoursError(f"{key} = {text!r}: expected a range like \"08:00-17:00\"")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or start >= MINUTES_PER_DAY or end > MINUTES_PER_DAY:
        raise WeeklyHoursError(f"{key} = {text!r}: times must lie between 00:00 and 24:00")
    if end <= start:
        raise WeeklyHoursError(
            f"{key} = {text!r}: the range ends before it starts; split hours that cross "
            "midnight into two ranges on consecutive days"
        )
    return start, end


def _normalise(day: str, intervals: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    intervals.sort()
    for (_, prev_end), (start, _) in pairwise(intervals):
        if start < prev_end:
            raise WeeklyHoursError(f"{day}: opening ranges overlap ({_hhmm(start)})")
    return tuple(intervals)
