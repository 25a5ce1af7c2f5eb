"""The policy engine: pure functions from (policies, ticket, memory, events, now) to the
ticket's desired state, with a reason in words for every decision."""

from ._clocks import first_public_agent_reply, first_response_clock
from ._decide import decide, select_policy
from ._outcome import Outcome, Situation

__all__ = [
    "Outcome",
    "Situation",
    "decide",
    "first_public_agent_reply",
    "first_response_clock",
    "select_policy",
]
