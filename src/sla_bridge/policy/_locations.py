"""Customer locations: the ``[locations.*]`` model, and which location a ticket's location
names (key, label, alias, country, region, IANA zone), with the default for anything else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict

from ._countries import (
    AREAS,
    country_codes,
    country_of_zone,
    find_country,
    main_zone,
    zone_area,
)
from ._zones import ZoneName

if TYPE_CHECKING:
    from ._model import Policy


def _country_code(value: str) -> str:
    code = value.strip().upper()
    if code not in country_codes():
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. DE, JP, US)")
    return code


def _area(value: str) -> str:
    if value not in AREAS:
        raise ValueError(f"{value!r} is not an IANA time zone area; use one of "
                         + ", ".join(sorted(AREAS)))
    return value


class Location(BaseModel):
    """A customer location: the zone its support hours are read in, optionally its own hours.

    A ticket names its location by key, label, one of ``aliases``, or a country (ISO 3166-1
    code or name) that is in ``countries`` or whose time zones lie in one of ``regions``
    (IANA areas such as Europe or Asia).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: ZoneName
    schedule: str | None = None
    label: str | None = None
    aliases: list[str] = []
    countries: list[Annotated[str, AfterValidator(_country_code)]] = []
    regions: list[Annotated[str, AfterValidator(_area)]] = []


@dataclass(frozen=True)
class LocationMatch:
    """Which of the policy's locations a ticket's location is, and how that was found."""

    id: str
    zone: ZoneInfo
    schedule: str | None
    # Why, when the ticket's location was not one of the policy's names ("Germany is in
    # Europe"), or what was assumed when it matched nothing.
    note: str | None = None
    assumed: bool = False



def find_location(policy: Policy, name: str | None) -> LocationMatch | None:
    """Return the location ``name`` stands for (key, label, alias, country, region or,
    where allowed, an IANA zone), the default for ``None``, or ``None`` if unknown."""
    if name is None or not name.strip():
        location = policy.locations[policy.default_location]
        return LocationMatch(policy.default_location, ZoneInfo(location.timezone),
                             location.schedule)
    key = name.strip().lower()
    for loc_id, location in policy.locations.items():
        names = {loc_id.lower(), (location.label or "").lower(),
                 *(alias.lower() for alias in location.aliases)}
        if key in names:
            return LocationMatch(loc_id, ZoneInfo(location.timezone), location.schedule)
    country = find_country(name) or country_of_zone(name)
    if country is not None:
        for loc_id, location in policy.locations.items():
            if country.code in location.countries:
                return LocationMatch(loc_id, ZoneInfo(location.timezone), location.schedule,
                                     f"{country.name} is listed under {loc_id}")
        for area in country.areas[:1]:
            for loc_id, location in policy.locations.items():
                if area in location.regions:
                    return LocationMatch(loc_id, ZoneInfo(location.timezone),
                                         location.schedule,
                                         f"{country.name} is in {area}, read as {loc_id}")
    if policy.locations_accept_timezones:
        zone = main_zone(country) if country is not None else None
        if "/" not in name and country is not None and zone is not None:
            return LocationMatch(zone, ZoneInfo(zone), None,
                                 f"{country.name} keeps one time, {zone}")
        try:
            return LocationMatch(name.strip(), ZoneInfo(name.strip()), None)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    zone_area_name = zone_area(name.strip())
    if zone_area_name in AREAS:
        for loc_id, location in policy.locations.items():
            if zone_area_name in location.regions:
                return LocationMatch(loc_id, ZoneInfo(location.timezone), location.schedule,
                                     f"the zone {name.strip()} is in {zone_area_name}, "
                                     f"read as {loc_id}")
    return None

def resolve_location(policy: Policy, name: str | None) -> LocationMatch:
    """Like :meth:`find_location`, but an unknown location falls to the default one,
    with a note that says what was assumed."""
    found = find_location(policy, name)
    if found is not None:
        return found
    default = find_location(policy, None)
    assert default is not None
    country = find_country(name or "")
    if country is not None and len(country.zones) > 1:
        why = (f"{country.name} spans several time zones ({', '.join(country.zones[:3])}"
               f"{' ...' if len(country.zones) > 3 else ''}); set the customer's zone")
    else:
        why = f"it is not one of this policy's locations ({', '.join(policy.locations)})"
    note = (f"the location {name!r} was read as the default location "
            f"{policy.default_location!r}: {why}")
    return LocationMatch(default.id, default.zone, default.schedule, note, assumed=True)

def require_location(policy: Policy, name: str | None) -> LocationMatch:
    """Like :meth:`find_location`, but an unknown location is a LookupError naming the
    valid ones (for commands, where a typo should not pass)."""
    found = find_location(policy, name)
    if found is None:
        also = " or any IANA time zone name" if policy.locations_accept_timezones else ""
        raise LookupError(
            f"policy {policy.id!r} has no location {name!r}; valid locations: "
            f"{', '.join(policy.locations)}{also}, or a country they cover"
        )
    return found

