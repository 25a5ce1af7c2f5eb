"""The engine's entry point: (policies, ticket, memory, events, now) -> desired outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from itertools import pairwise
from typing import Any

from sla_bridge.actions import Action, AddComment
from sla_bridge.policy import Metric, Policy
from sla_bridge.records import ClockRecord, Decision, TicketRecord
from sla_bridge.tickets import Ticket

from ._channels import channel_hours
from ._clocks import ClockView, clock_effects, compute_clock, public_agent_replies
from ._entitlements import entitlements
from ._escalation import escalation
from ._exemptions import exemptions
from ._intake import intake
from ._lifecycle import follow_up_cleanup, lifecycle
from ._memory import TicketMemory, merged
from ._outcome import Outcome, Part, Situation
from ._recategorise import recategorise
from ._timeline import Observation, observe, timeline_json
from ._versions import end_of_life


def select_policy(policies: Sequence[Policy], situation: Situation) -> Policy | None:
    """Return the first policy whose ``applies_to`` matches the ticket."""
    ticket = situation.ticket

    def matches(wanted: list[str], value: str | None) -> bool:
        return not wanted or (value or "").lower() in {w.lower() for w in wanted}

    for policy in policies:
        rule = policy.applies_to
        plan_ok = matches(rule.plans, ticket.plan) or matches(rule.plans,
                                                              _plan_id(policy, ticket.plan))
        if (plan_ok and matches(rule.products, ticket.product)
                and matches(rule.brands, ticket.brand) and matches(rule.forms, ticket.form)):
            return policy
    return None


def needs_classification(policies: Sequence[Policy], situation: Situation) -> Policy | None:
    """The policy to classify the ticket against, when :func:`decide` would use a severity
    classification: a policy applies, no vendor severity is set (an agent's or an earlier
    decision wins), and the policy does something with one. ``None`` otherwise.

    Classifiers are plugins, so the caller asks them (the engine does no I/O) and passes
    the result in ``Situation.classification``.
    """
    policy = select_policy(policies, situation)
    if policy is None or situation.ticket.vendor_severity:
        return None
    if (policy.classification.recategorise == "never"
            and policy.classification.customer_sets_severity):
        return None
    return policy


def _plan_id(policy: Policy, plan: str | None) -> str | None:
    """The policy's plan key for a ticket's plan written as its key or label; a single-plan
    policy's plan for a ticket without one (Policy.plan(None) is that plan)."""
    try:
        return policy.plan(plan)[0]
    except LookupError:
        return None


def decide(policies: Sequence[Policy], situation: Situation) -> Outcome:
    """Compute the desired state of the situation's ticket. Pure: no I/O, no clock reads."""
    ticket, now = situation.ticket, situation.now
    memory = situation.memory or TicketRecord(ref=ticket.ref)
    known = TicketMemory.model_validate(memory.state)
    policy = select_policy(policies, situation)
    if policy is None:
        return _no_sla(policies, situation, memory)
    history = observe(known.timeline, ticket, policy.pausing_tags)
    part = Part(state={"timeline": timeline_json(history)})
    if memory.policy_id != policy.id:
        part.decisions.append(Decision("policy.selected", f"policy {policy.id} applies", now,
                                       {"policy": policy.id}))
    try:
        plan_id, plan = policy.plan(ticket.plan)
    except LookupError as exc:
        return _unresolved(policy, situation, memory, part, str(exc.args[0]))
    part.add(_location(policy, ticket, known, now))
    part.add(entitlements(policy, plan_id, plan, ticket, known, now))
    part.add(channel_hours(policy, ticket, known, now))
    part.add(exemptions(policy, ticket, known, now))
    part.add(end_of_life(policy, ticket, known, now))
    part.add(recategorise(policy, ticket, situation.classification, known, now))
    part.add(intake(policy, ticket, known, now))
    part.add(escalation(policy, ticket, merged(memory.state, part.state), now))
    part.add(lifecycle(policy, ticket, history, merged(memory.state, part.state), now))
    # The clocks run on the ticket as this look's own writes leave it (a severity set, a
    # re-open, an auto-close), so the look after the echo of those writes has nothing to add.
    desired = project(ticket, part.actions, now)
    if desired is not ticket:
        history = observe(part.state["timeline"], desired, policy.pausing_tags)
        part.state["timeline"] = timeline_json(history)
    clocks: list[ClockRecord] = []
    try:
        for view in _clocks(policy, replace(situation, ticket=desired), history):
            remembered = situation.remembered_clock(view.metric)
            effects = clock_effects(policy, view, ticket, now, remembered)
            clocks.append(effects.record)
            part.actions += effects.actions
            part.timers += effects.timers
            part.decisions += effects.decisions
    except LookupError as exc:
        return _unresolved(policy, situation, memory, part, str(exc.args[0]))
    part.add(follow_up_cleanup(policy, ticket, known, part.actions))
    record = TicketRecord(ref=ticket.ref, policy_id=policy.id, plan=plan_id,
                          customer_severity=ticket.customer_severity,
                          vendor_severity=ticket.vendor_severity, status=str(ticket.status),
                          state=_stored(memory.state, part.state), clocks=tuple(clocks),
                          periods=_closed_periods(policy, replace(situation, ticket=desired),
                                                  history))
    return Outcome(record, tuple(part.actions), tuple(part.timers), tuple(part.decisions))


def project(ticket: Ticket, actions: Sequence[Action], now: datetime) -> Ticket:
    """The ticket as the state-like ``actions`` (fields, tags, status, assignment) will
    leave it; the same object when none changes it."""
    desired = ticket
    for action in actions:
        if not action.one_off:
            desired = action.applied_to(desired, now)
    if desired is not ticket and desired.model_dump(exclude={"updated_at"}) == ticket.model_dump(
            exclude={"updated_at"}):
        return ticket
    return desired


def _stored(state: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    """The memory to store: the typed memory with this look's updates, as JSON data."""
    return merged(state, updates).model_dump(mode="json", exclude_defaults=True)


def _location(policy: Policy, ticket: Ticket, known: TicketMemory, now: datetime) -> Part:
    """An unknown location is read as the policy's default one; say so once per location."""
    part = Part()
    found = policy.resolve_location(ticket.location)
    if not found.assumed or known.location_assumed == ticket.location:
        return part
    note = f"sla-bridge: {found.note}; the SLA clocks use its hours and time zone."
    part.actions.append(AddComment(ref=ticket.ref, key=f"location:assumed:{ticket.location}",
                                   body=note, public=False, reason=note))
    part.decisions.append(Decision("location.assumed", note, now,
                                   {"location": ticket.location, "assumed": found.id}))
    part.state["location_assumed"] = ticket.location
    return part


def _clocks(policy: Policy, situation: Situation,
            history: Sequence[Observation]) -> list[ClockView]:
    ticket, now = situation.ticket, situation.now
    replies = public_agent_replies(ticket)
    views = [compute_clock(policy, "first_response", ticket.created_at, history,
                           replies[0] if replies else None, now)]
    metric: Metric = "next_update"
    if replies and _has_target(policy, ticket, metric):
        views.append(compute_clock(policy, metric, replies[-1], history, None, now))
    return views


def _closed_periods(policy: Policy, situation: Situation,
                    history: Sequence[Observation]) -> tuple[ClockRecord, ...]:
    """The next-update periods a later public reply ended (met at that reply, breached if
    after the due instant), from the period the bridge remembers on: earlier ones were
    handed to the store by an earlier look already (a first look hands them all)."""
    metric: Metric = "next_update"
    replies = public_agent_replies(situation.ticket)
    if len(replies) < 2 or not _has_target(policy, situation.ticket, metric):
        return ()
    remembered = situation.remembered_clock(metric)
    since = remembered.started_at if remembered is not None else None
    periods = []
    for start, answer in pairwise(replies):
        if (since is not None and start < since) or answer <= start:
            continue
        try:
            view = compute_clock(policy, metric, start, history, answer, situation.now)
        except LookupError:
            continue  # no next-update target was in force then
        periods.append(view.record(situation.now, warned=False))
    return tuple(periods)


def _has_target(policy: Policy, ticket: Ticket, metric: Metric) -> bool:
    try:
        policy.target(ticket.plan, ticket.severity or policy.severity_ids[-1], metric,
                      ticket.location)
    except LookupError:
        return False
    return True


def _unresolved(policy: Policy, situation: Situation, memory: TicketRecord, part: Part,
                problem: str) -> Outcome:
    ticket, now = situation.ticket, situation.now
    note = f"sla-bridge cannot track an SLA on this ticket: {problem}"
    first_time = TicketMemory.model_validate(memory.state).unresolved != note
    part.actions.append(AddComment(ref=ticket.ref, key="sla:unresolved", body=note,
                                   public=False, reason=note))
    if first_time:
        part.decisions.append(Decision("sla.unresolved", note, now, {}))
    part.state["unresolved"] = note
    record = TicketRecord(ref=ticket.ref, policy_id=policy.id, plan=ticket.plan,
                          customer_severity=ticket.customer_severity,
                          vendor_severity=ticket.vendor_severity, status=str(ticket.status),
                          state=_stored(memory.state, part.state))
    return Outcome(record, tuple(part.actions), tuple(part.timers), tuple(part.decisions))


def _no_sla(policies: Sequence[Policy], situation: Situation, memory: TicketRecord) -> Outcome:
    ticket = situation.ticket
    names = ", ".join(p.id for p in policies) or "none loaded"
    note = (f"sla-bridge: no support policy applies to this ticket (plan {ticket.plan!r}, "
            f"product {ticket.product!r}); no SLA is tracked. Policies: {names}.")
    first_time = TicketMemory.model_validate(memory.state).no_policy is None
    return Outcome(
        record=TicketRecord(ref=ticket.ref, status=str(ticket.status),
                            customer_severity=ticket.customer_severity,
                            vendor_severity=ticket.vendor_severity,
                            state=_stored(memory.state, {"no_policy": True})),
        actions=(AddComment(ref=ticket.ref, key="policy:none", body=note, public=False,
                            reason=note),),
        decisions=(Decision("policy.none", note, situation.now, {}),) if first_time else (),
    )
