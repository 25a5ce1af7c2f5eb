"""Entitlements: who may open tickets, through which channel, for what kind of help."""

from __future__ import annotations

import re
from datetime import datetime

from sla_bridge.actions import AddComment
from sla_bridge.policy import Plan, Policy
from sla_bridge.records import Decision
from sla_bridge.tickets import Ticket

from ._memory import TicketMemory
from ._outcome import Part

CONTACT_CHANNELS = frozenset({"web", "email", "chat", "phone"})
# "Consultation for pre-planning and best practices", as a ticket asks for it.
_CONSULTATION = re.compile(r"\b(consultation|consult(?:ing)? (?:on|about)|best[- ]practices?|"
                           r"pre-?planning|architecture review|deployment plan(?:ning)?)\b",
                           re.IGNORECASE)


def entitlements(policy: Policy, plan_id: str, plan: Plan, ticket: Ticket,
                 memory: TicketMemory, now: datetime) -> Part:
    """Check a new ticket against the plan once; breaches get a note, never a silent drop."""
    part = Part()
    if memory.entitlements_checked or ticket.follow_up_of:
        return part
    part.state["entitlements_checked"] = now.isoformat()
    problems: list[tuple[str, str, str]] = []  # (key, internal note, public reply)
    rules = policy.entitlements
    if rules.registered_admins_only and plan.admins is not None:
        admins = ticket.registered_admins
        if admins is None:
            part.decisions.append(Decision(
                "entitlement.unknown", "the platform did not say who the organization's "
                "registered admins are; the admin check was skipped", now, {}))
        elif ticket.requester_id not in admins[:plan.admins]:
            allowed = "one administrator" if plan.admins == 1 else f"{plan.admins} administrators"
            problems.append((
                "admin",
                f"Entitlement: requester {ticket.requester_id} is not one of the first "
                f"{plan.admins} registered admins of the organization ({plan.label} allows "
                f"{allowed}).",
                f"Thank you for your request. Your {plan.label} plan allows {allowed} of your "
                "organization to contact support; please ask a registered administrator to "
                "open the ticket, or contact your account manager to change who is registered.",
            ))
    # Only channels a customer contacts support by are judged: "api", "rule" or "mobile" say
    # how a ticket was made (an integration, a trigger, an app), not which channel was used.
    judged = CONTACT_CHANNELS | {c for p in policy.plans.values() for c in p.channels}
    channel = (ticket.channel or "").lower()
    if plan.channels and channel in judged and channel not in plan.channels:
        channels = ", ".join(plan.channels)
        problems.append((
            "channel",
            f"Entitlement: the ticket came in by {ticket.channel}, which {plan.label} does not "
            f"include ({channels}).",
            f"Thank you for your request. Your {plan.label} plan includes support by "
            f"{channels}; we have recorded your request and will answer it here.",
        ))
    wants_consultation = (str(ticket.fields.get("request_type", "")).lower() == "consultation"
                          or "consultation" in ticket.tags
                          or bool(_CONSULTATION.search(f"{ticket.subject}\n{ticket.description}")))
    if wants_consultation and not plan.consultation:
        problems.append((
            "consultation",
            f"Entitlement: pre-planning and best-practice consultation is not part of "
            f"{plan.label}.",
            f"Thank you for your request. Consultation for pre-planning and best practices is "
            f"not included in your {plan.label} plan; your account manager can tell you about "
            "plans that include it.",
        ))
    for key, note, reply in problems:
        part.actions.append(AddComment(ref=ticket.ref, key=f"entitlement:{key}:note", body=note,
                                       public=False, reason=note))
        if rules.reply_publicly_on_breach:
            part.actions.append(AddComment(ref=ticket.ref, key=f"entitlement:{key}:reply",
                                           body=reply, public=True, reason=note))
        part.decisions.append(Decision(f"entitlement.{key}", note, now, {"plan": plan_id}))
    return part
