"""The bridge under faults: the platform answers 429 with Retry-After, 5xx, slowly, later
than the client waits, or drops the connection before or after the request took effect; the
helpdesk loses and duplicates webhooks. Whatever happens, every action the policy asks for
lands on the ticket exactly once, nothing is lost, Retry-After is honoured, and once the
bridge has settled another look writes nothing.

The story (code42-enterprise and crashplan-small-business, Mon 30 Nov - Mon 7 Dec 2026):
Carl, who is not Globex's registered admin, opens a vague Silver Severity 1 by chat
(entitlement notes and replies, the intake question, the due field); nobody answers it
(warning and breach: notes and tags); he asks to escalate with everything needed (the
approval); Morgan approves (group, public reply). Ivy's small-business ticket waits on her
from Monday 10:00: solved automatically on Friday, closed with the survey tag on Sunday.
Faults are queued before each step and forgotten after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from ._cast import ANSWERED, BACKUPS, VAGUE, at, code42_scene, local
from ._driver import AgentUpdate, Customer, Fault, HelpdeskDriver, Organization
from ._view import BRIDGE

ESCALATE = ("Please escalate: nobody in the company can restore files since Monday and our "
            "audit is on Wednesday. We expect severity 1. Call me at +1 612 555 0100.")
# The tickets after the story, faults or not. Comments and approvals: (the bridge's key,
# public, when).
CARL = {
    "status": "new", "severity": "1", "group": "Senior Customer Champions",
    # sla_approval_requested came and went: the decision takes it off.
    "tags": {"sla_breached", "sla_escalation_approved", "sla_warning"},
    "due": {"first_response": at("2026-12-01 09:00")},
    "comments": [
        ("add_comment:entitlement:admin:note", False, "Mon 09:00"),
        ("add_comment:entitlement:admin:reply", True, "Mon 09:00"),
        ("add_comment:entitlement:channel:note", False, "Mon 09:00"),
        ("add_comment:entitlement:channel:reply", True, "Mon 09:00"),
        ("add_comment:intake:ask", True, "Mon 09:00"),
        # 1 business day (9 h) from Mon 09:00 = Tue 09:00; warning at 6 h 45 min.
        ("add_comment:first_response:warning:20261201T0900", False, "Mon 15:45"),
        ("add_comment:first_response:breach:20261201T0900", False, "Tue 09:00"),
        ("add_comment:escalation:1:decision", True, "Tue 10:30")],
    "approvals": [("request_approval:escalation:1:request", "Tue 10:00")],
    "closed": [],
}
IVY = {
    "status": "closed", "severity": "Normal", "group": None,
    "tags": {"sla_survey_requested"},
    "due": {"first_response": at("2026-12-01 09:00")},
    "comments": [
        ("add_comment:classify:High:suggest", False, "Mon 09:00"),
        # Pending Mon 10:00 + 4 calendar days.
        ("add_comment:auto_close:solved:20261130T160000", True, "Fri 10:00")],
    "approvals": [],
    # Solved + 2 calendar days.
    "closed": [("Fri 10:00", "solved"), ("Sun 10:00", "closed")],
}


def summary(desk: HelpdeskDriver, ticket: str) -> dict[str, Any]:
    """The ticket, in the shape of :data:`CARL` and :data:`IVY`."""
    view = desk.view(ticket)
    return {
        "status": view.status, "severity": view.severity, "group": view.group,
        "tags": set(view.tags), "due": dict(view.due),
        "comments": [(c.key, c.public, local(c.at)) for c in view.by_bridge()],
        "approvals": [(a.key, local(a.at)) for a in view.approvals],
        "closed": [(local(c.at), c.value) for c in view.status_changes(by=BRIDGE)],
    }


@dataclass(frozen=True)
class FaultPlan:
    """The faults queued before the steps ``steps`` (all of them when empty): the step 0
    is Carl's new ticket (four notes and replies, the intake question, the field), 3 the
    warning timer, 4 the approval, 6 the auto-solve (a reply and the status)."""

    faults: tuple[Fault, ...] = ()
    duplicate_webhooks: int = 0
    steps: tuple[int, ...] = ()
    client_timeout: float | None = None

    def queue(self, desk: HelpdeskDriver, step: int) -> None:
        """Queue the faults of ``step``."""
        if self.steps and step not in self.steps:
            return
        for fault in self.faults:
            desk.inject(fault)
        if self.duplicate_webhooks:
            desk.duplicate_webhooks(self.duplicate_webhooks)


FAULTS = {
    "no fault": FaultPlan(),
    "429 with Retry-After": FaultPlan(
        (Fault("rate_limited", 1, writes_only=True, retry_after=1),), steps=(0, 3, 4, 6)),
    "server errors": FaultPlan((Fault("server_error", 2, status=500),
                                Fault("server_error", 1, writes_only=True, status=502))),
    "slow answers": FaultPlan((Fault("slow", 1, delay=0.2),)),
    "answers slower than the client waits": FaultPlan(
        (Fault("timeout", 1, writes_only=True),), steps=(0, 4), client_timeout=0.4),
    "dropped before taking effect": FaultPlan((Fault("drop_before", 1),
                                               Fault("drop_before", 2, writes_only=True))),
    "dropped after taking effect": FaultPlan((Fault("drop_after", 2, writes_only=True),)),
    "duplicated webhooks": FaultPlan(duplicate_webhooks=50),
    "all of them": FaultPlan((
        Fault("drop_after", 1, writes_only=True), Fault("server_error", 1, status=500),
        Fault("drop_before", 1), Fault("slow", 1, delay=0.1),
        Fault("drop_after", 1, writes_only=True)), duplicate_webhooks=50),
}


def play(desk: HelpdeskDriver, plan: FaultPlan) -> tuple[str, str]:
    """The story, with ``plan``'s faults queued before each step; Carl's and Ivy's ids."""
    steps = iter(range(100))

    def faulty(step: Callable[[], Any]) -> Any:
        plan.queue(desk, next(steps))
        try:
            return step()
        finally:
            desk.clear_faults()

    monday = at("2026-11-30 09:00")
    carl = faulty(lambda: desk.open_ticket("Carl", "Cannot restore anything", VAGUE,
                                           severity="1", channel="chat", at=monday))
    ivy = faulty(lambda: desk.open_ticket("Ivy", "Backups stopped", BACKUPS,
                                          severity="Normal", at=monday))
    faulty(lambda: desk.agent_update(ivy, "Avery", AgentUpdate(
        comment="Can you send the logs?", status="pending"), at=at("2026-11-30 10:00")))
    faulty(lambda: desk.advance(at("2026-12-01 10:00")))
    faulty(lambda: desk.customer_reply(carl, ESCALATE, at=at("2026-12-01 10:00")))
    faulty(lambda: desk.approve_escalation(carl, "Morgan", at=at("2026-12-01 10:30")))
    faulty(lambda: desk.advance(at("2026-12-07 12:00")))
    return carl, ivy


def begin(desk: HelpdeskDriver, plan: FaultPlan) -> None:
    """The code42 cast, and Ivy of Initech on small-business."""
    scene = code42_scene(Customer("Ivy", "Initech"),
                         policies=("code42-enterprise", "crashplan-small-business"),
                         client_timeout=plan.client_timeout)
    desk.begin(replace(scene, organizations=(*scene.organizations,
                                             Organization("Initech", "small-business"))))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FAULTS))
def test_every_action_lands_exactly_once_whatever_the_platform_does(
        helpdesk_driver: HelpdeskDriver, name: str) -> None:
    """The same tickets as without faults, every comment and tag once, nothing dead."""
    desk, plan = helpdesk_driver, FAULTS[name]
    begin(desk, plan)
    carl, ivy = play(desk, plan)

    assert summary(desk, carl) == CARL
    assert summary(desk, ivy) == IVY
    for ticket in (carl, ivy):
        view = desk.view(ticket)
        assert set(view.keys().values()) == {1}
        assert set(view.tags_added().values()) == {1}
        assert desk.look_again(ticket) == []  # settled: another look writes nothing
    harness = desk.harness
    assert not harness.runtime.store.dead_letters()

    hits = desk.faults_hit()
    retries = harness.metric("sla_bridge_vendor_retries_total", platform=desk.platform)
    waits = harness.retry_waits
    if name == "no fault":
        assert hits == []
        assert retries == 0
        return
    if name == "duplicated webhooks":
        assert harness.metric("sla_bridge_webhooks_duplicate_total",
                              platform=desk.platform) >= 10
        return
    assert len(hits) >= 2, "the faults must have hit the bridge's requests"
    # Every failed request was retried (a slow answer in time is no failure).
    failed = [hit for hit in hits if hit != "slow" or name.startswith("answers slower")]
    assert retries >= len(failed)
    if name == "slow answers":
        assert retries == 0
    # Retry-After honoured: each 429 was waited out for the second it asked; the other
    # failures were retried after the short back-off (at most 0.05 s, plus jitter).
    assert sum(wait >= 1.0 for wait in waits) == hits.count("429")
    assert all(wait < 0.1 for wait in waits if wait < 1.0)


def test_a_lost_webhook_for_a_new_ticket_is_healed_by_the_next_event(
        helpdesk_driver: HelpdeskDriver) -> None:
    """The due instant is computed from the ticket's creation, as if nothing was lost."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    desk.drop_webhooks(1)
    ticket = opened_severity_2(desk)
    assert "first_response" not in desk.view(ticket).due
    desk.customer_reply(ticket, "It is the EU data centre.", at=at("2026-11-30 10:00"))
    # Gold Severity 2, 4 business hours from 09:00.
    assert desk.view(ticket).due["first_response"] == at("2026-11-30 13:00")
    desk.advance(at("2026-11-30 12:30"))
    assert [(local(c.at, "%H:%M"), c.body) for c in desk.view(ticket).starting("SLA ")] == [
        ("12:00", "SLA warning: the first response (4 business hours, severity 2, plan gold) "
                  "is due Mon 30 Nov 13:00 CST.")]


def test_a_lost_webhook_for_an_answer_is_healed_by_the_warning_timer(
        helpdesk_driver: HelpdeskDriver) -> None:
    """At 12:00 the warning timer makes the bridge look again: the answer is there, the
    target was met: no warning, no breach, no timer left."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    ticket = opened_severity_2(desk)
    desk.drop_webhooks(1)
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="On it."), at=at("2026-11-30 10:00"))
    desk.advance(at("2026-11-30 18:00"))
    view = desk.view(ticket)
    assert view.starting("SLA ") == []
    assert not {"sla_warning", "sla_breached"} & view.tags
    assert desk.harness.runtime.store.next_timer_due() is None


def test_a_lost_webhook_for_the_managers_decision_is_healed_by_the_reminder_timer(
        helpdesk_driver: HelpdeskDriver) -> None:
    """The reminder timer (10:00 + 4 business hours = 14:00) makes the bridge look again:
    it finds the decision, acts on it, and has no reason to remind anyone."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    ticket = opened_severity_2(desk)
    desk.agent_update(ticket, "Avery", AgentUpdate(comment="On it."),
                      at=at("2026-11-30 09:30"))  # no SLA timer is left
    desk.customer_reply(ticket, "Please escalate: restores from many devices have failed for "
                        "five days and our audit is on Wednesday. We expect severity 1.",
                        at=at("2026-11-30 10:00"))
    desk.drop_webhooks(1)
    desk.approve_escalation(ticket, "Morgan", with_severity=True, at=at("2026-11-30 11:00"))
    assert desk.view(ticket).group is None
    desk.advance(at("2026-11-30 18:00"))
    view = desk.view(ticket)
    assert (view.group, view.severity) == ("Senior Customer Champions", "1")
    assert [(local(c.at, "%H:%M"), c.body) for c in view.by_bridge(public=True)] == [
        ("14:00", "A support manager has approved your escalation request and set the ticket "
                  "to severity 1; Senior Customer Champions will take it from here.")]
    assert view.starting("Reminder:") == []


def opened_severity_2(desk: HelpdeskDriver) -> str:
    """Dana opens a complete Gold Severity 2 (Mon 30 Nov 09:00)."""
    return desk.open_ticket("Dana", "Restores fail", ANSWERED, severity="2",
                            at=at("2026-11-30 09:00"))


__all__ = [
    "test_a_lost_webhook_for_a_new_ticket_is_healed_by_the_next_event",
    "test_a_lost_webhook_for_an_answer_is_healed_by_the_warning_timer",
    "test_a_lost_webhook_for_the_managers_decision_is_healed_by_the_reminder_timer",
    "test_every_action_lands_exactly_once_whatever_the_platform_does",
]
