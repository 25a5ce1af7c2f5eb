"""A bad policy fails with the file, the key path and the reason."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, PolicyError, validate_policy


def code42() -> dict[str, Any]:
    return tomllib.loads((bundled_policy_dir() / "code42-enterprise.toml").read_text())


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(PolicyError) as caught:
        validate_policy(data, "p.toml", BUILTIN_HOLIDAY_KINDS)
    assert str(caught.value).startswith("p.toml: ")
    return caught.value.problems


def test_unknown_schedule_in_coverage() -> None:
    data = code42()
    data["plans"]["gold"]["coverage"]["1"] = "24x7"
    assert problems(data) == [("plans.gold.coverage.1", "no schedule named '24x7'; defined: "
                                                        "contact-hours, round-the-clock")]


def test_missing_target_for_a_severity() -> None:
    data = code42()
    del data["plans"]["silver"]["first_response"]["4"]
    assert problems(data) == [("plans.silver.first_response",
                               "no target for severity 4; every severity needs one")]


def test_unknown_time_zone() -> None:
    data = code42()
    data["locations"]["europe"]["timezone"] = "Europe/Londn"
    [(path, reason)] = problems(data)
    assert path == "locations.europe.timezone"
    assert "'Europe/Londn' is not an IANA time zone" in reason


def test_unknown_holiday_rule_kind_lists_known_kinds() -> None:
    data = code42()
    data["holidays"]["us"]["rules"][2]["kind"] = "last_monday"
    [(path, reason)] = problems(data)
    assert path == "holidays.us.rules"
    assert "rule 2 (Memorial Day): unknown kind 'last_monday'" in reason
    assert "known kinds: dates, fixed, last_weekday, nth_weekday, relative" in reason


def test_bad_weekday_in_rule() -> None:
    data = code42()
    data["holidays"]["us"]["rules"][1]["weekday"] = "monday-ish"
    [(path, reason)] = problems(data)
    assert path == "holidays.us.rules"
    assert "rule 1 (Presidents' Day): weekday: 'monday-ish' is not a weekday" in reason


def test_relative_holiday_must_follow_its_anchor() -> None:
    data = code42()
    rules = data["holidays"]["us"]["rules"]
    rules.insert(0, rules.pop(7))  # "Day after Thanksgiving Day" before "Thanksgiving Day"
    assert problems(data) == [(
        "holidays.us.rules[0]",
        "'Day after Thanksgiving Day' is relative to 'Thanksgiving Day', which is not listed "
        "before it",
    )]


def test_hours_that_cross_midnight_are_explained() -> None:
    data = code42()
    data["schedules"]["contact-hours"]["hours"] = {"mon-fri": "22:00-06:00"}
    [(path, reason)] = problems(data)
    assert path == "schedules.contact-hours.hours"
    assert "split hours that cross midnight into two ranges" in reason


def test_impossible_fixed_date() -> None:
    data = code42()
    data["holidays"]["us"]["rules"][0]["month"] = 2
    data["holidays"]["us"]["rules"][0]["day"] = 30
    [(path, reason)] = problems(data)
    assert path == "holidays.us.rules"
    assert "rule 0 (New Year's Day): month 2 has no day 30" in reason


def test_unreadable_file(tmp_path: Path) -> None:
    from sla_bridge.policy import load_policy

    with pytest.raises(PolicyError, match="cannot read the file"):
        load_policy(tmp_path / "missing.toml", BUILTIN_HOLIDAY_KINDS)


def test_location_zone_placeholder_only_for_schedules_and_holidays() -> None:
    data = code42()
    data["locations"]["usa"]["timezone"] = "location"
    [(path, reason)] = problems(data)
    assert path == "locations.usa.timezone"
    assert "only allowed for a schedule's or a holiday calendar's timezone" in reason
    data = code42()
    data["holidays"]["us"]["timezone"] = "location"  # each customer's own zone
    validate_policy(data, "p.toml", BUILTIN_HOLIDAY_KINDS)


def test_policy_id_must_match_file_name(tmp_path: Path) -> None:
    from sla_bridge.policy import load_policy

    copy = tmp_path / "my-policy.toml"
    copy.write_text((bundled_policy_dir() / "code42-enterprise.toml").read_text())
    with pytest.raises(PolicyError) as caught:
        load_policy(copy, BUILTIN_HOLIDAY_KINDS)
    assert caught.value.problems == [(
        "id", "'code42-enterprise' differs from the file name; policies are loaded by file "
              "name, so name the file code42-enterprise.toml or set id = 'my-policy'")]
