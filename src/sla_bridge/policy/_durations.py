"""Target durations as written in policy files: "4 business hours", "1 business day"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BeforeValidator, PlainSerializer

Clock = Literal["calendar", "business"]

_PATTERN = re.compile(
    r"^\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<clock>calendar|business)\s+"
    r"(?P<unit>minutes?|hours?|days?)\s*$",
    re.IGNORECASE,
)
_UNIT_MINUTES = {"minute": 1, "hour": 60}


@dataclass(frozen=True)
class TargetDuration:
    """An SLA target: an amount of calendar (elapsed) or business time.

    Business days are converted to business hours with the schedule's business-day
    length when the target is resolved, so they are kept as written here.
    """

    amount: float
    clock: Clock
    unit: Literal["minute", "hour", "day"]

    @classmethod
    def parse(cls, text: str) -> TargetDuration:
        """Parse "1 calendar hour", "4 business hours", "2 business days", "30 business minutes"."""
        match = _PATTERN.match(text)
        if not match:
            raise ValueError(
                f"{text!r} is not a target duration; write an amount, 'calendar' or 'business', "
                "and a unit, e.g. \"4 business hours\", \"1 business day\", \"1 calendar hour\""
            )
        unit = match["unit"].lower().rstrip("s")
        amount = float(match["amount"])
        if amount <= 0:
            raise ValueError(f"{text!r}: a target must be longer than zero")
        return cls(amount, match["clock"].lower(), unit)  # type: ignore[arg-type]

    def as_timedelta(self, business_day_hours: float) -> timedelta:
        """Return the duration on its own clock; a business day lasts ``business_day_hours``."""
        if self.unit == "day":
            hours = self.amount * (24 if self.clock == "calendar" else business_day_hours)
            return timedelta(hours=hours)
        return timedelta(minutes=self.amount * _UNIT_MINUTES[self.unit])

    def __str__(self) -> str:
        amount = f"{self.amount:g}"
        plural = "" if self.amount == 1 else "s"
        return f"{amount} {self.clock} {self.unit}{plural}"


def _coerce(value: object) -> object:
    return TargetDuration.parse(value) if isinstance(value, str) else value


Duration = Annotated[TargetDuration, BeforeValidator(_coerce), PlainSerializer(str)]
"""A pydantic field type that reads a duration from its policy-file text."""
