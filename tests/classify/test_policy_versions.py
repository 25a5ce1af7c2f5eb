"""The version policy reads its release calendar from the policy file when tickets lack one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sla_bridge.classify import classify_ticket
from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, PolicyLibrary
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
