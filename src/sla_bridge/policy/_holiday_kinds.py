"""The built-in holiday rule kinds a policy file can use, as pydantic specs.

Each spec validates one ``[[holidays.NAME.rules]]`` entry and turns it into a
:class:`~sla_bridge.businesstime.HolidayRule`. Plugins register more kinds through
the ``sla_bridge_register_holiday_rules`` hook.
"""

from __future__ import annotations

import calendar as _cal
from datetime import date
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sla_bridge.businesstime import (
    DAY_NAMES,
    FULL_DAY_NAMES,
    ExplicitDates,
    FixedDate,
    HolidayRule,
    LastWeekday,
    NthWeekday,
    RelativeTo,
)


class HolidayRuleSpec(Protocol):
    """What a registered holiday rule kind provides: a validated spec that builds a rule."""

    name: str

    def to_rule(self) -> HolidayRule:
        """Return the rule that computes this holiday's dates."""
        ...


def _weekday(value: object) -> object:
    if isinstance(value, str):
        key = value.strip().lower()
        key = key[:3] if key in FULL_DAY_NAMES else key
        if key not in DAY_NAMES:
            raise ValueError(f"{value!r} is not a weekday; use mon, tue, wed, thu, fri, sat or sun")
        return DAY_NAMES.index(key)
    return value


Weekday = Annotated[int, BeforeValidator(_weekday), Field(ge=0, le=6)]
Month = Annotated[int, Field(ge=1, le=12)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)


class FixedDateSpec(_Spec):
    """``kind = "fixed"``: the same month and day every year."""

    kind: Literal["fixed"] = "fixed"
    month: Month
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _real_day(self) -> FixedDateSpec:
        if self.day > _cal.monthrange(2024, self.month)[1]:
            raise ValueError(f"month {self.month} has no day {self.day}")
        return self

    def to_rule(self) -> HolidayRule:
        """Build the fixed-date rule."""
        return FixedDate(self.name, self.month, self.day)


class NthWeekdaySpec(_Spec):
    """``kind = "nth_weekday"``: e.g. the fourth Thursday of November."""

    kind: Literal["nth_weekday"] = "nth_weekday"
    month: Month
    weekday: Weekday
    n: int = Field(ge=1, le=5)

    def to_rule(self) -> HolidayRule:
        """Build the n-th-weekday rule."""
        return NthWeekday(self.name, self.month, self.weekday, self.n)


class LastWeekdaySpec(_Spec):
    """``kind = "last_weekday"``: e.g. the last Monday of May."""

    kind: Literal["last_weekday"] = "last_weekday"
    month: Month
    weekday: Weekday

    def to_rule(self) -> HolidayRule:
        """Build the last-weekday rule."""
        return LastWeekday(self.name, self.month, self.weekday)


class RelativeSpec(_Spec):
    """``kind = "relative"``: a number of days after (negative: before) an earlier holiday."""

    kind: Literal["relative"] = "relative"
    holiday: str
    days: int = Field(ge=-366, le=366)

    def to_rule(self) -> HolidayRule:
        """Build the relative rule."""
        return RelativeTo(self.name, self.holiday, self.days)


class DatesSpec(_Spec):
    """``kind = "dates"``: explicit dates, for company shutdowns and one-off closures."""

    kind: Literal["dates"] = "dates"
    dates: list[date] = Field(min_length=1)

    def to_rule(self) -> HolidayRule:
        """Build the explicit-dates rule."""
        return ExplicitDates(self.name, tuple(self.dates))


BUILTIN_HOLIDAY_KINDS: dict[str, type[_Spec]] = {
    "fixed": FixedDateSpec,
    "nth_weekday": NthWeekdaySpec,
    "last_weekday": LastWeekdaySpec,
    "relative": RelativeSpec,
    "dates": DatesSpec,
}
