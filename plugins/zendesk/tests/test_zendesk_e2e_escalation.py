"""End to end, the escalation approval as Zendesk shows it: the managers' internal note with
their group and the tag their views list, the decision macros ``sla-bridge zendesk setup``
creates (their tags stay on the ticket), the severity as the priority; and the approval story
with event-subscribed webhooks (``setup --mode events``) instead of trigger webhooks. The
stories are the conformance suite's (``test_zendesk_conformance.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from zendesk_driver import ZendeskDriver
from zendesk_e2e import seen

from sla_bridge.testing import conformance
from sla_bridge.testing.conformance import MANAGERS


def test_the_approval_with_event_subscribed_webhooks_and_the_macros_tags(
        tmp_path: Path, clean_environment: None) -> None:
    with ZendeskDriver(tmp_path / "world", mode="events", out=sys.stdout) as zendesk:
        conformance.test_missing_parts_are_asked_once_then_approved_with_the_severity(zendesk)
        ticket = 1  # the story's only ticket
        view = seen(zendesk.sandbox, ticket)
    assert view.priority == "urgent"  # severity 1
    assert {"sla_escalation_approved", "sla_escalation_severity_accepted"} <= set(view.tags)
    assert "sla_approval_requested" not in view.tags
    [note] = [c for c in view.by_bridge(public=False) if c.key and "request_approval" in c.key]
    assert note.body.startswith(f"[{MANAGERS}] Escalation requested by the customer on "
                                f"ticket {ticket}.")


def test_the_decline_macro_keeps_its_tag_and_the_priority(
        tmp_path: Path, clean_environment: None) -> None:
    with ZendeskDriver(tmp_path / "world", out=sys.stdout) as zendesk:
        conformance.test_a_late_decision_is_reminded_once_then_declined_with_the_managers_reason(
            zendesk)
        view = seen(zendesk.sandbox, 1)  # the story's only ticket
    assert view.priority == "high"  # severity 2, kept
    assert "sla_escalation_declined" in view.tags
    assert view.fields["SLA escalation decision reason"].startswith("Only devices on the")
