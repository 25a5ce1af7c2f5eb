"""The five bundled policies: what an admin or a customer would notice of each.

Every due instant below was worked out by hand from the policy's hours, zone and holidays
(the walk is in the comment next to it), then checked against the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from click.testing import Result

from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, METRICS, Metric, Policy, PolicyLibrary

# `run_cli` (tests/conftest.py) invokes `sla-bridge` in-process through click's CliRunner with
# AppContext(settings=load_settings(), host=PluginHost.from_settings(...), clock=FixedClock(...))
# as `obj`, in a clean environment.
RunCli = Callable[..., Result]

BUNDLED = (
    "code42-enterprise",
    "crashplan-proe-premium",
    "crashplan-small-business",
    "crashplan-standard-2013",
    "ownbackup",
)
SOURCES = {
    "code42-enterprise": "002_1806ed5385891e7e.txt",
    "crashplan-proe-premium": "000_26e03538da4ae87d.txt",
    "crashplan-small-business": "001_a6f30c30a033e62b.txt",
    "crashplan-standard-2013": "003_c150f22dbee80e04.txt",
    "ownbackup": "004_f29213faf6724b79.txt",
}
# The evening before Thanksgiving 2026 (Thursday November 26), US Central.
THANKSGIVING_EVE = "2026-11-25T16:00:00-06:00"


@pytest.fixture(scope="module")
def library() -> PolicyLibrary:
    return PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def due(
    policy: Policy,
    plan: str | None,
    severity: str,
    opened: str,
    metric: Metric = "first_response",
    location: str | None = None,
) -> str:
    target = policy.target(plan, severity, metric, location)
    return target.calendar.add(at(opened), target.duration).isoformat()


def written(policy: Policy, plan: str | None, severity: str, metric: Metric) -> str:
    return str(policy.target(plan, severity, metric).written)


# -- all five ---------------------------------------------------------------------------


def test_the_five_policies_are_bundled(library: PolicyLibrary) -> None:
    assert set(BUNDLED) <= set(library.available())


@pytest.mark.parametrize("name", BUNDLED)
def test_policy_loads_names_its_source_and_resolves_every_target(
    library: PolicyLibrary, name: str
) -> None:
    policy = library.load(name)
    assert policy.id == name
    assert policy.source == SOURCES[name]
    for plan_id, plan in policy.plans.items():
        assert set(plan.first_response) == set(policy.severity_ids)
        for severity in policy.severity_ids:
            target = policy.target(plan_id, severity, "first_response")
            assert target.duration > timedelta(0)
            if plan.next_update or policy.clocks.update_cadence:
                assert policy.target(plan_id, severity, "next_update").duration > timedelta(0)


@pytest.mark.parametrize("name", BUNDLED)
def test_policy_file_marks_its_choices(name: str) -> None:
    text = (bundled_policy_dir() / f"{name}.toml").read_text(encoding="utf-8")
    assert f"policy-sources/{SOURCES[name]}" in text
    assert "CHOSEN:" in text


# -- code42-enterprise ------------------------------------------------------------------


def test_code42_targets_per_plan(library: PolicyLibrary) -> None:
    policy = library.load("code42-enterprise")
    assert [(s.id, s.label) for s in policy.severities] == [
        ("1", "Critical"), ("2", "High"), ("3", "Medium"), ("4", "Low"),
    ]
    assert [written(policy, "silver", s, "first_response") for s in "1234"] == [
        "1 business day", "1 business day", "1 business day", "3 business days",
    ]
    assert [written(policy, "gold", s, "first_response") for s in "1234"] == [
        "1 calendar hour", "4 business hours", "1 business day", "3 business days",
    ]
    assert policy.target("gold", "1").schedule == "round-the-clock"
    assert policy.target("silver", "1").schedule == "contact-hours"
    assert (policy.plans["silver"].admins, policy.plans["gold"].admins) == (1, 4)


def test_code42_due_instants(library: PolicyLibrary) -> None:
    policy = library.load("code42-enterprise")
    # Wed 16-17 (1 h); Thanksgiving and the day after; weekend; Mon 08-11 (3 h).
    assert due(policy, "gold", "2", THANKSGIVING_EVE) == "2026-11-30T11:00:00-06:00"
    # Gold Severity 1: one elapsed hour, holiday eve or not.
    assert due(policy, "gold", "1", THANKSGIVING_EVE) == "2026-11-25T17:00:00-06:00"
    # Europe reads the hours in Lisbon but the US holidays in Chicago: Wed 15-17 (2 h),
    # Thu and Fri are US holidays, Mon 08-15 (7 h).
    assert (due(policy, "silver", "3", "2026-11-25T15:00:00+00:00", location="europe")
            == "2026-11-30T15:00:00+00:00")
    # July 4 2026 is a Saturday and is observed on the date itself: Friday July 3 is worked.
    assert (due(policy, "silver", "3", "2026-07-02T16:00:00-05:00", location="usa")
            == "2026-07-03T16:00:00-05:00")


def test_code42_workflow_sections(library: PolicyLibrary) -> None:
    policy = library.load("code42-enterprise")
    assert policy.auto_close.solved_to_closed_after is None
    assert policy.versions.rule == "months_after_next_ga"
    assert policy.versions.months_after_next_ga == 18
    assert policy.versions.unsupported_severity == "4"


# -- crashplan-proe-premium -------------------------------------------------------------


def test_premium_severities_and_appliance_examples(library: PolicyLibrary) -> None:
    policy = library.load("crashplan-proe-premium")
    assert [(s.id, s.label) for s in policy.severities] == [
        ("1", "Critical"), ("2", "High"), ("3", "Medium"), ("4", "Low"),
    ]

    def severity_of(example_words: str) -> str:
        [match] = [s.id for s in policy.severities
                   for e in s.examples if example_words.lower() in e.lower()]
        return match

    assert severity_of("RAID array has failed") == "1"
    assert severity_of("will not boot") == "1"
    assert severity_of("RAID array is degraded") == "2"
    assert severity_of("disk space is critically low") == "2"
    assert severity_of("hot spare") == "3"
    assert severity_of("disk space is low") == "3"
    assert policy.classification.customer_sets_severity is True
    assert policy.classification.recategorise == "suggest"


def test_premium_targets(library: PolicyLibrary) -> None:
    policy = library.load("crashplan-proe-premium")
    assert [written(policy, None, s, "first_response") for s in "1234"] == [
        "1 calendar hour", "4 calendar hours", "1 business day", "3 business days",
    ]
    # Staffed 24x7: the hour targets run round the clock for every location.
    for severity in "12":
        assert policy.target(None, severity, location="au").schedule == "round-the-clock"
    # A business day is a US weekday (07:00-19:00): 12 hours; in Australia 10 hours.
    assert policy.target(None, "3").duration == timedelta(hours=12)
    assert policy.target(None, "3", location="au").duration == timedelta(hours=10)
    # The daily update: every 24 hours for Severity 1, which runs round the clock.
    assert policy.target(None, "1", "next_update").duration == timedelta(hours=24)


def test_premium_due_instants(library: PolicyLibrary) -> None:
    policy = library.load("crashplan-proe-premium")
    # Severity 1: one elapsed hour, on Christmas Day too.
    assert due(policy, None, "1", "2026-12-25T03:00:00-06:00") == "2026-12-25T04:00:00-06:00"
    # Severity 2: four elapsed hours, the evening before Thanksgiving too.
    assert due(policy, None, "2", THANKSGIVING_EVE) == "2026-11-25T20:00:00-06:00"
    # An Australian Sev 2 on Friday 17:00 AEDT, after the Australian office closes, is answered
    # round the clock: due Friday 21:00 AEDT, not Monday (the source: "staffed ... 24x7").
    assert (due(policy, None, "2", "2026-11-27T17:00:00+11:00", location="au")
            == "2026-11-27T21:00:00+11:00")
    # Severity 4, 36 h: Wed 3 + Thu 12 + Fri 12 + Sat 09-17 8 + Sun 09-10 1.
    assert due(policy, None, "4", THANKSGIVING_EVE) == "2026-11-29T10:00:00-06:00"
    # Australia: Thu 09-18 Sydney (9 h), Fri 08-09 (1 h).
    assert (due(policy, None, "3", THANKSGIVING_EVE, location="au")
            == "2026-11-27T09:00:00+11:00")


def test_premium_follows_the_standard_page_where_silent(library: PolicyLibrary) -> None:
    policy = library.load("crashplan-proe-premium")
    assert policy.auto_close.solved_to_closed_after is not None
    assert policy.auto_close.solved_to_closed_after.as_timedelta(12) == timedelta(days=2)
    assert policy.auto_close.pending_to_closed_after is not None
    assert policy.auto_close.pending_to_closed_after.as_timedelta(12) == timedelta(days=7)
    assert policy.auto_close.reassign_to_original_agent is True
    assert (policy.versions.rule, policy.versions.newest_majors) == ("newest_majors", 2)


# -- crashplan-small-business -----------------------------------------------------------


def test_small_business_priorities_are_the_helpdesk_priorities(library: PolicyLibrary) -> None:
    policy = library.load("crashplan-small-business")
    assert policy.severity_ids == ["Urgent", "High", "Normal", "Low"]
    for zendesk_priority in ("urgent", "high", "normal", "low"):
        assert policy.severity(zendesk_priority).id == zendesk_priority.title()
    assert policy.classification.customer_sets_severity is False


def test_small_business_targets_are_one_business_day(library: PolicyLibrary) -> None:
    policy = library.load("crashplan-small-business")
    for severity in policy.severity_ids:
        for metric in METRICS:
            target = policy.target(None, severity, metric)
            assert str(target.written) == "1 business day"
            assert target.duration == timedelta(hours=9)


def test_small_business_due_instants(library: PolicyLibrary) -> None:
    policy = library.load("crashplan-small-business")
    # Wed 16-17 (1 h); Thanksgiving, the day after and the weekend; Mon 08-16 (8 h).
    assert due(policy, None, "Urgent", THANKSGIVING_EVE) == "2026-11-30T16:00:00-06:00"
    # Daily update across July 4 on a Saturday: Thu 15:30-17 + Fri 08-15:30.
    assert (due(policy, None, "Normal", "2026-07-02T15:30:00-05:00", "next_update")
            == "2026-07-03T15:30:00-05:00")
    # A ticket opened on Saturday starts its clock on Monday at 08:00 (CDT).
    assert due(policy, None, "Low", "2026-10-03T10:00:00-05:00") == "2026-10-05T17:00:00-05:00"


def test_small_business_auto_close(library: PolicyLibrary) -> None:
    auto = library.load("crashplan-small-business").auto_close
    assert str(auto.solved_to_closed_after) == "2 calendar days"
    assert str(auto.pending_to_solved_after) == "4 calendar days"
    assert auto.pending_to_closed_after is None
    assert auto.reopen_on_customer_reply is True
    assert auto.follow_up_on_reply_to_closed is True
    assert auto.notify_on_solved is True
    assert auto.survey_after_close is True


def test_small_business_escalation_and_versions(library: PolicyLibrary) -> None:
    policy = library.load("crashplan-small-business")
    assert policy.escalation.enabled is True
    assert policy.escalation.required == ["ticket", "reason", "severity"]
    assert policy.versions.rule == "latest_only"
    assert len(policy.intake.required) == 10  # the nine items, and the steps of a bug report


# -- crashplan-standard-2013 ------------------------------------------------------------


def test_standard_2013_hours_by_location(library: PolicyLibrary) -> None:
    policy = library.load("crashplan-standard-2013")
    assert policy.severity_ids == ["1", "2", "3", "4"]
    us = policy.target(None, "2")
    au = policy.target(None, "2", location="AU")
    assert (us.schedule, us.duration) == ("us-hours", timedelta(hours=12))
    assert (au.schedule, au.duration) == ("au-hours", timedelta(hours=10))
    assert str(policy.target(None, "4", "next_update").written) == "1 business day"


def test_standard_2013_due_instants(library: PolicyLibrary) -> None:
    policy = library.load("crashplan-standard-2013")
    # Saturday 08:00 is before the weekend opening: Sat 09-17 (8 h), Sun 09-13 (4 h).
    assert due(policy, None, "2", "2026-11-28T08:00:00-06:00") == "2026-11-29T13:00:00-06:00"
    # Saturday 16:00: Sat 16-17 (1 h), Sun 09-17 (8 h), Mon 07-10 (3 h).
    assert due(policy, None, "4", "2026-11-28T16:00:00-06:00") == "2026-11-30T10:00:00-06:00"
    # Weekday hours run to 19:00: Wed 16-19 (3 h), Thu 07-16 (9 h).
    assert due(policy, None, "1", THANKSGIVING_EVE) == "2026-11-26T16:00:00-06:00"
    # Sydney: Fri 15-18 AEDT (3 h), weekend (DST ends Sun 5 April), Mon 08-15 AEST (7 h).
    assert (due(policy, None, "2", "2026-04-03T15:00:00+11:00", location="au")
            == "2026-04-06T15:00:00+10:00")


def test_standard_2013_auto_close(library: PolicyLibrary) -> None:
    policy = library.load("crashplan-standard-2013")
    auto = policy.auto_close
    assert str(auto.solved_to_closed_after) == "2 calendar days"
    assert str(auto.pending_to_closed_after) == "7 calendar days"
    assert auto.pending_to_solved_after is None
    assert auto.reopen_on_customer_reply is True
    assert auto.reassign_to_original_agent is True
    assert (auto.notify_on_closed, auto.survey_after_close) == (True, True)
    assert (policy.versions.rule, policy.versions.newest_majors) == ("newest_majors", 2)


# -- ownbackup --------------------------------------------------------------------------


OWNBACKUP_TARGETS = {
    ("standard", "first_response"): ["4 business hours", "1 business day", "2 business days"],
    ("standard", "next_update"): ["4 business hours", "1 business day", "2 business days"],
    ("premier", "first_response"): ["1 calendar hour", "4 calendar hours", "8 calendar hours"],
    ("premier", "next_update"): ["2 calendar hours", "12 calendar hours", "24 calendar hours"],
}


@pytest.mark.parametrize(("plan", "metric"), list(OWNBACKUP_TARGETS))
def test_ownbackup_targets_as_the_sla_table_states_them(
    library: PolicyLibrary, plan: str, metric: Metric
) -> None:
    policy = library.load("ownbackup")
    assert policy.severity_ids == ["High", "Medium", "Low"]
    assert [written(policy, plan, s, metric) for s in policy.severity_ids] == (
        OWNBACKUP_TARGETS[plan, metric]
    )


def test_ownbackup_business_days_are_nine_hours(library: PolicyLibrary) -> None:
    policy = library.load("ownbackup")
    assert str(policy.target("standard", "High", "next_update").written) == "4 business hours"
    assert policy.target("standard", "Medium").duration == timedelta(hours=9)
    assert policy.target("standard", "Low", "next_update").duration == timedelta(hours=18)
    assert all(policy.target("premier", s).schedule == "round-the-clock"
               for s in policy.severity_ids)


def test_ownbackup_customer_zone(library: PolicyLibrary) -> None:
    policy = library.load("ownbackup")
    assert policy.location_zone("Asia/Jerusalem")[1].key == "Asia/Jerusalem"
    assert policy.location_zone(None)[1].key == "America/New_York"
    with pytest.raises(LookupError, match="any IANA time zone"):
        policy.require_location("Atlantis/Capital")
    # The engine does not drop the ticket: it reads the default location and says so.
    assumed = policy.resolve_location("Atlantis/Capital")
    assert (assumed.id, assumed.assumed) == ("us-eastern", True)
    assert "'Atlantis/Capital' was read as the default location 'us-eastern'" in str(assumed.note)
    # 16:00 Chicago is midnight in Jerusalem: Thu 09-18 there (9 h).
    assert (due(policy, "standard", "Medium", THANKSGIVING_EVE, location="Asia/Jerusalem")
            == "2026-11-26T18:00:00+02:00")
    # Friday 14:00 in Jerusalem: Fri 14-18 (4 h), weekend, Mon 09-14 (5 h).
    assert (due(policy, "standard", "Medium", "2026-11-27T14:00:00+02:00",
                location="Asia/Jerusalem")
            == "2026-11-30T14:00:00+02:00")
    # Default zone (New York): Wed 17-18 EST (1 h), Thanksgiving is not a company holiday
    # until an admin adds it: Thu 09-12 (3 h).
    assert due(policy, "standard", "High", THANKSGIVING_EVE) == "2026-11-26T12:00:00-05:00"


def test_ownbackup_premier_update_across_dst_is_elapsed_time(library: PolicyLibrary) -> None:
    policy = library.load("ownbackup")
    # 01:30 EDT on the night clocks fall back: two elapsed hours later it is 02:30 EST.
    opened = "2026-11-01T01:30:00-04:00"
    assert due(policy, "premier", "High", opened, "next_update") == "2026-11-01T02:30:00-05:00"
    # Spring forward: 01:30 EST plus two hours is 04:30 EDT.
    assert (due(policy, "premier", "High", "2026-03-08T01:30:00-05:00", "next_update")
            == "2026-03-08T04:30:00-04:00")
    target = policy.target("premier", "High", "next_update")
    assert target.calendar.add(at(opened), target.duration) - at(opened) == timedelta(hours=2)


def test_ownbackup_recategorises_and_has_empty_company_holidays(library: PolicyLibrary) -> None:
    policy = library.load("ownbackup")
    assert policy.classification.customer_sets_severity is True
    assert policy.classification.recategorise == "apply"
    assert policy.locations_accept_timezones is True
    assert policy.holiday_calendar("company").holidays_in(2026) == ()
    assert policy.schedules["business-hours"].holidays == ["company"]


# -- the command line -------------------------------------------------------------------


SHOWN = {
    "code42-enterprise": ["4 business hours on contact-hours", "Day after Thanksgiving Day"],
    "crashplan-proe-premium": ["1 calendar hour", "3 business days on us-hours (36 h)",
                               "Pacific/Auckland"],
    "crashplan-small-business": ["1 business day on business-hours (9 h)",
                                 "small-business next update", "2026-07-04  Saturday"],
    "crashplan-standard-2013": ["09:00-17:00", "au-hours", "Australia/Sydney"],
    "ownbackup": ["4 business hours on business-hours", "24 calendar hours", "<any IANA zone>",
                  "Holidays 'company' in 2026"],
}


@pytest.mark.parametrize("name", BUNDLED)
def test_policy_show_renders_the_policy(run_cli: RunCli, name: str) -> None:
    result = run_cli("policy", "show", name, "--year", "2026")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{name}: ")
    assert f"source: {SOURCES[name]}" in result.output
    for text in SHOWN[name]:
        assert text in result.output


@pytest.mark.parametrize("name", BUNDLED)
def test_policy_check_passes(run_cli: RunCli, name: str) -> None:
    result = run_cli("policy", "check", str(bundled_policy_dir() / f"{name}.toml"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"ok: {name} ")


def test_due_explains_the_ownbackup_walk(run_cli: RunCli) -> None:
    result = run_cli("due", "--policy", "ownbackup", "--plan", "standard", "--severity", "medium",
                     "--location", "Asia/Jerusalem", "--opened", THANKSGIVING_EVE, "--explain")
    assert result.exit_code == 0, result.output
    assert "1 business day on 'business-hours' (9 business hours)" in result.output
    assert result.output.strip().splitlines()[-1] == "2026-11-26T18:00:00+02:00"
