"""End to end under faults: the sandbox answers 429 with Retry-After, 5xx, slowly, past the
client's timeout, or drops the connection before or after the request took effect; it loses
and duplicates webhooks. Whatever happens, every action the policy asks for lands on the
Zendesk ticket exactly once, nothing is lost, and Retry-After is honoured.

The story (code42-enterprise and crashplan-small-business, Mon 30 Nov - Mon 7 Dec 2026):
Carl, who is not Globex's registered admin, opens a vague Silver Severity 1 by chat
(entitlement notes and replies, the intake question, the due field); nobody answers it
(warning and breach: notes and tags); he asks to escalate with everything needed (the
approval note and tag); Morgan approves (group, public reply). Ivy's small-business ticket
waits on her from Monday 10:00: solved automatically on Friday, closed with the survey tag
on Sunday. Faults are queued before each step and forgotten after it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from zendesk_e2e import COMPLETE, FAST_RETRIES, MANAGERS, People, at, code42_people, seen

from sla_bridge_zendesk.loop import BridgeOnSandbox
from sla_bridge_zendesk.sandbox import Sandbox

BACKUPS = ("CrashPlan 11.2 on macOS 14 stopped backing up. Computer ID 123456789012345678, "
           "user ivy@initech.test, logs attached, screenshot attached, destination CrashPlan "
           "Central. It stalls at 42% every night.")
ESCALATE = ("Please escalate: nobody in the company can restore files since Monday and our "
            "audit is on Wednesday. We expect severity 1. Call me at +1 612 555 0100.")

# What Zendesk shows after the story, faults or not. Comments: (bridge key without the
# "zendesk:<id>:" prefix, public, when).
CARL = {
    "status": "new", "priority": "urgent", "group": "Senior Customer Champions",
    # sla_approval_requested came and went: the decision takes it off.
    "tags": ["sla_breached", "sla_escalation_approved", "sla_warning"],
    "fields": {"SLA first response due": "2026-12-01T09:00:00-06:00"},
    "comments": [
        ("add_comment:entitlement:admin:note", False, "Mon 09:00"),
        ("add_comment:entitlement:admin:reply", True, "Mon 09:00"),
        ("add_comment:entitlement:channel:note", False, "Mon 09:00"),
        ("add_comment:entitlement:channel:reply", True, "Mon 09:00"),
        ("add_comment:intake:ask", True, "Mon 09:00"),
        # 1 business day (9 h) from Mon 09:00 = Tue 09:00; warning at 6 h 45 min.
        ("add_comment:first_response:warning:20261201T0900", False, "Mon 15:45"),
        ("add_comment:first_response:breach:20261201T0900", False, "Tue 09:00"),
        ("request_approval:escalation:1:request", False, "Tue 10:00"),
        ("add_comment:escalation:1:decision", True, "Tue 10:30")],
    "status_changes": [],
}
IVY = {
    "status": "closed", "priority": "normal", "group": None,
    "tags": ["sla_survey_requested"],
    "fields": {"SLA first response due": "2026-12-01T09:00:00-06:00"},
    "comments": [
        ("add_comment:classify:High:suggest", False, "Mon 09:00"),
        # Pending Mon 10:00 + 4 calendar days.
        ("add_comment:auto_close:solved:20261130T160000", True, "Fri 10:00")],
    # Solved + 2 calendar days.
    "status_changes": [("Fri 10:00", "solved"), ("Sun 10:00", "closed")],
}


def summary(sandbox: Sandbox, ticket_id: int) -> dict[str, Any]:
    """What an agent sees, in the shape of :data:`CARL` and :data:`IVY`."""
    view = seen(sandbox, ticket_id)
    prefix = f"zendesk:{ticket_id}:"
    return {
        "status": view.status, "priority": view.priority, "group": view.group,
        "tags": view.tags, "fields": {k: v for k, v in view.fields.items() if v},
        "comments": [(c.key.removeprefix(prefix) if c.key else None, c.public,
                      f"{c.at:%a %H:%M}") for c in view.by_bridge()],
        "status_changes": [(f"{when:%a %H:%M}", to) for when, to, who in view.status_changes
                           if who == "sla-bridge"],
    }


def tags_added(sandbox: Sandbox, ticket_id: int) -> Counter[str]:
    """How many times each tag was added to the ticket (each must be once)."""
    added: Counter[str] = Counter()
    for audit in sandbox.audits(ticket_id):
        for event in audit["events"]:
            if event.get("field_name") == "tags":
                added.update(set(event["value"]) - set(event.get("previous_value") or []))
    return added


@dataclass
class Fault:
    """Faults queued before each step of the story."""

    inject: Callable[[Sandbox, int], None]
    environment: dict[str, str] = field(default_factory=dict)


def _each_step(inject: Callable[[Sandbox], Any]) -> Callable[[Sandbox, int], None]:
    return lambda sandbox, _step: inject(sandbox)


def _at_steps(inject: Callable[[Sandbox], Any],
              steps: tuple[int, ...]) -> Callable[[Sandbox, int], None]:
    # For the faults that cost real time, only some steps: 0 (Carl's ticket: four notes
    # and replies, the intake question, the field), 3 (the warning timer), 4 (the approval
    # note and tag), 6 (auto-solve: a reply and the status).
    return lambda sandbox, step: inject(sandbox) if step in steps else None


FAULTS = {
    "no fault": Fault(lambda sandbox, step: None),
    "429 with Retry-After": Fault(_at_steps(
        lambda s: s.rate_limit_next(1, retry_after=1, method="PUT"), (0, 3, 4, 6))),
    "server errors": Fault(_each_step(lambda s: (s.fail_next(2, status=500),
                                                 s.fail_next(1, status=502, method="PUT")))),
    "slow answers": Fault(_each_step(lambda s: s.slow_next(1, delay=0.2))),
    # The client gives up after 0.4 s; the sandbox, still sleeping, then finds the client
    # gone and does nothing: the bridge cannot know, looks, and writes again.
    "answers slower than the client waits": Fault(
        _at_steps(lambda s: s.slow_next(1, delay=1.0, method="PUT"), (0, 4)),
        {"SLA_BRIDGE_ZENDESK__TIMEOUT_SECONDS": "0.4"}),
    "dropped before taking effect": Fault(_each_step(
        lambda s: (s.drop_next(1), s.drop_next(2, method="PUT")))),
    "dropped after taking effect": Fault(_each_step(
        lambda s: s.drop_next(2, after_processing=True, method="PUT"))),
    "duplicated webhooks": Fault(_each_step(lambda s: s.duplicate_webhooks(50))),
    "all of them": Fault(_each_step(lambda s: (
        s.duplicate_webhooks(50), s.drop_next(1, after_processing=True, method="PUT"),
        s.fail_next(1, status=500), s.drop_next(1), s.slow_next(1, delay=0.1),
        s.drop_next(1, after_processing=True, method="PUT")))),
}


def play(world: BridgeOnSandbox, people: People, fault: Fault) -> tuple[int, int]:
    """The story, with ``fault`` queued before each step; returns Carl's and Ivy's ids."""
    sandbox = world.sandbox
    counter = iter(range(100))

    def faulty(run: Callable[[], Any]) -> Any:
        fault.inject(sandbox, next(counter))
        try:
            return run()
        finally:
            sandbox.clear_faults()

    carl = faulty(lambda: world.step(
        at("2026-11-30 09:00"), "Carl opens by chat", lambda: sandbox.open_ticket(
            people["Carl"], "Cannot restore anything",
            "Nobody in the company can restore files since last night.", priority="urgent",
            channel="chat")))["id"]
    ivy = faulty(lambda: world.step(
        at("2026-11-30 09:00"), "Ivy opens", lambda: sandbox.open_ticket(
            people["Ivy"], "Backups stopped", BACKUPS, priority="normal")))["id"]
    faulty(lambda: world.step(
        at("2026-11-30 10:00"), "Avery asks Ivy and waits", lambda: sandbox.agent_update(
            ivy, people["Avery"], comment="Can you send the logs?", status="pending")))
    faulty(lambda: world.advance(at("2026-12-01 10:00")))
    faulty(lambda: world.step(at("2026-12-01 10:00"), "Carl asks to escalate",
                              lambda: sandbox.customer_reply(carl, ESCALATE)))
    macro = sandbox.macro_id("sla-bridge: approve escalation")
    faulty(lambda: world.step(at("2026-12-01 10:30"), "Morgan approves",
                              lambda: sandbox.apply_macro(carl, macro, people["Morgan"])))
    faulty(lambda: world.advance(at("2026-12-07 12:00")))
    return carl, ivy


def story_world(make_world: Callable[..., BridgeOnSandbox],
                environment: dict[str, str]) -> tuple[BridgeOnSandbox, People]:
    world = make_world(start=at("2026-11-23 08:00"), manager_group=MANAGERS,
                       policies=["code42-enterprise", "crashplan-small-business"],
                       environment={**FAST_RETRIES, **environment})
    people = code42_people(world.sandbox)
    people.org("Initech", "small-business", sandbox=world.sandbox)
    people.customer("Ivy", "Initech", sandbox=world.sandbox)
    world.start()
    return world, people


def retries(world: BridgeOnSandbox) -> float:
    value = world.runtime.metrics.registry.get_sample_value(
        "sla_bridge_vendor_retries_total", {"platform": "zendesk"})
    return value or 0.0


@pytest.mark.parametrize("name", list(FAULTS))
def test_every_action_lands_exactly_once_whatever_the_api_does(
        make_world: Callable[..., BridgeOnSandbox], name: str) -> None:
    fault = FAULTS[name]
    world, people = story_world(make_world, fault.environment)
    carl, ivy = play(world, people, fault)
    sandbox = world.sandbox

    # Nothing lost, nothing twice: the same tickets as without faults.
    assert summary(sandbox, carl) == CARL
    assert summary(sandbox, ivy) == IVY
    for ticket in (carl, ivy):
        assert set(seen(sandbox, ticket).keys().values()) == {1}
        assert set(tags_added(sandbox, ticket).values()) == {1}
    assert not world.runtime.store.dead_letters()

    log = sandbox.request_log()
    hit = [r for r in log if r["fault"]]
    if name == "no fault":
        assert hit == []
        assert retries(world) == 0
        return
    if name == "duplicated webhooks":
        duplicates = world.runtime.metrics.registry.get_sample_value(
            "sla_bridge_webhooks_duplicate_total", {"platform": "zendesk"})
        assert (duplicates or 0) >= 10
        return
    assert len(hit) >= 2, "the faults must have hit the bridge's requests"
    # Every failed request was retried (a slow answer in time is no failure).
    failed = [r for r in hit if r["fault"] != "slow" or name.startswith("answers slower")]
    assert retries(world) >= len(failed)
    if name == "slow answers":
        assert retries(world) == 0
    # Retry-After honoured: the retry of a 429 came at least 1 s later (the sandbox says
    # "Retry-After: 1"); other failures were retried after the short back-off (<= 0.05 s).
    for index, entry in enumerate(log):
        if entry["fault"] in ("429", "500", "502"):
            again = next(r for r in log[index + 1:] if (r["method"], r["path"]) == (
                entry["method"], entry["path"]))
            waited = again["at"] - entry["at"]
            if entry["fault"] == "429":
                assert waited >= 0.95, waited
            else:
                assert waited < 0.9, waited


def test_a_lost_webhook_for_a_new_ticket_is_healed_by_the_next_event(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox
    sandbox.drop_webhooks(1)
    number = world.step(at("2026-11-30 09:00"), "Dana opens (the webhook is lost)",
                        lambda: sandbox.open_ticket(
                            people["Dana"], "Restores fail",
                            "Restores fail from many devices since the upgrade. " + COMPLETE,
                            priority="high"))["id"]
    assert [d.status for d in sandbox.deliveries] == ["dropped"]
    assert seen(sandbox, number).fields["SLA first response due"] is None
    world.step(at("2026-11-30 10:00"), "Dana adds a detail",
               lambda: sandbox.customer_reply(number, "It is the EU data centre."))
    # Computed from the ticket's creation, as if nothing had been lost: Gold Severity 2, 4
    # business hours from 09:00.
    assert seen(sandbox, number).fields["SLA first response due"] == (
        "2026-11-30T13:00:00-06:00")
    world.advance(at("2026-11-30 12:30"))
    assert [(f"{c.at:%H:%M}", c.body) for c in seen(sandbox, number).starting("SLA ")] == [
        ("12:00", "SLA warning: the first response (4 business hours, severity 2, plan gold) "
                  "is due Mon 30 Nov 13:00 CST.")]


def test_a_lost_webhook_for_an_answer_is_healed_by_the_warning_timer(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox
    number = world.step(at("2026-11-30 09:00"), "Dana opens", lambda: sandbox.open_ticket(
        people["Dana"], "Restores fail",
        "Restores fail from many devices since the upgrade. " + COMPLETE,
        priority="high"))["id"]
    sandbox.drop_webhooks(1)
    world.step(at("2026-11-30 10:00"), "Avery answers (the webhook is lost)",
               lambda: sandbox.agent_update(number, people["Avery"], comment="On it."))
    # At 12:00, the warning timer makes the bridge look again: the answer is there, the
    # target was met, so there is no warning and no breach (and no timer left).
    world.advance(at("2026-11-30 18:00"))
    view = seen(sandbox, number)
    assert view.starting("SLA ") == []
    assert not {"sla_warning", "sla_breached"} & set(view.tags)
    assert world.runtime.store.next_timer_due() is None


def test_a_lost_webhook_for_the_managers_decision_is_healed_by_the_reminder_timer(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox
    number = world.step(at("2026-11-30 09:00"), "Dana opens", lambda: sandbox.open_ticket(
        people["Dana"], "Restores fail",
        "Restores fail from many devices since the upgrade. " + COMPLETE,
        priority="high"))["id"]
    world.step(at("2026-11-30 09:30"), "Avery answers", lambda: sandbox.agent_update(
        number, people["Avery"], comment="On it."))  # no SLA timer is left
    world.step(at("2026-11-30 10:00"), "Dana asks to escalate", lambda: sandbox.customer_reply(
        number, "Please escalate: restores from many devices have failed for five days and "
                "our audit is on Wednesday. We expect severity 1."))
    sandbox.drop_webhooks(1)
    macro = sandbox.macro_id("sla-bridge: approve escalation and severity")
    world.step(at("2026-11-30 11:00"), "Morgan approves (the webhook is lost)",
               lambda: sandbox.apply_macro(number, macro, people["Morgan"]))
    assert seen(sandbox, number).group is None
    # The reminder timer (10:00 + 4 business hours = 14:00) makes the bridge look again:
    # it finds the decision, acts on it, and has no reason to remind anyone.
    world.advance(at("2026-11-30 18:00"))
    view = seen(sandbox, number)
    assert (view.group, view.priority) == ("Senior Customer Champions", "urgent")
    assert [(f"{c.at:%H:%M}", c.body) for c in view.by_bridge(public=True)] == [
        ("14:00", "A support manager has approved your escalation request and set the ticket "
                  "to severity 1; Senior Customer Champions will take it from here.")]
    assert view.starting("Reminder:") == []


def test_a_small_initial_back_off_from_the_environment_is_usable(
        make_world: Callable[..., BridgeOnSandbox]) -> None:
    world = make_world(start=at("2026-11-30 08:00"), policies=["code42-enterprise"],
                       environment={"SLA_BRIDGE_RETRY__INITIAL_SECONDS": "0.01",
                                    "SLA_BRIDGE_RETRY__MAX_SECONDS": "0.05"})
    people = code42_people(world.sandbox)
    world.start()
    number = world.step(at("2026-11-30 09:00"), "Dana opens", lambda: world.sandbox.open_ticket(
        people["Dana"], "Restores fail", "Restores fail. " + COMPLETE, priority="high"))["id"]
    assert seen(world.sandbox, number).fields["SLA first response due"] == (
        "2026-11-30T13:00:00-06:00")
