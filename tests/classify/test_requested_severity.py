"""``requested_severity``: the severity a customer asks for in free text, via the policy."""

from __future__ import annotations

import pytest

from sla_bridge.classify import requested_severity
from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, Policy, PolicyLibrary

LIBRARY = PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS)
CODE42 = LIBRARY.load("code42-enterprise")  # ids "1".."4"; aliases sev1, urgent, normal, ...
SMALL = LIBRARY.load("crashplan-small-business")  # Urgent / High / Normal / Low
OWNBACKUP = LIBRARY.load("ownbackup")  # High (p1) / Medium (p2) / Low (p3)


def _named(policy: Policy, name: str) -> str:
    """The id the policy itself gives ``name`` (so the tests follow the policy files)."""
    return policy.severity(name).id


@pytest.mark.parametrize(("text", "name"), [
    ("Please escalate this, it is sev 2.", "2"),
    ("Severity: 1", "1"),
    ("We need this treated as P1.", "1"),
    ("Expected priority 2, please.", "2"),
    ("Please escalate as Urgent.", "urgent"),
    ("We expect severity High.", "High"),
    ("This should be a Sev1 - nobody can restore.", "1"),
    ("Treat it as high priority.", "High"),
    ("Can you raise it to urgent?", "urgent"),
    ("It is urgent.", "urgent"),
    ("This issue is critical for us.", "Critical"),
    ("priority: low", "Low"),
    ("Severity one, please.", "1"),
    ("Sev-3 would be fine.", "3"),
])
def test_code42_reads_explicit_severity_statements(text: str, name: str) -> None:
    assert requested_severity(CODE42, text) == _named(CODE42, name)


@pytest.mark.parametrize(("text", "name"), [
    ("Please treat it as high priority.", "High"),
    ("This is urgent!", "Urgent"),
    ("We expect severity Normal for this.", "Normal"),
    ("Raise it to highest priority, please.", "highest"),
    ("It's low priority, no rush.", "Low"),
    ("Please log this as Urgent.", "Urgent"),
])
def test_small_business_reads_its_labels(text: str, name: str) -> None:
    assert requested_severity(SMALL, text) == _named(SMALL, name)


@pytest.mark.parametrize(("text", "name"), [
    ("Please escalate to P1.", "p1"),
    ("Priority: Medium", "Medium"),
    ("This is a high priority issue for our admins.", "High"),
    ("We expect severity 2 for this.", "p2"),  # through the policy's alias p2
    ("It is urgent.", "urgent"),
])
def test_ownbackup_reads_its_labels_and_aliases(text: str, name: str) -> None:
    assert requested_severity(OWNBACKUP, text) == _named(OWNBACKUP, name)


@pytest.mark.parametrize("policy", [CODE42, SMALL, OWNBACKUP], ids=lambda p: p.id)
@pytest.mark.parametrize("text", [
    "Normal operations are impossible since the upgrade.",
    "We see high CPU on the server.",
    "The appliance reports low disk space.",
    "We are a medium-sized company.",
    "In the medium term we will add more seats.",
    "We urgently need a call back.",
    "This is high on our list.",
    "It is not urgent.",
    "We upgraded to high availability last month.",
    "Everything works as normal except the restore.",
    "Please escalate this ticket, the restore keeps failing.",
    "Version 1.2 of the client crashes.",
    "",
])
def test_words_in_other_senses_are_not_requests(policy: Policy, text: str) -> None:
    assert requested_severity(policy, text) is None


def test_numbers_are_only_read_through_the_policy() -> None:
    # Small business has no numbered levels: "sev 2" names nothing there.
    assert requested_severity(SMALL, "Please make this sev 2.") is None
    # OwnBackup has three levels: p4 is not one of them.
    assert requested_severity(OWNBACKUP, "Please make this P4.") is None
    assert requested_severity(CODE42, "Please make this P4.") == _named(CODE42, "4")


def test_the_expected_severity_wins_over_the_current_one() -> None:
    assert requested_severity(CODE42, "Please raise it from sev 3 to sev 1.") == "1"
    assert requested_severity(CODE42, "It was filed as sev 3 but we expect sev 2.") == "2"
    assert requested_severity(SMALL, "It was filed as Normal but it should be Urgent.") == (
        _named(SMALL, "Urgent"))
    assert requested_severity(OWNBACKUP, "Currently P3; we expect P1.") == _named(OWNBACKUP, "p1")


def test_the_first_of_equal_statements_wins() -> None:
    assert requested_severity(CODE42, "Sev 2. Sev 3.") == "2"
