"""The neutral ticket priority and a helpdesk's own priority names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: The neutral priorities, highest first: Zendesk's names, which the engine writes (a warning
#: or a breach raises a ticket to ``urgent`` when its policy says so).
NEUTRAL_PRIORITIES = ("urgent", "high", "normal", "low")


def neutral_priority(priority: Any, to_platform: Callable[[str], Any]) -> str | None:
    """The neutral priority a helpdesk's ``priority`` reads as: the highest neutral one that
    ``to_platform`` writes as it (so the bridge's ``urgent``, written as Jira's "Highest" or
    Salesforce's "High", reads back as written and is not written again on every
    reconcile); else the helpdesk's name itself; ``None`` when there is none."""
    if priority is None or priority == "":
        return None
    return next((name for name in NEUTRAL_PRIORITIES if to_platform(name) == priority),
                str(priority))
