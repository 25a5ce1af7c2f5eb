"""A ticket classified again on the same words gets the verdict it got, without the work."""

from __future__ import annotations

from datetime import UTC, datetime

from sla_bridge.classify import classify, classify_ticket
from sla_bridge.classify._classifier import version_facts
from sla_bridge.plugin import PluginHost
from sla_bridge.settings import load_settings
from sla_bridge.tickets import Status, Ticket, TicketRef

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OUTAGE = "Inability to restore across our deployment since the upgrade: nothing restores."
QUESTION = "A request for additional information about file exclusions."


def ticket(description: str, ticket_id: str = "1") -> Ticket:
    return Ticket(ref=TicketRef(platform="test", ticket_id=ticket_id), status=Status.NEW,
                  subject="Restores", description=description, created_at=NOW, updated_at=NOW)


def test_the_same_words_get_the_same_verdict_and_new_words_a_new_one() -> None:
    policy = PluginHost.from_settings(load_settings(environ={})).policy_library().load(
        "code42-enterprise")
    first = classify_ticket(policy, ticket(OUTAGE))
    # Reconciled again (another ticket with the same words, too): the kept verdict.
    assert classify_ticket(policy, ticket(OUTAGE)) is first
    assert classify_ticket(policy, ticket(OUTAGE, ticket_id="2")) is first
    changed = classify_ticket(policy, ticket(QUESTION))
    expected = classify(policy, "Restores", QUESTION, facts=version_facts(ticket(QUESTION),
                                                                          policy))
    assert changed == expected
    assert changed.severity != first.severity

