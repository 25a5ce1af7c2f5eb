"""The kinds of reading behind the classifier: negation, unaffected parts, stated versions."""

from __future__ import annotations

from datetime import date

import pytest

from sla_bridge.classify import Scope, TicketText, VersionFacts, classify, detect_scope
from sla_bridge.classify._claims import unsupported_claim
from sla_bridge.classify._negation import neutralise
from sla_bridge.classify._similarity import severity_similarity
from sla_bridge.classify._text import normalise
from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, PolicyLibrary

LIBRARY = PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS)
CODE42 = LIBRARY.load("code42-enterprise")
PROE = LIBRARY.load("crashplan-proe-premium")
LOWEST, MIDDLE, TOP = CODE42.severity_ids[-1], CODE42.severity_ids[2], CODE42.severity_ids[0]


# -- negation ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Nothing is broken", "Nothing's wrong", "No errors and no failures", "Backups aren't failing",
    "There is no outage", "The appliance is not offline", "Nothing has failed",
    "We don't have any issue", "I haven't lost any files", "This isn't a bug report",
    "It backs up without errors", "None of our backups are failing", "Nothing has gone wrong",
])
def test_negated_problem_words_read_as_fine(text: str) -> None:
    assert "fine" in neutralise(normalise(text))


@pytest.mark.parametrize("text", [
    "Backups are not working", "Nothing is backing up", "No backups since Monday",
    "We get no alerts", "Nothing works", "It will not start",
])
def test_negated_function_words_stay_problems(text: str) -> None:
    assert neutralise(normalise(text)) == normalise(text)


def test_a_reassurance_with_a_question_is_the_lowest_level() -> None:
    text = "Nothing's wrong, I just want to change the admin email address."
    assert classify(CODE42, "", text).severity == LOWEST
    assert classify(CODE42, "", "Nothing is broken.").severity == LOWEST


def test_a_negated_kind_of_problem_does_not_hide_the_real_one() -> None:
    text = "This is not a cosmetic problem: nobody in the company can restore."
    assert classify(CODE42, "", text).severity == TOP


# -- scope read from the affected part ---------------------------------------------------

@pytest.mark.parametrize(("text", "scope"), [
    ("12 servers stopped backing up, the other 2,400 are fine.", Scope.PORTION),
    ("Most of our users are unaffected, but a handful of Macs fail.", Scope.PORTION),
    ("Web restore fails for five users. The rest of the 1,200 users restore fine.",
     Scope.PORTION),
    ("Seven users cannot restore, while the remaining 900 restore fine.", Scope.PORTION),
    ("About 40 people cannot restore. The remaining 3,000 users across the company are fine.",
     Scope.PORTION),
    ("My desktop backs up fine but my laptop has not backed up in a week.", Scope.PORTION),
    ("Two of our three offices cannot reach the server.", Scope.MAJORITY),
    ("An outage affecting a major portion of your deployment.", Scope.MAJORITY),
    ("Two thirds of our clients are offline.", Scope.MAJORITY),
    ("Roughly 60 laptops fail to restore; the other orgs are fine.", Scope.MAJORITY),
    ("Our server won't start; nothing works for any user.", Scope.ENTIRE),
])
def test_scope_is_read_from_the_affected_part(text: str, scope: Scope) -> None:
    assert detect_scope(TicketText("", text)).scope is scope


def test_counting_the_unaffected_part_changes_the_severity() -> None:
    few = "12 of our servers stopped backing up; the other 2,400 devices are fine."
    many = "1,500 of our servers stopped backing up; the other 20 devices are fine."
    assert classify(CODE42, "", few).severity == MIDDLE
    assert classify(CODE42, "", many).severity != MIDDLE


# -- a ticket that says it runs an unsupported version -----------------------------------

@pytest.mark.parametrize(("text", "what"), [
    ("We are still on 4.x which is end of life.", "version"),
    ("Our version is no longer supported.", "version"),
    ("The kiosks use the end-of-life agent.", "version"),
    ("We run an out-of-support release.", "version"),
    ("We run the server on an unsupported OS.", "configuration"),
    ("We know this is not a supported configuration.", "configuration"),
])
def test_a_stated_unsupported_version_is_found(text: str, what: str) -> None:
    claim = unsupported_claim(TicketText("", text))
    assert claim is not None
    assert claim.what == what


@pytest.mark.parametrize("text", [
    "Is 10.0 still supported?",
    "Our version 11.0 is not end of life yet.",
    "Version 10 will reach end of life in May.",
    "We upgraded from the end-of-life 6.8 to 11.2 last week.",
    "SSO is not supported on our server.",
    "We're on 11.2, which is fully supported.",
])
def test_what_is_not_a_current_unsupported_version_is_not_a_claim(text: str) -> None:
    assert unsupported_claim(TicketText("", text)) is None


def test_a_stated_unsupported_version_takes_the_policys_severity_for_it() -> None:
    text = "We are still on 4.x which is end of life, and restores fail for every user."
    result = classify(CODE42, "", text)
    assert result.severity == CODE42.severity(CODE42.versions.unsupported_severity or "").id
    assert "unsupported version" in result.reasons[0]
    # A policy without a severity for unsupported versions lets the text decide.
    proe = classify(PROE, "", "We're still on 3.6, which is end of life, and the server is down.")
    assert proe.severity == PROE.severity_ids[0]
    assert any("so the text decides" in reason for reason in proe.reasons)


def test_version_facts_that_say_supported_win_over_the_tickets_word() -> None:
    text = "Our version is no longer supported and restores fail for every user."
    facts = VersionFacts(release_dates={"11.0": date(2025, 2, 11)}, today=date(2025, 6, 1))
    result = classify(CODE42, "", text, version="11.0", facts=facts)
    assert result.severity == TOP
    assert any("the version facts decide" in reason for reason in result.reasons)


# -- per-policy caches follow the policy's content ---------------------------------------

def test_similarity_follows_an_edited_policy() -> None:
    text = "Our RAID array is degraded."
    before = severity_similarity(CODE42, "", text)
    edited = [s.model_copy(update={"examples": [*s.examples, "A RAID array is degraded"]})
              if i == 1 else s for i, s in enumerate(CODE42.severities)]
    after = severity_similarity(CODE42.model_copy(update={"severities": edited}), "", text)
    assert after[1] > before[1]
    assert severity_similarity(CODE42, "", text) == before
