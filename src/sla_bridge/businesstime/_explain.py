"""The walk behind a due date: which stretches counted and which days were skipped, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from ._calendar import BusinessCalendar
from ._weekly import DAY_LABELS


@dataclass(frozen=True)
class DayWalk:
    """One local day between the start and the due instant."""

    day: date
    stretches: tuple[tuple[datetime, datetime], ...] = ()
    skipped_because: str | None = None

    @property
    def counted(self) -> timedelta:
        """Business time counted on this day (elapsed time, across any DST change)."""
        # Subtracting two datetimes of one zone gives their wall-clock difference; an
        # hour that the clocks skip or repeat inside a stretch would be miscounted.
        return sum(
            (_utc(end) - _utc(start) for start, end in self.stretches),
            timedelta(0),
        )


@dataclass(frozen=True)
class Explanation:
    """Why a target that starts at ``start`` is due at ``due``."""

    start: datetime
    due: datetime
    days: tuple[DayWalk, ...] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        """Return the walk as aligned lines for a terminal, one per day."""
        out = [f"start    {_stamp(self.start)}"]
        for walk in self.days:
            if walk.skipped_because:
                out.append(f"skipped  {walk.day:%a %d %b %Y}  {walk.skipped_because}")
                continue
            spans = ", ".join(_span(a, b, walk.day) for a, b in walk.stretches)
            counted = format_duration(walk.counted)
            out.append(f"counted  {walk.day:%a %d %b %Y}  {spans}  ({counted})")
        out.append(f"due      {_stamp(self.due)}")
        return out

    def summary(self) -> str:
        """Return the walk as one sentence a support manager can read on a ticket."""
        parts: list[str] = []
        pending_skip: list[DayWalk] = []

        def flush() -> None:
            if not pending_skip:
                return
            groups: list[tuple[str, list[date]]] = []
            for walk in pending_skip:
                reason = walk.skipped_because or ""
                if groups and groups[-1][0] == reason:
                    groups[-1][1].append(walk.day)
                else:
                    groups.append((reason, [walk.day]))
            for reason, days in groups:
                span = f"{days[0]:%a %d %b}" + (f"-{days[-1]:%a %d %b}" if len(days) > 1 else "")
                parts.append(f"{span} skipped ({reason})")
            pending_skip.clear()

        for walk in self.days:
            if walk.skipped_because:
                pending_skip.append(walk)
            else:
                flush()
                parts.append(f"{format_duration(walk.counted)} on {walk.day:%a %d %b}")
        flush()
        return f"due {self.due:%a %d %b %H:%M %Z}: " + ", ".join(parts)


def explain(calendar: BusinessCalendar, start: datetime, due: datetime) -> Explanation:
    """Describe, day by day in the calendar's output zone, the business time from start to due."""
    zone = calendar.output_zone
    local_start, local_due = start.astimezone(zone), due.astimezone(zone)
    by_day: dict[date, list[tuple[datetime, datetime]]] = {}
    for a, b in calendar.open_intervals(start, due):
        for piece in _split_at_midnight(a, b):
            by_day.setdefault(piece[0].date(), []).append(piece)
    days: list[DayWalk] = []
    day = local_start.date()
    while day <= local_due.date():
        stretches = by_day.get(day)
        if stretches:
            days.append(DayWalk(day, tuple(stretches)))
        elif day == local_due.date() and day != local_start.date():
            pass  # due at the previous day's closing time (midnight): nothing to report
        else:
            days.append(DayWalk(day, (), _skip_reason(calendar, day, day == local_start.date())))
        day += timedelta(days=1)
    return Explanation(local_start, local_due, tuple(days))


def format_duration(span: timedelta) -> str:
    """Return ``span`` as "3 h", "1 h 30 min" or "45 min"."""
    minutes = round(span.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


def _skip_reason(calendar: BusinessCalendar, day: date, is_first: bool) -> str:
    holidays = calendar.holidays_on(day)
    weekday = day.weekday()
    if not calendar.weekly.days[weekday]:
        return "weekend" if weekday >= 5 else f"closed on {DAY_LABELS[weekday]}s"
    if holidays:
        return " and ".join(sorted({h.name for h in holidays}))
    return "after closing time" if is_first else "outside business hours"


def _split_at_midnight(a: datetime, b: datetime) -> list[tuple[datetime, datetime]]:
    # Order is checked in UTC: Python compares two datetimes of one zone on the wall
    # clock, so 02:59 before a fall-back would count as later than 02:00 after it.
    pieces: list[tuple[datetime, datetime]] = []
    while a.date() < b.date():
        midnight = datetime.combine(a.date() + timedelta(days=1), time(), tzinfo=a.tzinfo)
        if _utc(midnight) > _utc(a):
            pieces.append((a, midnight))
        a = midnight
    if _utc(a) < _utc(b):
        pieces.append((a, b))
    return pieces


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def _stamp(instant: datetime) -> str:
    return f"{instant:%a %d %b %Y %H:%M %Z} ({instant.isoformat()})"


def _span(start: datetime, end: datetime, day: date) -> str:
    """``08:00-17:00``; with the zone abbreviations when a DST change falls inside."""
    if start.utcoffset() != end.utcoffset():
        return f"{start:%H:%M %Z}-{_clock(end, day)} {end:%Z}"
    return f"{start:%H:%M}-{_clock(end, day)}"


def _clock(end: datetime, day: date) -> str:
    return "24:00" if end.date() != day else f"{end:%H:%M}"
