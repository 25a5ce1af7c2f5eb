"""A played story as one JSON document: per ticket its writes, clocks, timers and decisions."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from sla_bridge.records import ClockRecord, Decision

from ._desk import TicketLife, Write
from ._play import StoryResult

# Action kind -> the kind a story's reader sees.
WRITE_KINDS = {"add_comment": "comment", "set_fields": "fields", "change_tags": "tags",
               "set_status": "status", "assign": "assign", "create_follow_up": "follow_up",
               "request_approval": "approval"}


def result_to_json(result: StoryResult) -> dict[str, Any]:
    """The whole story's outcome: the original ticket's result with its follow-ups nested,
    plus ``story``, ``policies``, ``until`` and, when not settled, the repeating writes."""
    zone = result.zone()
    document: dict[str, Any] = {
        "story": result.origin,
        "about": result.story.about,
        "policies": [policy.id for policy in result.desk.policies],
        "until": _instant(result.until, zone),
    }
    document.update(ticket_result(result, result.original))
    document["repeating"] = [write_to_json(w, zone, result) for w in result.repeating]
    if not result.settled:
        document["unsettled_ticket"] = result.unsettled_ticket
    return document


def ticket_result(result: StoryResult, life: TicketLife) -> dict[str, Any]:
    """One ticket's result: the same shape for the original and every follow-up."""
    zone = result.zone(life)
    ticket = life.ticket
    children = result.children(life)
    return {
        "ticket": ticket.ref.ticket_id,
        "follow_up_of": ticket.follow_up_of,
        "policy": life.memory.policy_id if life.memory else None,
        "settled": _settled(result, life),
        "writes": [write_to_json(w, zone, result) for w in life.written],
        "clocks": [clock_to_json(c, zone) for c in (life.memory.clocks if life.memory else ())],
        "timers": [{"kind": t.kind, "due": _instant(t.due_at, zone)}
                   for t in sorted(life.timers, key=lambda t: (t.due_at, t.kind))],
        "decisions": [decision_to_json(d, zone) for d in life.decisions],
        "final": {"status": str(ticket.status), "plan": ticket.plan,
                  "customer_severity": ticket.customer_severity,
                  "vendor_severity": ticket.vendor_severity, "location": ticket.location,
                  "assignee": ticket.assignee_id, "group": ticket.group,
                  "tags": sorted(ticket.tags), "fields": ticket.fields},
        "follow_ups": [ticket_result(result, child) for child in children],
    }


# An action's own field names -> the keys of a write in the story result.
_WRITE_KEYS = {"summary": "body", "add": "tags_add", "remove": "tags_remove",
               "assignee_id": "assignee", "carry": "fields"}


def write_to_json(write: Write, zone: tzinfo, result: StoryResult | None = None) -> dict[str, Any]:
    """One write with every key present (``null`` where the kind has no such part)."""
    action = write.action
    out: dict[str, Any] = {
        "at": _instant(write.at, zone), "kind": WRITE_KINDS[action.kind], "key": action.key,
        "public": None, "body": None, "status": None, "fields": None, "tags_add": None,
        "tags_remove": None, "group": None, "assignee": None, "reason": action.reason,
    }
    for name, value in action.model_dump(mode="json", exclude={"ref", "key", "kind",
                                                               "reason"}).items():
        out[_WRITE_KEYS.get(name, name)] = value
    if action.kind == "request_approval":
        out["public"] = False  # an approval request is an internal note where it is a note
    if action.kind == "create_follow_up" and result is not None:
        out["follow_up"] = result.desk.opened_by.get(action.idempotency_key)
    return out


def clock_to_json(clock: ClockRecord, zone: tzinfo) -> dict[str, Any]:
    """An SLA clock as it stands at the end of the story."""
    return {"metric": clock.metric, "target": clock.target, "due": _instant(clock.due_at, zone),
            "met_at": _instant(clock.met_at, zone), "breached": clock.breached,
            "paused": clock.paused, "warned": clock.warned,
            "used_hours": round(clock.used_seconds / 3600, 4)}


def decision_to_json(decision: Decision, zone: tzinfo) -> dict[str, Any]:
    """One entry of the audit trail: what the bridge decided and why."""
    return {"at": _instant(decision.at, zone), "kind": decision.kind, "reason": decision.summary}


def _settled(result: StoryResult, life: TicketLife) -> bool:
    if result.settled:
        return True
    return life.id != result.unsettled_ticket and all(
        _settled(result, child) for child in result.children(life))


def _instant(at: datetime | None, zone: tzinfo) -> str | None:
    return at.astimezone(zone).isoformat() if at is not None else None
