"""Play a ticket's life against a policy in memory: every write, timer and clock, no helpdesk.

What ``promtool test rules`` is to Prometheus rules, this is to support policies. A *story*
(a JSON file, see docs/simulate.md) opens a ticket and says what the customer and the agents
do to it and when; :func:`play_story` plays it on a :class:`Desk` -- the helpdesk and the
bridge in memory, deciding with the real engine and diffing with the worker's own functions --
and returns a :class:`StoryResult`: what the bridge wrote, decided and kept, per ticket.

The ``sla-bridge simulate STORY`` command prints it as a timeline or as JSON.
"""

from ._desk import (
    MAX_PASSES,
    Classifier,
    Desk,
    NotSettled,
    Round,
    TicketLife,
    Write,
    describe_difference,
)
from ._play import StoryResult, play_story, resolve_policies
from ._render import describe_write, render_timeline
from ._result import WRITE_KINDS, result_to_json, ticket_result, write_to_json
from ._story import (
    Story,
    StoryError,
    StoryEvent,
    StoryTicket,
    TicketChanges,
    load_story,
    parse_story,
)

__all__ = [
    "MAX_PASSES",
    "WRITE_KINDS",
    "Classifier",
    "Desk",
    "NotSettled",
    "Round",
    "Story",
    "StoryError",
    "StoryEvent",
    "StoryResult",
    "StoryTicket",
    "TicketChanges",
    "TicketLife",
    "Write",
    "describe_difference",
    "describe_write",
    "load_story",
    "parse_story",
    "play_story",
    "render_timeline",
    "resolve_policies",
    "result_to_json",
    "ticket_result",
    "write_to_json",
]
