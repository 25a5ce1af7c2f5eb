"""What the vendor does when its classification differs from the customer's severity."""

from __future__ import annotations

from datetime import datetime

from sla_bridge.actions import AddComment, SetFields
from sla_bridge.classify import recategorisation
from sla_bridge.policy import Policy
from sla_bridge.records import Decision
from sla_bridge.tickets import Ticket

from ._memory import TicketMemory
from ._outcome import Classified, Part


def recategorise(policy: Policy, ticket: Ticket, result: Classified | None,
                 memory: TicketMemory, now: datetime) -> Part:
    """Keep, suggest (internal note) or apply (vendor severity + public explanation)."""
    part = Part()
    if result is None or ticket.vendor_severity:
        return part  # an agent (or an earlier decision) has set the vendor severity
    try:
        verdict = recategorisation(policy, result, ticket.customer_severity)
    except LookupError:
        return part  # an unknown customer severity is reported by the clocks
    key = f"classify:{result.severity}"
    if verdict.action == "keep" or memory.classified == key:
        return part
    part.state["classified"] = key
    customer = verdict.customer_severity
    reasons = "; ".join(result.reasons) or "no specific signal"
    label = policy.severity(result.severity).label
    said = f"the customer chose severity {customer}" if customer else "no severity was chosen"
    if verdict.action == "apply" and verdict.agrees:
        why = f"categorised as severity {result.severity} ({label}), as the customer chose"
        part.actions.append(SetFields(ref=ticket.ref, key=key,
                                      fields={"vendor_severity": result.severity},
                                      reason=f"{why}: {reasons}"))
        part.decisions.append(Decision("severity.categorised", f"{why}; {reasons}", now,
                                       {"confidence": result.confidence}))
    elif verdict.action == "apply":
        part.actions.append(SetFields(ref=ticket.ref, key=key,
                                      fields={"vendor_severity": result.severity},
                                      reason=f"re-categorised to {result.severity}: {reasons}"))
        text = (f"We have reviewed this ticket and categorised it as severity {result.severity} "
                f"({label}) under our support policy: {reasons}. ")
        text += (f"You chose severity {customer}; both are recorded on the ticket."
                 if customer else "")
        part.actions.append(AddComment(ref=ticket.ref, key=f"{key}:explain", body=text.strip(),
                                       public=True, reason="re-categorisation explained"))
        part.decisions.append(Decision("severity.recategorised",
                                       f"severity {result.severity} applied ({said}); {reasons}",
                                       now, {"confidence": result.confidence}))
    else:
        text = (f"sla-bridge suggests severity {result.severity} ({label}), confidence "
                f"{result.confidence:.0%}; {said}. Why: {reasons}. Set the vendor severity to "
                "apply it.")
        part.actions.append(AddComment(ref=ticket.ref, key=f"{key}:suggest", body=text,
                                       public=False, reason=text))
        part.decisions.append(Decision("severity.suggested", text, now,
                                       {"confidence": result.confidence,
                                        "rule": verdict.explanation}))
    return part
