"""What the engine remembers of a ticket between looks, as a typed object.

Stored as JSON in the ticket's record (``TicketRecord.state``); read back with unknown keys
ignored, so that a memory written by an older or newer bridge still loads. Each concern
returns its changes in ``Part.state`` under these field names; :func:`merged` refuses a
name that is not a field, so a misspelt key fails the tests instead of being forgotten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict


class TicketMemory(BaseModel):
    """The engine's memory of one ticket."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    # The status, plan, severity and location history (see _timeline).
    timeline: list[dict[str, Any]] = []
    # First looks, done once: when, as ISO instants.
    entitlements_checked: str | None = None
    intake_checked: str | None = None
    channel_checked: str | None = None
    # The classification acted on ("classify:<severity>"), so it is acted on once.
    classified: str | None = None
    # The escalation round (see _escalation).
    escalation: dict[str, Any] = {}
    # The agent who set the ticket pending or solved, and since when.
    last_agent: str | None = None
    last_agent_since: str | None = None
    follow_up_noted: bool = False
    # Notes given once: the last unresolved problem, no policy, an assumed location.
    unresolved: str | None = None
    no_policy: bool | None = None
    location_assumed: str | None = None
    # Exemption name -> how many times its tag was set or taken off (odd: on).
    exemptions: dict[str, int] = {}
    end_of_life_noted: str | None = None
    # The solve (its start, or "by the bridge") and close already notified.
    solved_notified: str | None = None
    closed_notified: bool | None = None


def merged(state: Mapping[str, Any], updates: Mapping[str, Any]) -> TicketMemory:
    """The memory ``state`` with ``updates`` applied; an update to no field is an error."""
    unknown = set(updates) - set(TicketMemory.model_fields)
    if unknown:
        raise KeyError(f"not fields of TicketMemory: {', '.join(sorted(unknown))}")
    return TicketMemory.model_validate({**state, **updates})
