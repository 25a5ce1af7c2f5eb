"""Countries by ISO 3166-1 alpha-2 code, English name and common name, and the IANA areas
(Europe, Asia, America ...) their time zones lie in.

Read from the tables the ``tzdata`` package ships (``iso3166.tab`` and ``zone.tab`` of
the IANA time zone database), so the bridge needs no list of its own and no download.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo

# Names people write that the IANA table spells differently.
_COMMON_NAMES = {
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US",
    "america": "US", "south korea": "KR", "korea": "KR", "north korea": "KP",
    "czechia": "CZ", "türkiye": "TR", "turkiye": "TR", "holland": "NL",
    "the netherlands": "NL", "uae": "AE", "russian federation": "RU",
    "viet nam": "VN", "ivory coast": "CI", "côte d'ivoire": "CI",
}


@dataclass(frozen=True)
class Country:
    """One country: its code, its names, and the IANA areas of its zones (first is main)."""

    code: str
    name: str
    areas: tuple[str, ...]
    zones: tuple[str, ...]


def _table(name: str) -> list[list[str]]:
    text = (files("tzdata.zoneinfo") / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _zone_countries() -> dict[str, str]:
    return {row[2]: row[0] for row in _table("zone.tab")}


def country_of_zone(zone_name: str) -> Country | None:
    """The country an IANA zone is in ("Atlantic/Canary" -> Spain), per ``zone.tab``."""
    code = _zone_countries().get(zone_name.strip())
    return _countries()[0].get(code) if code else None


@cache
def _countries() -> tuple[dict[str, Country], dict[str, str]]:
    areas: dict[str, list[str]] = {}
    zones: dict[str, list[str]] = {}
    for row in _table("zone.tab"):  # one country per row, its main zone first
        code, zone = row[0], row[2]
        zones.setdefault(code, []).append(zone)
        if zone.split("/")[0] not in areas.setdefault(code, []):
            areas[code].append(zone.split("/")[0])
    by_code: dict[str, Country] = {}
    by_name: dict[str, str] = dict(_COMMON_NAMES)
    for code, name, *_ in _table("iso3166.tab"):
        by_code[code] = Country(code, name, tuple(areas.get(code, ())),
                                tuple(zones.get(code, ())))
        by_name[name.lower()] = code
        # "Britain (UK)", "Samoa (western)": the name without the brackets too.
        match = re.fullmatch(r"(.+?) \(.+\)", name)
        if match:
            by_name.setdefault(match.group(1).lower(), code)
    return by_code, by_name


def find_country(text: str) -> Country | None:
    """The country ``text`` names: an ISO 3166-1 alpha-2 code or a name, any case."""
    by_code, by_name = _countries()
    key = " ".join(text.strip().split())
    if len(key) == 2 and key.upper() in by_code:
        return by_code[key.upper()]
    code = by_name.get(key.lower())
    return by_code.get(code) if code else None


def main_zone(country: Country) -> str | None:
    """The zone that tells the country's local time, or None where its zones keep different
    times (the United States, Canada, Brazil ...). Germany's Busingen keeps Berlin's time."""
    if not country.zones:
        return None
    probes = [datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC)]
    offsets = {tuple(p.astimezone(ZoneInfo(z)).utcoffset() for p in probes)
               for z in country.zones}
    return country.zones[0] if len(offsets) == 1 else None


def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code the table knows."""
    return frozenset(_countries()[0])


AREAS = frozenset({"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
                   "Europe", "Indian", "Pacific"})


def zone_area(zone_name: str) -> str | None:
    """The IANA area of a zone name ("Europe/Berlin" -> "Europe"), or None for "UTC"."""
    return zone_name.split("/")[0] if "/" in zone_name else None
