"""Customer locations by name, alias, country (ISO 3166-1 code or name) and region, and the
default location for anything else, in all five bundled policies."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, Policy, PolicyLibrary

LIBRARY = PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS)

# (policy, location as a ticket might carry it, the policy's location it is)
CASES = [
    ("code42-enterprise", "Germany", "europe"), ("code42-enterprise", "DE", "europe"),
    ("code42-enterprise", "uk", "europe"), ("code42-enterprise", "Japan", "asia"),
    ("code42-enterprise", "jp", "asia"), ("code42-enterprise", "Brazil", "other"),
    ("code42-enterprise", "Canada", "other"), ("code42-enterprise", "United States", "usa"),
    ("code42-enterprise", "US", "usa"), ("code42-enterprise", "Europe/Berlin", "europe"),
    ("crashplan-proe-premium", "Australia", "au"), ("crashplan-proe-premium", "NZ", "nz"),
    ("crashplan-proe-premium", "Germany", "world"), ("crashplan-proe-premium", "usa", "us"),
    ("crashplan-small-business", "Germany", "us-central"),
    ("crashplan-small-business", "Japan", "us-central"),
    ("crashplan-standard-2013", "Brazil", "us"), ("crashplan-standard-2013", "UK", "us"),
    ("crashplan-standard-2013", "Australia", "au"), ("crashplan-standard-2013", "au", "au"),
    ("code42-enterprise", "Atlantic/Canary", "europe"), ("code42-enterprise", "Iceland", "europe"),
    ("code42-enterprise", "Atlantic/Reykjavik", "europe"),
    ("crashplan-proe-premium", "Australia/Sydney", "au"),
    ("crashplan-proe-premium", "Pacific/Auckland", "nz"),
    ("crashplan-standard-2013", "Australia/Brisbane", "au"),
    ("ownbackup", "Germany", "Europe/Berlin"), ("ownbackup", "Japan", "Asia/Tokyo"),
    ("ownbackup", "America/Chicago", "America/Chicago"),
    ("ownbackup", "Asia/Jerusalem", "Asia/Jerusalem"),
]


def load(name: str) -> Policy:
    return LIBRARY.load(name)


def raw(name: str) -> dict[str, Any]:
    """The policy file as data, to change before validating."""
    return tomllib.loads((bundled_policy_dir() / f"{name}.toml").read_text())


@pytest.mark.parametrize(("policy", "given", "expected"), CASES)
def test_location_by_name_alias_country_or_region(policy: str, given: str,
                                                  expected: str) -> None:
    found = load(policy).find_location(given)
    assert found is not None, f"{policy}: {given!r} matched nothing"
    assert found.id == expected
    assert not found.assumed


@pytest.mark.parametrize("policy", ["code42-enterprise", "crashplan-proe-premium",
                                    "crashplan-small-business", "crashplan-standard-2013",
                                    "ownbackup"])
def test_an_unknown_location_falls_to_the_default_with_a_note(policy: str) -> None:
    loaded = load(policy)
    found = loaded.resolve_location("Atlantis")
    assert (found.id, found.assumed) == (loaded.default_location, True)
    assert f"read as the default location {loaded.default_location!r}" in str(found.note)
    with pytest.raises(LookupError, match="no location 'Atlantis'; valid locations"):
        loaded.require_location("Atlantis")


def test_a_country_of_several_time_zones_asks_for_the_customers_zone() -> None:
    found = load("ownbackup").resolve_location("Brazil")
    assert found.assumed
    assert "Brazil spans several time zones" in str(found.note)
    assert "set the customer's zone" in str(found.note)


def test_a_location_country_code_must_be_iso_3166() -> None:
    from sla_bridge.policy import PolicyError, validate_policy

    data = raw("code42-enterprise")
    data["locations"]["usa"]["countries"] = ["XX"]
    with pytest.raises(PolicyError) as caught:
        validate_policy(data, "p.toml", BUILTIN_HOLIDAY_KINDS)
    [(path, reason)] = caught.value.problems
    assert path.startswith("locations.usa.countries")
    assert "'XX' is not an ISO 3166-1 alpha-2 country code" in reason


def test_company_holidays_can_be_read_in_each_customers_zone() -> None:
    # OwnBackup's company holidays are whole days in the customer's own zone.
    data = raw("ownbackup")
    data["holidays"]["company"]["rules"] = [
        {"name": "Company day", "kind": "dates", "dates": [date(2026, 12, 2)]}]
    from sla_bridge.policy import validate_policy

    policy = validate_policy(data, "ownbackup.toml", BUILTIN_HOLIDAY_KINDS)

    def two_hours_after(opened: str, location: str) -> str:
        target = policy.target("standard", "Medium", "first_response", location)
        start = datetime.fromisoformat(opened)
        return target.calendar.add(start, timedelta(hours=2)).isoformat()

    # Wed 2 Dec is the holiday on each customer's own calendar day: two business hours from
    # Wednesday 09:00 end Thursday 11:00, in Tokyo as in New York (read in US Eastern time
    # for everyone, Tokyo's Wednesday morning would still count).
    assert two_hours_after("2026-12-02T09:00:00+09:00", "Asia/Tokyo") == "2026-12-03T11:00:00+09:00"
    assert (two_hours_after("2026-12-02T09:00:00-05:00", "America/New_York")
            == "2026-12-03T11:00:00-05:00")
