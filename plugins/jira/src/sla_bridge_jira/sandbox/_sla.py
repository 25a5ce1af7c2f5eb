"""The native SLA "Time to resolution": one 24/7 cycle with an 8 hour goal, paused while the
request waits for the customer, stopped in a done status (a request re-opened goes on with
the same cycle, not counting the time it was done).

It is read-only: SLAs are configured in the project, not written through the API
(``getSlaInformation``,
https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-sla-get);
the field shows the same ``SlaInformation`` shape.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ._people import date_dto
from ._workflow import Status

#: The SLA's goal.
SLA_GOAL = timedelta(hours=8)
PAUSED_IN = "Waiting for customer"


def sla_start(now: datetime) -> dict[str, Any]:
    """A new request's SLA record."""
    return {"started": now, "paused_ms": 0, "paused_since": None, "stopped": None}


def _ms(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)


def sla_moves(sla: dict[str, Any], to: Status, now: datetime) -> None:
    """Account for the request moving to status ``to`` at ``now``."""
    if sla["paused_since"] is not None and to.name != PAUSED_IN:
        sla["paused_ms"] += _ms(now - sla["paused_since"])
        sla["paused_since"] = None
    if sla["stopped"] is not None and to.category != "done":
        sla["paused_ms"] += _ms(now - sla["stopped"])
        sla["stopped"] = None
    if to.name == PAUSED_IN and sla["paused_since"] is None:
        sla["paused_since"] = now
    if to.category == "done" and sla["stopped"] is None:
        sla["stopped"] = now


def sla_json(sla: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The SLA field's value."""
    end = sla["stopped"] or now
    paused = sla["paused_ms"] + (_ms(end - sla["paused_since"]) if sla["paused_since"] else 0)
    elapsed = _ms(end - sla["started"]) - paused
    goal = _ms(SLA_GOAL)
    cycle = {"startTime": date_dto(sla["started"]),
             "breachTime": date_dto(sla["started"] + SLA_GOAL + timedelta(milliseconds=paused)),
             "breached": elapsed > goal, "goalDuration": {"millis": goal, "friendly": "8h"},
             "elapsedTime": {"millis": elapsed}, "remainingTime": {"millis": goal - elapsed}}
    if sla["stopped"]:
        return {"id": "1", "name": "Time to resolution",
                "completedCycles": [{**cycle, "stopTime": date_dto(sla["stopped"])}]}
    return {"id": "1", "name": "Time to resolution", "completedCycles": [], "ongoingCycle": {
        **cycle, "paused": sla["paused_since"] is not None, "withinCalendarHours": True}}
