"""The policy model: severities, plans and their targets, schedules, locations, holidays."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from sla_bridge.businesstime import BusinessCalendar, HolidayCalendar, WeeklyHours

from ._durations import Duration, TargetDuration
from ._locations import (
    Location,
    LocationMatch,
    find_location,
    require_location,
    resolve_location,
)
from ._workflow import (
    AppliesTo,
    AutoClose,
    ChannelHours,
    Classification,
    Clocks,
    Entitlements,
    Escalation,
    Exemption,
    Intake,
    Versions,
)
from ._zones import LOCATION_ZONE, ZoneOrLocation

Metric = Literal["first_response", "next_update"]
METRICS: tuple[Metric, ...] = ("first_response", "next_update")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Severity(_Model):
    """One severity level, most severe first in the policy's list."""

    id: str = Field(min_length=1)
    label: str
    definition: str
    examples: list[str] = []
    aliases: list[str] = []


class Plan(_Model):
    """A support plan: its targets per severity and what it entitles the customer to."""

    label: str
    first_response: dict[str, Duration]
    next_update: dict[str, Duration] = {}
    # Severity id -> schedule name, where a severity is covered by other hours.
    coverage: dict[str, str] = {}
    admins: int | None = Field(default=None, ge=1)
    channels: list[str] = []
    consultation: bool = False


class Schedule(_Model):
    """Weekly hours, the zone they are read in, the holidays observed, the business-day length."""

    hours: WeeklyHours
    timezone: ZoneOrLocation = LOCATION_ZONE
    holidays: list[str] = []
    business_day_hours: float | None = Field(default=None, gt=0, le=24)

    @field_validator("hours", mode="before")
    @classmethod
    def _parse_hours(cls, value: Any) -> Any:
        return value if isinstance(value, WeeklyHours) else WeeklyHours.parse(value)


class HolidaySet(_Model):
    """A holiday calendar: named rules observed as whole days in ``timezone``, or in each
    customer's own zone with ``timezone = "location"``."""

    timezone: ZoneOrLocation
    weekend_shift: bool = False
    rules: list[Any] = []

    @field_validator("rules", mode="before")
    @classmethod
    def _build_rules(cls, value: Any, info: ValidationInfo) -> Any:
        kinds: Mapping[str, type[BaseModel]] = (info.context or {}).get("holiday_kinds", {})
        if not isinstance(value, list):
            raise ValueError("rules must be a list of tables such as { name = ..., kind = ... }")
        built = []
        for index, raw in enumerate(value):
            if not isinstance(raw, dict) or "kind" not in raw:
                raise ValueError(f"rule {index}: needs a 'kind' ({', '.join(sorted(kinds))})")
            kind = kinds.get(raw["kind"])
            if kind is None:
                raise ValueError(
                    f"rule {index} ({raw.get('name', '?')}): unknown kind {raw['kind']!r}; "
                    f"known kinds: {', '.join(sorted(kinds))}"
                )
            try:
                built.append(kind.model_validate(raw))
            except ValidationError as exc:
                details = "; ".join(
                    ".".join(map(str, e["loc"])) + (": " if e["loc"] else "")
                    + str(e["msg"]).removeprefix("Value error, ")
                    for e in exc.errors()
                )
                raise ValueError(f"rule {index} ({raw.get('name', '?')}): {details}") from None
        return built


@dataclass(frozen=True)
class ResolvedTarget:
    """A target made concrete for one ticket: its duration and the clock it runs on."""

    metric: Metric
    plan: str
    severity: str
    written: TargetDuration
    duration: timedelta
    calendar: BusinessCalendar
    schedule: str


class Policy(_Model):
    """A support policy as read from a policy file; see ``docs/policies.md`` for the format."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    source: str | None = None
    business_day_hours: float = Field(default=9, gt=0, le=24)
    default_schedule: str
    default_location: str
    # Whether a ticket's location may be any IANA zone name, not only a key of `locations`.
    locations_accept_timezones: bool = False
    severities: list[Severity] = Field(min_length=1)
    plans: dict[str, Plan] = Field(min_length=1)
    schedules: dict[str, Schedule] = Field(min_length=1)
    locations: dict[str, Location] = Field(min_length=1)
    holidays: dict[str, HolidaySet] = {}
    applies_to: AppliesTo = AppliesTo()
    classification: Classification = Classification()
    clocks: Clocks = Clocks()
    auto_close: AutoClose = AutoClose()
    escalation: Escalation = Escalation()
    intake: Intake = Intake()
    entitlements: Entitlements = Entitlements()
    versions: Versions = Versions()
    # Channel name (as tickets carry it, e.g. "chat") -> the hours it is staffed.
    channels: dict[str, ChannelHours] = {}
    # Name -> a tagged condition that suspends the targets (see Exemption).
    exemptions: dict[str, Exemption] = {}

    @property
    def pausing_tags(self) -> frozenset[str]:
        """The tags whose presence pauses a ticket's clocks."""
        return frozenset(e.tag for e in self.exemptions.values() if e.pause_clocks)

    _holiday_calendars: dict[str, HolidayCalendar] = PrivateAttr(default_factory=dict)
    _calendars: dict[tuple[str, str], BusinessCalendar] = PrivateAttr(default_factory=dict)

    # -- look-ups with errors that name the valid values ------------------------------

    @property
    def severity_ids(self) -> list[str]:
        """Severity ids, most severe first."""
        return [s.id for s in self.severities]

    def severity(self, name: str) -> Severity:
        """Return the severity whose id, label or alias is ``name`` (case-insensitive)."""
        wanted = name.strip().lower()
        for severity in self.severities:
            names = {severity.id.lower(), severity.label.lower(), *map(str.lower, severity.aliases)}
            if wanted in names:
                return severity
        raise LookupError(
            f"policy {self.id!r} has no severity {name!r}; valid severities: "
            + ", ".join(f"{s.id} ({s.label})" for s in self.severities)
        )

    def plan(self, name: str | None) -> tuple[str, Plan]:
        """Return ``(id, plan)`` for ``name``; ``None`` is allowed when there is one plan."""
        if name is None and len(self.plans) == 1:
            return next(iter(self.plans.items()))
        key = (name or "").strip().lower()
        for plan_id, plan in self.plans.items():
            if key in {plan_id.lower(), plan.label.lower()}:
                return plan_id, plan
        what = "needs a plan" if name is None else f"has no plan {name!r}"
        raise LookupError(f"policy {self.id!r} {what}; valid plans: {', '.join(self.plans)}")

    def find_location(self, name: str | None) -> LocationMatch | None:
        """Return the location ``name`` stands for (key, label, alias, country, region or,
        where allowed, an IANA zone), the default for ``None``, or ``None`` if unknown."""
        return find_location(self, name)

    def resolve_location(self, name: str | None) -> LocationMatch:
        """Like :meth:`find_location`, but an unknown location falls to the default one,
        with a note that says what was assumed."""
        return resolve_location(self, name)

    def require_location(self, name: str | None) -> LocationMatch:
        """Like :meth:`find_location`, but an unknown location is a LookupError naming the
        valid ones (for commands, where a typo should not pass)."""
        return require_location(self, name)

    def location_zone(self, name: str | None) -> tuple[str, ZoneInfo, str | None]:
        """Return ``(location, zone, schedule override)`` for a customer location; an unknown
        location is read as the default one (see :meth:`resolve_location`)."""
        found = self.resolve_location(name)
        return found.id, found.zone, found.schedule

    # -- resolution -------------------------------------------------------------------

    def target(
        self,
        plan: str | None,
        severity: str,
        metric: Metric = "first_response",
        location: str | None = None,
    ) -> ResolvedTarget:
        """Resolve the target for a plan, severity, metric and customer location."""
        plan_id, plan_model = self.plan(plan)
        sev = self.severity(severity)
        targets: Mapping[str, TargetDuration] = getattr(plan_model, metric)
        if sev.id not in targets:
            if metric == "next_update" and self.clocks.update_cadence is not None:
                written = self.clocks.update_cadence
            else:
                raise LookupError(
                    f"policy {self.id!r}, plan {plan_id!r} sets no {metric} target for severity "
                    f"{sev.id}; metrics it sets: "
                    + ", ".join(m for m in METRICS if getattr(plan_model, m))
                )
        else:
            written = targets[sev.id]
        _, zone, location_schedule = self.location_zone(location)
        schedule_name = (
            plan_model.coverage.get(sev.id) or location_schedule or self.default_schedule
        )
        schedule = self.schedules[schedule_name]
        day_hours = schedule.business_day_hours or self.business_day_hours
        return ResolvedTarget(
            metric=metric,
            plan=plan_id,
            severity=sev.id,
            written=written,
            duration=written.as_timedelta(day_hours),
            calendar=self.calendar(schedule_name, zone, elapsed=written.clock == "calendar"),
            schedule=schedule_name,
        )

    def after(self, start: datetime, delay: TargetDuration, location: str | None) -> datetime:
        """When ``delay`` (an auto-close delay, a decision window) after ``start`` ends for a
        customer at ``location``: calendar delays in elapsed time, business delays on the
        customer's calendar (the location's own schedule, else the default one)."""
        _, zone, location_schedule = self.location_zone(location)
        schedule = location_schedule or self.default_schedule
        calendar = self.calendar(schedule, zone, elapsed=delay.clock == "calendar")
        day_hours = self.schedules[schedule].business_day_hours
        return calendar.add(start, delay.as_timedelta(day_hours or self.business_day_hours))

    def calendar(self, schedule: str, zone: ZoneInfo, *, elapsed: bool = False) -> BusinessCalendar:
        """Return the (cached) business calendar of ``schedule`` for a customer in ``zone``.

        With ``elapsed`` the clock is round the clock with no holidays: calendar time.
        """
        key = ("<elapsed>" if elapsed else schedule, zone.key)
        cached = self._calendars.get(key)
        if cached is not None:
            return cached
        if elapsed:
            calendar = BusinessCalendar(WeeklyHours.always(), zone)
        else:
            spec = self.schedules[schedule]
            own_zone = zone if spec.timezone == LOCATION_ZONE else ZoneInfo(spec.timezone)
            holidays = [self.holiday_calendar(name, zone) for name in spec.holidays]
            calendar = BusinessCalendar(spec.hours, own_zone, holidays, output_zone=zone)
        self._calendars[key] = calendar
        return calendar

    def holiday_calendar(self, name: str, customer_zone: ZoneInfo | None = None) -> HolidayCalendar:
        """Return the holiday calendar ``name`` with its dates cached per year; one read in
        the customer's zone (``timezone = "location"``) needs ``customer_zone``."""
        spec = self.holidays[name]
        if spec.timezone == LOCATION_ZONE:
            zone = customer_zone or ZoneInfo(self.locations[self.default_location].timezone)
        else:
            zone = ZoneInfo(spec.timezone)
        key = f"{name}@{zone.key}"
        cached = self._holiday_calendars.get(key)
        if cached is None:
            cached = HolidayCalendar(
                name,
                zone,
                [rule.to_rule() for rule in spec.rules],
                weekend_shift=spec.weekend_shift,
            )
            self._holiday_calendars[key] = cached
        return cached

    def references(self) -> Sequence[tuple[str, str, Sequence[str], str]]:
        """Return every cross-reference in the policy as (key path, name, valid names, what)."""
        refs: list[tuple[str, str, Sequence[str], str]] = [
            ("default_schedule", self.default_schedule, list(self.schedules), "schedule"),
            ("default_location", self.default_location, list(self.locations), "location"),
        ]
        for loc_id, location in self.locations.items():
            if location.schedule:
                refs.append((f"locations.{loc_id}.schedule", location.schedule,
                             list(self.schedules), "schedule"))
        for sched_id, schedule in self.schedules.items():
            for index, name in enumerate(schedule.holidays):
                refs.append((f"schedules.{sched_id}.holidays[{index}]", name,
                             list(self.holidays), "holiday calendar"))
        for plan_id, plan in self.plans.items():
            for metric in ("first_response", "next_update", "coverage"):
                for sev in getattr(plan, metric):
                    refs.append((f"plans.{plan_id}.{metric}.{sev}", sev, self.severity_ids,
                                 "severity"))
            for sev, schedule_name in plan.coverage.items():
                refs.append((f"plans.{plan_id}.coverage.{sev}", schedule_name,
                             list(self.schedules), "schedule"))
        for channel, hours in self.channels.items():
            refs.append((f"channels.{channel}.schedule", hours.schedule, list(self.schedules),
                         "schedule"))
        if self.versions.unsupported_severity:
            refs.append(("versions.unsupported_severity", self.versions.unsupported_severity,
                         self.severity_ids, "severity"))
        return refs
