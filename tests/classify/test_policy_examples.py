"""Every policy's own example phrases classify at the severity the policy lists them under.

Each example of each severity of each bundled policy is classified twice, the way the
``sla_bridge_classify`` hook sees a ticket: once as its subject (no description) and once as
its description (no subject). A failure names the policy, the severity and the phrase.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sla_bridge.classify import classify_ticket
from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, Policy, PolicyLibrary
from sla_bridge.tickets import Status, Ticket, TicketRef

LIBRARY = PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS)
POLICIES = {name: LIBRARY.load(name) for name in LIBRARY.available()}
OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _cases() -> list[pytest.ParameterSet]:
    cases = []
    for name, policy in sorted(POLICIES.items()):
        for severity in policy.severities:
            for phrase in severity.examples:
                for where in ("subject", "description"):
                    cases.append(pytest.param(name, severity.id, phrase, where,
                                              id=f"{name}|{severity.id}|{where}|{phrase}"))
    return cases


def _ticket(phrase: str, where: str) -> Ticket:
    subject, description = (phrase, "") if where == "subject" else ("", phrase)
    return Ticket(ref=TicketRef(platform="examples", ticket_id="1"), status=Status.NEW,
                  subject=subject, description=description, created_at=OPENED,
                  updated_at=OPENED)


def test_every_policy_has_examples() -> None:
    assert POLICIES
    assert all(any(s.examples for s in policy.severities) for policy in POLICIES.values())


@pytest.mark.parametrize(("policy_name", "expected", "phrase", "where"), _cases())
def test_example_lands_on_its_own_severity(policy_name: str, expected: str, phrase: str,
                                           where: str) -> None:
    policy: Policy = POLICIES[policy_name]
    result = classify_ticket(policy, _ticket(phrase, where))
    assert result.severity == expected, (
        f"{policy_name}: the example {phrase!r} of severity {expected} (as the {where}) "
        f"classifies as {result.severity}; reasons: {list(result.reasons)}")
