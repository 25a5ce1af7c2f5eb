"""The engine's entry point: (policies, ticket, memory, events, now) -> desired outcome."""

from __future__ import annotations

from collections.abc import Sequence

from sla_bridge.actions import Action, AddComment
from sla_bridge.policy import Policy
from sla_bridge.store import ClockRecord, Decision, TicketRecord, TimerSpec

from ._clocks import first_response_clock
from ._outcome import Outcome, Situation


def select_policy(policies: Sequence[Policy], situation: Situation) -> Policy | None:
    """Return the first policy whose ``applies_to`` matches the ticket."""
    ticket = situation.ticket

    def matches(wanted: list[str], value: str | None) -> bool:
        return not wanted or (value or "").lower() in {w.lower() for w in wanted}

    for policy in policies:
        rule = policy.applies_to
        if (matches(rule.plans, ticket.plan) and matches(rule.products, ticket.product)
                and matches(rule.brands, ticket.brand) and matches(rule.forms, ticket.form)):
            return policy
    return None


def decide(policies: Sequence[Policy], situation: Situation) -> Outcome:
    """Compute the desired state of the situation's ticket. Pure: no I/O, no clock reads."""
    ticket, now = situation.ticket, situation.now
    memory = situation.memory or TicketRecord(ref=ticket.ref)
    policy = select_policy(policies, situation)
    if policy is None:
        return _no_sla(policies, situation, memory)
    severity = ticket.severity or policy.severity_ids[-1]
    try:
        target = policy.target(ticket.plan, severity, "first_response", ticket.location)
    except LookupError as exc:
        note = f"sla-bridge cannot start an SLA clock: {exc.args[0]}"
        return Outcome(
            record=_record(memory, policy, ticket.plan, ticket.severity, situation),
            actions=(AddComment(ref=ticket.ref, key="sla:config-problem", body=note,
                                public=False, reason=note),),
            decisions=(Decision("sla.unresolved", note, now, {}),)
            if memory.state.get("unresolved") != note else (),
        )
    result = first_response_clock(policy, target, situation)
    record = _record(memory, policy, target.plan, target.severity, situation,
                     clocks=(result.clock,))
    decisions = list(result.decisions)
    if memory.policy_id != policy.id:
        decisions.insert(0, Decision("policy.selected",
                                     f"policy {policy.id} applies (plan {target.plan})", now,
                                     {"policy": policy.id}))
    actions: list[Action] = list(result.actions)
    timers: list[TimerSpec] = list(result.timers)
    return Outcome(record, tuple(actions), tuple(timers), tuple(decisions))


def _no_sla(policies: Sequence[Policy], situation: Situation, memory: TicketRecord) -> Outcome:
    ticket = situation.ticket
    names = ", ".join(p.id for p in policies) or "none loaded"
    note = (f"sla-bridge: no support policy applies to this ticket (plan {ticket.plan!r}, "
            f"product {ticket.product!r}); no SLA is tracked. Policies: {names}.")
    first_time = memory.state.get("no_policy") is None
    return Outcome(
        record=TicketRecord(ref=ticket.ref, status=str(ticket.status),
                            customer_severity=ticket.customer_severity,
                            vendor_severity=ticket.vendor_severity,
                            state={**memory.state, "no_policy": True}),
        actions=(AddComment(ref=ticket.ref, key="policy:none", body=note, public=False,
                            reason=note),),
        decisions=(Decision("policy.none", note, situation.now, {}),) if first_time else (),
    )


def _record(memory: TicketRecord, policy: Policy, plan: str | None, severity: str | None,
            situation: Situation, clocks: tuple[ClockRecord, ...] = ()) -> TicketRecord:
    ticket = situation.ticket
    return TicketRecord(ref=ticket.ref, policy_id=policy.id, plan=plan,
                        customer_severity=ticket.customer_severity,
                        vendor_severity=ticket.vendor_severity or None,
                        status=str(ticket.status), state=dict(memory.state),
                        clocks=clocks or memory.clocks)
