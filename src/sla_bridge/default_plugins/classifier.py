"""Built-in plugin: the rule-and-similarity severity classifier of :mod:`sla_bridge.classify`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sla_bridge.hookspecs import hookimpl

if TYPE_CHECKING:
    from sla_bridge.classify import ClassificationResult
    from sla_bridge.policy import Policy
    from sla_bridge.tickets import Ticket


@hookimpl(trylast=True)
def sla_bridge_classify(policy: Policy, ticket: Ticket) -> ClassificationResult | None:
    """Classify with the built-in classifier (last, so a plugin's classifier wins)."""
    # Imported on the first ticket: its word lists take a while to compile, and commands
    # that never classify (``sla-bridge due``) load this plugin too.
    from sla_bridge.classify import classify_ticket

    return classify_ticket(policy, ticket)
