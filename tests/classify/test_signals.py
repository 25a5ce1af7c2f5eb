"""Each signal the policies name, the version rules, the level mapping and re-categorisation."""

from __future__ import annotations

from datetime import date

import pytest

from sla_bridge.classify import (
    ClassificationResult,
    Scope,
    TicketText,
    VersionFacts,
    add_months,
    check_version,
    classify,
    detect,
    detect_scope,
    index_for_level,
    level_for_index,
    parse_version,
    recategorisation,
)
from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, Policy, PolicyLibrary

LIBRARY = PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS)
CODE42 = LIBRARY.load("code42-enterprise")
PROE = LIBRARY.load("crashplan-proe-premium")
SMALL = LIBRARY.load("crashplan-small-business")
STANDARD = LIBRARY.load("crashplan-standard-2013")
OWNBACKUP = LIBRARY.load("ownbackup")


def keys(text: str, subject: str = "") -> set[str]:
    ticket = TicketText(subject, text)
    return {finding.key for finding in detect(ticket, detect_scope(ticket))}


def severity(policy: Policy, text: str, subject: str = "") -> str:
    return classify(policy, subject, text).severity


# -- scope -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "scope"), [
    ("Nothing is backing up across the whole company.", Scope.ENTIRE),
    ("All 900 clients are disconnected.", Scope.ENTIRE),
    ("None of our computers can reach the server.", Scope.ENTIRE),
    ("Most of our laptops stopped backing up.", Scope.MAJORITY),
    ("Roughly 60 laptops fail to restore.", Scope.MAJORITY),
    ("3 of our 5 PCs stopped backing up.", Scope.MAJORITY),
    ("A handful of devices show twice in the list.", Scope.PORTION),
    ("The EU machines fail; the other sites are fine.", Scope.PORTION),
    ("One of our engineers cannot restore a folder.", Scope.SINGLE),
    ("Only this one machine is stuck, everyone else is fine.", Scope.SINGLE),
    ("I cannot sign in on my laptop. My colleague can.", Scope.PORTION),
    ("The console shows the wrong time.", Scope.UNKNOWN),
])
def test_scope(text: str, scope: Scope) -> None:
    assert detect_scope(TicketText("", text)).scope is scope


def test_scope_reason_names_the_scope_and_the_words() -> None:
    found = detect_scope(TicketText("", "Restores fail for the entire deployment."))
    assert found.reason.startswith("mentions the entire deployment (scope: entire;")
    assert "entire deployment" in found.reason


def test_scope_decides_restore_failures_on_code42() -> None:
    entire = classify(CODE42, "", "Restores fail for every user in the company.")
    assert entire.severity == "1"
    assert any("example of Severity 1" in r for r in entire.reasons)
    assert severity(CODE42, "Restores fail for many devices in our Sales org.") == "2"
    single = classify(CODE42, "", "One user cannot restore her Documents folder. "
                                  "Everyone else restores fine.")
    assert single.severity == "3"
    assert any("scope: single user" in r for r in single.reasons)


@pytest.mark.parametrize("policy", [PROE, STANDARD, SMALL], ids=lambda p: p.id)
def test_a_single_user_who_cannot_restore_is_not_the_top_severity(policy: Policy) -> None:
    text = "One of our users cannot restore a file, restore fails with an error. Others are fine."
    assert policy.severity_ids.index(severity(policy, text)) >= 2


# -- impact ------------------------------------------------------------------------------

def test_complete_loss_of_service() -> None:
    assert "complete_loss" in keys("Production is completely down, nothing works.")
    assert severity(STANDARD, "Our server is down and all backups have stopped.") == "1"


def test_entire_deployment_slowdown_is_severe_not_critical() -> None:
    result = classify(CODE42, "", "Our entire deployment is very slow; backups take days now "
                                  "but eventually complete.")
    assert result.severity == "2"
    assert any("performance degradation" in r for r in result.reasons)


def test_minor_and_cosmetic_issues() -> None:
    assert "cosmetic" in keys("The column header overlaps the sort arrow. Purely visual.")
    assert severity(CODE42, "The column header overlaps the sort arrow. Purely visual.") == "3"
    assert severity(OWNBACKUP, "Export files have columns in a different order. Minor issue.") \
        == "Medium"


@pytest.mark.parametrize(("policy", "text", "expected"), [
    (CODE42, "How do I move devices between orgs?", "4"),
    (OWNBACKUP, "How-to: what is the retention period on our plan?", "Low"),
    (STANDARD, "The link to the install guide on your support site is broken.", "4"),
    (PROE, "Please consider adding two-factor login in a future version.", "4"),
    (OWNBACKUP, "Feature request: scheduling backups twice a day.", "Low"),
])
def test_no_impact_requests(policy: Policy, text: str, expected: str) -> None:
    assert severity(policy, text) == expected


def test_polite_how_to_marked_urgent_stays_lowest() -> None:
    result = classify(SMALL, "URGENT", "URGENT!! How do I change the billing email on our "
                                       "account? Thank you so much!")
    assert result.severity == "Low"
    assert any("urgency words alone do not set the severity" in r for r in result.reasons)


def test_a_question_that_reports_an_outage_is_not_an_information_request() -> None:
    result = classify(SMALL, "", "Why does CrashPlan say our account has expired? "
                                 "Nothing is backing up on any of our machines.")
    assert result.severity == "Urgent"


# -- workaround ----------------------------------------------------------------------------

def test_a_workaround_limits_the_severity_by_the_policys_definition() -> None:
    text = "Restoring to the original folder fails, but restoring to the desktop works, so we " \
           "move the files over afterwards."
    proe = classify(PROE, "", text)
    assert proe.severity == "3"  # "may require a workaround" is Severity 3's definition
    assert any("workaround" in r for r in proe.reasons)
    # Code42's Severity 2 is the one whose definition allows a workaround.
    assert severity(CODE42, "Nobody can restore anywhere in the company. We copy files by hand "
                            "from the old server as a workaround.") == "2"


def test_no_workaround_points_to_the_severity_that_says_so() -> None:
    assert "workaround.none" in keys("Backups fail on most clients and there is no workaround.")
    result = classify(STANDARD, "", "Backups are very slow for most users; we tried "
                                    "everything and nothing helps.")
    assert result.severity == "2"


# -- managed appliance ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected", "reason"), [
    ("The RAID array on our appliance has failed; the volume is not mounted.", "1",
     "RAID array failed or offline: managed-appliance example of Severity 1"),
    ("The appliance will not boot after the power cut.", "1",
     "managed appliance offline or not booting: managed-appliance example of Severity 1"),
    ("The RAID on the appliance is running degraded, drive 2 dropped out.", "2",
     "RAID array degraded: managed-appliance example of Severity 2"),
    ("Appliance disk space is critically low, 97% used.", "2", "disk space critically low"),
    ("Disk 7 failed on the appliance and the hot spare took over; rebuild complete.", "3",
     "a disk failed and the hot spare took over: managed-appliance example of Severity 3"),
    ("The appliance shows a storage low warning, about 80% used. Should we add storage?", "3",
     "disk space low"),
])
def test_managed_appliance_states(text: str, expected: str, reason: str) -> None:
    result = classify(PROE, "", text)
    assert result.severity == expected, result.reasons
    assert any(r.startswith(reason) for r in result.reasons), result.reasons


def test_appliance_questions_are_not_faults() -> None:
    assert severity(PROE, "What is the warranty on the appliance drives, and how are "
                          "replacement disks shipped?") == "4"


# -- production data, security alerting, licensing --------------------------------------

def test_production_data_loss_is_ownbackup_high() -> None:
    result = classify(OWNBACKUP, "", "A bad import overwrote 12,000 records in production.")
    assert result.severity == "High"
    assert any("production" in r and "definition of High" in r for r in result.reasons)


def test_non_production_problem_is_ownbackup_medium() -> None:
    result = classify(OWNBACKUP, "", "Seeding our new dev sandbox fails with a validation "
                                     "error on Account.")
    assert result.severity == "Medium"
    assert any("non-production" in r for r in result.reasons)


def test_security_alerting_non_functional_versus_inconsistent() -> None:
    down = classify(CODE42, "", "We have not received a single exfiltration alert since "
                                "Friday; the alerts dashboard is empty.")
    assert down.severity == "1"
    assert any("example of Severity 1" in r for r in down.reasons)
    flaky = classify(CODE42, "", "Exfiltration alerts are inconsistent: some USB copies "
                                 "alert, others do not.")
    assert flaky.severity == "2"


def test_licensing_expired_and_renewal_follow_each_policys_examples() -> None:
    expired = "Our licence expired and backups have stopped on every computer."
    assert severity(CODE42, expired) == "1"
    assert severity(PROE, expired) == "1"
    renew = "We cannot renew: the renewal page fails with an error when we pay."
    assert severity(CODE42, renew) == "2"  # Code42: "Inability to renew your account" is 2
    assert severity(PROE, renew) == "1"  # PROe Premium lists it under Severity 1
    assert severity(SMALL, renew) == "Urgent"


def test_install_and_upgrade_problems() -> None:
    assert severity(CODE42, "The MSI installer fails with error 1603 on the new image.") == "2"
    assert severity(CODE42, "The upgrade caused an outage: the service will not start and "
                            "nothing is backing up anywhere.") == "1"


# -- unsupported versions -------------------------------------------------------------------

RELEASES = {"6.5": date(2017, 9, 12), "6.7": date(2018, 4, 10), "7.0": date(2019, 5, 14)}


def test_unsupported_version_takes_the_policys_unsupported_severity() -> None:
    facts = VersionFacts(release_dates=RELEASES, today=date(2021, 6, 1))
    result = classify(CODE42, "", "Restores fail for all of our users!", version="6.5.2",
                      facts=facts)
    assert result.severity == "4"
    assert result.reasons[0] == ("version 6.5.2 is not supported since 2019-10-10 (18 months "
                                 "after 6.7 became available): Severity 4 per the version policy")
    assert result.reasons[1] == "without the version rule the text points to Severity 1"


def test_unsupported_version_without_a_policy_severity_leaves_the_text_to_decide() -> None:
    result = classify(STANDARD, "", "Our server is down and no client can back up.",
                      version="2.0.3", facts=VersionFacts(latest="4.0.1"))
    assert result.severity == "1"
    assert ("version 2.0.3 is not supported (newest majors: 4, 3); the policy sets no "
            "severity for unsupported versions, so the text decides") in result.reasons


def test_version_check_without_a_calendar_is_skipped_and_says_so() -> None:
    result = classify(CODE42, "", "Restores fail for all users.", version="6.5.2")
    assert result.severity == "1"
    assert any("was not checked" in r and "release calendar" in r for r in result.reasons)


def test_rule_any() -> None:
    assert check_version(OWNBACKUP, "1.0").supported is True


def test_rule_latest_only() -> None:
    facts = VersionFacts(latest="11.1.0")
    assert check_version(SMALL, "11.1.0", facts).supported is True
    assert check_version(SMALL, "11.2", facts).supported is True
    old = check_version(SMALL, "10.4.0", facts)
    assert old.supported is False
    assert old.reason == "version 10.4.0 is not supported (only the latest, 11.1.0, is)"
    skipped = check_version(SMALL, "10.4.0")
    assert skipped.supported is None
    assert "--latest-version" in skipped.reason


def test_rule_newest_majors() -> None:
    facts = VersionFacts(latest="6.1.2")
    assert check_version(STANDARD, "5.4", facts).supported is True
    assert check_version(STANDARD, "7.0", facts).supported is True  # newer than known
    old = check_version(STANDARD, "4.2", facts)
    assert (old.supported, old.reason) == (
        False, "version 4.2 is not supported (newest majors: 6, 5)")
    assert check_version(STANDARD, "4.2").supported is None


def test_rule_months_after_next_ga() -> None:
    def on(day: date) -> VersionFacts:
        return VersionFacts(release_dates=RELEASES, today=day)

    supported = check_version(CODE42, "6.5.2", on(date(2019, 10, 10)))
    assert supported.supported is True
    assert "until 2019-10-10" in supported.reason
    assert check_version(CODE42, "6.5.2", on(date(2019, 10, 11))).supported is False
    assert check_version(CODE42, "7.0.3", on(date(2030, 1, 1))).supported is True  # newest
    # A version older than the whole calendar ends 18 months after the first listed release.
    assert check_version(CODE42, "6.0", on(date(2019, 4, 1))).supported is False
    # A release announced for the future does not end support yet.
    future = VersionFacts(release_dates={**RELEASES, "8.0": date(2031, 1, 1)},
                          today=date(2030, 1, 1))
    assert check_version(CODE42, "7.0", future).supported is True
    no_calendar = check_version(CODE42, "6.5.2", VersionFacts(today=date(2021, 1, 1)))
    assert no_calendar.supported is None
    assert "release calendar" in no_calendar.reason


def test_version_parsing_and_month_arithmetic() -> None:
    assert parse_version("v6.5.2 build 77") == (6, 5, 2)
    assert parse_version("latest") is None
    assert add_months(date(2020, 8, 31), 18) == date(2022, 2, 28)
    assert add_months(date(2018, 4, 10), 18) == date(2019, 10, 10)
    assert check_version(CODE42, "unknown").supported is None


# -- levels across policies, confidence, re-categorisation -------------------------------

def test_levels_map_by_position() -> None:
    assert [index_for_level(CODE42, level) for level in (1, 2, 3, 4)] == [0, 1, 2, 3]
    # Three levels: the two top levels share High; minor is Medium, information is Low.
    assert [index_for_level(OWNBACKUP, level) for level in (1, 2, 3, 4)] == [0, 0, 1, 2]
    assert [level_for_index(OWNBACKUP, index) for index in (0, 1, 2)] == [1, 3, 4]


def test_results_are_deterministic_and_bounded() -> None:
    text = "Backups fail on most of our clients with 'destination unavailable'."
    first, second = classify(PROE, "", text), classify(PROE, "", text)
    assert first == second
    assert 0 < first.confidence <= 1
    assert set(first.scores) == set(PROE.severity_ids)
    with pytest.raises(ValueError, match="between 0 and 1"):
        ClassificationResult(severity="1", confidence=1.5)


def test_text_without_any_signal_gets_a_middle_severity_with_low_confidence() -> None:
    result = classify(CODE42, "", "Hello")
    assert result.severity == "3"
    assert result.confidence < 0.5
    assert result.reasons[0].startswith("no severity signal found")


def _setting(policy: Policy, **update: object) -> Policy:
    classification = policy.classification.model_copy(update=update)
    return policy.model_copy(update={"classification": classification})


@pytest.mark.parametrize(("policy", "customer", "confidence", "action"), [
    (_setting(CODE42, recategorise="suggest"), "4", 0.9, "suggest"),
    (OWNBACKUP, "Low", 0.9, "apply"),  # recategorise = "apply", confident
    (OWNBACKUP, "Low", 0.5, "suggest"),  # below min_confidence_to_apply
    (OWNBACKUP, "high", 0.9, "keep"),  # agrees (matched case-insensitively)
])
def test_recategorisation(policy: Policy, customer: str, confidence: float,
                          action: str) -> None:
    result = ClassificationResult(severity=policy.severity_ids[0], confidence=confidence)
    decision = recategorisation(policy, result, customer)
    assert decision.action == action
    assert decision.agrees is (action == "keep")
    assert decision.setting == policy.classification.recategorise
    assert decision.to_dict()["min_confidence_to_apply"] == (
        policy.classification.min_confidence_to_apply)


def test_recategorisation_never_keeps_the_customers_choice() -> None:
    never = CODE42.model_copy(update={"classification": CODE42.classification.model_copy(
        update={"recategorise": "never"})})
    decision = recategorisation(never, ClassificationResult("1", 0.99), "4")
    assert decision.action == "keep"
    assert "never re-categorises" in decision.explanation


def test_recategorisation_names_valid_severities_for_an_unknown_one() -> None:
    with pytest.raises(LookupError, match=r"valid severities: 1 \(Critical\)"):
        recategorisation(CODE42, ClassificationResult("1", 0.9), "9")
