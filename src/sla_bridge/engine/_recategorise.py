"""What the vendor does when its classification differs from the customer's severity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sla_bridge.actions import AddComment, SetFields
from sla_bridge.policy import Policy
from sla_bridge.store import Decision
from sla_bridge.tickets import Ticket

from ._outcome import Classified, Part


def recategorise(policy: Policy, ticket: Ticket, result: Classified | None,
                 state: dict[str, Any], now: datetime) -> Part:
    """Never, suggest (internal note) or apply (vendor severity + public explanation)."""
    part = Part()
    mode = policy.classification.recategorise
    if result is None or mode == "never" or ticket.vendor_severity:
        return part  # an agent (or an earlier decision) has set the vendor severity
    customer = ticket.customer_severity
    if customer is not None:
        try:
            customer = policy.severity(customer).id
        except LookupError:
            customer = None
    if result.severity == customer:
        return part
    reasons = "; ".join(result.reasons) or "no specific signal"
    label = policy.severity(result.severity).label
    said = f"the customer chose severity {customer}" if customer else "no severity was chosen"
    apply = mode == "apply" and result.confidence >= policy.classification.min_confidence_to_apply
    key = f"classify:{result.severity}"
    if state.get("classified") == key:
        return part
    part.state["classified"] = key
    if apply:
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
                                       {"confidence": result.confidence}))
    return part
