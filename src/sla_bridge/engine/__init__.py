"""The policy engine: pure functions from (policies, ticket, memory, events, now) to the
ticket's desired state, with a reason in words for every decision.

:func:`decide` composes the concerns, each in its own module: SLA clocks (``_clocks``),
entitlements, re-categorisation, the intake checklist, escalation approval, and the
ticket lifecycle (auto-close, re-open, follow-ups).
"""

from ._clocks import ClockView, compute_clock, public_agent_replies
from ._decide import decide, needs_classification, project, select_policy
from ._intake import missing_items
from ._outcome import Classified, Outcome, Part, Situation
from ._timeline import Observation, observe

__all__ = [
    "Classified",
    "ClockView",
    "Observation",
    "Outcome",
    "Part",
    "Situation",
    "compute_clock",
    "decide",
    "missing_items",
    "needs_classification",
    "observe",
    "project",
    "public_agent_replies",
    "select_policy",
]
