"""Built-in plugin: the rule-and-similarity severity classifier of :mod:`sla_bridge.classify`."""

from __future__ import annotations

from sla_bridge.classify import ClassificationResult, classify_ticket
from sla_bridge.hookspecs import hookimpl
from sla_bridge.policy import Policy
from sla_bridge.tickets import Ticket


@hookimpl(trylast=True)
def sla_bridge_classify(policy: Policy, ticket: Ticket) -> ClassificationResult | None:
    """Classify with the built-in classifier (last, so a plugin's classifier wins)."""
    return classify_ticket(policy, ticket)
