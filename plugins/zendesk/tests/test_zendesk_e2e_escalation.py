"""End to end, the escalation approval on Zendesk: the customer asks, the bridge asks once
for what is missing, requests the managers' approval (an internal note and the tag
``sla_approval_requested``), and acts on the macro a manager applies; without a decision
within the policy's time it reminds the managers once.

code42-enterprise: required ticket, reason and severity; managers "Customer Champion
managers"; approved tickets go to "Senior Customer Champions"; decision within 4 business
hours. The approval story runs with trigger webhooks and with event-subscribed webhooks
(``setup --mode events``). See ``test_zendesk_end_to_end.py`` for how these stories run.
"""

from __future__ import annotations

from typing import Any

import pytest
from zendesk_e2e import COMPLETE, MANAGERS, People, at, seen

from sla_bridge_zendesk.loop import BridgeOnSandbox

APPROVE_WITH_SEVERITY = "sla-bridge: approve escalation and severity"
DECLINE = "sla-bridge: decline escalation"
REASON = ("Restores from many devices have failed for five days and our audit is on "
          "Wednesday. We expect severity 1.")


def answered_severity_2(world: BridgeOnSandbox, people: People) -> dict[str, Any]:
    """Acme's Gold Severity 2, opened Mon 30 Nov 09:00 and answered at 09:30."""
    sandbox = world.sandbox
    ticket = world.step(at("2026-11-30 09:00"), "Acme: Severity 2", lambda: sandbox.open_ticket(
        people["Dana"], "Restores fail",
        "Restores fail from many devices since the upgrade. " + COMPLETE, priority="high"))
    world.step(at("2026-11-30 09:30"), "Avery answers",
               lambda: sandbox.agent_update(ticket["id"], people["Avery"],
                                            comment="We are on it."))
    return ticket


def request_note(ticket_id: int, reason: str) -> str:
    return (f"[{MANAGERS}] Escalation requested by the customer on ticket {ticket_id}. Reason: "
            f"{reason}. Expected severity: 1 (now 2). Contact: the requester. Approve with the "
            "tag sla_escalation_approved (add sla_escalation_severity_accepted to apply the "
            "severity) or decline with sla_escalation_declined.")


@pytest.mark.parametrize("code42", ["triggers", "events"], indirect=True)
def test_missing_parts_are_asked_once_then_approved_with_the_severity(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox
    number = answered_severity_2(world, people)["id"]
    world.step(at("2026-11-30 10:00"), "Dana asks to escalate, nothing more",
               lambda: sandbox.customer_reply(number, "Please escalate this ticket."))
    view = seen(sandbox, number)
    [ask] = view.by_bridge(public=True)
    assert (f"{ask.at:%H:%M}", ask.body) == (
        "10:00", "Thank you for asking us to escalate this ticket. So that a manager can "
                 "review it, please reply with the reason for the escalation, the severity you "
                 "expect.")
    assert "sla_approval_requested" not in view.tags
    world.step(at("2026-11-30 10:30"), "Dana gives the reason and the severity",
               lambda: sandbox.customer_reply(number, REASON))
    view = seen(sandbox, number)
    assert [(f"{c.at:%H:%M}", c.body) for c in view.by_bridge(public=False)
            if c.body.startswith(f"[{MANAGERS}]")] == [
        ("10:30", request_note(number, REASON.rstrip(".")))]
    assert "sla_approval_requested" in view.tags
    assert (view.group, view.priority) == (None, "high")

    macro = sandbox.macro_id(APPROVE_WITH_SEVERITY)
    world.step(at("2026-11-30 11:00"), "Morgan approves the escalation and the severity",
               lambda: sandbox.apply_macro(number, macro, people["Morgan"]))
    world.advance(at("2026-12-01 12:00"))  # past the reminder time (10:30 + 4 h = 14:30)

    view = seen(sandbox, number)
    assert view.group == "Senior Customer Champions"
    assert view.priority == "urgent"  # severity 1
    assert {"sla_escalation_approved", "sla_escalation_severity_accepted"} <= set(view.tags)
    assert "sla_approval_requested" not in view.tags  # decided: no longer awaiting approval
    assert [(f"{c.at:%H:%M}", c.body) for c in view.by_bridge(public=True)] == [
        ("10:00", ask.body),
        ("11:00", "A support manager has approved your escalation request and set the ticket "
                  "to severity 1; Senior Customer Champions will take it from here.")]
    assert view.starting("Reminder:") == []  # decided in time
    assert set(view.keys().values()) == {1}
    assert [d.kind for d in world.decisions(number) if d.kind.startswith("escalation")] == [
        "escalation.incomplete", "escalation.requested", "escalation.approved"]


def test_a_late_decision_is_reminded_once_then_declined_with_the_managers_reason(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox
    number = answered_severity_2(world, people)["id"]
    # Everything in one comment: no question, the approval is requested at once.
    world.step(at("2026-11-30 10:00"), "Dana asks to escalate, with reason and severity",
               lambda: sandbox.customer_reply(number, "Please escalate: " + REASON))
    world.advance(at("2026-12-01 08:30"))
    view = seen(sandbox, number)
    assert view.by_bridge(public=True) == []
    # 4 business hours after 10:00 on Monday: 14:00.
    assert [(f"{c.at:%a %H:%M}", c.body) for c in view.starting("Reminder:")] == [
        ("Mon 14:00", f"Reminder: the escalation request on this ticket has waited 4 business "
                      f"hours for a decision by {MANAGERS}.")]

    why = ("Only devices on the retired 10.x client fail; upgrading them fixes it, so the "
           "severity stays 2.")
    field = sandbox.field_id("SLA escalation decision reason")

    def decline() -> dict[str, Any]:
        sandbox.agent_update(number, people["Morgan"], custom_fields=[{"id": field, "value": why}])
        return sandbox.apply_macro(number, sandbox.macro_id(DECLINE), people["Morgan"])

    world.step(at("2026-12-01 09:00"), "Morgan declines, with the reason", decline)
    world.advance(at("2026-12-02 12:00"))
    view = seen(sandbox, number)
    assert [(f"{c.at:%a %H:%M}", c.body) for c in view.by_bridge(public=True)] == [
        ("Tue 09:00", "A support manager has reviewed your escalation request and decided not "
                      f"to escalate this ticket at this time. {why}")]
    assert (view.group, view.priority) == (None, "high")  # not re-assigned, severity kept
    assert "sla_escalation_declined" in view.tags
    assert len(view.starting("Reminder:")) == 1
    assert set(view.keys().values()) == {1}


def test_a_request_taken_by_phone_is_one_round_however_often_the_ticket_echoes(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    # Dana phones; Avery records the request as the tag and the reason field. The tag and the
    # field stay on the ticket after the decision: they must not start another round on
    # each webhook the bridge's own writes echo back.
    world, people = code42
    sandbox = world.sandbox
    number = answered_severity_2(world, people)["id"]
    reason_field = sandbox.field_id("SLA escalation reason")
    world.step(at("2026-11-30 10:00"), "Avery records Dana's phoned request",
               lambda: sandbox.agent_update(
                   number, people["Avery"], comment="Dana called: please escalate.",
                   public=False, additional_tags=["sla_escalation_requested"],
                   custom_fields=[{"id": reason_field, "value": REASON}]))
    macro = sandbox.macro_id(APPROVE_WITH_SEVERITY)
    world.step(at("2026-11-30 11:00"), "Morgan approves",
               lambda: sandbox.apply_macro(number, macro, people["Morgan"]))
    world.step(at("2026-11-30 12:00"), "Dana thanks them",
               lambda: sandbox.customer_reply(number, "Thank you, talk soon."))
    world.advance(at("2026-12-01 12:00"))
    view = seen(sandbox, number)
    requests = [c for c in view.by_bridge(public=False) if c.body.startswith(f"[{MANAGERS}]")]
    assert len(requests) == 1
    assert [c.body for c in view.by_bridge(public=True)] == [
        "A support manager has approved your escalation request and set the ticket to "
        "severity 1; Senior Customer Champions will take it from here."]
    assert set(view.keys().values()) == {1}
    assert [d.kind for d in world.decisions(number) if d.kind.startswith("escalation")] == [
        "escalation.requested", "escalation.approved"]
