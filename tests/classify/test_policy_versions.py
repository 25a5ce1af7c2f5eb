"""The version rules: the release calendar (policy file or ticket), release lines, ordering."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sla_bridge.classify import (
    VersionCheck,
    VersionFacts,
    add_months,
    check_version,
    classify_ticket,
    version_line,
)
from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, Policy, PolicyLibrary
from sla_bridge.tickets import Status, Ticket, TicketRef

CODE42 = PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS).load("code42-enterprise")
OPENED = datetime(2026, 11, 25, 16, tzinfo=UTC)


def ticket(version: str, **fields: object) -> Ticket:
    return Ticket(ref=TicketRef(platform="t", ticket_id="1"), status=Status.NEW,
                  subject="Restores fail for every user", created_at=OPENED, updated_at=OPENED,
                  description="Nobody across the deployment can restore since this morning.",
                  version=version, fields=dict(fields))


def with_releases() -> object:
    versions = CODE42.versions.model_copy(update={
        "latest": "11.2",
        "releases": {"9.0": date(2022, 1, 10), "10.0": date(2024, 1, 16),
                     "11.0": date(2025, 2, 11), "11.2": date(2025, 9, 30)}})
    return CODE42.model_copy(update={"versions": versions})


def test_without_a_release_calendar_the_version_is_not_judged() -> None:
    result = classify_ticket(CODE42, ticket("9.1"))
    assert result.severity == "1"
    assert any("release calendar" in reason for reason in result.reasons)


def test_the_policys_release_calendar_makes_an_old_version_severity_4() -> None:
    # 9.x: the next version (10.0) came out 2024-01-16; 18 months later is 2025-07-16.
    result = classify_ticket(with_releases(), ticket("9.1"))  # type: ignore[arg-type]
    assert result.severity == "4"
    assert any("not supported" in reason for reason in result.reasons)
    assert classify_ticket(with_releases(), ticket("11.0")).severity == "1"  # type: ignore[arg-type]


def test_a_tickets_own_release_dates_win_over_the_policy() -> None:
    fresh = ticket("9.1", release_dates={"9.0": "2026-01-01", "10.0": "2026-10-01"})
    assert classify_ticket(with_releases(), fresh).severity == "1"  # type: ignore[arg-type]


# -- release lines: patches do not start a countdown; versions compare as numbers ---------

def _rule(rule: str, **update: object) -> Policy:
    versions = CODE42.versions.model_copy(update={"rule": rule, **update})
    return CODE42.model_copy(update={"versions": versions})


MONTHS = CODE42.versions.months_after_next_ga or 18
GA_10_0, GA_10_0_1, GA_11_0 = date(2024, 1, 16), date(2024, 3, 1), date(2025, 2, 11)
CALENDAR = {"10.0": GA_10_0, "10.0.1": GA_10_0_1, "11.0": GA_11_0}


def _check(version: str | None, today: date | None,
           releases: dict[str, date] | None = None) -> VersionCheck:
    facts = VersionFacts(release_dates=CALENDAR if releases is None else releases, today=today)
    return check_version(CODE42, version, facts)


def test_a_patch_release_does_not_end_the_support_of_its_line() -> None:
    # Once the 10.0.1 patch is 18 months old, 10.0 is still supported: only 11.0 counts.
    day = add_months(GA_10_0_1, MONTHS) + timedelta(days=1)
    assert GA_11_0 <= day <= add_months(GA_11_0, MONTHS)
    check = _check("10.0", day)
    assert check.supported is True
    assert "11.0" in check.reason
    after = add_months(GA_11_0, MONTHS) + timedelta(days=1)
    assert _check("10.0", after).supported is False


def test_versions_compare_as_numbers_not_text() -> None:
    releases = {"10.2": date(2022, 1, 1), "10.9": date(2022, 6, 1), "10.10": date(2023, 1, 1)}
    today = add_months(date(2023, 1, 1), MONTHS) + timedelta(days=1)
    # As text "10.10" < "10.9", and as a float 10.10 == 10.1 < 10.9: 10.10 is the newer.
    on_10_9 = _check("10.9", today, releases)
    assert on_10_9.supported is False
    assert "10.10" in on_10_9.reason
    assert _check("10.10", today, releases).supported is True
    latest = VersionFacts(latest="10.10")
    assert check_version(_rule("latest_only"), "10.10", latest).supported is True
    assert check_version(_rule("latest_only"), "10.9", latest).supported is False
    assert check_version(_rule("latest_only"), "10.10.0", latest).supported is True
    majors = _rule("newest_majors", newest_majors=2)
    assert check_version(majors, "9.12", VersionFacts(latest="10.10")).supported is True
    assert check_version(majors, "8.99", VersionFacts(latest="10.10")).supported is False


def test_a_ticket_on_a_patch_version_is_judged_by_its_release_line() -> None:
    releases = {"10.0": GA_10_0, "10.0.3": date(2024, 6, 1), "10.0.5": date(2024, 9, 1),
                "10.1": date(2024, 11, 1)}
    today = add_months(date(2024, 11, 1), MONTHS) - timedelta(days=1)
    check = _check("10.0.3", today, releases)
    assert check.supported is True
    assert "after 10.1 became available" in check.reason  # the next line, not 10.0.5
    assert _check("10.0.3", add_months(date(2024, 11, 1), MONTHS) + timedelta(days=1),
                  releases).supported is False
    assert version_line("10.0.3") == "10.0"
    assert version_line("v11 build 7") == "11.0"
    assert version_line("unknown") is None


def test_the_next_lines_ga_is_its_earliest_release() -> None:
    # 11.0.2 listed before 11.0 in the file and with a later date: 11.0's date still counts.
    releases = {"11.0.2": date(2026, 1, 1), "10.0": GA_10_0, "11.0": GA_11_0}
    day = add_months(GA_11_0, MONTHS) + timedelta(days=1)
    assert day < add_months(date(2026, 1, 1), MONTHS)
    assert _check("10.0", day, releases).supported is False


@pytest.mark.parametrize(("version", "facts", "words"), [
    ("10.0", VersionFacts(today=date(2026, 1, 1)), "release calendar"),
    ("10.0", VersionFacts(release_dates=CALENDAR), "date to judge on"),
    (None, VersionFacts(release_dates=CALENDAR, today=date(2026, 1, 1)), "no product version"),
    ("", VersionFacts(release_dates=CALENDAR, today=date(2026, 1, 1)), "no product version"),
    ("latest", VersionFacts(release_dates=CALENDAR, today=date(2026, 1, 1)),
     "not a version number"),
])
def test_missing_or_unknown_facts_skip_the_check_with_a_reason(
        version: str | None, facts: VersionFacts, words: str) -> None:
    check = check_version(CODE42, version, facts)
    assert check.supported is None
    assert words in check.reason


@pytest.mark.parametrize("rule", ["latest_only", "newest_majors"])
def test_without_the_newest_version_the_check_is_skipped(rule: str) -> None:
    check = check_version(_rule(rule, newest_majors=2), "10.0", VersionFacts())
    assert check.supported is None
    assert "not known" in check.reason
