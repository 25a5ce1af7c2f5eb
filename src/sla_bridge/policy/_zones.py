"""Time-zone names in policy files: an IANA zone, or ``"location"`` for the customer's zone."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator

LOCATION_ZONE = "location"


def _zone_or_location(value: str) -> str:
    return value if value == LOCATION_ZONE else _zone_name(value)


def _zone_name(value: str) -> str:
    if value == LOCATION_ZONE:
        raise ValueError(
            f'"{LOCATION_ZONE}" is only allowed for a schedule\'s or a holiday calendar\'s '
            "timezone; name an IANA zone"
        )
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"{value!r} is not an IANA time zone; use a name such as America/Chicago, "
            "Europe/Lisbon or Australia/Sydney"
        ) from None
    return value


ZoneName = Annotated[str, AfterValidator(_zone_name)]
ZoneOrLocation = Annotated[str, AfterValidator(_zone_or_location)]
